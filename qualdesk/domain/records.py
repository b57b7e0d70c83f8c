"""Frozen records that cross threads and reach widgets (never ORM objects)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from qualdesk.domain import follow_up


@dataclass(frozen=True)
class Changes:
    """What a write changed, so each view can decide whether to refresh."""

    leads: tuple[int, ...] = ()
    queue: bool = False
    attempts: bool = False
    emails: bool = False
    notes: bool = False
    qualification: bool = False
    turnovers: bool = False
    settings: bool = False
    users: bool = False

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            leads=tuple(dict.fromkeys(self.leads + other.leads)),
            **{
                k: getattr(self, k) or getattr(other, k)
                for k in ("queue", "attempts", "emails", "notes", "qualification",
                          "turnovers", "settings", "users")
            },
        )


@dataclass(frozen=True)
class UserRecord:
    id: int
    name: str
    role: str
    email: str | None
    phone: str | None = None
    active: bool = True

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LeadSummary:
    """A lead as ``qualdesk leads --json`` shows it."""

    id: int
    first_name: str | None
    last_name: str | None
    company: str | None
    title: str | None
    email: str | None
    phone: str | None
    phone_ext: str | None
    phone_region: str | None
    time_zones: list[str]
    designation: str
    owner: str | None
    campaign: str
    do_not_call: bool
    hand_raises: int
    last_hand_raise_at: datetime | None = None
    lead_source: str | None = None

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or (self.company or "")

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["last_hand_raise_at"] = self.last_hand_raise_at.isoformat() if self.last_hand_raise_at else None
        return d


@dataclass(frozen=True)
class HandRaiseRecord:
    id: int
    kind: str
    strength: int
    raised_at: datetime
    deadline_at: datetime
    details: str | None
    source: str | None
    first_call_at: datetime | None
    first_email_at: datetime | None

    @property
    def followed_up_at(self) -> datetime | None:
        return follow_up.followed_up_at(self.first_call_at, self.first_email_at)


@dataclass(frozen=True)
class AttemptRecord:
    id: int
    rep: str | None
    started_at: datetime
    ended_at: datetime | None
    disposition: str
    notes: str | None


@dataclass(frozen=True)
class NoteRecord:
    id: int
    author: str | None
    body: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class EmailRecord:
    id: int
    subject: str
    to_addr: str
    status: str
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class CallbackRecord:
    id: int
    due_at: datetime
    lead_tz: str | None
    scope: str
    rep: str | None
    note: str | None
    done_at: datetime | None


@dataclass(frozen=True)
class LeadDetail:
    """Everything the lead panel shows."""

    summary: LeadSummary
    campaign_id: int
    mobile: str | None
    country: str | None
    claimed_by: str | None
    lease_expires_at: datetime | None
    retouch_at: datetime | None
    retouch_reason: str | None
    hand_raises: tuple[HandRaiseRecord, ...] = ()
    attempts: tuple[AttemptRecord, ...] = ()
    notes: tuple[NoteRecord, ...] = ()
    emails: tuple[EmailRecord, ...] = ()
    callbacks: tuple[CallbackRecord, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
