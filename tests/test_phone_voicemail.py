"""Recorded voicemails: the engine-ready format is kept as it is, other PCM WAVs are
converted, anything else is refused with a message that names the file and what to do."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from qualdesk.db.engine import Database
from qualdesk.errors import InvalidInput
from qualdesk.phone.voicemail import prepare
from qualdesk.services.voicemails import voicemail_for
from tests.cli_helpers import run
from tests.phone_far_end import dominant_hz, write_tone


def test_engine_ready_wav_is_kept_byte_for_byte(tmp_path: Path) -> None:
    src = write_tone(tmp_path / "ok.wav", 440, 1.5)
    p = prepare(src)
    assert p.converted_from is None and p.seconds == 1.5
    assert p.data == src.read_bytes()


@pytest.mark.parametrize(("rate", "channels", "width"), [(44100, 2, 2), (16000, 1, 1), (48000, 1, 2)])
def test_other_pcm_shapes_are_converted_keeping_the_pitch(tmp_path: Path, rate: int,
                                                          channels: int, width: int) -> None:
    src = write_tone(tmp_path / "in.wav", 500, 1.2, rate=rate, channels=channels, width=width)
    p = prepare(src)
    assert p.converted_from is not None
    out = tmp_path / "out.wav"
    out.write_bytes(p.data)
    with wave.open(str(out)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
    hz, secs = dominant_hz(out)
    assert abs(hz - 500) < 10 and abs(secs - 1.2) < 0.05


def test_not_a_wav_is_refused_and_nothing_is_kept(sqlite_db: Database, tmp_path: Path) -> None:
    url = sqlite_db.url
    assert run(url, "user", "add", "Ann", "--role", "rep").code == 0
    mp3 = tmp_path / "greeting.mp3"
    mp3.write_bytes(b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb" * 500)
    r = run(url, "voicemail", "set", "--rep", "Ann", str(mp3))
    assert r.code == 1
    assert "greeting.mp3: not a PCM WAV file" in r.err and "sox" in r.err
    with pytest.raises(Exception, match="no recorded voicemail"):
        voicemail_for(sqlite_db, "Ann", None)


def test_silent_or_too_long_recordings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="silent"):
        prepare(write_tone(tmp_path / "mute.wav", 0, 2))
    with pytest.raises(InvalidInput, match="0.5 s long"):
        prepare(write_tone(tmp_path / "short.wav", 440, 0.5))


def test_per_campaign_voicemail_wins_over_the_default(sqlite_db: Database, tmp_path: Path) -> None:
    url = sqlite_db.url
    assert run(url, "user", "add", "Ann", "--role", "rep").code == 0
    assert run(url, "voicemail", "set", "--rep", "Ann", str(write_tone(tmp_path / "a.wav", 400, 1))).code == 0
    from sqlalchemy import select

    from qualdesk.db.models import Campaign

    with sqlite_db.session(write=False) as s:
        camp = s.scalar(select(Campaign).where(Campaign.is_default.is_(True)))
        assert camp is not None
        cid, cname = camp.id, camp.name
    r = run(url, "voicemail", "set", "--rep", "Ann", str(write_tone(tmp_path / "b.wav", 600, 1)),
            "--campaign", cname, "--json")
    assert r.code == 0, r.err
    assert r.json()["campaign"] == cname
    assert abs(dominant_hz(voicemail_for(sqlite_db, "Ann", cid).path)[0] - 600) < 10
    assert abs(dominant_hz(voicemail_for(sqlite_db, "Ann", None).path)[0] - 400) < 10
    # Beside the database file.
    assert voicemail_for(sqlite_db, "Ann", cid).path.parent.parent.parent == \
        Path(sqlite_db.url.removeprefix("sqlite:///")).parent
    bad = run(url, "voicemail", "set", "--rep", "Ann", str(tmp_path / "a.wav"), "--campaign", "Nope")
    assert bad.code == 1 and "no campaign named 'Nope'" in bad.err
