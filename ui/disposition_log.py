"""Logging a disposition from the lead panel, and what asks before it is logged.

``log_disposition`` is the panel's one worker call: the service logs the attempt with
its note (and callback) in one transaction, or — with the shared database away — the
local outbox keeps it for an exactly-once replay. ``FINAL`` and ``FINAL_DISPOSITIONS``
are the one-key steps a lead never comes back from (they ask first); ``team_hours``
reads the team's hour pairs the callback editor warns by.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from qualdesk import clock
from qualdesk.domain.calling_window import CallingWindow
from qualdesk.domain.designation import Designation
from qualdesk.domain.records import Changes
from qualdesk.errors import DatabaseUnavailable
from qualdesk.offline.resilient import QUEUED, ResilientOps
from qualdesk.services import calls as calls_svc
from ui.what_changed import call_logged


@dataclass(frozen=True)
class Logged:
    """What a disposition did: the changes, and whether it only reached the local outbox."""

    changes: Changes
    queued_message: str | None = None


def log_disposition(db: Any, ops: ResilientOps | None, lead_id: int, rep: str, code: str,
                    started_at: datetime, body: str, note_id: int | None,
                    callback: tuple | None) -> Logged:
    """One worker call: the service logs the attempt with its note (and callback) in one
    transaction (``calls.log_disposition``), so a call never commits without its note.

    A call that happened is never lost: when the shared database is unreachable (or
    older changes are still waiting, so order is kept) it goes to the local outbox and
    replays exactly once, through the same use case, when the database is back.
    """
    cb_at, scope, cb_note = callback if callback else (None, "mine", None)
    notes = body.strip() or None
    changes = call_logged(lead_id)

    def via_outbox() -> Logged:
        assert ops is not None
        out = ops.log_call(lead_id, rep, code, notes=notes, started_at=started_at,
                           callback_at=cb_at, callback_scope=scope, note_id=note_id,
                           callback_note=cb_note)
        return Logged(changes, out.message if out.status == QUEUED else None)

    if ops is not None and ops.pending():
        return via_outbox()
    try:
        calls_svc.log_disposition(db, lead_id, rep, code, notes=notes, note_id=note_id,
                                  started_at=started_at, ended_at=clock.now(),
                                  callback_at=cb_at, callback_scope=scope, callback_note=cb_note)
    except DatabaseUnavailable:
        if ops is None:
            raise
        return via_outbox()
    return Logged(changes)


# Designations (and dispositions) a lead never comes back from: one stray key must not
# reach them, so they ask first.
FINAL = {
    Designation.DO_NOT_CALL.value: "{name} will never be called or emailed again. This cannot "
                                   "be undone.",
    Designation.DISQUALIFIED.value: "{name} leaves the qualifying team's queue as disqualified.",
}
FINAL_DISPOSITIONS = {
    "dnc_request": "{name} asked not to be called: the lead becomes do not call, for good. "
                   "This cannot be undone.",
}


def team_hours(values: dict[str, Any], prefix: str, start: str, end: str) -> CallingWindow:
    """The team setting pair ``PREFIX.start``/``.end`` (or ``_start``/``_end``)."""
    def get(part: str, default: str) -> time:
        raw = values.get(f"{prefix}.{part}") or values.get(f"{prefix}_{part}") or default
        try:
            return time.fromisoformat(str(raw))
        except ValueError:
            return time.fromisoformat(default)

    return CallingWindow(get("start", start), get("end", end))
