"""Shared plumbing for commands: the parser registry, the database context, output."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NoReturn

from qualdesk.db.engine import Database


class CommandError(Exception):
    """A usage problem found by a command (bad argument combination, unknown name)."""


Handler = Callable[["Context", argparse.Namespace], int | None]


class _Parser(argparse.ArgumentParser):
    """A usage error is one line on stderr, as every other failure (the contract); the
    full usage is one ``--help`` away. Sub-parsers inherit the class."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


class Registry:
    """Holds the top-level parser and the shared command groups (``import``, ``report``...)."""

    def __init__(self) -> None:
        self.parser = _Parser(
            prog="qualdesk", description="QualDesk: follow up every hand raise within the hour."
        )
        self.parser.add_argument(
            "--db", metavar="URL", help="database URL (default: $QUALDESK_DB or the SQLite file)"
        )
        self.parser.add_argument(
            "--version", action="version", version=f"%(prog)s {_version()}"
        )
        self._top = self.parser.add_subparsers(dest="command", metavar="COMMAND")
        self._groups: dict[str, argparse._SubParsersAction] = {}

    def command(self, name: str, help: str, handler: Handler) -> argparse.ArgumentParser:
        """A top-level command (``qualdesk NAME``)."""
        p = self._top.add_parser(name, help=help, description=help)
        p.set_defaults(handler=handler)
        return p

    def subcommand(
        self, group: str, name: str, help: str, handler: Handler, group_help: str = ""
    ) -> argparse.ArgumentParser:
        """A command inside a group (``qualdesk GROUP NAME``), the group created on first use."""
        if group not in self._groups:
            gp = self._top.add_parser(group, help=group_help or group, description=group_help)
            self._groups[group] = gp.add_subparsers(dest=f"{group}_command", metavar="COMMAND")
            gp.set_defaults(handler=_group_usage(gp, self._groups[group]))
        p = self._groups[group].add_parser(name, help=help, description=help)
        p.set_defaults(handler=handler)
        return p


def _group_usage(parser: argparse.ArgumentParser, commands: Any) -> Handler:
    """A group named without its command: one line naming the commands (the contract's
    one-line reason), not the whole help."""
    def show(ctx: Context, args: argparse.Namespace) -> int:
        print(f"{parser.prog}: choose a command: {', '.join(commands.choices)} "
              f"(see `{parser.prog} --help`)", file=sys.stderr)
        return 2

    return show


def _version() -> str:
    from qualdesk import __version__

    return __version__


def add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")


@dataclass
class Context:
    db_url: str
    _db: Database | None = field(default=None, repr=False)

    @property
    def db(self) -> Database:
        """The database, opened on first use and brought to the current schema."""
        if self._db is None:
            self._db = _open(self.db_url)
            self._db.ensure_ready()
        return self._db

    def raw_db(self) -> Database:
        """The database without any schema check (for ``db upgrade`` itself)."""
        if self._db is None:
            self._db = _open(self.db_url)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None


def _open(url: str) -> Database:
    """The database a URL names; a URL no engine of ours reads is a usage error (one
    line naming the scheme, never the password), not a traceback."""
    from sqlalchemy.exc import ArgumentError

    try:
        return Database(url)
    except (ArgumentError, ImportError) as exc:
        what = f"{url.partition('://')[0]!r}" if "://" in url else "the URL"
        raise CommandError(f"--db: {what} is not a database QualDesk can open ({exc}); "
                           "use sqlite:///PATH or postgresql://USER@HOST[:PORT]/NAME") from exc


def build_context(args: argparse.Namespace) -> Context:
    from qualdesk.paths import default_db_url

    url = args.db or os.environ.get("QUALDESK_DB") or default_db_url()
    return Context(db_url=url)


def acting_for(ctx: Context, named: str | None, option: str = "--rep",
               required: bool = True) -> str | None:
    """The person a command acts for, bound to the database login (DESIGN: ``--rep`` /
    ``--by``). On SQLite and with a login that is nobody's (the schema owner's) it is
    whoever ``option`` names; with a person's own login it is that person (``option``
    left out, or naming them), or — for a team lead's or admin's login only — someone
    else, and the database's audit names both."""
    from qualdesk.services.pg_roles import login_person
    from qualdesk.services.sign_in import ACTS_FOR_OTHERS

    me = login_person(ctx.db)
    if me is None:
        if named is None and required:
            raise CommandError(f"{option} NAME is required (this database login belongs to "
                               "no person)")
        return named
    name, role = me
    if named is None or named == name or role in ACTS_FOR_OTHERS:
        return named or name
    raise CommandError(f"{option} {named!r}: this database login is {name}'s ({role}), so it "
                       f"acts only as {name}; leave {option} out, or ask a team lead to do it")


def _default(o: Any) -> Any:
    if isinstance(o, datetime | date):
        return o.isoformat()
    if hasattr(o, "as_dict"):
        return o.as_dict()
    if isinstance(o, set | frozenset | tuple):
        return list(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, default=_default, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def print_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    """A plain aligned table for humans."""
    if not rows:
        print("(none)")
        return
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.isoformat(timespec="minutes")
    if isinstance(v, list | tuple):
        return ",".join(str(x) for x in v)
    return str(v)


def warn(msg: str) -> None:
    print(f"qualdesk: warning: {msg}", file=sys.stderr)
