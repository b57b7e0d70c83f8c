"""Shared set-up for real-call tests: the far end (a second baresip) and this machine's
phone settings (a silent WAV as the "headset", the engine on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qualdesk.settings import MachineSettings
from tests.cli_helpers import run
from tests.phone_far_end import FarEnd, write_tone

NUMBERS = ["+12125550100", "+12125550101", "+12125550102"]


@pytest.fixture(scope="module", name="far_end")
def far_end_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FarEnd]:
    far = FarEnd(tmp_path_factory.mktemp("far"), NUMBERS, record=True).start()
    yield far
    far.stop()


@pytest.fixture(name="headset")
def headset_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This machine's audio: a silent WAV as the microphone, nothing as the speaker."""
    monkeypatch.setenv("QUALDESK_SIP_INTERFACE", "127.0.0.1")
    silence = write_tone(tmp_path / "mic_silence.wav", 0, 60)
    (tmp_path / "config").mkdir(exist_ok=True)
    MachineSettings(audio_source=f"aufile,{silence}", audio_player="aufile,/dev/null").save(
        tmp_path / "config" / "machine.json")
    return silence


def team_for_calls(db_url: str, far: FarEnd, rep: str = "Ann") -> None:
    assert run(db_url, "user", "add", rep, "--role", "rep").code == 0
    assert run(db_url, "config", "set", "sip.dial_uri", far.uri_template()).code == 0
    # Calls at any hour (the window refusal has its own test with a frozen clock).
    assert run(db_url, "config", "set", "calling.window_start", "00:00").code == 0
    assert run(db_url, "config", "set", "calling.window_end", "23:59").code == 0
