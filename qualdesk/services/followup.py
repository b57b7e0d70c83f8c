"""The one-click follow-up: voicemail logged + email rendered and sent, as one record.

All or nothing:
- the templates render *before* anything is written — a broken template records nothing;
- the attempt ("left_voicemail"), the email row and the ``FollowUp`` row are written in
  one transaction;
- then the email is sent from its outbox row. If the mail server is unreachable it
  stays queued (the outbox retries) and the result says so: the voicemail was left, so
  it is recorded either way.
A lead with no valid phone gets the email alone (the campaign's email-only template) and
no voicemail is logged. Refused as a whole, nothing recorded: a lead without an email
address (log the voicemail alone with its disposition), a do-not-call lead, a lead who opted out of email,
a lead the qualifying team no longer works, a rep without an address to send from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Attempt, Email, FollowUp, Lead, User
from qualdesk.domain import designation as dz
from qualdesk.domain.codes import VOICEMAIL
from qualdesk.domain.email_address import address_problem
from qualdesk.domain.records import Changes
from qualdesk.errors import DatabaseUnavailable, InvalidInput, NotAllowed
from qualdesk.services import audit, outbox, retry_keys, team_settings
from qualdesk.services.calls import has_callable_number, record_attempt
from qualdesk.services.holds import check_not_held_by_other
from qualdesk.services.leads import get_lead
from qualdesk.services.mail_client import mailto_url, write_eml
from qualdesk.services.mailer import OutgoingEmail, build_message, message_id_for
from qualdesk.services.templating import (
    RenderedFollowUp,
    context_for_lead,
    render_followup,
    team_env,
)
from qualdesk.services.users import user_by_name


@dataclass(frozen=True)
class FollowUpPreview:
    """Exactly what the follow-up will say and send, for one lead and rep."""

    lead_id: int
    lead_name: str
    to_addr: str
    from_addr: str
    reply_to: str
    mode: str  # smtp | mailclient
    rendered: RenderedFollowUp
    # No valid phone: the email alone, from the campaign's email-only template, and no
    # voicemail is logged (none could be left).
    email_only: bool = False


@dataclass(frozen=True)
class FollowUpResult:
    lead_id: int
    followup_id: int | None  # None: an email-only follow-up (no voicemail to pair it with)
    attempt_id: int | None
    email_id: int
    email_status: str  # sent | queued | failed
    message_id: str
    voicemail_script: str
    voicemail_seconds: int
    error: str | None = None
    eml_path: str | None = None
    mailto: str | None = None
    changes: Changes = field(default_factory=Changes)

    def as_dict(self) -> dict[str, object]:
        d: dict[str, object] = {
            "lead": self.lead_id, "followup": self.followup_id, "attempt": self.attempt_id,
            "email": self.email_id, "email_status": self.email_status,
            "message_id": self.message_id, "voicemail_script": self.voicemail_script,
            "voicemail_seconds": self.voicemail_seconds, "error": self.error,
        }
        if self.eml_path:
            d["eml"] = self.eml_path
            d["mailto"] = self.mailto
        return d


def _check(s: Session, lead: Lead, rep: User) -> tuple[str, str]:
    """Refuse what must not be followed up; (from, reply-to) otherwise."""
    who = f"lead {lead.id}"
    if lead.do_not_call or lead.designation == dz.Designation.DO_NOT_CALL:
        raise NotAllowed(f"{who} is do-not-call: no voicemail, no email; nothing recorded")
    if lead.designation not in dz.OPEN:
        label = dz.LABELS[dz.Designation(lead.designation)].lower()
        raise NotAllowed(f"{who} is {label}: the qualifying team no longer works it, so "
                         "nothing was recorded")
    if not (lead.email or "").strip():
        raise NotAllowed(f"{who} has no email address, so there is no follow-up email to send "
                         "and nothing was recorded: add the address on the contact card, or "
                         "log the voicemail alone with its disposition key")
    if lead.email_opt_out:
        raise NotAllowed(f"{who} opted out of email, so nothing was recorded: log the voicemail "
                         "alone with its disposition key")
    smtp_from = (team_settings.get(s, "smtp.from") or "").strip()
    if not rep.email:
        raise InvalidInput(f"rep {rep.name!r} has no email address for Reply-To; "
                           "nothing recorded (add one to the user)")
    # Again where the addresses are used: a value that got in some other way must not
    # add recipients or headers, and must fail here, before the voicemail is recorded.
    for what, value in ((f"{who}'s email", lead.email), (f"rep {rep.name!r}'s email", rep.email),
                        ("the team's smtp.from", smtp_from or None)):
        if value is not None and address_problem(value) is not None:
            raise InvalidInput(f"{what} {value!r} is not one e-mail address "
                               f"({address_problem(value)}); nothing recorded: correct it first")
    return (smtp_from or rep.email.strip()), rep.email.strip()


def _lead(s: Session, lead_id: int) -> Lead:
    lead = get_lead(s, lead_id)
    return lead


def preview(db: Database, lead_id: int, rep_name: str) -> FollowUpPreview:
    """Render everything for this lead and rep; a template problem raises ``RenderError``."""
    with db.session(write=False) as s:
        lead = _lead(s, lead_id)
        rep = user_by_name(s, rep_name)
        from_addr, reply_to = _check(s, lead, rep)
        ctx = context_for_lead(s, lead.id, rep)
        folder = lead.campaign.templates or "default"
        mode = team_settings.get(s, "email.mode")
        name = " ".join(p for p in (lead.first_name, lead.last_name) if p) or (lead.company or "")
        to_addr = (lead.email or "").strip()
        email_only = not has_callable_number(s, lead)
        env = team_env(s)  # the team's saved templates, as they are now
    rendered = render_followup(folder, ctx, env, email_only=email_only)
    return FollowUpPreview(lead_id, name, to_addr, from_addr, reply_to, mode, rendered,
                           email_only)


def run_followup(db: Database, lead_id: int, rep_name: str, *, send_now: bool = True,
                 idempotency_key: str | None = None, override_by: str | None = None,
                 started_at: datetime | None = None) -> FollowUpResult:
    """Log the voicemail and send the email (or queue it); see the module doc.

    ``idempotency_key`` goes on the voicemail's attempt, written in the same transaction
    as the email: a replay that finds it knows the whole follow-up is in (see
    ``offline.replay``). ``started_at``: when the voicemail was left, if not now (a
    follow-up made offline and replayed later)."""
    p = preview(db, lead_id, rep_name)  # render first: a broken template writes nothing
    now = clock.now()
    with db.session() as s:
        lead = _lead(s, lead_id)
        rep = user_by_name(s, rep_name)
        _check(s, lead, rep)  # again, inside the write: the lead may have changed meanwhile
        check_not_held_by_other(s, lead, rep.id, override_by, what="follow-up")
        if lead.owner_id is None:
            lead.owner_id = rep.id
        attempt = None
        if p.email_only:
            # no attempt to carry the key: it is kept among the retry keys
            retry_keys.remember(s, retry_keys.check_key(idempotency_key), "followup",
                                lead.id, rep.id)
        else:
            attempt = record_attempt(s, lead, rep.id, VOICEMAIL, started_at=started_at or now,
                                     notes="follow-up: voicemail + email",
                                     idempotency_key=idempotency_key)
        msgid = message_id_for(p.from_addr)
        email = Email(lead_id=lead.id, rep_id=rep.id, template=p.rendered.folder,
                      to_addr=p.to_addr, from_addr=p.from_addr, reply_to=p.reply_to,
                      subject=p.rendered.subject, body_text=p.rendered.text,
                      body_html=p.rendered.html, message_id=msgid, status=outbox.QUEUED,
                      tries=0, created_at=now)
        s.add(email)
        s.flush()
        fu_id = None
        if attempt is not None:
            fu = FollowUp(lead_id=lead.id, rep_id=rep.id, attempt_id=attempt.id,
                          email_id=email.id, at=now)
            s.add(fu)
            s.flush()
            fu_id = fu.id
        elif lead.claimed_by_id == rep.id:  # the follow-up ends the claim, as a call does
            lead.claimed_by_id = None
            lead.lease_expires_at = None
        audit.record(s, lead.id, rep.id, "followup", "email", None, email.id)
        ids = (fu_id, attempt.id if attempt is not None else None, email.id)
    fu_id, attempt_id, email_id = ids
    status, error, eml, mailto = outbox.QUEUED, None, None, None
    if p.mode == "mailclient":
        eml, mailto = _hand_over(db, email_id, p, msgid)
        status = outbox.SENT
    elif send_now:
        try:
            status, error = outbox.send_one(db, email_id, clock.now())
        except DatabaseUnavailable as exc:
            # The follow-up is committed; the email waits in its outbox row, which the
            # outbox run sends once the database answers. Raising here would have the
            # caller queue (and later repeat) the whole follow-up.
            status, error = outbox.QUEUED, str(exc)
        if status == "busy":  # an outbox run took it first: it sends it
            status = outbox.QUEUED
    return FollowUpResult(
        lead_id=lead_id, followup_id=fu_id, attempt_id=attempt_id, email_id=email_id,
        email_status=status, message_id=msgid, voicemail_script=p.rendered.voicemail,
        voicemail_seconds=p.rendered.voicemail_seconds, error=error, eml_path=eml,
        mailto=mailto,
        changes=Changes(leads=(lead_id,), queue=True, attempts=True, emails=True),
    )


def _hand_over(db: Database, email_id: int, p: FollowUpPreview, msgid: str) -> tuple[str, str]:
    now = clock.now()
    out = OutgoingEmail(email_id, p.lead_id, p.to_addr, p.from_addr, p.reply_to,
                        p.rendered.subject, p.rendered.text, p.rendered.html, msgid)
    path = write_eml(build_message(out, now), email_id)
    outbox.claim(db, email_id, now)
    outbox.mark_sent(db, email_id, now)  # handed over counts as sent (see mail_client)
    return str(path), mailto_url(p.to_addr, p.rendered.subject, p.rendered.text)


@dataclass(frozen=True)
class FollowUpRecord:
    """One follow-up in a lead's history, with its email's current status."""

    id: int
    at: datetime
    rep: str | None
    attempt_id: int
    email_id: int | None
    subject: str | None
    email_status: str | None
    last_error: str | None

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "at": self.at.isoformat(), "rep": self.rep,
                "attempt": self.attempt_id, "email": self.email_id, "subject": self.subject,
                "email_status": self.email_status, "last_error": self.last_error}


def history(db: Database, lead_id: int) -> list[FollowUpRecord]:
    with db.session(write=False) as s:
        rows = s.execute(
            select(FollowUp, User.name, Email.subject, Email.status, Email.last_error)
            .join(Attempt, Attempt.id == FollowUp.attempt_id)
            .outerjoin(User, User.id == FollowUp.rep_id)
            .outerjoin(Email, Email.id == FollowUp.email_id)
            .where(FollowUp.lead_id == lead_id).order_by(FollowUp.at.desc())
        ).all()
        return [FollowUpRecord(f.id, f.at, name, f.attempt_id, f.email_id, subj, st, err)
                for f, name, subj, st, err in rows]
