"""People and roles."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import User
from qualdesk.domain import words
from qualdesk.domain.email_address import InvalidAddress, parse_address
from qualdesk.domain.records import UserRecord
from qualdesk.errors import InvalidInput, NotAllowed, NotFound

ROLES = ("rep", "lead", "sales", "admin")


def to_record(u: User) -> UserRecord:
    return UserRecord(id=u.id, name=u.name, role=u.role, email=u.email, phone=u.phone, active=u.active)


def add_user(db: Database, name: str, role: str, email: str | None = None,
             phone: str | None = None) -> UserRecord:
    name = name.strip()
    if not name:
        raise InvalidInput("a user needs a name")
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r} (known: {', '.join(ROLES)})")
    if email is not None:
        try:
            email = parse_address(email)
        except InvalidAddress as exc:
            raise InvalidInput(f"email {exc}") from None
    with db.session() as s:
        existing = s.scalar(select(User).where(func.lower(User.name) == name.lower()))
        if existing is not None:
            raise InvalidInput(f"a user named {existing.name!r} already exists "
                               f"({words.role(existing.role)})")
        u = User(name=name, role=role, email=email, phone=phone, active=True, created_at=clock.now())
        s.add(u)
        s.flush()
        return to_record(u)


def list_users(db: Database, role: str | None = None) -> list[UserRecord]:
    with db.session(write=False) as s:
        q = select(User).order_by(User.name)
        if role:
            q = q.where(User.role == role)
        return [to_record(u) for u in s.scalars(q)]


def user_by_name(s: Session, name: str) -> User:
    """Find a person by the name given to ``user add`` (case-insensitive)."""
    u = s.scalar(select(User).where(func.lower(User.name) == name.strip().lower()))
    if u is None:
        raise NotFound(f"no user named {name!r}: a team lead or admin adds people under "
                       "Settings → People and roles", cli="see `qualdesk users`")
    return u


def get_user(db: Database, name: str) -> UserRecord:
    with db.session(write=False) as s:
        return to_record(user_by_name(s, name))


def set_active(db: Database, name: str, active: bool) -> UserRecord:
    """Deactivate a person who left (their history stays; they can no longer sign in or
    be given leads), or bring them back.

    On PostgreSQL their own database login goes with it, in the same transaction:
    ``NOLOGIN`` (no new connection) and ``LOGIN`` again when they come back; their
    sessions still open are then ended where the database lets this login do so (a
    superuser, or a member of ``pg_signal_backend``); otherwise the guards still refuse
    an inactive rep's or sales person's changes (docs/team-setup.md). Changing a login
    needs the schema owner's login (``CREATEROLE``): with another, nothing changes and
    the message says whose login to use."""
    with db.session() as s:
        u = user_by_name(s, name)
        u.active = active
        s.flush()
        login = u.db_login if db.is_postgres else None
        if login:
            _login_enabled(s, u.name, login, active)
        record = to_record(u)
    if login and not active:
        _end_sessions(db, login)
    return record


def _end_sessions(db: Database, login: str) -> None:
    """Best effort: a deactivated person's open sessions end now (see ``set_active``)."""
    try:
        with db.session() as s:
            s.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE usename = :l AND pid <> pg_backend_pid()"), {"l": login})
    except DBAPIError:
        pass  # not allowed to signal them: the guards still refuse what they would change


def _login_enabled(s: Session, name: str, login: str, enabled: bool) -> None:
    exists = s.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": login})
    if not exists:
        return  # recorded but never created (SQLite-era record): nothing to close
    try:
        s.execute(text(f'ALTER ROLE "{login}" {"LOGIN" if enabled else "NOLOGIN"}'))
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != "42501":  # insufficient privilege
            raise
        verb = "reactivating" if enabled else "deactivating"
        raise NotAllowed(f"{verb} {name} also {'reopens' if enabled else 'closes'} their "
                         f"database login {login!r}, and your login may not change logins: "
                         "ask whoever set up the team's database to do it with the schema "
                         "owner's login (nothing was changed)") from None


def db_logins(db: Database) -> dict[str, str]:
    """Person's name -> their own database login, for those who have one."""
    with db.session(write=False) as s:
        return {n: login for n, login in s.execute(select(User.name, User.db_login)
                                                   .where(User.db_login.is_not(None)))}
