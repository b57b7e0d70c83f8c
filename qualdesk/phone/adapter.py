"""The one reader of engine events: baresip's ``ctrl_tcp`` events become plain call
records (dialled → ringing → answered → ended, with the SIP code and reason).

Nothing else in the app reads an engine event or a SIP status line. ``CallRecord`` is
what the rest of the app sees; ``CallTracker.feed`` is where engine words stop.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from qualdesk import clock

RINGING, ANSWERED, ENDED = "ringing", "answered", "ended"
DIALLING = "dialling"

_STATUS = re.compile(r"^\s*([1-6]\d\d)\b\s*(.*)$")

# How the engine says the audio source reached the end of the file: the voicemail has
# played to its end, and the engine hangs up itself.
END_OF_FILE = "end of file"


@dataclass(frozen=True)
class CallRecord:
    """One call as the app knows it. Times are aware UTC; ``*_mono`` are for durations."""

    uri: str
    state: str = DIALLING
    call_id: str | None = None
    dialled_at: datetime | None = None
    ringing_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    sip_code: int | None = None
    reason: str = ""
    hung_up_here: bool = False  # the rep (or a timer) ended it, not the far end
    ring_timed_out: bool = False
    voicemail_started: bool = False  # the rep dropped the recording into the call
    voicemail_played: bool = False  # the recording played to its end into the call
    engine_died: bool = False
    dialled_mono: float = 0.0
    ringing_mono: float | None = None
    answered_mono: float | None = None
    ended_mono: float | None = None

    @property
    def ring_s(self) -> float:
        end = self.answered_mono or self.ended_mono
        if end is None:
            return 0.0
        return round(max(0.0, end - self.dialled_mono), 2)

    @property
    def talk_s(self) -> float:
        if self.answered_mono is None or self.ended_mono is None:
            return 0.0
        return round(max(0.0, self.ended_mono - self.answered_mono), 2)

    @property
    def ended(self) -> bool:
        return self.state == ENDED


def parse_status(param: str) -> tuple[int | None, str]:
    """``"486 Rejected"`` → ``(486, "Rejected")``; ``"Connection reset"`` → ``(None, …)``."""
    m = _STATUS.match(param or "")
    if m:
        return int(m.group(1)), m.group(2).strip()
    return None, (param or "").strip()


Listener = Callable[[CallRecord], None]


class CallTracker:
    """Holds the call in progress (one at a time: a rep has one headset) and feeds it the
    engine's events. Listeners get a new frozen record on every change (on the engine's
    reader thread: hand them on by queue or signal)."""

    def __init__(self, monotonic: Callable[[], float]) -> None:
        self._mono = monotonic
        self._lock = threading.Lock()
        self.current: CallRecord | None = None
        self.listeners: list[Listener] = []
        self.changed = threading.Condition(self._lock)

    def dialled(self, uri: str) -> CallRecord:
        rec = CallRecord(uri=uri, dialled_at=clock.now(), dialled_mono=self._mono())
        with self._lock:
            self.current = rec
        self._emit(rec)
        return rec

    def mark(self, **changes: Any) -> CallRecord | None:
        """Flags set by the phone itself (hung up here, ring timeout)."""
        with self._lock:
            if self.current is None or self.current.ended:
                return None
            self.current = replace(self.current, **changes)
            rec = self.current
            self.changed.notify_all()
        self._emit(rec)
        return rec

    def feed(self, event: dict[str, Any]) -> CallRecord | None:
        """Apply one engine event; the record it changed, if any."""
        kind = str(event.get("type", ""))
        param = str(event.get("param", ""))
        with self._lock:
            rec = self.current
            if rec is None or rec.ended:
                return None
            call_id = event.get("id")
            if call_id and rec.call_id and call_id != rec.call_id:
                return None  # an event of another call (an old one still closing)
            if event.get("direction") == "incoming":
                return None
            now, mono = clock.now(), self._mono()
            if kind in ("CALL_RINGING", "CALL_PROGRESS") and rec.ringing_at is None:
                rec = replace(rec, state=RINGING, ringing_at=now, ringing_mono=mono,
                              call_id=call_id or rec.call_id)
            elif kind == "CALL_ESTABLISHED" and rec.answered_at is None:
                if rec.ringing_at is None:
                    rec = replace(rec, ringing_at=now, ringing_mono=mono)
                rec = replace(rec, state=ANSWERED, answered_at=now, answered_mono=mono,
                              sip_code=200, reason="OK", call_id=call_id or rec.call_id)
            elif kind == "AUDIO_ERROR" and END_OF_FILE in param and rec.voicemail_started:
                rec = replace(rec, voicemail_played=True)
            elif kind == "CALL_CLOSED":
                code, reason = parse_status(param)
                if END_OF_FILE in param:
                    # The source file ended: the voicemail if one was dropped, else the
                    # stand-in microphone of a machine without a headset ran out.
                    rec = replace(rec, voicemail_played=rec.voicemail_started, hung_up_here=True)
                if code is None and rec.answered_at is None and rec.ringing_at is not None \
                        and rec.hung_up_here:
                    code = 487  # our CANCEL while it rang: the far end ends it "487 Request Terminated"
                rec = replace(rec, state=ENDED, ended_at=now, ended_mono=mono,
                              sip_code=code if code is not None else rec.sip_code,
                              reason=reason, call_id=call_id or rec.call_id)
            elif kind == "ENGINE_DIED":
                rec = replace(rec, state=ENDED, ended_at=now, ended_mono=mono,
                              engine_died=True, reason="the phone engine stopped")
            else:
                return None
            self.current = rec
            self.changed.notify_all()
        self._emit(rec)
        return rec

    def wait(self, until: Callable[[CallRecord], bool], timeout: float) -> CallRecord | None:
        """Block (a worker or the CLI, never the GUI) until the call satisfies ``until``."""
        with self._lock:
            self.changed.wait_for(lambda: self.current is not None and until(self.current),
                                  timeout)
            return self.current

    def _emit(self, rec: CallRecord) -> None:
        for fn in list(self.listeners):
            fn(rec)
