"""``qualdesk leads``: list leads with filters."""

from __future__ import annotations

import argparse

from qualdesk.cli.common import Context, Registry, add_json, print_json, print_table
from qualdesk.services.leads import LeadFilter, list_leads


def _list(ctx: Context, args: argparse.Namespace) -> int:
    leads = list_leads(ctx.db, LeadFilter(designation=args.designation, owner=args.owner,
                                          campaign=args.campaign, search=args.search,
                                          limit=args.limit))
    if args.json:
        print_json([lead.as_dict() for lead in leads])
    else:
        rows = [dict(lead.as_dict(), name=lead.name) for lead in leads]
        print_table(rows, ["id", "name", "company", "phone", "email", "designation", "owner",
                           "campaign", "hand_raises"])
    return 0


def register(reg: Registry) -> None:
    p = reg.command("leads", "list leads", _list)
    p.add_argument("--designation")
    p.add_argument("--owner", help="a user's name, or 'none' for unowned leads")
    p.add_argument("--campaign")
    p.add_argument("--search", help="text in name, company or email")
    p.add_argument("--limit", type=int)
    add_json(p)
