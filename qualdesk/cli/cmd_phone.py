"""``qualdesk phone check``: is the app's phone (the SIP engine) usable on this machine."""

from __future__ import annotations

import argparse
import sys

from qualdesk.cli.common import Context, Registry, add_json, print_json
from qualdesk.services.phone_setup import check_engine


def _check(ctx: Context, args: argparse.Namespace) -> int:
    r = check_engine()
    if args.json:
        print_json(r.as_dict())
    elif r.ok:
        print(f"phone engine: {r.engine} {r.version}: starts and answers")
    if not r.ok:
        print(f"qualdesk: the phone engine is not usable: {r.reason}", file=sys.stderr)
        return 1
    return 0


def register(reg: Registry) -> None:
    p = reg.subcommand("phone", "check", "check the app's phone (the SIP engine) on this machine",
                       _check, group_help="the app's own phone (SIP engine)")
    add_json(p)
