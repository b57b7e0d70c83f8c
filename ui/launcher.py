"""The ``qualdesk`` console script: the core command line, with the desktop app plugged in.

The core (``qualdesk.cli``) never imports Qt; it runs ``qualdesk app`` (and plain
``qualdesk``) through the app runner given here, which hands ``ui.app`` Qt's own options
and the start instant (nothing imports the launcher back).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

T0 = time.perf_counter()  # cold start is measured from the launcher's import


# Qt's own command-line options (QGuiApplication / QApplication): they go to Qt, not to
# our parser. Those that take a value, then those that stand alone.
QT_VALUE_OPTIONS = frozenset({"style", "stylesheet", "platform", "platformpluginpath",
                              "platformtheme", "plugin", "qwindowgeometry", "qwindowtitle",
                              "qwindowicon", "display", "session", "geometry", "qmljsdebugger"})
QT_FLAG_OPTIONS = frozenset({"reverse", "nograb", "dograb", "sync", "widgetcount"})


def split_qt_args(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """(our arguments, Qt's): ``-style fusion``, ``-style=fusion``, ``--platform xcb`` …"""
    ours: list[str] = []
    qt: list[str] = []
    items = list(argv)
    i = 0
    while i < len(items):
        arg = items[i]
        name = arg.lstrip("-").split("=", 1)[0]
        if arg.startswith("-") and arg != "-" and name in QT_VALUE_OPTIONS:
            if "=" in arg:
                qt.append(arg)
            elif i + 1 < len(items):
                qt.extend(items[i:i + 2])
                i += 1
            else:
                ours.append(arg)  # no value: our parser says what is wrong
        elif arg.startswith("-") and name in QT_FLAG_OPTIONS:
            qt.append(arg)
        else:
            ours.append(arg)
        i += 1
    return ours, qt


def main(argv: Sequence[str] | None = None) -> int:
    import argparse
    import sys

    from qualdesk.cli import main as cli_main
    from qualdesk.cli import opens_the_app
    from ui.app import run_from_args

    given = list(sys.argv[1:] if argv is None else argv)
    ours, qt = split_qt_args(given)
    if not opens_the_app(ours):  # only the app takes Qt's options: commands keep theirs
        ours, qt = given, []

    def run_app(args: argparse.Namespace) -> int:
        return run_from_args(args, qt_args=qt, t0=T0)

    return cli_main(ours, app_runner=run_app)
