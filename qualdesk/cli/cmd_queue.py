"""``qualdesk queue``, ``claim-next``, ``log-call``, ``callback``, ``designate``, ``reassign``."""

from __future__ import annotations

import argparse
from datetime import datetime

from qualdesk.cli.common import (
    CommandError,
    Context,
    Registry,
    acting_for,
    add_json,
    print_json,
    print_table,
)
from qualdesk.services import queue as queue_svc
from qualdesk.services.calls import log_call, schedule_callback
from qualdesk.services.designations import set_designation


def _when(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not an ISO 8601 time") from None
    if dt.tzinfo is None:
        raise CommandError(f"{value!r} has no UTC offset (write e.g. 2026-11-23T15:00+01:00)")
    return dt


def _queue(ctx: Context, args: argparse.Namespace) -> int:
    result = queue_svc.rep_queue(ctx.db, args.rep)
    if args.json:
        out = [e.as_dict() for e in result.entries]
        if args.held:
            print_json({"queue": out, "held": [h.as_dict() for h in result.held]})
        else:
            print_json(out)
        return 0
    print_table([e.as_dict() for e in result.entries], ["lead", "deadline", "next_action", "reason"])
    if args.held:
        print("\nnot offered now:")
        print_table([h.as_dict() for h in result.held], ["lead", "reason"])
    return 0


def _me(ctx: Context, args: argparse.Namespace) -> str:
    """``--rep``, bound to the database login (see ``acting_for``)."""
    me = acting_for(ctx, args.rep)
    assert me is not None
    return me


def _override(ctx: Context, args: argparse.Namespace) -> str | None:
    """``--override-hold``: the team lead or admin who overrides another rep's claim (the
    login's person, or on SQLite / a login that is nobody's, ``--rep``)."""
    if not args.override_hold:
        return None
    from qualdesk.services.pg_roles import login_person

    me = login_person(ctx.db)
    return me[0] if me else _me(ctx, args)


def _claim_next(ctx: Context, args: argparse.Namespace) -> int:
    claim = queue_svc.claim_next(ctx.db, _me(ctx, args))
    if args.json:
        print_json(claim.as_dict())
    elif claim.lead_id is None:
        print("nothing to claim: the queue is empty for now")
    else:
        print(f"claimed lead {claim.lead_id} until {claim.lease_expires_at:%H:%M:%S} UTC "
              f"({claim.entry.reason if claim.entry else ''})")
    return 0


def _log_call(ctx: Context, args: argparse.Namespace) -> int:
    r = log_call(ctx.db, args.lead, _me(ctx, args), args.disposition, notes=args.notes,
                 started_at=_when(args.at), callback_at=_when(args.callback_at),
                 callback_scope=args.callback_scope, idempotency_key=args.idempotency_key,
                 override_by=_override(ctx, args))
    if args.json:
        print_json(r.as_dict())
    elif r.duplicate:
        print(f"already logged: {r.disposition} on lead {r.lead_id} (attempt {r.attempt_id}, "
              "same --idempotency-key); nothing new recorded")
    else:
        print(f"logged {r.disposition} on lead {r.lead_id} (attempt {r.attempt_id}); "
              f"lead is {r.designation}")
    return 0


def _callback(ctx: Context, args: argparse.Namespace) -> int:
    due = _when(args.at)
    assert due is not None
    schedule_callback(ctx.db, args.lead, _me(ctx, args), due, args.scope, args.note,
                      override_by=_override(ctx, args), idempotency_key=args.idempotency_key)
    if args.json:
        print_json({"lead": args.lead, "due_at": due.isoformat(), "scope": args.scope})
    else:
        print(f"callback for lead {args.lead} at {due.isoformat()} ({args.scope})")
    return 0


def _designate(ctx: Context, args: argparse.Namespace) -> int:
    set_designation(ctx.db, args.lead, args.designation,
                    acting_for(ctx, args.by, "--by", required=False), args.reason,
                    idempotency_key=args.idempotency_key)
    if args.json:
        print_json({"lead": args.lead, "designation": args.designation})
    else:
        print(f"lead {args.lead} is now {args.designation}")
    return 0


def _reassign(ctx: Context, args: argparse.Namespace) -> int:
    to = None if args.to.lower() in ("none", "-") else args.to
    queue_svc.reassign(ctx.db, args.lead, to, acting_for(ctx, args.by, "--by", required=False))
    if args.json:
        print_json({"lead": args.lead, "owner": to})
    else:
        print(f"lead {args.lead} now belongs to {to or 'nobody'}")
    return 0


def _release(ctx: Context, args: argparse.Namespace) -> int:
    rep = _me(ctx, args)
    released = bool(queue_svc.release(ctx.db, args.lead, rep).leads)
    if args.json:
        print_json({"lead": args.lead, "released": released})
    elif released:
        print(f"lead {args.lead} given back to the team's queue")
    else:
        print(f"lead {args.lead} is not claimed by {rep}: nothing to give back")
    return 0


def register(reg: Registry) -> None:
    p = reg.command("queue", "what a rep's queue shows now, in order", _queue)
    p.add_argument("--rep", help="the rep's name (omit for the whole team)")
    p.add_argument("--held", action="store_true", help="also list leads held back, with why")
    add_json(p)
    p = reg.command("claim-next", "claim the top lead of a rep's queue", _claim_next)
    p.add_argument("--rep", help="default: the person whose database login --db uses")
    add_json(p)
    p = reg.command("log-call", "record a call attempt and its disposition", _log_call)
    p.add_argument("lead", type=int)
    p.add_argument("--rep", help="default: the person whose database login --db uses")
    p.add_argument("--disposition", required=True)
    p.add_argument("--notes")
    p.add_argument("--at", help="when the call started (ISO 8601 with offset; default now)")
    p.add_argument("--callback-at", help="for 'callback': when, ISO 8601 with offset")
    p.add_argument("--callback-scope", choices=("mine", "anyone"), default="mine")
    p.add_argument("--idempotency-key", metavar="KEY",
                   help="a retried call with the same KEY is recorded once (safe retries)")
    _override_option(p)
    add_json(p)
    p = reg.command("callback", "schedule a callback the lead asked for", _callback)
    p.add_argument("lead", type=int)
    p.add_argument("--rep", help="default: the person whose database login --db uses")
    _override_option(p)
    p.add_argument("--at", required=True, help="ISO 8601 with offset")
    p.add_argument("--scope", choices=("mine", "anyone"), default="mine")
    p.add_argument("--note")
    retry_option(p, "callback")
    add_json(p)
    p = reg.command("designate", "change a lead's designation (checked against the table)", _designate)
    p.add_argument("lead", type=int)
    p.add_argument("designation")
    p.add_argument("--by")
    p.add_argument("--reason")
    retry_option(p, "change")
    add_json(p)
    p = reg.command("reassign", "give a lead to another rep ('none' to unassign)", _reassign)
    p.add_argument("lead", type=int)
    p.add_argument("--to", required=True)
    p.add_argument("--by")
    add_json(p)
    p = reg.command("release", "give a claimed lead back to the queue", _release)
    p.add_argument("lead", type=int)
    p.add_argument("--rep", help="default: the person whose database login --db uses")
    add_json(p)


def retry_option(p: argparse.ArgumentParser, what: str) -> None:
    """``--idempotency-key``: a script retrying after a lost commit does it once."""
    p.add_argument("--idempotency-key", metavar="KEY",
                   help=f"a retried {what} with the same KEY is made once (safe retries)")


def _override_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--override-hold", action="store_true",
                   help="team leads and admins: act on a lead another rep holds (audited)")
