"""What happens on one simulated call or email, drawn from the lead's own random stream.

Each lead has its own stream (seeded from the run's seed and the lead's number), so the
k-th call to a lead ends the same way under every policy and staffing: comparisons
between policies differ by the order of work, not by luck.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from qualdesk.sim.arrivals import pick
from qualdesk.sim.profile import SimProfile


@dataclass(frozen=True)
class CallResult:
    outcome: str  # connected | callback | no_answer | busy | voicemail | wrong_number | left_voicemail
    seconds: int  # how long the rep is busy with the call itself (incl. wrap-up)
    callback_after_s: int | None = None  # for "callback": when the lead wants the call, after the call ends

    @property
    def connected(self) -> bool:
        return self.outcome in ("connected", "callback")

    @property
    def live(self) -> bool:
        """A live attempt in the attempt policy's sense: anything but a left voicemail."""
        return self.outcome != "left_voicemail"


def lead_stream(seed: int, lead_no: int) -> random.Random:
    # String seeds are hashed with SHA-512 by random.seed: stable across runs and machines.
    return random.Random(f"{seed}/lead/{lead_no}")


def _secs(rng: random.Random, p: SimProfile, key: str) -> int:
    lo, hi = p.durations[key]
    return round(rng.uniform(lo, hi)) if hi > lo else round(lo)


def _connected(rng: random.Random, p: SimProfile) -> CallResult:
    if rng.random() < p.callback_share:
        lo, hi = p.callback_delay_minutes
        delay = round(rng.uniform(lo, hi) * 60)
        return CallResult("callback", _secs(rng, p, "callback_request") + _secs(rng, p, "wrap_up"), delay)
    return CallResult("connected", _secs(rng, p, "connected") + _secs(rng, p, "wrap_up"))


def live_call(rng: random.Random, p: SimProfile) -> CallResult:
    outcome = pick(rng, p.outcome_odds)
    if outcome == "connected":
        return _connected(rng, p)
    return CallResult(outcome, _secs(rng, p, outcome))


def voicemail_call(rng: random.Random, p: SimProfile) -> CallResult:
    """The voicemail half of the voicemail + email combination: the lead may still pick up."""
    if pick(rng, p.outcome_odds) == "connected":
        return _connected(rng, p)
    return CallResult("left_voicemail", _secs(rng, p, "leave_voicemail"))


def callback_call(rng: random.Random, p: SimProfile) -> CallResult:
    """Calling back at the time the lead chose; a missed callback is not retried."""
    if rng.random() < p.callback_connect:
        return CallResult("connected", _secs(rng, p, "connected") + _secs(rng, p, "wrap_up"))
    return CallResult("no_answer", _secs(rng, p, "no_answer"))


def email_seconds(rng: random.Random, p: SimProfile) -> int:
    return _secs(rng, p, "email")
