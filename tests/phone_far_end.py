"""The lead's phone in tests and the bench: a second, real baresip on 127.0.0.1.

It answers, rejects (486), or lets a call ring, per call, as the test says; with
``record=True`` its ``sndfile`` module writes what it heard (``*-dec.wav``), so a test
can prove a dropped voicemail arrived.
"""

from __future__ import annotations

import math
import struct
import threading
import time
import wave
from collections import deque
from pathlib import Path
from typing import Any

from qualdesk.phone.engine import Engine, EngineConfig, free_port

ANSWER, REJECT, RING, ANSWER_THEN_HANG_UP = "answer", "reject", "ring", "answer_then_hang_up"


def write_tone(path: Path, hz: float, seconds: float, rate: int = 8000, channels: int = 1,
               width: int = 2, amplitude: float = 0.3) -> Path:
    frames = bytearray()
    peak = (1 << (8 * width - 1)) - 1
    for i in range(int(seconds * rate)):
        v = int(peak * amplitude * math.sin(2 * math.pi * hz * i / rate))
        sample = struct.pack("<h", v) if width == 2 else struct.pack("<B", v + 128)
        frames += sample * channels
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    return path


def dominant_hz(path: Path, skip_silence: bool = True) -> tuple[float, float]:
    """(frequency by zero crossings, seconds of sound) of a 16-bit mono WAV."""
    with wave.open(str(path), "rb") as w:
        rate = w.getframerate()
        raw = w.readframes(w.getnframes())
    samples = struct.unpack(f"<{len(raw) // 2}h", raw)
    loud = [s for s in samples if abs(s) > 300] if skip_silence else list(samples)
    if not loud:
        return 0.0, 0.0
    # Zero crossings over the stretch that carries sound.
    first = next(i for i, s in enumerate(samples) if abs(s) > 300)
    last = len(samples) - next(i for i, s in enumerate(reversed(samples)) if abs(s) > 300)
    seg = samples[first:last]
    crossings = sum(1 for a, b in zip(seg, seg[1:], strict=False) if (a < 0) != (b < 0))
    secs = len(seg) / rate
    return crossings / 2 / secs if secs else 0.0, secs


class FarEnd:
    def __init__(self, folder: Path, numbers: list[str], record: bool = False,
                 source_wav: Path | None = None) -> None:
        self.port = free_port()
        self.record_dir = folder / "heard"
        self.record_dir.mkdir(parents=True, exist_ok=True)
        silence = source_wav or write_tone(folder / "far_silence.wav", 0, 120)
        accounts = tuple(f"<sip:{n}@127.0.0.1:{self.port}>;regint=0" for n in numbers)
        cfg = EngineConfig(folder=folder / "engine", accounts=accounts,
                           audio_source=f"aufile,{silence}", audio_player="aufile,/dev/null",
                           sip_listen=f"127.0.0.1:{self.port}", net_interface="127.0.0.1",
                           record_dir=self.record_dir if record else None)
        self.engine = Engine(cfg, self._on_event, restart=False)
        self.plan: deque[tuple[str, float]] = deque()
        self.default: tuple[str, float] = (ANSWER, 0.0)
        self.incoming = 0
        self.events: list[dict[str, Any]] = []

    def uri_template(self) -> str:
        return f"sip:{{e164}}@127.0.0.1:{self.port}"

    def start(self) -> FarEnd:
        self.engine.start()
        return self

    def stop(self) -> None:
        self.engine.stop()

    def will(self, action: str, after: float = 0.0) -> FarEnd:
        self.plan.append((action, after))
        return self

    def _on_event(self, ev: dict[str, Any]) -> None:
        self.events.append(ev)
        if ev.get("type") == "CALL_INCOMING":
            self.incoming += 1
            action, after = self.plan.popleft() if self.plan else self.default
            threading.Thread(target=self._act, args=(action, after), daemon=True).start()

    def _act(self, action: str, after: float) -> None:
        if action == RING:
            return
        time.sleep(min(after, 0.2) if action == ANSWER_THEN_HANG_UP else after)
        try:
            if action == REJECT:
                self.engine.command("hangup")  # an incoming call refused: 486
            elif action == ANSWER:
                self.engine.command("accept")
            elif action == ANSWER_THEN_HANG_UP:
                self.engine.command("accept")
                time.sleep(after)
                self.engine.command("hangup")
        except Exception:  # noqa: BLE001 (the test sees the call's outcome instead)
            pass

    def heard(self) -> list[Path]:
        return sorted(self.record_dir.glob("*-dec.wav"))
