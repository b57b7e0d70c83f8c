"""Recorded voicemails as the engine plays them: 8 kHz, mono, 16-bit PCM WAV (G.711's
rate — the engine's ``aufile`` source does not resample).

A WAV in another PCM shape (44.1 kHz stereo from a phone's recorder, 8-bit, 24-bit) is
converted here with the standard library only (``audioop`` is gone from Python 3.13);
anything that is not a PCM WAV is refused with what it is and what to do.
"""

from __future__ import annotations

import hashlib
import struct
import wave
from dataclasses import dataclass
from pathlib import Path

from qualdesk.errors import InvalidInput

RATE, CHANNELS, WIDTH = 8000, 1, 2
MIN_S, MAX_S = 1.0, 120.0
SILENT = 200  # peak below this (of 32767) is a blank recording (a muted microphone)


@dataclass(frozen=True)
class Prepared:
    data: bytes  # the whole WAV file, engine-ready
    seconds: float
    converted_from: str | None  # "44100 Hz stereo 16-bit" when it was converted

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def describe(rate: int, channels: int, width: int) -> str:
    return f"{rate} Hz {'mono' if channels == 1 else 'stereo' if channels == 2 else f'{channels}-channel'} {8 * width}-bit"


def prepare(path: Path) -> Prepared:
    """Read a WAV, check it, and return it as the engine plays it (converted if need be)."""
    try:
        with wave.open(str(path), "rb") as w:
            rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
            raw = w.readframes(w.getnframes())
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except (wave.Error, EOFError, struct.error) as exc:
        raise InvalidInput(
            f"{path.name}: not a PCM WAV file ({exc}); export the recording as WAV "
            "(PCM, any rate) — for example: sox in.mp3 -r 8000 -c 1 -b 16 out.wav") from None
    if width not in (1, 2, 3, 4) or channels < 1 or rate < 4000:
        raise InvalidInput(f"{path.name}: {describe(rate, channels, width)} is not a voice "
                           "recording QualDesk can play; record it again as 8 kHz mono 16-bit")
    samples = _mono(_decode(raw, width), channels)
    seconds = len(samples) / rate
    if seconds < MIN_S or seconds > MAX_S:
        raise InvalidInput(f"{path.name}: {seconds:.1f} s long; a voicemail is "
                           f"{MIN_S:.0f}-{MAX_S:.0f} s")
    if rate != RATE:
        samples = _resample(samples, rate, RATE)
    if max((abs(v) for v in samples), default=0) < SILENT:
        raise InvalidInput(f"{path.name}: the recording is silent (was the microphone muted?)")
    shape = (rate, channels, width)
    converted = None if shape == (RATE, CHANNELS, WIDTH) else describe(*shape)
    return Prepared(_encode(samples), round(len(samples) / RATE, 3), converted)


def _decode(raw: bytes, width: int) -> list[int]:
    """PCM bytes as signed 16-bit-scale integers."""
    if width == 1:  # 8-bit WAV is unsigned
        return [(b - 128) << 8 for b in raw]
    if width == 2:
        return list(struct.unpack(f"<{len(raw) // 2}h", raw[: len(raw) // 2 * 2]))
    if width == 3:
        return [int.from_bytes(raw[i:i + 3], "little", signed=True) >> 8
                for i in range(0, len(raw) - 2, 3)]
    return [v >> 16 for v in struct.unpack(f"<{len(raw) // 4}i", raw[: len(raw) // 4 * 4])]


def _mono(samples: list[int], channels: int) -> list[int]:
    if channels == 1:
        return samples
    n = len(samples) // channels
    return [sum(samples[i * channels:(i + 1) * channels]) // channels for i in range(n)]


def _resample(samples: list[int], src: int, dst: int) -> list[int]:
    """Linear interpolation; voice at 8 kHz needs nothing finer. Downsampling first
    averages each output sample's span (a crude low-pass, so 44.1 kHz hiss does not fold
    into the voice band)."""
    if not samples:
        return samples
    step = src / dst
    n_out = int(len(samples) / step)
    out: list[int] = []
    for j in range(n_out):
        pos = j * step
        if step > 1:
            lo, hi = int(pos), max(int(pos) + 1, int(pos + step))
            span = samples[lo:hi]
            out.append(sum(span) // len(span))
        else:
            i = int(pos)
            frac = pos - i
            nxt = samples[i + 1] if i + 1 < len(samples) else samples[i]
            out.append(int(samples[i] + (nxt - samples[i]) * frac))
    return out


def _encode(samples: list[int]) -> bytes:
    import io

    clipped = [max(-32768, min(32767, v)) for v in samples]
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(CHANNELS)
        w.setsampwidth(WIDTH)
        w.setframerate(RATE)
        w.writeframes(struct.pack(f"<{len(clipped)}h", *clipped))
    return buf.getvalue()
