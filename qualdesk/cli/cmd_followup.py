"""``qualdesk followup``, ``qualdesk outbox [send]`` and ``qualdesk smtp-password set``."""

from __future__ import annotations

import argparse
import getpass
import sys

from qualdesk import clock
from qualdesk.cli.common import Context, Registry, acting_for, add_json, print_json, print_table
from qualdesk.services import outbox, team_settings
from qualdesk.services.followup import run_followup
from qualdesk.services.mailer import set_password


def _followup(ctx: Context, args: argparse.Namespace) -> int:
    rep = acting_for(ctx, args.rep)
    assert rep is not None
    if args.idempotency_key:
        # A script's safe retry: the same exactly-once path as the offline replay.
        from qualdesk.offline import replay

        o = replay.apply(ctx.db, "followup", {"lead_id": args.lead, "rep": rep},
                         args.idempotency_key)
        if o.result is None:
            if args.json:
                print_json({"lead": args.lead, "attempt": o.attempt_id, "duplicate": True})
            else:
                print(f"already done: the follow-up with this --idempotency-key is recorded "
                      f"(attempt {o.attempt_id}); nothing new sent")
            return 0
        r = o.result
    else:
        override = None
        if args.override_hold:
            from qualdesk.services.pg_roles import person_for_login

            override = person_for_login(ctx.db) or rep
        r = run_followup(ctx.db, args.lead, rep, override_by=override)
    if args.json:
        print_json(r.as_dict())
        return 0
    print(f"voicemail logged on lead {r.lead_id} (attempt {r.attempt_id}); "
          f"read (~{r.voicemail_seconds} s):\n")
    print("  " + r.voicemail_script.replace("\n", "\n  ") + "\n")
    if r.email_status == outbox.SENT and r.eml_path:
        print(f"email {r.email_id} handed to your mail client: {r.eml_path}")
    elif r.email_status == outbox.SENT:
        print(f"email {r.email_id} sent ({r.message_id})")
    elif r.email_status == outbox.QUEUED:
        print(f"email {r.email_id} QUEUED in the outbox, not sent yet: {r.error or 'retrying'}; "
              "it is retried automatically (or: qualdesk outbox send)")
    else:
        print(f"email {r.email_id} FAILED: {r.error}")
    return 0


def _outbox(ctx: Context, args: argparse.Namespace) -> int:
    statuses = tuple(args.status) if args.status else None
    rows = [e.as_dict() for e in outbox.list_outbox(ctx.db, statuses)]
    if args.json:
        print_json(rows)
    else:
        print_table(rows, ["id", "lead", "to", "status", "tries", "next_try_at", "last_error",
                           "subject"])
    return 0


def _outbox_send(ctx: Context, args: argparse.Namespace) -> int:
    run = outbox.process_outbox(ctx.db, clock.now())
    if args.json:
        print_json(run.as_dict())
    else:
        print(f"sent {len(run.sent)}, retrying later {len(run.retrying)}, failed {len(run.failed)}")
        for email_id, err in run.errors.items():
            print(f"  email {email_id}: {err}")
    return 0


def _password_set(ctx: Context, args: argparse.Namespace) -> int:
    user = args.user or team_settings.get_value(ctx.db, "smtp.user")
    if sys.stdin.isatty():
        password = getpass.getpass(f"SMTP password for {user}: ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    set_password(user, password)
    if args.json:
        print_json({"user": user, "stored": True, "service": "qualdesk-smtp"})
    else:
        print(f"stored the SMTP password for {user!r} in the OS keyring (service qualdesk-smtp)")
    return 0


def register(reg: Registry) -> None:
    p = reg.command("followup", "the one-click voicemail + email follow-up", _followup)
    p.add_argument("lead", type=int)
    p.add_argument("--rep", help="default: the person whose database login --db uses")
    p.add_argument("--idempotency-key", metavar="KEY",
                   help="a retried follow-up with the same KEY is made once (safe retries)")
    p.add_argument("--override-hold", action="store_true",
                   help="team leads and admins: follow up a lead another rep holds (audited)")
    add_json(p)
    p = reg.command("outbox", "list the email outbox ('outbox send' sends what is due)", _outbox)
    p.add_argument("--status", action="append", choices=("queued", "sending", "sent", "failed"))
    add_json(p)
    sub = p.add_subparsers(dest="outbox_command", metavar="COMMAND")
    sp = sub.add_parser("send", help="send every due email now", description="send every due email now")
    sp.set_defaults(handler=_outbox_send)
    add_json(sp)
    p = reg.subcommand("smtp-password", "set", "store the SMTP password in the OS keyring "
                       "(read from stdin)", _password_set,
                       group_help="the SMTP password (kept in the OS keyring, never the database)")
    p.add_argument("--user", help="the SMTP login (default: smtp.user)")
    add_json(p)
