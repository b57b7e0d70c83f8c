"""What the rep's phone is doing, written where others read it: the floor's rep state
(ringing, on a call, wrap-up, idle) and, once a call is both ended and logged, its real
answer/end times and SIP code on the attempt. Fire-and-forget writes on the op runner."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualdesk.phone.adapter import ANSWERED, RINGING, CallRecord
from qualdesk.services import phone_states

if TYPE_CHECKING:
    from ui.context import AppContext


def _key(rec: CallRecord) -> tuple[str, object]:
    return rec.uri, rec.dialled_at


class CallPresence:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self._state: str | None = None
        self._logged: dict[tuple[str, object], tuple[int, str]] = {}
        self._ended: dict[tuple[str, object], CallRecord] = {}

    def _publish(self, state: str, lead_id: int | None) -> None:
        rep = self.ctx.rep_name
        if rep is None or state == self._state:
            return
        self._state = state
        db = self.ctx.db
        self.ctx.run_query(lambda: phone_states.set_state(db, rep, state, lead_id),
                           lambda _r: None, on_error=lambda _exc: None)

    def call_changed(self, rec: CallRecord, lead_id: int | None) -> None:
        if rec.ended:
            self._ended[_key(rec)] = rec
            if _key(rec) in self._logged:
                self._stamp(rec)
            else:
                self._publish(phone_states.WRAP_UP, lead_id)
        elif rec.state == ANSWERED:
            self._publish(phone_states.ON_CALL, lead_id)
        elif rec.state == RINGING or rec.dialled_at is not None:
            self._publish(phone_states.RINGING, lead_id)

    def voicemail_dropped(self, rec: CallRecord) -> None:
        """The rep is free at once: the recording plays by itself."""
        self._publish(phone_states.IDLE, None)

    def logged(self, rec: CallRecord, lead_id: int, code: str) -> None:
        if rec.dialled_at is None:
            return
        self._logged[_key(rec)] = (lead_id, code)
        ended = self._ended.get(_key(rec))
        if ended is not None:
            self._stamp(ended)
        self._publish(phone_states.IDLE, None)

    def lead_left(self, rec: CallRecord | None) -> None:
        if rec is None or rec.ended:
            self._publish(phone_states.IDLE, None)

    def _stamp(self, rec: CallRecord) -> None:
        lead_id, _code = self._logged.pop(_key(rec))
        self._ended.pop(_key(rec), None)
        rep = self.ctx.rep_name
        if rep is None or rec.dialled_at is None:
            return
        from qualdesk.services.phone_calls import stamp_call

        db = self.ctx.db
        self.ctx.run_query(
            lambda: stamp_call(db, lead_id, rep, rec.dialled_at, rec.answered_at,  # type: ignore[arg-type]
                               rec.ended_at, rec.sip_code),
            lambda _r: None, on_error=lambda _exc: None)
