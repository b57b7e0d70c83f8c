"""The rep's phone: dial, hang up, mute, hold, DTMF, drop a voicemail — over the engine.

Every method here may block on the engine for a moment (a command round trip): the CLI
calls them directly, the cockpit from a worker thread. Call changes reach ``listeners``
as frozen ``CallRecord`` values; engine life (died, restarted, gave up) reaches
``engine_listeners`` as a short sentence.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from qualdesk.phone.adapter import CallRecord, CallTracker
from qualdesk.phone.engine import Engine, EngineConfig, EngineError

DTMF_KEYS = frozenset("0123456789*#ABCD")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")

EngineListener = Callable[[str, str], None]  # (state: up|down|gave_up, detail)


class Phone:
    def __init__(self, config: EngineConfig, *, binary: str | None = None,
                 restart: bool = True, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.tracker = CallTracker(monotonic)
        self.engine = Engine(config, self._on_event, binary=binary, restart=restart)
        self.default_source = config.audio_source
        self.engine_listeners: list[EngineListener] = []
        self.muted = False
        self.on_hold = False
        self._ring_timer: threading.Timer | None = None

    @property
    def listeners(self) -> list[Callable[[CallRecord], None]]:
        return self.tracker.listeners

    # --- life ---------------------------------------------------------------------------

    def start(self, register_wait: float = 3.0) -> str | None:
        self.engine.start()
        self._engine_state("up", self.engine.version or "")
        if self.registers:
            ok = self.registered(register_wait)
            self._engine_state("registered" if ok else "register_failed",
                               "" if ok else "the registrar did not accept the account: check "
                               "registrar, user and password")
        return self.engine.version

    @property
    def registers(self) -> bool:
        return any("regint=0" not in a for a in self.engine.config.accounts)

    def registered(self, wait: float = 3.0) -> bool:
        """Whether the account is registered (the engine registers as it starts, before
        the control socket is open, so its REGISTER_OK event is never seen: ask)."""
        deadline = time.monotonic() + wait
        while True:
            data = _ANSI.sub("", str(self.engine.command("reginfo").get("data", "")))
            if re.search(r"\bOK\b", data):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.2)

    def stop(self) -> None:
        self._cancel_ring_timer()
        self.engine.stop()

    @property
    def running(self) -> bool:
        return self.engine.running

    def _on_event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "ENGINE_DIED":
            self.tracker.feed(event)
            self._engine_state("down", str(event.get("param", "")))
        elif kind == "ENGINE_RESTARTED":
            self._engine_state("up", str(event.get("param", "")))
        elif kind == "ENGINE_GAVE_UP":
            self._engine_state("gave_up", str(event.get("param", "")))
        elif kind in ("REGISTER_OK", "REGISTER_FAIL"):
            self._engine_state("registered" if kind == "REGISTER_OK" else "register_failed",
                               str(event.get("param", "")))
        else:
            rec = self.tracker.feed(event)
            if rec is not None and rec.state != "ringing" and rec.state != "dialling":
                self._cancel_ring_timer()

    def _engine_state(self, state: str, detail: str) -> None:
        for fn in list(self.engine_listeners):
            fn(state, detail)

    # --- the call -----------------------------------------------------------------------

    def dial(self, uri: str, ring_timeout: float | None = None) -> CallRecord:
        cur = self.tracker.current
        if cur is not None and not cur.ended:
            raise EngineError("a call is already in progress: hang it up first")
        # A voicemail drop switched the source to its file; every call starts on the headset.
        self._ok(self.engine.command("ausrc", self.default_source), "select the headset")
        self.muted = self.on_hold = False
        rec = self.tracker.dialled(uri)  # before the command: its events may come first
        self._ok(self.engine.command("dial", uri), f"dial {uri}")
        if ring_timeout:
            self._ring_timer = threading.Timer(ring_timeout, self._ring_out)
            self._ring_timer.daemon = True
            self._ring_timer.start()
        return rec

    def _ring_out(self) -> None:
        cur = self.tracker.current
        if cur is None or cur.ended or cur.answered_at is not None:
            return
        self.tracker.mark(ring_timed_out=True, hung_up_here=True)
        with contextlib.suppress(EngineError):  # a dead engine ended the call already
            self.engine.command("hangup")

    def _cancel_ring_timer(self) -> None:
        if self._ring_timer is not None:
            self._ring_timer.cancel()
            self._ring_timer = None

    def hangup(self) -> None:
        self._cancel_ring_timer()
        cur = self.tracker.current
        if cur is None or cur.ended:
            return
        self.tracker.mark(hung_up_here=True)
        self._ok(self.engine.command("hangup"), "hang up")

    def toggle_mute(self) -> bool:
        self._ok(self.engine.command("mute"), "mute")
        self.muted = not self.muted
        return self.muted

    def toggle_hold(self) -> bool:
        self._ok(self.engine.command("resume" if self.on_hold else "hold"), "hold")
        self.on_hold = not self.on_hold
        return self.on_hold

    def dtmf(self, key: str) -> None:
        if key not in DTMF_KEYS:
            raise EngineError(f"{key!r} is not a keypad key (0-9, *, #)")
        self._ok(self.engine.command("sndcode", key), "send a keypad tone")

    def drop_voicemail(self, wav_path: str) -> None:
        """Play the recording into the call; the engine ends the call when it has played."""
        cur = self.tracker.current
        if cur is None or cur.ended or cur.answered_at is None:
            raise EngineError("a voicemail drops into an answered call (the greeting's beep)")
        self.tracker.mark(voicemail_started=True)
        self._ok(self.engine.command("ausrc", f"aufile,{wav_path}"), "play the voicemail")

    @staticmethod
    def _ok(resp: dict[str, Any], what: str) -> None:
        if not resp.get("ok", False):
            raise EngineError(f"the phone engine could not {what}: {resp.get('data') or 'refused'}")


def place_call(phone: Phone, uri: str, *, ring_timeout: float, talk: float | None = None,
               voicemail: str | None = None, voicemail_s: float = 0.0,
               max_call_s: float = 4 * 3600) -> CallRecord:
    """One whole call, blocking (the CLI, tests, the bench): dial, wait for the answer or
    the end, then talk ``talk`` seconds (or drop the voicemail) and hang up."""
    phone.dial(uri, ring_timeout)
    rec = phone.tracker.wait(lambda r: r.ended or r.answered_at is not None, ring_timeout + 10)
    if rec is None or rec.ended:
        return _settled(phone, rec)
    if rec.answered_at is None:  # the ring timer failed to end it (engine hung)
        phone.hangup()
        return _settled(phone, phone.tracker.wait(lambda r: r.ended, 5))
    if voicemail:
        phone.drop_voicemail(voicemail)
        rec = phone.tracker.wait(lambda r: r.ended, voicemail_s + 10)
    else:
        rec = phone.tracker.wait(lambda r: r.ended, talk if talk is not None else max_call_s)
    if rec is not None and not rec.ended:
        phone.hangup()
        rec = phone.tracker.wait(lambda r: r.ended, 5)
    return _settled(phone, rec)


def _settled(phone: Phone, rec: CallRecord | None) -> CallRecord:
    if rec is None:
        raise EngineError("no call was placed")
    if not rec.ended:
        raise EngineError("the phone engine did not end the call")
    return rec
