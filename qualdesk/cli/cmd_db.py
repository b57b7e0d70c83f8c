"""``qualdesk db upgrade|current``."""

from __future__ import annotations

import argparse

from qualdesk.cli.common import Context, Registry, add_json, print_json
from qualdesk.db.migrate import current_revision, head_revision, upgrade


def _upgrade(ctx: Context, args: argparse.Namespace) -> int:
    db = ctx.raw_db()
    before, after = upgrade(db)
    if args.json:
        print_json({"database": db.display_name(), "from": before, "to": after})
    elif before == after:
        print(f"{db.display_name()}: schema already at {after}")
    else:
        print(f"{db.display_name()}: schema upgraded {before or '(empty)'} -> {after}")
    return 0


def _current(ctx: Context, args: argparse.Namespace) -> int:
    db = ctx.raw_db()
    cur, head = current_revision(db), head_revision(db)
    if args.json:
        print_json({"database": db.display_name(), "current": cur, "head": head})
    else:
        print(f"{db.display_name()}: {cur or '(empty)'} (this QualDesk knows up to {head})")
    return 0


def register(reg: Registry) -> None:
    p = reg.subcommand("db", "upgrade", "create or upgrade the schema (Alembic)", _upgrade,
                       group_help="database schema")
    add_json(p)
    p = reg.subcommand("db", "current", "show the schema revision", _current)
    add_json(p)
