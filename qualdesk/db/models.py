"""SQLAlchemy models: one class per domain word of DESIGN.md.

ORM objects never leave a session: services turn them into frozen records
(``qualdesk.domain.records``) before anything crosses a thread.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from qualdesk.db.types import UTCDateTime
from qualdesk.domain import follow_up

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[str]: JSON}


class User(Base):
    """A person: qualifying rep, team lead, sales owner or admin."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    db_login: Mapped[str | None] = mapped_column(String(63))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    created_at: Mapped[datetime]


class Campaign(Base):
    """Where leads come from; owns its script, templates, SLA and attempt policy."""

    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    sla_minutes: Mapped[int] = mapped_column(Integer, default=60, server_default=text("60"))
    script: Mapped[str] = mapped_column(String(120), default="default", server_default="default")
    templates: Mapped[str] = mapped_column(String(120), default="default", server_default="default")
    level1_rule: Mapped[str | None] = mapped_column(Text)
    same_day_live_attempts: Mapped[int] = mapped_column(Integer, default=2, server_default=text("2"))
    min_gap_minutes: Mapped[int] = mapped_column(Integer, default=10, server_default=text("10"))
    daily_cap: Mapped[int] = mapped_column(Integer, default=3, server_default=text("3"))
    lifetime_cap: Mapped[int] = mapped_column(Integer, default=6, server_default=text("6"))
    lead_source: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]


class HandRaiseKind(Base):
    """Configuration: which events count as a hand raise, and how strong each is."""

    __tablename__ = "hand_raise_kinds"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(80))
    strength: Mapped[int] = mapped_column(Integer)


class Disposition(Base):
    """Configuration: the outcome codes of a call, with their hotkey."""

    __tablename__ = "dispositions"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(80))
    hotkey: Mapped[str | None] = mapped_column(String(4))
    is_contact: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    sort_order: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class Lead(Base):
    __tablename__ = "leads"
    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str | None] = mapped_column(String(80))
    last_name: Mapped[str | None] = mapped_column(String(80))
    company: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(128))
    email: Mapped[str | None] = mapped_column(String(254))
    email_norm: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40), index=True)
    phone_ext: Mapped[str | None] = mapped_column(String(20))
    phone_region: Mapped[str | None] = mapped_column(String(2))
    time_zones: Mapped[list[str]] = mapped_column(JSON, default=list)
    mobile: Mapped[str | None] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(80))
    city: Mapped[str | None] = mapped_column(String(80))
    website: Mapped[str | None] = mapped_column(String(255))
    industry: Mapped[str | None] = mapped_column(String(80))
    lead_source: Mapped[str | None] = mapped_column(String(80))
    external_id: Mapped[str | None] = mapped_column(String(64))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    designation: Mapped[str] = mapped_column(String(16), default="cold", index=True)
    do_not_call: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    email_opt_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None]
    lease_expires_at: Mapped[datetime | None]
    retouch_at: Mapped[datetime | None]
    retouch_reason: Mapped[str | None] = mapped_column(Text)
    last_hand_raise_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    campaign: Mapped[Campaign] = relationship(lazy="joined")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="joined")
    hand_raises: Mapped[list[HandRaise]] = relationship(
        back_populates="lead", order_by="HandRaise.raised_at", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_leads_open_claim", "claimed_by_id", "lease_expires_at"),
        # Claimers look for free leads; a partial index keeps that lookup small (0002).
        Index("ix_leads_unclaimed", "id", postgresql_where=text("claimed_by_id IS NULL"),
              sqlite_where=text("claimed_by_id IS NULL")),
    )


# The partial indexes' predicate: ``domain.follow_up``'s open hand raise, as SQL text.
OPEN_HAND_RAISE = follow_up.open_sql()


