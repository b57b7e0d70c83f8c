"""The ``qualdesk`` command line: every use case of the app, for admins and scripts.

Commands live in ``cmd_*.py`` modules next to this file; each exposes
``register(reg: Registry)``. They are discovered, so adding a command touches one file.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Callable, Sequence

from qualdesk.cli.common import CommandError, Registry, build_context
from qualdesk.errors import KnownError


def command_modules() -> list[str]:
    pkg = sys.modules[__name__]
    return sorted(
        f"{__name__}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__) if m.name.startswith("cmd_")
    )


def _connection_error(exc: Exception) -> bool:
    sa_exc = sys.modules.get("sqlalchemy.exc")  # not imported to start the app faster
    return sa_exc is not None and isinstance(exc, sa_exc.OperationalError)


def _one_line(exc: Exception) -> str:
    lines = str(getattr(exc, "orig", exc)).strip().splitlines()
    return "database unavailable: " + (lines[0] if lines else type(exc).__name__)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot raise again."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def build_parser(modules: Sequence[str] | None = None) -> Registry:
    reg = Registry()
    for name in command_modules() if modules is None else modules:
        importlib.import_module(name).register(reg)
    return reg


def opens_the_app(argv: Sequence[str]) -> bool:
    """``qualdesk [--db URL] [app …]``: the desktop start needs no other command's
    module (together they import ~1 s of libraries a rep waits for at every start)."""
    rest = list(argv)
    while rest and rest[0].startswith("--db"):
        rest = rest[1:] if "=" in rest[0] else rest[2:]
    return not rest or rest[0] == "app"


def main(argv: Sequence[str] | None = None,
         app_runner: Callable[[argparse.Namespace], int] | None = None) -> int:
    """Run one command. ``app_runner`` opens the desktop app (``qualdesk`` alone or
    ``qualdesk app``); the console script passes it, the core never imports it."""
    argv = list(argv) if argv is not None else sys.argv[1:]
    reg = build_parser([f"{__name__}.cmd_app"] if opens_the_app(argv) else None)
    args = reg.parser.parse_args(argv)
    args.app_runner = app_runner
    handler = getattr(args, "handler", None)
    if handler is None:
        from qualdesk.cli.cmd_app import run_app

        handler = lambda _ctx, a: run_app(a)  # noqa: E731 (the default command)
    ctx = build_context(args)
    try:
        code = handler(ctx, args)
    except (KnownError, CommandError) as exc:
        hint = getattr(exc, "cli", None)  # the same advice, as a command
        print(f"qualdesk: {exc}" + (f" ({hint})" if hint else ""), file=sys.stderr)
        return 1
    except BrokenPipeError:
        # `qualdesk … | head`: the reader left; say nothing more, like other Unix tools.
        _silence_stdout()
        return 141
    except Exception as exc:
        # A lost database reached outside a unit of work (the schema check at start, a
        # raw connection): one line, never the driver's traceback. Anything else is a bug.
        if not _connection_error(exc):
            raise
        print(f"qualdesk: {_one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("qualdesk: interrupted", file=sys.stderr)
        return 130
    finally:
        ctx.close()
    return int(code or 0)
