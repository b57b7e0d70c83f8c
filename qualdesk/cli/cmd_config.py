"""``qualdesk config get|set|list``: team settings kept in the database."""

from __future__ import annotations

import argparse

from qualdesk.cli.common import Context, Registry, add_json, print_json
from qualdesk.services import team_settings
from qualdesk.settings import SPECS


def _get(ctx: Context, args: argparse.Namespace) -> int:
    value = team_settings.get_value(ctx.db, args.key)
    if args.json:
        print_json({"key": args.key, "value": value})
    else:
        print(value)
    return 0


def _set(ctx: Context, args: argparse.Namespace) -> int:
    value = team_settings.set_value(ctx.db, args.key, args.value)
    if args.json:
        print_json({"key": args.key, "value": value})
    else:
        print(f"{args.key} = {value}")
    return 0


def _list(ctx: Context, args: argparse.Namespace) -> int:
    values = team_settings.get_all(ctx.db)
    if args.json:
        print_json(values)
    else:
        for k, v in values.items():
            print(f"{k:34} {v!s:24} {SPECS[k].help}")
    return 0


def register(reg: Registry) -> None:
    p = reg.subcommand("config", "get", "show a team setting", _get, group_help="team settings")
    p.add_argument("key")
    add_json(p)
    p = reg.subcommand("config", "set", "change a team setting", _set)
    p.add_argument("key")
    p.add_argument("value")
    add_json(p)
    p = reg.subcommand("config", "list", "every team setting with its value", _list)
    add_json(p)