class HandRaise(Base):
    """A dated event that made the lead actionable; its details are digital body language.

    ``first_call_at`` / ``first_email_at`` are kept by the services that record calls and
    emails (the first at or after ``raised_at``), so the SLA report and the queue read them
    without scanning attempts.
    """

    __tablename__ = "hand_raises"
    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    kind: Mapped[str] = mapped_column(String(40))
    strength: Mapped[int] = mapped_column(Integer)
    raised_at: Mapped[datetime] = mapped_column(index=True)
    deadline_at: Mapped[datetime]
    details: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(80))
    first_call_at: Mapped[datetime | None]
    first_call_rep_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    first_email_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    # Raised by the intake page's "Send a test event": the reports leave it out (0011).
    # No client-side default: an ordinary hand raise leaves the column to the database,
    # so code writing hand raises still works on a schema from before 0011 (upgrades).
    is_test: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))

    lead: Mapped[Lead] = relationship(back_populates="hand_raises")
    # Nor RETURNING the server's defaults after an INSERT, for the same reason: an
    # attribute left to the database is loaded when it is read.
    __mapper_args__ = {"eager_defaults": False}

    __table_args__ = (
        # The queue and claims look only at hand raises still waiting for their call or
        # email. In the queue's own order (0004): by deadline for leads in their clock,
        # most recent first for breached ones, the stronger hand raise first, then the
        # lead — a claim walks these and stops at its first claimable lead.
        Index("ix_hand_raises_open_clock", "deadline_at", text("strength DESC"), "lead_id",
              postgresql_where=text(OPEN_HAND_RAISE), sqlite_where=text(OPEN_HAND_RAISE)),
        Index("ix_hand_raises_open_recent", text("raised_at DESC"), text("strength DESC"),
              "lead_id", postgresql_where=text(OPEN_HAND_RAISE), sqlite_where=text(OPEN_HAND_RAISE)),
    )


class DesignationChange(Base):
    __tablename__ = "designation_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    from_designation: Mapped[str | None] = mapped_column(String(16))
    to_designation: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)


class Attempt(Base):
    """One call (a voicemail is a call)."""

    __tablename__ = "attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    rep_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(index=True)
    ended_at: Mapped[datetime | None]
    disposition: Mapped[str] = mapped_column(String(40))
    notes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16), default="app", server_default="app")
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # A call placed through the app's phone (0008): when the far end answered, and the
    # SIP final code (486 busy, 487 cancelled while ringing, 200 answered); None otherwise.
    answered_at: Mapped[datetime | None]
    sip_code: Mapped[int | None] = mapped_column(Integer)


class Email(Base):
    """An outgoing email: a rendered template with its own status (the outbox)."""

    __tablename__ = "emails"
    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    rep_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    template: Mapped[str | None] = mapped_column(String(120))
    to_addr: Mapped[str] = mapped_column(String(254))
    from_addr: Mapped[str | None] = mapped_column(String(254))
    reply_to: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="queued", index=True)
    tries: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    next_try_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    source: Mapped[str] = mapped_column(String(16), default="app", server_default="app")


class FollowUp(Base):
    """The voicemail + email combination, recorded as one."""

    __tablename__ = "followups"
    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    rep_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    email_id: Mapped[int | None] = mapped_column(ForeignKey("emails.id"))
    at: Mapped[datetime]


class Callback(Base):
    """A promised call at a time the lead chose; ``lead_tz`` keeps the zone it was agreed in."""

    __tablename__ = "callbacks"
    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    rep_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_at: Mapped[datetime] = mapped_column(index=True)
    lead_tz: Mapped[str | None] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(8), default="mine")
    note: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    __table_args__ = (
        # Due callbacks head the queue, earliest first; a claim walks this (0004).
        Index("ix_callbacks_open_due", "due_at", "lead_id",
              postgresql_where=text("done_at IS NULL"), sqlite_where=text("done_at IS NULL")),
    )


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Qualification(Base):
    """Answers to the campaign's Level I script, BANT as structured fields."""

    __tablename__ = "qualifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), unique=True)
    script: Mapped[str | None] = mapped_column(String(120))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    bant: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    level1_met: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime]


