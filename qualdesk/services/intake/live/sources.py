"""Intake sources as data: add, rotate, list with today's counts, refusals, test tokens.

Every function takes the ``Database`` and returns frozen records (no ORM objects), so
the team lead's intake page calls them off the GUI thread like any other service.
A secret is shown once, in the ``NewSecret`` that creates or rotates it; afterwards it
exists only encrypted (``secret_box``).
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import IntakeDelivery, IntakeRefusal, IntakeSource, IntakeTestToken
from qualdesk.domain.codes import normalise_code
from qualdesk.errors import InvalidInput, NotFound
from qualdesk.services import audit, team_settings
from qualdesk.services.intake.live import secret_box
from qualdesk.services.intake.live.signatures import token_hash

KINDS = ("mautic", "json", "form")
NAME_RE = re.compile(r"^[a-z0-9_-]{1,40}$")
TEST_TOKEN_MINUTES = 5
TEST_EMAIL_DOMAIN = "intake-test.qualdesk.invalid"
_MIN_SECRET = 16


@dataclass(frozen=True)
class NewSecret:
    name: str
    secret: str | None  # plain text, shown once; None for a form (the page is public)


@dataclass(frozen=True)
class SourceStatus:
    name: str
    kind: str
    campaign: str | None
    hand_raise: str | None
    path: str
    events_today: int
    refused_today: int
    last_event_at: datetime | None
    last_refusal_at: datetime | None
    last_refusal_reason: str | None
    allowed_redirects: tuple[str, ...] = ()
    rate_per_minute: int = 60
    has_secret: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "campaign": self.campaign,
                "hand_raise": self.hand_raise, "path": self.path,
                "events_today": self.events_today, "refused_today": self.refused_today,
                "last_event_at": self.last_event_at, "last_refusal_at": self.last_refusal_at,
                "last_refusal_reason": self.last_refusal_reason,
                "allowed_redirects": list(self.allowed_redirects),
                "rate_per_minute": self.rate_per_minute}


@dataclass(frozen=True)
class Refusal:
    at: datetime
    status: int
    reason: str
    remote: str | None
    excerpt: str | None  # plain text, control characters removed: never render as HTML

    def as_dict(self) -> dict[str, Any]:
        return {"at": self.at, "status": self.status, "reason": self.reason,
                "remote": self.remote, "excerpt": self.excerpt}


def path_of(name: str) -> str:
    return f"/intake/{name}"


def check_name(name: str) -> str:
    if not NAME_RE.match(name or ""):
        raise InvalidInput(f"source name {name!r}: use 1-40 lower-case letters, digits, - and _ "
                           "(it is the last part of the source's address)")
    return name


def _check_kind(kind: str) -> str:
    k = (kind or "").strip().lower()
    if k not in KINDS:
        raise InvalidInput(f"source kind {kind!r}: expected one of {', '.join(KINDS)}")
    return k


def _check_secret(secret: str) -> str:
    if len(secret) < _MIN_SECRET or secret != secret.strip():
        raise InvalidInput(f"a source's secret needs at least {_MIN_SECRET} characters and no "
                           "leading or trailing spaces")
    return secret


def _check_redirects(urls: tuple[str, ...] | list[str]) -> list[str]:
    out: list[str] = []
    for u in urls:
        u = u.strip()
        if not u:
            continue
        if not u.lower().startswith(("https://", "http://")):
            raise InvalidInput(f"allowed redirect {u!r}: expected an http:// or https:// address")
        out.append(u)
    return out


def _get(s: Session, name: str) -> IntakeSource:
    src = s.scalar(select(IntakeSource).where(IntakeSource.name == name))
    if src is None:
        raise NotFound(f"no intake source named {name!r}: a team lead adds sources on the "
                       "Intake page", cli="see `qualdesk intake sources`")
    return src


def add_source(db: Database, name: str, kind: str, *, campaign: str | None = None,
               hand_raise: str | None = None, secret: str | None = None,
               allowed_redirects: tuple[str, ...] | list[str] = (),
               rate_per_minute: int = 60, rate_per_address: int = 5) -> NewSecret:
    """A new source. Mautic and json sources get a secret: the one given (Mautic shows
    its own), or a new random one; a form source has none."""
    check_name(name)
    kind = _check_kind(kind)
    if rate_per_minute < 1 or rate_per_address < 1:
        raise InvalidInput("a source's rate limits are at least 1 request a minute")
    redirects = _check_redirects(allowed_redirects)
    if kind == "form":
        if secret:
            raise InvalidInput("a form source has no secret (its page is public)")
        plain = None
    else:
        plain = _check_secret(secret) if secret else secrets.token_urlsafe(32)
    kind_code = normalise_code(hand_raise) if hand_raise else None
    with db.session() as s:
        if s.scalar(select(IntakeSource.id).where(IntakeSource.name == name)) is not None:
            raise InvalidInput(f"an intake source named {name!r} already exists")
        now = clock.now()
        src = IntakeSource(name=name, kind=kind, campaign=campaign or None, hand_raise=kind_code,
                           allowed_redirects=redirects, rate_per_minute=rate_per_minute,
                           rate_per_address=rate_per_address, created_at=now)
        if plain is not None:
            key = secret_box.current_key(s)
            src.key_id, src.secret_enc = key.id, secret_box.seal(key, name, plain)
            src.secret_set_at = now
        s.add(src)
        audit.bump(s, "intake_source")
    return NewSecret(name, plain)


def rotate_secret(db: Database, name: str, secret: str | None = None) -> NewSecret:
    """A new secret for a mautic or json source (the old one stops working at once)."""
    plain = _check_secret(secret) if secret else secrets.token_urlsafe(32)
    with db.session() as s:
        src = _get(s, name)
        if src.kind == "form":
            raise InvalidInput(f"source {name!r} is a form: it has no secret to rotate")
        key = secret_box.current_key(s)
        src.key_id, src.secret_enc = key.id, secret_box.seal(key, name, plain)
        src.secret_set_at = clock.now()
        audit.bump(s, "intake_source")
    return NewSecret(name, plain)


def remove_source(db: Database, name: str) -> None:
    """The source and its deliveries, refusals and contact ids go; leads, hand raises
    and activity it brought stay."""
    with db.session() as s:
        s.delete(_get(s, name))
        audit.bump(s, "intake_source")


def _today_start(s: Session) -> datetime:
    tz = ZoneInfo(team_settings.get(s, "team.timezone"))
    local = clock.now().astimezone(tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def list_sources(db: Database) -> list[SourceStatus]:
    with db.session(write=False) as s:
        start = _today_start(s)
        events = dict(s.execute(
            select(IntakeDelivery.source_id, func.coalesce(func.sum(IntakeDelivery.events), 0))
            .where(IntakeDelivery.received_at >= start).group_by(IntakeDelivery.source_id)).all())
        last_event = dict(s.execute(
            select(IntakeDelivery.source_id, func.max(IntakeDelivery.received_at))
            .group_by(IntakeDelivery.source_id)).all())
        refused = dict(s.execute(
            select(IntakeRefusal.source_id, func.count())
            .where(IntakeRefusal.at >= start, IntakeRefusal.source_id.is_not(None))
            .group_by(IntakeRefusal.source_id)).all())
        out = []
        for src in s.scalars(select(IntakeSource).order_by(IntakeSource.name)):
            last = s.execute(select(IntakeRefusal.at, IntakeRefusal.reason)
                             .where(IntakeRefusal.source_id == src.id)
                             .order_by(IntakeRefusal.at.desc(), IntakeRefusal.id.desc())
                             .limit(1)).first()
            out.append(SourceStatus(
                src.name, src.kind, src.campaign, src.hand_raise, path_of(src.name),
                int(events.get(src.id, 0)), int(refused.get(src.id, 0)),
                last_event.get(src.id), last[0] if last else None, last[1] if last else None,
                tuple(src.allowed_redirects or ()), src.rate_per_minute,
                src.secret_enc is not None))
        return out


def recent_refusals(db: Database, name: str, limit: int = 50) -> list[Refusal]:
    """The source's refusals, newest first (for an unknown name: the 404s it drew)."""
    with db.session(write=False) as s:
        src_id = s.scalar(select(IntakeSource.id).where(IntakeSource.name == name))
        q = select(IntakeRefusal)
        q = q.where(IntakeRefusal.source_id == src_id) if src_id is not None else \
            q.where(IntakeRefusal.source_id.is_(None), IntakeRefusal.source_name == name)
        rows = s.scalars(q.order_by(IntakeRefusal.at.desc(), IntakeRefusal.id.desc())
                         .limit(limit))
        return [Refusal(r.at, r.status, r.reason, r.remote, r.excerpt) for r in rows]


