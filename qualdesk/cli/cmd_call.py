"""``qualdesk call LEAD --rep NAME [--ring-timeout S] [--talk S] [--drop-voicemail]``:
a real call through the app's phone; the attempt logs itself."""

from __future__ import annotations

import argparse
import sys

from qualdesk.cli.common import CommandError, Context, Registry, acting_for, add_json, print_json
from qualdesk.phone.engine import EngineError
from qualdesk.phone.outcomes import propose
from qualdesk.phone.phone import place_call
from qualdesk.services.phone_calls import prepare_dial, record_call
from qualdesk.services.phone_setup import rep_phone
from qualdesk.services.voicemails import voicemail_for


def _call(ctx: Context, args: argparse.Namespace) -> int:
    if args.talk is not None and args.drop_voicemail:
        raise CommandError("--talk and --drop-voicemail do not go together: the voicemail "
                           "ends the call when it has played")
    args.rep = acting_for(ctx, args.rep)  # bound to the login (DESIGN: --rep)
    target = prepare_dial(ctx.db, args.lead, args.rep)  # refusals before anything dials
    assert target.uri is not None
    vm = voicemail_for(ctx.db, args.rep, target.campaign_id) if args.drop_voicemail else None
    ring_timeout = args.ring_timeout if args.ring_timeout is not None else target.ring_timeout
    phone = rep_phone(ctx.db, args.rep)
    try:
        phone.start()
        rec = place_call(phone, target.uri, ring_timeout=ring_timeout, talk=args.talk,
                         voicemail=str(vm.path) if vm else None,
                         voicemail_s=vm.seconds if vm else 0.0)
    except EngineError as exc:
        raise CommandError(f"the call could not be placed: {exc}") from exc
    finally:
        phone.stop()
    proposal = propose(rec)
    attempt = None
    if proposal.disposition is not None:
        assert rec.dialled_at is not None and rec.ended_at is not None
        attempt = record_call(ctx.db, target.lead_id, target.rep_name, proposal.disposition,
                              started_at=rec.dialled_at, ended_at=rec.ended_at,
                              answered_at=rec.answered_at, sip_code=rec.sip_code).attempt_id
    out = {"lead": target.lead_id, "outcome": proposal.outcome, "sip_code": rec.sip_code,
           "ring_s": rec.ring_s, "talk_s": rec.talk_s, "disposition": proposal.disposition,
           "attempt": attempt}
    if args.json:
        print_json(out)
    else:
        logged = f"logged as {proposal.disposition} (attempt {attempt})" if attempt else "nothing logged"
        print(f"lead {target.lead_id}: {proposal.why} — rang {rec.ring_s:.1f} s, talked "
              f"{rec.talk_s:.1f} s, SIP {rec.sip_code or '-'}; {logged}")
    if proposal.outcome == "failed" and attempt is None:
        print(f"qualdesk: the call failed: {proposal.why}", file=sys.stderr)
        return 1
    return 0


def register(reg: Registry) -> None:
    p = reg.command("call", "place a real call through the app's phone (SIP engine)", _call)
    p.add_argument("lead", type=int)
    p.add_argument("--rep", help="default: the person whose database login --db uses")
    p.add_argument("--ring-timeout", type=float, metavar="S",
                   help="seconds it may ring before it counts as no answer (default: "
                        "phone.ring_timeout)")
    p.add_argument("--talk", type=float, metavar="S", help="hang up S seconds after the answer")
    p.add_argument("--drop-voicemail", action="store_true",
                   help="once answered, play the rep's recorded voicemail and end the call")
    add_json(p)