class TurnOver(Base):
    """A hand-off of a Level I qualified lead to a sales owner, and sales' verdict on it."""

    __tablename__ = "turnovers"
    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    to_owner: Mapped[str] = mapped_column(String(120))
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    override_reason: Mapped[str | None] = mapped_column(Text)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(index=True)
    verdict: Mapped[str | None] = mapped_column(String(12))
    verdict_at: Mapped[datetime | None]
    verdict_reason: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(8))
    outcome_at: Mapped[datetime | None]


class Opportunity(Base):
    __tablename__ = "opportunities"
    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    turnover_id: Mapped[int] = mapped_column(ForeignKey("turnovers.id"))
    weighting: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    marketing_generated: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class ExportMark(Base):
    """Which lead went out in which CRM format, so a second export skips it."""

    __tablename__ = "export_marks"
    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    format: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    __table_args__ = (UniqueConstraint("lead_id", "format"),)


class Setting(Base):
    """Team settings (``qualdesk config``): SMTP, time zone, business hours, policies."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AuditEntry(Base):
    """Every change to a lead: who, when, what, old -> new."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The person whose login acted, when it acted for user_id (a team lead for a rep):
    # written by the database from the login (0007), never by the client.
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(40))
    field: Mapped[str | None] = mapped_column(String(40))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    # Words the client added (0010), shown as the client's: on PostgreSQL the action is
    # filed only when the database saw that change happen, else as "declared".
    reason: Mapped[str | None] = mapped_column(Text)


class WriteKey(Base):
    """The idempotency key of a retried write (a BANT save, a turn-over, a callback, a
    note, a designation change), committed with it: a replay finds it (0010)."""

    __tablename__ = "write_keys"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    row_id: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]


class ChangeLog(Base):
    """A monotonically growing counter of writes, so clients can poll for 'anything new?'."""

    __tablename__ = "change_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(40))
    lead_id: Mapped[int | None] = mapped_column(Integer)


# --- live intake (#16): sources, deliveries, refusals, activity (migration 0006) ------


class IntakeKey(Base):
    """The key that encrypts intake secrets at rest. Only team leads, admins and the
    receiver's group may read this table (``pg_roles``): a rep's login sees sources but
    can never turn ``intake_sources.secret_enc`` back into a secret."""

    __tablename__ = "intake_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class IntakeSource(Base):
    """A place leads and activity arrive from: its name is its URL path segment."""

    __tablename__ = "intake_sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    campaign: Mapped[str | None] = mapped_column(String(120))
    hand_raise: Mapped[str | None] = mapped_column(String(40))
    key_id: Mapped[int | None] = mapped_column(ForeignKey("intake_keys.id"))
    secret_enc: Mapped[str | None] = mapped_column(Text)
    allowed_redirects: Mapped[list[str]] = mapped_column(JSON, default=list)
    rate_per_minute: Mapped[int] = mapped_column(Integer, default=60, server_default=text("60"))
    rate_per_address: Mapped[int] = mapped_column(Integer, default=5, server_default=text("5"))
    created_at: Mapped[datetime]
    secret_set_at: Mapped[datetime | None]


class IntakeDelivery(Base):
    """One accepted POST. UNIQUE(source, sha256 of the raw body): the same delivery
    twice, to one receiver or to two behind a load balancer, is kept once."""

    __tablename__ = "intake_deliveries"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("intake_sources.id", ondelete="CASCADE"))
    body_sha256: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(index=True)
    events: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    test: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    __table_args__ = (UniqueConstraint("source_id", "body_sha256",
                                       name="uq_intake_deliveries_body"),)


class IntakeEventId(Base):
    """A ``json`` event's ``event_id``, once per source."""

    __tablename__ = "intake_event_ids"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("intake_sources.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(200))
    delivery_id: Mapped[int] = mapped_column(ForeignKey("intake_deliveries.id",
                                                        ondelete="CASCADE"), index=True)
    __table_args__ = (UniqueConstraint("source_id", "event_id", name="uq_intake_event_ids_event"),)


class IntakeRefusal(Base):
    """A refused POST and why, for the team lead (``source_id`` is empty for 404s)."""

    __tablename__ = "intake_refusals"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("intake_sources.id",
                                                             ondelete="CASCADE"))
    source_name: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime]
    status: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    remote: Mapped[str | None] = mapped_column(String(64))
    excerpt: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_intake_refusals_source_at", "source_id", "at"),)


