"""Setting up a team without a terminal: what the welcome page does, as plain use cases.

Each step calls the same services as the command line (``db upgrade``, ``user add``,
``config set``), so the app and the CLI cannot disagree. Nothing here imports Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import func, select

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import User
from qualdesk.errors import InvalidInput, KnownError
from qualdesk.services import mailer, team_settings

# The team-lead roles the welcome page may create first: the others need someone to
# add them.
FIRST_ROLES = ("lead", "admin")


@dataclass(frozen=True)
class DatabaseCheck:
    """What a database URL leads to, for the welcome page's "Test connection"."""

    display: str  # "PostgreSQL db.example.com:5432/qualdesk" (no password)
    current: str | None  # the schema revision there now (None: empty database)
    head: str  # the revision this client brings
    people: int | None  # people in it (None: no schema yet)

    @property
    def needs_upgrade(self) -> bool:
        return self.current != self.head

    def describe(self) -> str:
        if self.current is None:
            return f"Connected to {self.display}. It is empty: press Upgrade schema to set it up."
        if self.needs_upgrade:
            return (f"Connected to {self.display}. Its schema is older than this app: press "
                    "Upgrade schema.")
        who = "no people yet" if not self.people else f"{self.people} people"
        return f"Connected to {self.display}. The schema is up to date ({who})."


def needs_setup(db: Database) -> bool:
    """A fresh install: nobody to sign in as."""
    with db.session(write=False) as s:
        return not s.scalar(select(func.count()).select_from(User))


def check_database(url: str) -> DatabaseCheck:
    """Connect and read the schema revision; a refused connection is a known error
    saying what went wrong (host, password, database name)."""
    from qualdesk.db.migrate import current_revision, head_revision

    url = url.strip()
    if not url:
        raise InvalidInput("write the database address first, e.g. "
                           "postgresql://USER:PASSWORD@HOST/qualdesk")
    try:
        db = Database(url)
    except Exception as exc:  # a malformed URL: SQLAlchemy's ArgumentError and friends
        raise InvalidInput(f"that is not a database address ({exc}); write e.g. "
                           "postgresql://USER:PASSWORD@HOST/qualdesk") from None
    try:
        try:
            current = current_revision(db)
        except Exception as exc:
            raise KnownError(f"cannot connect to {db.display_name()}: "
                             f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
        people = None
        if current is not None:
            with db.session(write=False) as s:
                people = int(s.scalar(select(func.count()).select_from(User)) or 0)
        return DatabaseCheck(db.display_name(), current, head_revision(db), people)
    finally:
        db.dispose()


def upgrade_database(url: str) -> DatabaseCheck:
    """``qualdesk db upgrade`` on that database, then the check again."""
    from qualdesk.db.migrate import upgrade

    db = Database(url.strip())
    try:
        upgrade(db)
    finally:
        db.dispose()
    return check_database(url)


def create_first_user(db: Database, name: str, email: str, role: str) -> None:
    from qualdesk.services.users import add_user

    if role not in FIRST_ROLES:
        raise InvalidInput(f"the first person is the team lead or an admin, not {role!r}")
    add_user(db, name, role, email=email.strip() or None)


def save_smtp(db: Database, host: str, port: str, security: str, user: str,
              from_addr: str) -> None:
    """``qualdesk config set smtp.*`` in one go: all valid, or nothing stored."""
    team_settings.set_values(db, {"smtp.host": host.strip(), "smtp.port": port.strip() or "587",
                                  "smtp.security": security, "smtp.user": user.strip(),
                                  "smtp.from": from_addr.strip()})


def send_test_email(db: Database, to_addr: str) -> str:
    """One short email through the team's SMTP settings to ``to_addr``; returns what
    to tell the person. A refusal is a known error with the server's words."""
    to_addr = to_addr.strip()
    if "@" not in to_addr:
        raise InvalidInput("give an email address to send the test to")
    with db.session(write=False) as s:
        config = mailer.SmtpConfig.load(s)
    sender = config.from_addr or to_addr
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to_addr
    msg["Subject"] = "QualDesk test email"
    msg["Date"] = format_datetime(clock.now())
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "qualdesk.local")
    msg.set_content("This is the test email you asked for in QualDesk's setup.\n\n"
                    f"It went through {config.host}:{config.port} ({config.security}). "
                    "Follow-up emails to leads will go the same way.\n")
    try:
        mailer.send(config, msg)
    except mailer.MailError as exc:
        raise KnownError(f"the test email was not sent: {exc}") from None
    return f"Sent a test email to {to_addr} through {config.host}:{config.port}."
