"""The email outbox: every email is a row first, and is sent from the row.

Exactly once: a sender *claims* a row (queued -> sending, in its own short
transaction) before talking to the server, so two processes never send the same row;
the row becomes ``sent`` in the same transaction that stamps the SLA clock. A failed
try goes back to ``queued`` with exponential backoff (1, 2, 4 … minutes, capped at 30);
after ``MAX_TRIES`` it is ``failed`` and stays visible. A claim left by a process that
died mid-send expires after ``CLAIM_LEASE`` and is retried.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update

from qualdesk.db.engine import Database
from qualdesk.db.models import Email
from qualdesk.services import audit
from qualdesk.services.hand_raises import stamp_email
from qualdesk.services.mailer import MailError, OutgoingEmail, SmtpConfig, build_message, send

MAX_TRIES = 8
BACKOFF_CAP = timedelta(minutes=30)
CLAIM_LEASE = timedelta(minutes=10)
QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"


def backoff(tries: int) -> timedelta:
    """Wait after the ``tries``-th failed try: 1, 2, 4, 8, 16, 30, 30 … minutes."""
    return min(timedelta(minutes=2 ** max(tries - 1, 0)), BACKOFF_CAP)


def _due(now: datetime):  # type: ignore[no-untyped-def]
    return or_(
        and_(Email.status == QUEUED, or_(Email.next_try_at.is_(None), Email.next_try_at <= now)),
        and_(Email.status == SENDING, Email.next_try_at <= now),  # an expired claim
    )


def claim(db: Database, email_id: int, now: datetime) -> OutgoingEmail | None:
    """Take the row for sending; None if it is not due or another sender has it."""
    with db.session() as s:
        res = s.execute(
            update(Email).where(Email.id == email_id, _due(now))
            .values(status=SENDING, next_try_at=now + CLAIM_LEASE, tries=Email.tries + 1)
            .execution_options(synchronize_session=False)
        )
        if res.rowcount != 1:
            return None
        e = s.get(Email, email_id)
        assert e is not None
        s.refresh(e)
        return OutgoingEmail(id=e.id, lead_id=e.lead_id, to_addr=e.to_addr,
                             from_addr=e.from_addr or "", reply_to=e.reply_to, subject=e.subject,
                             body_text=e.body_text, body_html=e.body_html,
                             message_id=e.message_id or "")


def mark_sent(db: Database, email_id: int, at: datetime) -> None:
    with db.session() as s:
        e = s.get(Email, email_id)
        assert e is not None
        e.status, e.sent_at, e.next_try_at, e.last_error = SENT, at, None, None
        stamp_email(s, e.lead_id, at)
        audit.record(s, e.lead_id, e.rep_id, "email", "status", SENDING, SENT)


def mark_failed_try(db: Database, email_id: int, now: datetime, error: str, permanent: bool) -> str:
    with db.session() as s:
        e = s.get(Email, email_id)
        assert e is not None
        e.last_error = error
        if permanent or e.tries >= MAX_TRIES:
            e.status, e.next_try_at = FAILED, None
            audit.record(s, e.lead_id, e.rep_id, "email", "status", SENDING, FAILED)
        else:
            e.status, e.next_try_at = QUEUED, now + backoff(e.tries)
            audit.bump(s, "email", e.lead_id)
        return e.status


def load_config(db: Database) -> SmtpConfig:
    with db.session(write=False) as s:
        return SmtpConfig.load(s)


def send_one(db: Database, email_id: int, now: datetime,
             config: SmtpConfig | None = None) -> tuple[str, str | None]:
    """Try one email now: (status afterwards, error). 'busy' if not due or claimed elsewhere."""
    outgoing = claim(db, email_id, now)
    if outgoing is None:
        return "busy", None
    try:
        send(config or load_config(db), build_message(outgoing, now))
    except MailError as exc:
        return mark_failed_try(db, email_id, now, str(exc), exc.permanent), str(exc)
    mark_sent(db, email_id, now)
    return SENT, None


@dataclass(frozen=True)
class OutboxRun:
    sent: tuple[int, ...] = ()
    retrying: tuple[int, ...] = ()
    failed: tuple[int, ...] = ()
    errors: dict[int, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"sent": list(self.sent), "retrying": list(self.retrying),
                "failed": list(self.failed),
                "errors": {str(k): v for k, v in self.errors.items()}}


def process_outbox(db: Database, now: datetime) -> OutboxRun:
    """Send every due email (oldest first); safe to run from several processes at once."""
    with db.session(write=False) as s:
        ids = list(s.scalars(select(Email.id).where(_due(now)).order_by(Email.created_at, Email.id)))
    if not ids:
        return OutboxRun()
    config = load_config(db)
    sent: list[int] = []
    retrying: list[int] = []
    failed: list[int] = []
    errors: dict[int, str] = {}
    for email_id in ids:
        status, error = send_one(db, email_id, now, config)
        {SENT: sent, QUEUED: retrying, FAILED: failed}.get(status, []).append(email_id)
        if error:
            errors[email_id] = error
    return OutboxRun(tuple(sent), tuple(retrying), tuple(failed), errors)


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    lead_id: int
    to_addr: str
    subject: str
    status: str
    tries: int
    next_try_at: datetime | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "lead": self.lead_id, "to": self.to_addr, "subject": self.subject,
                "status": self.status, "tries": self.tries,
                "next_try_at": self.next_try_at.isoformat() if self.next_try_at else None,
                "last_error": self.last_error, "created_at": self.created_at.isoformat(),
                "sent_at": self.sent_at.isoformat() if self.sent_at else None}


def list_outbox(db: Database, statuses: tuple[str, ...] | None = None,
                limit: int = 500) -> list[OutboxEntry]:
    with db.session(write=False) as s:
        q = select(Email).order_by(Email.created_at.desc(), Email.id.desc()).limit(limit)
        if statuses:
            q = q.where(Email.status.in_(statuses))
        return [OutboxEntry(e.id, e.lead_id, e.to_addr, e.subject, e.status, e.tries,
                            e.next_try_at, e.last_error, e.created_at, e.sent_at)
                for e in s.scalars(q)]