class IntakeContact(Base):
    """A sender's own contact id (Mautic's) -> our lead, once seen."""

    __tablename__ = "intake_contacts"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("intake_sources.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(64))
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    __table_args__ = (UniqueConstraint("source_id", "external_id",
                                       name="uq_intake_contacts_external"),)


class IntakeRate(Base):
    """Requests per source (``key`` '*') and per sender address in one minute: in the
    database, so every receiver behind a load balancer counts the same."""

    __tablename__ = "intake_rates"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("intake_sources.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    minute: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    __table_args__ = (UniqueConstraint("source_id", "key", "minute", name="uq_intake_rates_slot"),)


class IntakeTestToken(Base):
    """A one-use token proving a test event (stored as its sha256, five minutes)."""

    __tablename__ = "intake_test_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("intake_sources.id", ondelete="CASCADE"))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class LeadActivity(Base):
    """Digital body language: a page hit, an email open, a download, a points change, a
    form submit. ``hand_raise_id``/``rule`` say when the team's rules made it a hand raise."""

    __tablename__ = "lead_activity"
    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime]
    source: Mapped[str | None] = mapped_column(String(80))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    hand_raise_id: Mapped[int | None] = mapped_column(ForeignKey("hand_raises.id",
                                                                 ondelete="SET NULL"))
    rule: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime]
    __table_args__ = (Index("ix_lead_activity_lead_at", "lead_id", "at"),)


class VoicemailRecording(Base):
    """A rep's recorded voicemail for a campaign (campaign None: the rep's default). The
    WAV itself lives beside the database (``qualdesk.phone.voicemail``); this is its card."""

    __tablename__ = "voicemail_recordings"
    id: Mapped[int] = mapped_column(primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    file_name: Mapped[str] = mapped_column(String(255))
    duration_ms: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    # The WAV's bytes (0009), so every machine can play it; read only when this machine
    # has no copy of the file yet.
    wav: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    __table_args__ = (Index("ix_voicemail_recordings_rep", "rep_id", "campaign_id"),)


class SipAccount(Base):
    """A rep's own SIP account (optional; the password is in the OS keyring)."""

    __tablename__ = "sip_accounts"
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                        primary_key=True)
    registrar: Mapped[str] = mapped_column(String(255))
    username: Mapped[str] = mapped_column(String(120))
    outbound_proxy: Mapped[str | None] = mapped_column(String(255))
    transport: Mapped[str] = mapped_column(String(8), default="udp", server_default="udp")


class PhoneState(Base):
    """What a rep's phone is doing (idle, ringing, on a call, wrap-up), for the floor."""

    __tablename__ = "phone_states"
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                        primary_key=True)
    state: Mapped[str] = mapped_column(String(12))
    since: Mapped[datetime]
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime]


# --- the team's scripts, templates and import layouts (0009) -----------------------------
# One row per save (a version): the current copy of a name is its highest version, the
# shipped file is the default beneath it. On PostgreSQL the database writes who and when.


class ScriptVersion(Base):
    """A qualification script's TOML source as a team lead saved it."""

    __tablename__ = "script_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(String(255))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime]
    __table_args__ = (UniqueConstraint("name", "version"),)


class TemplateVersion(Base):
    """One template file of a campaign's template folder as a team lead saved it."""

    __tablename__ = "template_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    folder: Mapped[str] = mapped_column(String(64))
    file: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(String(255))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime]
    __table_args__ = (UniqueConstraint("folder", "file", "version"),)


class ImportLayoutVersion(Base):
    """The column mapping chosen for one file layout (its normalised header row)."""

    __tablename__ = "import_layout_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    layout_key: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    headers: Mapped[list[str]] = mapped_column(JSON)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(255))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime]
    __table_args__ = (UniqueConstraint("layout_key", "version"),)
