"""``qualdesk`` / ``qualdesk app``: open the desktop application.

The core never imports Qt: the console script (``ui.launcher``) hands ``main`` an app
runner, which this command calls. A core-only install says so instead.
"""

from __future__ import annotations

import argparse

from qualdesk.cli.common import Context, Registry
from qualdesk.errors import KnownError


def run_app(args: argparse.Namespace) -> int:
    runner = getattr(args, "app_runner", None)
    if runner is None:
        raise KnownError("the desktop app is not part of this entry point; run the `qualdesk` "
                         "command (or `python -m ui`)")
    return int(runner(args))


def _handler(ctx: Context, args: argparse.Namespace) -> int:
    return run_app(args)


def register(reg: Registry) -> None:
    p = reg.command("app", "open the desktop application", _handler)
    p.add_argument("--rep", help="sign in as this person (name given to `user add`)")
    p.add_argument("--demo", action="store_true", help="load the demo data set first")
    p.add_argument("--smoke-test", metavar="SECONDS", nargs="?", const=20.0, type=float,
                   help="open, wait until the queue has loaded, print a JSON line and quit")
