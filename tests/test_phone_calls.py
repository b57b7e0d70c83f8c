"""`qualdesk call`: real calls from the app's engine (baresip) to a second baresip playing
the lead's phone, on 127.0.0.1. Each outcome logs itself as an attempt with its real
times and SIP code; a dropped voicemail is proved heard by decoding what the far end
recorded."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from qualdesk.db.engine import Database
from qualdesk.db.models import Attempt
from tests.cli_helpers import run
from tests.factories import make_lead
from tests.phone_far_end import (
    ANSWER,
    ANSWER_THEN_HANG_UP,
    REJECT,
    RING,
    FarEnd,
    dominant_hz,
    write_tone,
)
from tests.phone_setup_helpers import far_end_fixture, headset_fixture, team_for_calls

__all__ = ["far_end_fixture", "headset_fixture"]  # fixtures used by name

pytestmark = pytest.mark.usefixtures("headset")

KEYS = {"lead", "outcome", "sip_code", "ring_s", "talk_s", "disposition", "attempt"}


def _attempt(db: Database, attempt_id: int) -> Attempt:
    with db.session(write=False) as s:
        a = s.get(Attempt, attempt_id)
        assert a is not None
        s.expunge(a)
        return a


def test_answered_call_logs_connected_with_real_times(db: Database, db_url: str,
                                                      far_end: FarEnd) -> None:
    team_for_calls(db_url, far_end)
    lead = make_lead(db)
    far_end.will(ANSWER, after=0.3)
    r = run(db_url, "call", str(lead), "--rep", "Ann", "--ring-timeout", "5", "--talk", "1",
            "--json")
    assert r.code == 0, r.err
    out = r.json()
    assert set(out) == KEYS
    assert out["outcome"] == "answered" and out["disposition"] == "connected"
    assert out["sip_code"] == 200 and out["lead"] == lead
    assert 0.25 <= out["ring_s"] < 3 and 0.9 <= out["talk_s"] < 2.5
    a = _attempt(db, out["attempt"])
    assert a.disposition == "connected" and a.sip_code == 200 and a.source == "phone"
    assert a.answered_at is not None and a.started_at < a.answered_at < a.ended_at
    assert abs((a.ended_at - a.answered_at).total_seconds() - out["talk_s"]) < 0.3


def test_busy_486_logs_busy(sqlite_db: Database, far_end: FarEnd) -> None:
    url = sqlite_db.url
    team_for_calls(url, far_end)
    lead = make_lead(sqlite_db)
    far_end.will(REJECT)
    out = run(url, "call", str(lead), "--rep", "Ann", "--ring-timeout", "5", "--json").json()
    assert (out["outcome"], out["sip_code"], out["disposition"]) == ("busy", 486, "busy")
    assert out["talk_s"] == 0
    assert _attempt(sqlite_db, out["attempt"]).answered_at is None


def test_never_answered_rings_out_as_no_answer(sqlite_db: Database, far_end: FarEnd) -> None:
    url = sqlite_db.url
    team_for_calls(url, far_end)
    lead = make_lead(sqlite_db)
    far_end.will(RING)
    t0 = time.monotonic()
    out = run(url, "call", str(lead), "--rep", "Ann", "--ring-timeout", "1.5", "--json").json()
    assert time.monotonic() - t0 < 6
    assert (out["outcome"], out["disposition"], out["sip_code"]) == ("no_answer", "no_answer", 487)
    assert 1.4 <= out["ring_s"] < 2.5
    a = _attempt(sqlite_db, out["attempt"])
    assert a.disposition == "no_answer" and a.sip_code == 487


def test_far_end_hangs_up_first(sqlite_db: Database, far_end: FarEnd) -> None:
    url = sqlite_db.url
    team_for_calls(url, far_end)
    lead = make_lead(sqlite_db)
    far_end.will(ANSWER_THEN_HANG_UP, after=0.8)
    t0 = time.monotonic()
    # No --talk: the call lasts until the lead hangs up.
    out = run(url, "call", str(lead), "--rep", "Ann", "--ring-timeout", "5", "--json").json()
    assert time.monotonic() - t0 < 6
    assert out["outcome"] == "answered" and out["disposition"] == "connected"
    assert 0.5 <= out["talk_s"] < 2.0


def test_voicemail_drop_is_heard_at_the_far_end(sqlite_db: Database, far_end: FarEnd,
                                                tmp_path: Path) -> None:
    url = sqlite_db.url
    team_for_calls(url, far_end)
    lead = make_lead(sqlite_db)
    # A 2 s 660 Hz "voicemail" recorded at 44.1 kHz stereo: converted on import.
    wav = write_tone(tmp_path / "vm.wav", 660, 2.0, rate=44100, channels=2)
    vs = run(url, "voicemail", "set", "--rep", "Ann", str(wav), "--json")
    assert vs.code == 0, vs.err
    assert vs.json()["converted_from"] == "44100 Hz stereo 16-bit"
    before = set(far_end.heard())
    far_end.will(ANSWER, after=0.2)
    out = run(url, "call", str(lead), "--rep", "Ann", "--ring-timeout", "5", "--drop-voicemail",
              "--json").json()
    assert (out["outcome"], out["disposition"]) == ("voicemail_dropped", "left_voicemail")
    assert 1.8 <= out["talk_s"] < 3.5  # the call ended when the recording had played
    time.sleep(0.3)  # the far end closes its file
    new = [p for p in far_end.heard() if p not in before]
    assert new, "the far end recorded nothing"
    hz, secs = max((dominant_hz(p) for p in new), key=lambda t: t[1])
    assert abs(hz - 660) < 15, f"heard {hz:.0f} Hz"
    assert secs > 1.6
    assert _attempt(sqlite_db, out["attempt"]).disposition == "left_voicemail"


def test_dial_uri_that_answers_nothing_fails_without_logging(sqlite_db: Database,
                                                             far_end: FarEnd) -> None:
    import socket

    url = sqlite_db.url
    team_for_calls(url, far_end)
    lead = make_lead(sqlite_db)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as hole:  # takes INVITEs, says nothing
        hole.bind(("127.0.0.1", 0))
        port = hole.getsockname()[1]
        assert run(url, "config", "set", "sip.dial_uri", f"sip:{{e164}}@127.0.0.1:{port}").code == 0
        r = run(url, "call", str(lead), "--rep", "Ann", "--ring-timeout", "1", "--json")
    assert r.code == 1
    out = r.json()
    assert (out["outcome"], out["attempt"], out["disposition"]) == ("failed", None, None)
    assert "never rang" in r.err
    with sqlite_db.session(write=False) as s:
        assert s.scalars(select(Attempt).where(Attempt.lead_id == lead)).first() is None


def test_refused_before_dialling(sqlite_db: Database, far_end: FarEnd, frozen) -> None:  # noqa: ANN001
    url = sqlite_db.url
    team_for_calls(url, far_end)
    calls_before = far_end.incoming
    dnc = make_lead(sqlite_db, email="dnc@x.test", phone="+12125550101")
    assert run(url, "leads").code == 0
    with sqlite_db.session() as s:
        from qualdesk.db.models import Lead

        lead_row = s.get(Lead, dnc)
        assert lead_row is not None
        lead_row.do_not_call = True
    no_phone = make_lead(sqlite_db, email="np@x.test", phone=None)
    night = make_lead(sqlite_db, email="night@x.test", phone="+12125550102")
    assert run(url, "config", "set", "calling.window_start", "08:00").code == 0
    assert run(url, "config", "set", "calling.window_end", "21:00").code == 0
    frozen.t = datetime(2026, 3, 4, 8, 0, tzinfo=UTC)  # 03:00 in New York
    for lead, words in ((dnc, "do-not-call"), (no_phone, "no valid phone"),
                        (night, "outside calling window")):
        r = run(url, "call", str(lead), "--rep", "Ann", "--ring-timeout", "1", "--json")
        assert r.code == 1 and words in r.err, r.err
        assert r.out == ""
    assert far_end.incoming == calls_before  # nothing was dialled


def test_no_trunk_set_says_how(sqlite_db: Database) -> None:
    url = sqlite_db.url
    assert run(url, "user", "add", "Ann", "--role", "rep").code == 0
    lead = make_lead(sqlite_db, zones=())
    assert run(url, "config", "set", "calling.window_start", "00:00").code == 0
    assert run(url, "config", "set", "calling.window_end", "23:59").code == 0
    r = run(url, "call", str(lead), "--rep", "Ann")
    assert r.code == 1 and "sip.dial_uri" in r.err


def test_call_from_a_fresh_machine_without_sound_or_settings(sqlite_db: Database, far_end: FarEnd,
                                                             tmp_path: Path) -> None:
    """The real console command on a machine with no headset settings, no sound device
    and no interface named: the engine finds the address that reaches the trunk and a
    silent stand-in microphone, and the call goes through."""
    import os

    from tests.cli_helpers import run_process

    url = sqlite_db.url
    team_for_calls(url, far_end)
    lead = make_lead(sqlite_db)
    env = {k: v for k, v in os.environ.items() if k != "QUALDESK_SIP_INTERFACE"}
    env["QUALDESK_CONFIG_DIR"] = str(tmp_path / "fresh-config")
    env["XDG_RUNTIME_DIR"] = str(tmp_path / "no-runtime")  # no PulseAudio/PipeWire socket
    far_end.will(ANSWER, after=0.2)
    r = run_process(url, "call", str(lead), "--rep", "Ann", "--ring-timeout", "5", "--talk",
                    "0.5", "--json", env=env)
    assert r.code == 0, r.err
    out = r.json()
    assert (out["outcome"], out["sip_code"], out["disposition"]) == ("answered", 200, "connected")


def test_dial_uri_setting_is_checked(sqlite_db: Database) -> None:
    url = sqlite_db.url
    r = run(url, "config", "set", "sip.dial_uri", "trunk.example.com")
    assert r.code == 1 and "{e164}" in r.err
    assert run(url, "config", "set", "sip.dial_uri", "sip:{e164}@trunk.example.com").code == 0
    assert run(url, "config", "get", "sip.dial_uri").out.strip().endswith("sip:{e164}@trunk.example.com")
