"""``qualdesk lead add`` (a new person calls in) and ``qualdesk lead edit`` (correct the
contact card). ``qualdesk leads`` (the list) stays in ``cmd_leads``."""

from __future__ import annotations

import argparse

from qualdesk.cli.common import Context, Registry, acting_for, add_json, print_json

# option dest -> the lead field it sets (the import's names)
_ADD_FIELDS = ("first_name", "last_name", "company", "email", "phone", "title")
_EDIT_FIELDS = ("first_name", "last_name", "company", "title", "email", "phone", "time_zone")


def _add(ctx: Context, args: argparse.Namespace) -> int:
    from qualdesk.services.lead_edit import add_lead

    rep = acting_for(ctx, args.rep)
    assert rep is not None
    r = add_lead(ctx.db, {f: getattr(args, f) for f in _ADD_FIELDS}, rep=rep,
                 campaign=args.campaign, hand_raise=args.hand_raise)
    if args.json:
        print_json(r.as_dict())
    elif r.created:
        print(f"lead {r.lead_id} added with a {args.hand_raise.replace('_', ' ')} hand raise")
    else:
        print(f"lead {r.lead_id} already known (same email or phone): its hand raise is added")
    return 0


def _edit(ctx: Context, args: argparse.Namespace) -> int:
    from qualdesk.services.lead_edit import edit_lead

    by = acting_for(ctx, args.by, "--by")
    assert by is not None
    r = edit_lead(ctx.db, args.lead, {f: getattr(args, f) for f in _EDIT_FIELDS}, by=by)
    if args.json:
        print_json(r.as_dict())
    elif not r.changed:
        print(f"lead {r.lead_id}: nothing changed")
    else:
        for field, (old, new) in r.changed.items():
            print(f"lead {r.lead_id} {field}: {old if old not in (None, []) else '-'} -> "
                  f"{new if new not in (None, []) else '-'}")
    return 0


def register(reg: Registry) -> None:
    p = reg.subcommand("lead", "add", "a lead created on the spot (a new person calls in); a "
                       "known email (or, without email, E.164 phone) is that lead", _add,
                       group_help="add a lead on the spot, or correct a lead's contact card")
    p.add_argument("--first-name", required=True)
    p.add_argument("--last-name", required=True)
    p.add_argument("--company")
    p.add_argument("--email")
    p.add_argument("--phone")
    p.add_argument("--title")
    p.add_argument("--campaign", help="default: the default campaign")
    p.add_argument("--hand-raise", default="called_in", metavar="KIND",
                   help="the hand raise's kind (default: called_in)")
    p.add_argument("--rep", help="who adds it (default: the person whose login --db uses)")
    add_json(p)
    p = reg.subcommand("lead", "edit", "correct the contact card; validated like an import "
                       "row, refused whole on a bad value, audited old -> new", _edit)
    p.add_argument("lead", type=int, metavar="LEAD")
    for f in _EDIT_FIELDS:
        p.add_argument("--" + f.replace("_", "-"), dest=f,
                       help="'' clears it" if f != "time_zone" else
                       "IANA name, e.g. America/New_York ('' clears it)")
    p.add_argument("--by", help="who corrects it (default: the person whose login --db uses)")
    add_json(p)
