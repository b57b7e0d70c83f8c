"""``qualdesk user add`` and ``qualdesk users``."""

from __future__ import annotations

import argparse
import sys

from qualdesk.cli.common import Context, Registry, add_json, print_json, print_table
from qualdesk.services.users import ROLES, add_user, list_users


def _add(ctx: Context, args: argparse.Namespace) -> int:
    u = add_user(ctx.db, args.name, args.role, email=args.email, phone=args.phone)
    login_note = _login(ctx, args) if args.db_login else None
    if args.json:
        print_json({**u.as_dict(), "db_login": args.db_login, "login_note": login_note})
    else:
        print(f"added {u.name} ({u.role}) as user {u.id}")
        if login_note:
            print(login_note)
    return 0


def _login(ctx: Context, args: argparse.Namespace) -> str:
    """The person's own database login (PostgreSQL); see ``qualdesk.services.pg_roles``."""
    from qualdesk.services.pg_roles import grant_login

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    return grant_login(ctx.db, args.name, args.db_login, password)


def _grant(ctx: Context, args: argparse.Namespace) -> int:
    from qualdesk.services.pg_roles import apply_grants

    if args.db_login:
        note = _login(ctx, args)
    else:
        apply_grants(ctx.db)
        note = "group roles and grants re-applied"
    if args.json:
        print_json({"name": args.name, "db_login": args.db_login, "note": note})
    else:
        print(note)
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
    _login_args(p)
    add_json(p)
    p = reg.subcommand("user", "grant", "give a person their own database login, or re-apply "
                       "the role grants (PostgreSQL)", _grant)
    p.add_argument("name")
    _login_args(p)
    add_json(p)
    p = reg.command("users", "list the people and their roles", _list)
    p.add_argument("--role", choices=ROLES)
    add_json(p)


def _login_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db-login", metavar="LOGIN",
                   help="the person's own PostgreSQL login (created in their role's group)")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the login's password from the first line of stdin")
