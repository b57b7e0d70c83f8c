"""The discrete-event simulation of one working day.

Hand raises arrive; each free rep asks the REAL queue-order function
(``qualdesk.domain.priority.rank``) what to do next and does it: a live call, the
voicemail + email combination (when ``rank`` says ``next_action == "voicemail_email"``),
an email only (dead number), or a due callback. Claiming makes the rep the lead's owner,
as in the app, so further attempts on a lead stay with that rep.

Modelling choices (see docs/simulator.md):
- every lead has a phone, an email and the team's time zone, so the calling window only
  matters at the edges of the shift;
- a connected call is followed by the follow-up email, sent by the same rep right after;
- the day is the shift: reps start at ``shift_start``, take nothing new after
  ``shift_end`` (a call in progress is finished), and a hand raise not followed up by
  then counts as never (no overnight or next-day work is simulated).
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from qualdesk.domain import follow_up
from qualdesk.domain.codes import DEAD_NUMBER, DEFAULT_KIND_STRENGTH, HAND_RAISE_KINDS
from qualdesk.domain.priority import Candidate, QueueEntry, QueuePolicy, Tier, rank
from qualdesk.sim import outcomes
from qualdesk.sim.arrivals import Arrival
from qualdesk.sim.profile import SimProfile
from qualdesk.sim.run_state import RunState

_STRENGTH = {k.code: k.strength for k in HAND_RAISE_KINDS}
_ARRIVE, _FREE, _WAKE = 0, 1, 2  # same-instant order: arrivals first, then reps, then timers


@dataclass
class SimLead:
    lead_id: int
    raised_at: datetime
    kind: str
    deadline: datetime
    rng: random.Random
    owner: int | None = None
    designation: str = "warm"
    first_call_at: datetime | None = None
    first_email_at: datetime | None = None
    attempts: int = 0
    live_attempts: int = 0
    last_attempt_at: datetime | None = None
    dead_number: bool = False
    callback_due_at: datetime | None = None
    _cand: Candidate | None = field(default=None, repr=False)

    @property
    def followed_up(self) -> bool:
        return not follow_up.is_open(self.first_call_at, self.first_email_at)

    def candidate(self, tz: str, sim: SimProfile) -> Candidate:
        if self._cand is None:
            is_open = not self.followed_up
            self._cand = Candidate(
                lead_id=self.lead_id, designation=self.designation, owner_id=self.owner,
                time_zones=(tz,),
                open_deadline=self.deadline if is_open else None,
                open_raised_at=self.raised_at if is_open else None,
                open_strength=_STRENGTH.get(self.kind, DEFAULT_KIND_STRENGTH) if is_open else 0,
                recent_strength=_STRENGTH.get(self.kind, DEFAULT_KIND_STRENGTH) if is_open else 0,
                open_kind=self.kind if is_open else None,
                open_has_call=self.first_call_at is not None,
                open_has_email=self.first_email_at is not None,
                first_raised_at=self.raised_at if is_open else None,
                callback_due_at=self.callback_due_at,
                callback_rep_id=self.owner if self.callback_due_at else None,
                callback_scope="mine",
                attempts_today=self.attempts, live_attempts_today=self.live_attempts,
                attempts_total=self.attempts, last_attempt_at=self.last_attempt_at,
                dead_number=self.dead_number, policy=sim.attempts,
            )
        return self._cand


@dataclass(frozen=True)
class DayOutcome:
    """Everything the reports need from one simulated day."""

    leads: tuple[SimLead, ...]
    attempts_per_rep: tuple[int, ...]
    emails: int
    callbacks_asked: int
    callbacks_made: int


class _Day:
    def __init__(self, sim: SimProfile, arrivals: list[Arrival], reps: int, order: str,
                 seed: int, state: RunState | None) -> None:
        self.sim, self.reps, self.state = sim, reps, state
        self.policy = QueuePolicy(order=order, window=sim.window, team_tz=sim.team_tz)
        self.shift_start = sim.at(sim.shift_start)
        self.shift_end = sim.at(sim.shift_end)
        sla = timedelta(minutes=sim.sla_minutes)
        self.leads = [
            SimLead(i + 1, a.at, a.kind, a.at + sla, outcomes.lead_stream(seed, i + 1))
            for i, a in enumerate(sorted(arrivals, key=lambda a: a.at))
        ]
        self.active: dict[int, SimLead] = {}
        self.idle: set[int] = set()
        self.attempts = [0] * reps
        self.emails = self.callbacks_asked = self.callbacks_made = 0
        self.events: list[tuple[datetime, int, int, int]] = []
        self._seq = 0

    def push(self, at: datetime, kind: int, ref: int) -> None:
        self._seq += 1
        heapq.heappush(self.events, (at, kind, self._seq, ref))

    def run(self) -> DayOutcome:
        for lead in self.leads:
            self.push(lead.raised_at, _ARRIVE, lead.lead_id)
        for rep in range(1, self.reps + 1):
            self.push(self.shift_start, _FREE, rep)
        window_opens = self.sim.at(self.sim.window.start)
        if self.shift_start < window_opens < self.shift_end:
            self.push(window_opens, _WAKE, 0)
        total, done = len(self.events), 0
        while self.events:
            at, kind, _, ref = heapq.heappop(self.events)
            done += 1
            if self.state is not None and done % 64 == 0:
                self.state.progress(min(done, total), total)
            if kind == _ARRIVE:
                # Reps look once every hand raise of this instant is in, so simultaneous
                # arrivals are ranked together.
                self.active[ref] = self.leads[ref - 1]
                if self.idle:
                    self._wake(at)
            elif kind == _FREE:
                self.idle.add(ref)
                self.try_idle(at)
            elif self.idle:
                self.try_idle(at)
        return DayOutcome(tuple(self.leads), tuple(self.attempts), self.emails,
                          self.callbacks_asked, self.callbacks_made)

    def try_idle(self, now: datetime) -> None:
        if now >= self.shift_end:
            self.idle.clear()  # the shift is over: nobody takes new work
            return
        for rep in sorted(self.idle):
            if not self.active:
                return
            result = rank((lead.candidate(self.sim.team_tz, self.sim) for lead in self.active.values()),
                          rep, now, self.policy)
            if result.entries:
                self.idle.discard(rep)
                self.work(rep, self.active[result.entries[0].lead_id], result.entries[0], now)

    def work(self, rep: int, lead: SimLead, entry: QueueEntry, now: datetime) -> None:
        """Do the entry's next action; the rep is busy until it is done."""
        sim, rng = self.sim, lead.rng
        lead.owner = rep  # claiming makes the claimer the owner
        busy = 0
        if entry.next_action == "email_only":
            busy = self._email(lead, now, 0)
        else:
            if entry.tier == Tier.CALLBACK:
                call = outcomes.callback_call(rng, sim)
                lead.callback_due_at = None
                self.callbacks_made += 1
            elif entry.next_action == "voicemail_email":
                call = outcomes.voicemail_call(rng, sim)
            else:
                call = outcomes.live_call(rng, sim)
            self.attempts[rep - 1] += 1
            lead.attempts += 1
            lead.live_attempts += int(call.live)
            lead.last_attempt_at = now
            if lead.first_call_at is None:
                lead.first_call_at = now
            busy = call.seconds
            if call.outcome in DEAD_NUMBER:
                lead.dead_number = True
            if call.connected:
                lead.designation = "hot"
            if call.connected or call.outcome == "left_voicemail":
                # The follow-up email goes out right after the call (the combination, or
                # the summary of the conversation).
                if lead.first_email_at is None:
                    busy = self._email(lead, now, busy)
                if call.callback_after_s is not None:
                    lead.callback_due_at = now + timedelta(seconds=call.seconds + call.callback_after_s)
                    self.callbacks_asked += 1
                    self._wake(lead.callback_due_at)
            if not lead.followed_up:  # the recycle delay ends: the lead may be offered again
                self._wake(now + timedelta(minutes=sim.attempts.min_gap_minutes))
        lead._cand = None
        if lead.followed_up and lead.callback_due_at is None:
            self.active.pop(lead.lead_id, None)
        pause = busy * (1 / sim.rep_availability - 1)
        self.push(now + timedelta(seconds=round(busy + pause)), _FREE, rep)

    def _email(self, lead: SimLead, now: datetime, after_s: int) -> int:
        took = after_s + outcomes.email_seconds(lead.rng, self.sim)
        lead.first_email_at = now + timedelta(seconds=took)
        self.emails += 1
        return took

    def _wake(self, at: datetime) -> None:
        if at < self.shift_end:
            self.push(at, _WAKE, 0)


def run_day(sim: SimProfile, arrivals: list[Arrival], reps: int, order: str, seed: int,
            state: RunState | None = None) -> DayOutcome:
    """Simulate one day with ``reps`` reps working the queue in ``order`` (priority|fifo)."""
    if reps < 1:
        raise ValueError("at least one rep")
    return _Day(sim, arrivals, reps, order, seed, state).run()
