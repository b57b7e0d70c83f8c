"""``qualdesk demo``: load the demo data set (idempotent)."""

from __future__ import annotations

import argparse

from qualdesk.cli.common import Context, Registry, add_json, print_json
from qualdesk.services.demo import load_demo


def _demo(ctx: Context, args: argparse.Namespace) -> int:
    result = load_demo(ctx.db)
    if args.json:
        print_json(result.as_dict())
    else:
        print(result.message())
    return 0


def register(reg: Registry) -> None:
    p = reg.command("demo", "load the demo data set (idempotent)", _demo)
    add_json(p)
