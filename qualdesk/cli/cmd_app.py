"""``qualdesk`` / ``qualdesk app``: open the desktop application."""

from __future__ import annotations

import argparse

from qualdesk.cli.common import Context, Registry


def run_app(args: argparse.Namespace) -> int:
    # Qt is imported only here so the core and every other command run without it.
    from ui.app import run

    return run(db_url=getattr(args, "db", None), rep=getattr(args, "rep", None),
               demo=getattr(args, "demo", False))


def _handler(ctx: Context, args: argparse.Namespace) -> int:
    return run_app(args)


def register(reg: Registry) -> None:
    p = reg.command("app", "open the desktop application", _handler)
    p.add_argument("--rep", help="sign in as this person (name given to `user add`)")
    p.add_argument("--demo", action="store_true", help="load the demo data set first")
