"""Who the app signs in as: bound to the database login (issue 21).

On SQLite (one machine, no logins) and with a login that is nobody's (the schema
owner's) the app signs in as whoever is chosen, as before. With a person's own
PostgreSQL login the person IS the login's: ``--rep`` (or the sign-in list) may name
them or be left out; naming someone else is refused in plain words unless the login's
role may act for others (team lead, admin), and then the audit names both (an
``acts for`` row the database writes with the login's person as ``by``). A login in
the team's groups that no person owns, a deactivated person's login, and a login the
database refuses to read for ("permission denied") each become a sentence saying what
to ask the team lead.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from qualdesk.db.engine import Database
from qualdesk.domain.records import UserRecord
from qualdesk.errors import KnownError, NotAllowed
from qualdesk.services import audit
from qualdesk.services.holds import MAY_OVERRIDE
from qualdesk.services.users import get_user, list_users, to_record, user_by_name

# Roles whose own login may act for someone else (the audit then names both): those
# who may override a rep's hold.
ACTS_FOR_OTHERS = MAY_OVERRIDE
GROUPS = ("qualdesk_rep", "qualdesk_lead", "qualdesk_sales", "qualdesk_admin")
_DENIED = "42501"  # insufficient_privilege


def _login(db: Database) -> tuple[str, tuple[str, str, bool] | None, bool]:
    """(the session's login, (name, role, active) of its person or None, whether the
    login is in one of the team's groups)."""
    with db.session(write=False) as s:
        login = str(s.scalar(text("SELECT session_user")))
        row = s.execute(text("SELECT name, role, active FROM users WHERE db_login = :l "
                             "ORDER BY id LIMIT 1"), {"l": login}).first()
        grouped = bool(s.scalar(text(
            "SELECT count(*) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = :l AND g.rolname = ANY(:g)"),
            {"l": login, "g": list(GROUPS)}))
    return login, ((row[0], row[1], bool(row[2])) if row else None), grouped


def _refused(login: str) -> KnownError:
    return NotAllowed(f"the database refused your login ({login!r}) the team's data: ask your "
                      "team lead to give it a person and a role (Settings → People and roles)",
                      cli=f"qualdesk user grant NAME --db-login {login}")


def signed_in_user(db: Database, named: str | None) -> UserRecord | None:
    """The person this start signs in as; None: let them choose (SQLite, schema owner)."""
    if not db.is_postgres:
        return get_user(db, named) if named else None
    try:
        login, person, grouped = _login(db)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == _DENIED:
            raise _refused(_session_login(db)) from None
        raise
    if person is None:
        if grouped:
            raise NotAllowed(f"your database login ({login!r}) belongs to nobody in the team: "
                             "ask your team lead to link it to you (Settings → People and "
                             "roles)", cli=f"qualdesk user grant NAME --db-login {login}")
        return get_user(db, named) if named else None  # the schema owner: anyone, as before
    name, role, active = person
    if not active:
        raise NotAllowed(f"{name} is deactivated: ask your team lead to reactivate you "
                         "(Settings → People and roles)")
    if named is None or named.strip().lower() == name.lower():
        return get_user(db, name)
    if role not in ACTS_FOR_OTHERS:
        raise NotAllowed(f"you are signed in to the database as {name}, so QualDesk opens as "
                         f"{name}, not as {named}. To work as {named}, use {named}'s own "
                         "login; a team lead may open the app for someone else")
    return _acting_for(db, name, named)


def _acting_for(db: Database, me: str, named: str) -> UserRecord:
    """A team lead's or admin's login opening the app as someone else: audited, naming
    both (the database writes ``by`` from the login)."""
    with db.session() as s:
        other = user_by_name(s, named)
        if not other.active:
            raise NotAllowed(f"{other.name} is deactivated: reactivate them first")
        audit.record(s, None, other.id, "acts for", "sign in", me, other.name)
        return to_record(other)


def _session_login(db: Database) -> str:
    try:
        with db.session(write=False) as s:
            return str(s.scalar(text("SELECT session_user")))
    except DBAPIError:
        return "?"


def sign_in_choices(db: Database) -> list[UserRecord]:
    """Whom a sign-in list may offer: with a person's own login, that person only (a
    team lead's or admin's login opens as itself; ``--rep`` acts for someone else), else
    everyone (SQLite, the schema owner); nobody for a login that may not sign in (see
    ``signed_in_user`` for the words)."""
    try:
        me = signed_in_user(db, None)
    except NotAllowed:
        return []
    return [me] if me is not None else list_users(db)


def open_signed_in(url: str, rep: str | None,
                   demo: bool) -> tuple[Database, UserRecord | None, list[UserRecord]]:
    """The database ready to use, who the start signs in as, and (without one) who may
    be chosen. Every refusal is a ``KnownError`` in plain words."""
    db = Database(url)
    try:
        db.ensure_ready()
        if demo:
            from qualdesk.services.demo import load_demo

            load_demo(db)
        user = signed_in_user(db, rep)
        users = list_users(db) if user is None else []
        if user is not None:  # what older versions saved on this machine becomes the team's
            from qualdesk.services.library_import import import_once

            import_once(db, user.name)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != _DENIED:
            raise
        login = _session_login(db)
        db.dispose()
        raise _refused(login) from None
    except BaseException:
        db.dispose()
        raise
    return db, user, users
