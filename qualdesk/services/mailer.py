"""Building and sending one email over SMTP.

The SMTP password lives in the OS keyring (service ``qualdesk-smtp``, the login as the
account), never in the database. Failures are split into temporary ones (server down,
4xx: the outbox retries) and permanent ones (5xx: retrying cannot help).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy.orm import Session

from qualdesk.domain.email_address import address_problem
from qualdesk.errors import InvalidInput, KnownError
from qualdesk.services import team_settings

KEYRING_SERVICE = "qualdesk-smtp"
DEFAULT_MSGID_DOMAIN = "qualdesk.local"


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # none | starttls | ssl
    user: str
    timeout: int
    from_addr: str  # smtp.from: the From of every email when set

    @classmethod
    def load(cls, s: Session) -> SmtpConfig:
        g = team_settings.get
        return cls(host=g(s, "smtp.host"), port=int(g(s, "smtp.port")),
                   security=g(s, "smtp.security"), user=g(s, "smtp.user"),
                   timeout=int(g(s, "smtp.timeout")), from_addr=g(s, "smtp.from"))


@dataclass(frozen=True)
class OutgoingEmail:
    id: int
    lead_id: int
    to_addr: str
    from_addr: str
    reply_to: str | None
    subject: str
    body_text: str
    body_html: str | None
    message_id: str


class MailError(Exception):
    def __init__(self, message: str, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


def message_id_for(sender: str) -> str:
    domain = sender.rpartition("@")[2].strip().strip(">") or DEFAULT_MSGID_DOMAIN
    return make_msgid(domain=domain)


def check_sendable(e: OutgoingEmail) -> None:
    """Refuse, for good, a row that is not one message to one address from one address.

    The addresses are checked where they are used as well as where they entered: a row
    written past the app (an old client, a hand-edited database) must not add recipients
    or headers. ``MailError(permanent=True)``: the outbox marks the row failed, with why."""
    for header, value in (("To", e.to_addr), ("From", e.from_addr), ("Reply-To", e.reply_to)):
        if header == "Reply-To" and not value:
            continue
        problem = address_problem(value)
        if problem is not None:
            raise MailError(f"cannot be sent: its {header} {value!r} is not one e-mail address "
                            f"({problem})", permanent=True)
    if not e.subject.strip() or any(c in e.subject for c in "\r\n\x00"):
        raise MailError(f"cannot be sent: its subject {e.subject!r} is empty or holds a line "
                        "break", permanent=True)


def build_message(e: OutgoingEmail, at: datetime) -> EmailMessage:
    """multipart/alternative (text, then HTML), with Message-ID and the lead's id.

    Raises ``MailError(permanent=True)`` for a row that cannot make a message."""
    check_sendable(e)
    try:
        return _build(e, at)
    except (ValueError, TypeError, UnicodeError) as exc:  # a header the library refuses
        raise MailError(f"cannot be sent: {exc}", permanent=True) from None


def _build(e: OutgoingEmail, at: datetime) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = e.from_addr
    msg["To"] = e.to_addr
    if e.reply_to:
        msg["Reply-To"] = e.reply_to
    msg["Subject"] = e.subject
    msg["Date"] = format_datetime(at)
    msg["Message-ID"] = e.message_id
    msg["X-QualDesk-Lead"] = str(e.lead_id)
    msg.set_content(e.body_text)
    if e.body_html:
        msg.add_alternative(e.body_html, subtype="html")
    return msg


# --- the password, in the OS keyring ----------------------------------------------------


def get_password(user: str) -> str | None:
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, user)
    except KeyringError as exc:
        raise KnownError(f"cannot read the SMTP password from the OS keyring: {exc}") from None


def set_password(user: str, password: str) -> None:
    import keyring
    from keyring.errors import KeyringError

    if not user:
        raise InvalidInput("give the mail server's login (user) before its password",
                           cli="qualdesk config set smtp.user LOGIN")
    if not password:
        raise InvalidInput("an empty password was given (pipe it on stdin)")
    try:
        keyring.set_password(KEYRING_SERVICE, user, password)
    except KeyringError as exc:
        raise KnownError(f"cannot store the password in the OS keyring: {exc}") from None


# --- sending ----------------------------------------------------------------------------


def send(config: SmtpConfig, msg: EmailMessage) -> None:
    """Deliver one message to the configured server; raises ``MailError``."""
    if not config.host:
        raise MailError("smtp.host is not set (qualdesk config set smtp.host HOST)", permanent=False)
    try:
        password = get_password(config.user) if config.user else None
    except KnownError as exc:
        raise MailError(str(exc), permanent=False) from None
    if config.user and password is None:
        raise MailError(f"no SMTP password for {config.user!r} in the OS keyring "
                        "(qualdesk smtp-password set)", permanent=False)
    try:
        if config.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout,
                                                  context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        with smtp:
            if config.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if config.user:
                smtp.login(config.user, password or "")
            smtp.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise MailError(f"recipient refused: {_describe(exc.recipients)}",
                        permanent=all(c >= 500 for c in codes)) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"SMTP login refused ({exc.smtp_code}): check smtp.user and "
                        "the keyring password", permanent=False) from None
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) \
            else str(exc.smtp_error)
        raise MailError(f"SMTP {exc.smtp_code}: {text}", permanent=exc.smtp_code >= 500) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(f"SMTP server does not support it: {exc} (check smtp.security)",
                        permanent=False) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"mail server unreachable: {exc or type(exc).__name__}",
                        permanent=False) from None


def _describe(recipients: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{addr}: {code} {msg.decode(errors='replace')}"
                     for addr, (code, msg) in recipients.items())
