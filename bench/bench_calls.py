"""Real calls through the app's phone: 50 dials against a local callee (a second baresip
on 127.0.0.1) that answers a set share, busy-signals others and lets the rest ring out.

Measured (real engine, real SIP, real database writes):
- key press → ringing: from the F5 path (the pre-dial check in the database, then the
  engine's dial command) to the engine's CALL_RINGING event;
- ring time, and how long each outcome takes to log itself;
- rep-seconds per voicemail with the drop: from the drop key to the attempt logged
  (the rep is free; the recording plays on by itself).
Modelled (stated, the same for both ways of working):
- reading the voicemail script live: the default campaign's rendered voicemail at
  150 words per minute (``templating.WORDS_PER_MINUTE``), the app's own estimate;
- a conversation lasts TALK_S; a voicemail greeting runs GREETING_S before the beep;
- typing a disposition by hand TYPE_S, one confirming key KEY_S, handing the number to a
  desktop softphone SOFTPHONE_S, noticing a busy tone and hanging up REACT_S.
Leads worked per hour, scripted (the engine: outcomes propose themselves, voicemail
dropped) against today's click-to-dial with typed dispositions, both on the same 50
real calls' ring times.

    python bench/bench_calls.py [--dials 50] [--answer 0.4] [--busy 0.3] [--ring-timeout 2]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qualdesk.db.engine import Database  # noqa: E402
from qualdesk.phone.engine import EngineConfig, free_port  # noqa: E402
from qualdesk.phone.outcomes import propose  # noqa: E402
from qualdesk.phone.phone import Phone  # noqa: E402
from qualdesk.services import team_settings  # noqa: E402
from qualdesk.services.phone_calls import prepare_dial, record_call  # noqa: E402
from qualdesk.services.users import add_user  # noqa: E402
from tests.factories import make_lead  # noqa: E402
from tests.phone_far_end import ANSWER, REJECT, RING, FarEnd, write_tone  # noqa: E402

TALK_S = 120.0  # a qualifying conversation (both ways of working alike)
GREETING_S = 15.0  # a voicemail greeting until its beep (both alike)
TYPE_S = 3.0  # find and type a disposition by hand
KEY_S = 0.5  # one key: confirm the proposed outcome, or the drop key
SOFTPHONE_S = 2.0  # the desktop softphone takes the tel: link and starts dialling
REACT_S = 2.0  # hear a busy tone, hang up by hand


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dials", type=int, default=50)
    ap.add_argument("--answer", type=float, default=0.4)
    ap.add_argument("--busy", type=float, default=0.3)
    ap.add_argument("--ring-timeout", type=float, default=2.0)
    ap.add_argument("--seed", type=int, default=18)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-calls-"))
    import os

    os.environ["QUALDESK_DATA_DIR"] = str(tmp / "data")
    os.environ["QUALDESK_CONFIG_DIR"] = str(tmp / "config")
    db = Database(f"sqlite:///{tmp / 'bench.sqlite3'}")
    db.ensure_ready()
    add_user(db, "Ann", "rep", email="ann@example.com")
    numbers = [f"+1212555{1000 + i:04d}" for i in range(args.dials)]
    leads = [make_lead(db, email=f"l{i}@x.test", phone=n, zones=()) for i, n in enumerate(numbers)]
    far = FarEnd(tmp / "far", numbers).start()
    for k, v in (("sip.dial_uri", far.uri_template()), ("calling.window_start", "00:00"),
                 ("calling.window_end", "23:59")):
        team_settings.set_value(db, k, v)
    rng = random.Random(args.seed)
    n_ans, n_busy = round(args.dials * args.answer), round(args.dials * args.busy)
    plan = [ANSWER] * n_ans + [REJECT] * n_busy + [RING] * (args.dials - n_ans - n_busy)
    rng.shuffle(plan)
    mic = write_tone(tmp / "mic.wav", 0, 120)
    vm = write_tone(tmp / "vm.wav", 440, 3.0)  # a short recording keeps the bench short
    phone = Phone(EngineConfig(folder=tmp / "app", accounts=("<sip:ann@127.0.0.1>;regint=0",),
                               audio_source=f"aufile,{mic}", audio_player="aufile,/dev/null",
                               sip_listen=f"127.0.0.1:{free_port()}", net_interface="127.0.0.1"))
    phone.start()

    from qualdesk.services.followup import preview

    vm_text = preview(db, leads[0], "Ann").rendered.voicemail
    words = len(vm_text.split())
    read_live_s = words * 60 / 150

    key_to_ring: list[float] = []
    check_ms: list[float] = []
    log_latency: list[float] = []
    drop_rep_s: list[float] = []
    rows: list[dict[str, object]] = []
    answered_i = 0
    try:
        for lead, action in zip(leads, plan, strict=True):
            far.will(action, after=0.4 if action == ANSWER else 0.2)
            t_key = time.perf_counter()
            target = prepare_dial(db, lead, "Ann")
            assert target.uri is not None
            t_dial = time.perf_counter()
            check_ms.append((t_dial - t_key) * 1000)
            phone.dial(target.uri, args.ring_timeout)
            rec = phone.tracker.wait(lambda r: r.ringing_at is not None or r.ended, 10)
            assert rec is not None
            key_to_ring.append(time.perf_counter() - t_key)
            rec = phone.tracker.wait(lambda r: r.ended or r.answered_at is not None, args.ring_timeout + 10)
            assert rec is not None
            dropped = False
            if rec.answered_at is not None and not rec.ended:
                answered_i += 1
                if answered_i % 2:  # every other answer is a voicemail box: drop
                    t_drop = time.perf_counter()
                    phone.drop_voicemail(str(vm))
                    record_call(db, lead, "Ann", "left_voicemail", started_at=rec.dialled_at,  # type: ignore[arg-type]
                                ended_at=rec.answered_at, answered_at=rec.answered_at, sip_code=200)  # type: ignore[arg-type]
                    drop_rep_s.append(time.perf_counter() - t_drop)  # the rep is free here
                    dropped = True
                    rec = phone.tracker.wait(lambda r: r.ended, 15)
                else:
                    time.sleep(0.5)  # a (very) short conversation
                    phone.hangup()
                    rec = phone.tracker.wait(lambda r: r.ended, 5)
            assert rec is not None and rec.ended
            p = propose(rec)
            if not dropped and p.disposition:
                t_log = time.perf_counter()
                record_call(db, lead, "Ann", p.disposition, started_at=rec.dialled_at,  # type: ignore[arg-type]
                            ended_at=rec.ended_at, answered_at=rec.answered_at,  # type: ignore[arg-type]
                            sip_code=rec.sip_code)
                log_latency.append(time.perf_counter() - t_log)
            rows.append({"plan": action, "outcome": p.outcome, "sip": rec.sip_code,
                         "ring_s": rec.ring_s, "voicemail": dropped})
    finally:
        phone.stop()
        far.stop()

    def per_lead(row: dict[str, object], scripted: bool) -> float:
        ring = float(row["ring_s"])  # type: ignore[arg-type]
        if scripted:
            base = KEY_S + ring
            if row["voicemail"]:
                return base + GREETING_S + KEY_S + statistics.mean(drop_rep_s)
            if row["outcome"] == "answered":
                return base + TALK_S + KEY_S
            return base + KEY_S  # busy / no answer: proposed, one key logs it
        base = SOFTPHONE_S + ring
        if row["voicemail"]:
            return base + GREETING_S + read_live_s + TYPE_S
        if row["outcome"] == "answered":
            return base + TALK_S + TYPE_S
        if row["outcome"] == "busy":
            return base + REACT_S + TYPE_S
        return base + TYPE_S  # rang out at the same timeout, then typed

    scripted = statistics.mean(per_lead(r, True) for r in rows)
    manual = statistics.mean(per_lead(r, False) for r in rows)
    outcomes = {o: sum(1 for r in rows if r["outcome"] == o) for o in
                ("answered", "busy", "no_answer", "failed")}
    outcomes["voicemail_dropped"] = sum(1 for r in rows if r["voicemail"])
    expect = {"answer": ("answered", "voicemail_dropped"), "reject": ("busy",), "ring": ("no_answer",)}
    mismatched = sum(1 for r in rows if r["outcome"] not in expect[str(r["plan"])])

    def q(xs: list[float], p: float) -> float:
        return sorted(xs)[min(len(xs) - 1, int(p * len(xs)))]

    out = {
        "dials": args.dials, "outcomes": outcomes, "outcome_mismatches": mismatched,
        "key_to_ringing_ms": {"median": round(statistics.median(key_to_ring) * 1000, 1),
                              "p95": round(q(key_to_ring, 0.95) * 1000, 1),
                              "max": round(max(key_to_ring) * 1000, 1),
                              "of_it_pre_dial_check_median": round(statistics.median(check_ms), 1)},
        "outcome_logged_ms_median": round(statistics.median(log_latency) * 1000, 1),
        "voicemail_rep_s": {"drop": round(statistics.mean(drop_rep_s), 3),
                            "read_live": round(read_live_s, 1), "script_words": words},
        "leads_per_hour": {"scripted": round(3600 / scripted, 1),
                           "click_to_dial_typed": round(3600 / manual, 1)},
        "model": {"talk_s": TALK_S, "greeting_s": GREETING_S, "type_s": TYPE_S, "key_s": KEY_S,
                  "softphone_s": SOFTPHONE_S, "react_s": REACT_S, "reading_wpm": 150,
                  "ring_timeout_s": args.ring_timeout},
    }
    print(json.dumps(out, indent=2))
    return 0 if mismatched == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
