"""``qualdesk user add`` and ``qualdesk users``."""

from __future__ import annotations

import argparse

from qualdesk.cli.common import Context, Registry, add_json, print_json, print_table
from qualdesk.services.users import ROLES, add_user, list_users


def _add(ctx: Context, args: argparse.Namespace) -> int:
    u = add_user(ctx.db, args.name, args.role, email=args.email, phone=args.phone)
    if args.json:
        print_json(u.as_dict())
    else:
        print(f"added {u.name} ({u.role}) as user {u.id}")
    return 0


def _list(ctx: Context, args: argparse.Namespace) -> int:
    users = list_users(ctx.db, role=args.role)
    if args.json:
        print_json([u.as_dict() for u in users])
    else:
        print_table([u.as_dict() for u in users], ["id", "name", "role", "email", "active"])
    return 0


def register(reg: Registry) -> None:
    p = reg.subcommand("user", "add", "add a person with a role", _add, group_help="people")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument("--email")
    p.add_argument("--phone")
    add_json(p)
    p = reg.command("users", "list the people and their roles", _list)
    p.add_argument("--role", choices=ROLES)
    add_json(p)
