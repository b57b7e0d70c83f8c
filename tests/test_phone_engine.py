"""The engine process: ctrl_tcp netstrings, `phone check`, and an engine killed mid-call
(the call ends as such, the engine comes back by itself, the next call goes through)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from qualdesk.phone.adapter import CallRecord
from qualdesk.phone.engine import EngineConfig, free_port
from qualdesk.phone.netstring import Decoder, NetstringError, encode
from qualdesk.phone.outcomes import propose
from qualdesk.phone.phone import Phone, place_call
from tests.cli_helpers import run
from tests.phone_far_end import ANSWER, FarEnd, write_tone
from tests.phone_setup_helpers import far_end_fixture

__all__ = ["far_end_fixture"]


def test_netstrings_split_and_join() -> None:
    d = Decoder()
    wire = encode(b'{"a":1}') + encode(b"") + encode(b"xyz")
    assert d.feed(wire[:5]) == []
    assert d.feed(wire[5:]) == [b'{"a":1}', b"", b"xyz"]
    with pytest.raises(NetstringError):
        Decoder().feed(b"HTTP/1.1 200 OK\r\n")
    with pytest.raises(NetstringError):
        Decoder().feed(b"3:abcX")


def test_phone_check_reports_the_engine() -> None:
    r = run(None, "phone", "check", "--json")
    assert r.code == 0, r.err
    assert r.json() == {"engine": "baresip", "version": "1.0.0", "ok": True, "reason": None}


def test_phone_check_without_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    r = run(None, "phone", "check", "--json")
    assert r.code == 1 and r.json()["ok"] is False
    assert "apt install baresip-core" in r.json()["reason"]


def _phone(tmp_path: Path) -> Phone:
    mic = write_tone(tmp_path / "mic.wav", 0, 60)
    return Phone(EngineConfig(folder=tmp_path / "app", accounts=("<sip:rep@127.0.0.1>;regint=0",),
                              audio_source=f"aufile,{mic}", audio_player="aufile,/dev/null",
                              sip_listen=f"127.0.0.1:{free_port()}", net_interface="127.0.0.1"))


def test_engine_killed_mid_call_ends_the_call_and_comes_back(tmp_path: Path,
                                                              far_end: FarEnd) -> None:
    phone = _phone(tmp_path)
    states: list[str] = []
    phone.engine_listeners.append(lambda state, _d: states.append(state))
    phone.start()
    try:
        uri = far_end.uri_template().format(e164="+12125550100")
        far_end.will(ANSWER)
        phone.dial(uri, ring_timeout=5)
        rec = phone.tracker.wait(lambda r: r.answered_at is not None, 5)
        assert rec is not None and rec.answered_at is not None
        first_pid = phone.engine.proc.pid  # type: ignore[union-attr]
        os.kill(first_pid, signal.SIGKILL)
        rec = phone.tracker.wait(lambda r: r.ended, 5)
        assert rec is not None and rec.ended and rec.engine_died
        p = propose(rec)
        assert p.outcome == "answered"  # the lead was on the line: the rep logs what was said
        deadline = time.monotonic() + 8
        while not (phone.running and phone.engine.proc.pid != first_pid):  # type: ignore[union-attr]
            assert time.monotonic() < deadline, f"engine not restarted: {states}"
            time.sleep(0.05)
        assert states[:3] == ["up", "down", "up"]
        far_end.will(ANSWER)
        again: CallRecord = place_call(phone, uri, ring_timeout=5, talk=0.5)
        assert propose(again).outcome == "answered"
    finally:
        phone.stop()
    assert phone.engine.proc is not None and phone.engine.proc.poll() is not None


def test_engine_killed_while_ringing_fails_without_a_disposition(tmp_path: Path,
                                                                 far_end: FarEnd) -> None:
    from tests.phone_far_end import RING

    phone = _phone(tmp_path)
    phone.engine.restart = False
    phone.start()
    try:
        far_end.will(RING)
        phone.dial(far_end.uri_template().format(e164="+12125550100"), ring_timeout=5)
        assert phone.tracker.wait(lambda r: r.ringing_at is not None, 5) is not None
        os.kill(phone.engine.proc.pid, signal.SIGKILL)  # type: ignore[union-attr]
        rec = phone.tracker.wait(lambda r: r.ended, 5)
        assert rec is not None and rec.engine_died
        assert propose(rec).disposition is None
    finally:
        phone.stop()
