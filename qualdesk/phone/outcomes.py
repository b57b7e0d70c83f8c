"""What a finished call proposes: its outcome and the disposition to log.

Proposed, not forced: the cockpit shows the proposal and one key confirms it; a
connected call still asks the rep. The CLI logs the proposal as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from qualdesk.phone.adapter import CallRecord

ANSWERED, BUSY, NO_ANSWER, VOICEMAIL_DROPPED, FAILED = (
    "answered", "busy", "no_answer", "voicemail_dropped", "failed")

BUSY_CODES = frozenset({486, 600})
NO_ANSWER_CODES = frozenset({408, 480, 487})
# The number does not exist or cannot be reached as dialled: a bad number, not a busy line.
BAD_NUMBER_CODES = frozenset({404, 410, 484, 485, 604})


@dataclass(frozen=True)
class Proposal:
    outcome: str
    disposition: str | None  # None: nothing to log (the trunk or the engine failed us)
    why: str  # shown to the rep, in words

    def as_dict(self) -> dict[str, object]:
        return {"outcome": self.outcome, "disposition": self.disposition, "why": self.why}


def propose(rec: CallRecord) -> Proposal:
    code = rec.sip_code
    if rec.answered_at is not None:
        if rec.voicemail_played:
            return Proposal(VOICEMAIL_DROPPED, "left_voicemail", "voicemail dropped")
        return Proposal(ANSWERED, "connected", "answered")
    if rec.engine_died:
        return Proposal(FAILED, None, "the phone engine stopped before the call was answered")
    if code in BUSY_CODES:
        return Proposal(BUSY, "busy", "the line was busy")
    if code in BAD_NUMBER_CODES:
        return Proposal(FAILED, "bad_number", f"the number cannot be reached ({rec.reason or code})")
    if code in NO_ANSWER_CODES or (rec.ring_timed_out and rec.ringing_at is not None):
        return Proposal(NO_ANSWER, "no_answer", "nobody answered")
    if rec.hung_up_here and rec.ringing_at is not None:
        return Proposal(NO_ANSWER, "no_answer", "hung up while it rang")
    if rec.ringing_at is None:
        return Proposal(FAILED, None, "the call never rang: the phone line (trunk) did not "
                        "answer — check the Phone page")
    return Proposal(FAILED, None, f"the call failed ({rec.reason or code})")
