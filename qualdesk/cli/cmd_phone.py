"""``qualdesk phone check``: is the app's phone (the SIP engine) usable on this machine."""

from __future__ import annotations

import argparse
import sys

from qualdesk.cli.common import Context, Registry, add_json, print_json
from qualdesk.services.phone_setup import check_engine
from qualdesk.services.sip_accounts import set_account


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


def _account(ctx: Context, args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None
    rec = set_account(ctx.db, args.rep, args.registrar, args.user, args.proxy, args.transport,
                      password)
    if args.json:
        print_json({**rec.as_dict(), "password_stored": password is not None})
    else:
        kept = "; password in the OS keyring" if password is not None else ""
        print(f"{rec.rep}'s SIP account: {rec.username}@{rec.registrar} over {rec.transport}{kept}")
    return 0


def register(reg: Registry) -> None:
    p = reg.subcommand("phone", "check", "check the app's phone (the SIP engine) on this machine",
                       _check, group_help="the app's own phone (SIP engine)")
    add_json(p)
    p = reg.subcommand("phone", "account", "set a rep's own SIP account (optional; the "
                       "password, read from stdin, goes to the OS keyring)", _account)
    p.add_argument("--rep", required=True)
    p.add_argument("--registrar", required=True, help="host[:port] of the PBX or provider")
    p.add_argument("--user", required=True, help="the SIP user (extension)")
    p.add_argument("--proxy", help="outbound proxy (host[:port])")
    p.add_argument("--transport", default="udp", choices=("udp", "tcp", "tls"))
    p.add_argument("--password-stdin", action="store_true")
    add_json(p)
