"""'Followed up': a hand raise has had its call AND its email — DESIGN.md, SLA clock.

The one home of the rule. A hand raise is *open* (it still counts on the SLA clock, and
the queue offers its lead) while either of its first call or first email is missing;
its follow-up time is the later of the two. SQL that restates the rule (the queue's
scans, the claim's walk, the partial indexes) is generated from ``FIELDS`` by
``open_sql``; the reports' ``greatest(...)`` is held to ``followed_up_at`` by their tests.
"""

from __future__ import annotations

from datetime import datetime

# The hand raise's stamps that must both be set for it to count as followed up.
FIELDS = ("first_call_at", "first_email_at")


def followed_up_at(first_call_at: datetime | None, first_email_at: datetime | None) -> datetime | None:
    """When the hand raise was followed up (the later of call and email), or ``None``."""
    if first_call_at is None or first_email_at is None:
        return None
    return max(first_call_at, first_email_at)


def is_open(first_call_at: datetime | None, first_email_at: datetime | None) -> bool:
    return followed_up_at(first_call_at, first_email_at) is None


def open_sql(alias: str | None = None) -> str:
    """The open-hand-raise predicate as SQL text (``alias.`` before each column)."""
    pre = f"{alias}." if alias else ""
    return " OR ".join(f"{pre}{f} IS NULL" for f in FIELDS)
