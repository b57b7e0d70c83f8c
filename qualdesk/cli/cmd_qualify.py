"""``qualdesk qualify LEAD --rep NAME [--answer QID=VALUE …] [--budget …] …``."""

from __future__ import annotations

import argparse

from qualdesk.cli.cmd_queue import retry_option
from qualdesk.cli.common import CommandError, Context, Registry, acting_for, add_json, print_json
from qualdesk.domain.bant import (
    Bant,
    parse_authority,
    parse_budget,
    parse_need,
    parse_timeframe,
)
from qualdesk.services.qualification import load_state, save


def _answers(raw: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in raw:
        qid, sep, value = item.partition("=")
        if not sep or not qid.strip():
            raise CommandError(f"--answer {item!r}: write QUESTION_ID=VALUE (e.g. q_evaluating=yes)")
        out[qid.strip()] = value
    return out


def _bant(args: argparse.Namespace) -> Bant:
    return Bant(
        budget=parse_budget(args.budget) if args.budget is not None else None,
        authority=parse_authority(args.authority) if args.authority is not None else None,
        need=parse_need(args.need) if args.need is not None else None,
        timeframe=parse_timeframe(args.timeframe) if args.timeframe is not None else None,
    )


def _qualify(ctx: Context, args: argparse.Namespace) -> int:
    answers = _answers(args.answer or [])
    bant = _bant(args)  # parsed before anything is written: bad input changes nothing
    if answers or bant.to_json():
        state = save(ctx.db, args.lead, acting_for(ctx, args.rep), answers=answers, bant=bant,
                     idempotency_key=args.idempotency_key)
    else:
        state = load_state(ctx.db, args.lead, acting_for(ctx, args.rep))
    if args.json:
        print_json(state.as_dict())
        return 0
    st = state.status
    print(f"lead {state.lead_id} ({state.lead_name}), script {state.script.name}, "
          f"{state.designation}")
    for part, text in state.bant.describe().items():
        print(f"  {part:10} {text}")
    if st.met:
        print("Level I: met")
    else:
        print("Level I: not yet — missing: " + "; ".join(st.missing))
    if state.proposed:
        print(f"proposed: {state.proposed.replace('_', ' ')}")
    return 0


def register(reg: Registry) -> None:
    p = reg.command("qualify", "record script answers and BANT; show the Level I status",
                    _qualify)
    p.add_argument("lead", type=int)
    p.add_argument("--rep", help="default: the person whose database login --db uses")
    p.add_argument("--answer", action="append", metavar="QID=VALUE",
                   help="an answer to a script question (repeatable; empty value clears it)")
    p.add_argument("--budget", help="'50000 EUR', '40k-60k USD' or 'unknown'")
    p.add_argument("--authority", help="'ROLE; yes|no|committee' e.g. 'CFO; committee'")
    p.add_argument("--need", help="'PAIN; low|medium|high|critical'")
    p.add_argument("--timeframe", help="a date, a month (2027-03) or a quarter (2027-Q1)")
    retry_option(p, "save")
    add_json(p)