def issue_test_token(db: Database, name: str) -> str:
    """A one-use token (five minutes) the receiver takes, in ``X-QualDesk-Test``, instead
    of the source's signature: the app proves the whole path without the secret."""
    token = secrets.token_urlsafe(24)
    with db.session() as s:
        src = _get(s, name)
        s.add(IntakeTestToken(source_id=src.id, token_sha256=token_hash(token),
                              expires_at=clock.now() + timedelta(minutes=TEST_TOKEN_MINUTES)))
    return token


def test_email(name: str) -> str:
    return f"test+{name}@{TEST_EMAIL_DOMAIN}"


def test_event_body(name: str, kind: str | None = None) -> bytes:
    """A valid body with a recognisable test lead (``test_email(name)``), a new hand
    raise each time. ``kind`` picks the source kind's own format; without it the body is
    our json event, which the receiver takes for any source kind under a test token."""
    now = clock.now()
    lead = {"first_name": "Test", "last_name": "Lead (intake test)",
            "company": "QualDesk intake test", "email": test_email(name)}
    if kind == "form":
        return urlencode({**lead, "description": f"intake test {now.isoformat()}"}).encode()
    if kind == "mautic":
        from qualdesk.services.intake.live.mautic import sample_form_submit

        return sample_form_submit(lead, now)
    event = {"event_id": f"qualdesk-test-{uuid.uuid4()}", "qualdesk_test": True, "lead": lead,
             "hand_raise": {"kind": "contact_form", "at": now.isoformat(),
                            "details": "QualDesk intake test event"}}
    return json.dumps(event).encode()


# Named for what they do for the app; not tests (pytest collects names starting "test").
test_email.__test__ = False  # type: ignore[attr-defined]
test_event_body.__test__ = False  # type: ignore[attr-defined]
