"""Roles the database itself enforces (PostgreSQL): one login per person, in a group.

Group roles ``qualdesk_rep``, ``qualdesk_lead``, ``qualdesk_sales``, ``qualdesk_admin``
carry the GRANTs; a person's login is a member of their group. So a rep's login cannot
export (no INSERT on export_marks), delete anything, edit scripts, templates and
settings (no INSERT/UPDATE on settings, campaigns, dispositions, hand_raise_kinds),
lock a table, or write the audit log, whatever client it uses — not only in our UI.
Which rows it may write, and to what, the guard triggers of migration 0007 decide from
the login (see docs/team-setup.md).

Grants name the tables that exist when they run: re-run ``qualdesk user grant NAME``
(or ``apply_grants``) after a schema upgrade that adds tables. SQLite has no logins:
there the login part is skipped with a note.
"""

from __future__ import annotations

import re

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from qualdesk.db.engine import Database
from qualdesk.db.models import User
from qualdesk.errors import InvalidInput, NotAllowed
from qualdesk.services.users import user_by_name

GROUPS = {"rep": "qualdesk_rep", "lead": "qualdesk_lead", "sales": "qualdesk_sales",
          "admin": "qualdesk_admin"}
LOGIN_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

# What each group may change beyond reading everything. Anything not listed is refused.
# A rep's and a sales login's UPDATE is column-level (every column but the key, or the
# columns named): what a row may become is the guard triggers' business (migration
# 0007), and without a table-level UPDATE, DELETE or TRUNCATE a login cannot
# ``LOCK TABLE`` in any mode that would stop the team (SELECT ... FOR UPDATE, which the
# claim needs, is allowed by UPDATE on one column). No app login writes ``audit_log``:
# rows are declared through ``audit_requests`` and written by the database.
_REP = {
    "leads": "INSERT, UPDATE",
    "hand_raises": "INSERT, UPDATE (first_call_at, first_call_rep_id, first_email_at)",
    "designation_history": "INSERT", "attempts": "INSERT, UPDATE",
    "emails": "INSERT, UPDATE (status, tries, last_error, next_try_at, sent_at)",
    "followups": "INSERT", "callbacks": "INSERT, UPDATE", "notes": "INSERT, UPDATE",
    "qualifications": "INSERT, UPDATE", "turnovers": "INSERT", "audit_requests": "INSERT",
    "change_log": "INSERT",
    # Retry keys (0010): a rep's own (ROW_GUARDS below).
    "write_keys": "INSERT",
    # Phone calls (#18): a rep's own recordings, SIP account and phone state (their rows
    # only: ROW_GUARDS below).
    "voicemail_recordings": "INSERT, UPDATE, DELETE", "sip_accounts": "INSERT, UPDATE",
    "phone_states": "INSERT, UPDATE",
}
_LEAD = {
    **_REP,
    "leads": "INSERT, UPDATE", "hand_raises": "INSERT, UPDATE", "attempts": "INSERT, UPDATE",
    "emails": "INSERT, UPDATE", "turnovers": "INSERT, UPDATE", "opportunities": "INSERT, UPDATE",
    "export_marks": "INSERT, DELETE", "settings": "INSERT, UPDATE, DELETE",
    "campaigns": "INSERT, UPDATE", "dispositions": "INSERT, UPDATE, DELETE",
    "hand_raise_kinds": "INSERT, UPDATE, DELETE", "callbacks": "INSERT, UPDATE, DELETE",
    "notes": "INSERT, UPDATE, DELETE",
    # Live intake (#16): a team lead manages sources, their secrets and test events.
    "intake_sources": "INSERT, UPDATE, DELETE", "intake_keys": "INSERT",
    "intake_test_tokens": "INSERT",
    # The team's scripts, templates and import layouts (0009): a new version per save;
    # saved versions stay as they were (its trigger writes who and when).
    "script_versions": "INSERT", "template_versions": "INSERT",
    "import_layout_versions": "INSERT",
}
# Sales give verdicts on the leads turned over to them (0010's ``qualdesk_guard_sales``
# decides which rows and columns): no attempts, qualifications, e-mail or claims.
_SALES = {
    "leads": "UPDATE", "designation_history": "INSERT", "turnovers": "UPDATE",
    "opportunities": "INSERT, UPDATE", "export_marks": "INSERT", "audit_requests": "INSERT",
    "change_log": "INSERT", "callbacks": "UPDATE (scope)", "notes": "INSERT",
}
WRITES = {"rep": _REP, "lead": _LEAD, "sales": _SALES}
# Groups whose bare UPDATE becomes column-level (see above).
COLUMN_UPDATE = {"rep", "sales"}
# Tables these groups may not even read: the key that decrypts intake secrets (a rep
# sees sources, never a secret; leads and admins create them, the receiver runs as the
# schema owner or an admin, docs/intake.md).
HIDDEN = {"intake_keys": ("rep", "sales")}
# Tables nobody's login may write, the admin's included: the database writes them.
WRITTEN_BY_THE_DATABASE = ("audit_log",)
# Tables added after migration 0007 whose rows are one person's (table: that column): a
# rep's login writes only its own, through 0007's ``qualdesk_guard_row`` trigger.
ROW_GUARDS = {"voicemail_recordings": "rep_id", "sip_accounts": "rep_id",
              "phone_states": "rep_id", "write_keys": "user_id"}


def _require_pg(db: Database) -> None:
    if not db.is_postgres:
        raise NotAllowed("database logins and grants need PostgreSQL (SQLite has no logins)")


def _existing_roles(s: Session) -> set[str]:
    return set(s.scalars(text("SELECT rolname FROM pg_roles")))


def _tables(s: Session) -> set[str]:
    """Tables and views of the schema (``audit_requests`` is a view)."""
    return set(s.scalars(text(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema()")))


def _columns(s: Session, table: str) -> list[str]:
    return list(s.scalars(text(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = :t AND column_name <> 'id' "
        "ORDER BY ordinal_position"), {"t": table}))


def _privileges(s: Session, role: str, table: str, privileges: str) -> str:
    """``privileges`` with a bare UPDATE made column-level for the groups that get it."""
    if role not in COLUMN_UPDATE:
        return privileges
    parts = [p.strip() for p in re.split(r",\s*(?![^()]*\))", privileges)]
    cols = ", ".join(f'"{c}"' for c in _columns(s, table))
    return ", ".join(f"UPDATE ({cols})" if p == "UPDATE" else p for p in parts)


def apply_grants(db: Database) -> None:
    """Create the group roles (if missing) and (re)state their privileges. Idempotent;
    needs a login allowed to create roles and owning the tables (the admin's)."""
    _require_pg(db)
    with db.session() as s:
        have = _existing_roles(s)
        for group in GROUPS.values():
            if group not in have:
                s.execute(text(f"CREATE ROLE {group} NOLOGIN"))
        tables = _tables(s)
        everyone = ", ".join(GROUPS.values())
        s.execute(text(f"GRANT USAGE ON SCHEMA public TO {everyone}"))
        s.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {everyone}"))
        s.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {everyone}"))
        s.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {everyone}"))
        for role, writes in WRITES.items():
            for table, privileges in writes.items():
                if table in tables:
                    grant = _privileges(s, role, table, privileges)
                    s.execute(text(f"GRANT {grant} ON {table} TO {GROUPS[role]}"))
        s.execute(text("GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO qualdesk_admin"))
        s.execute(text("GRANT ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA public TO qualdesk_admin"))
        for table, roles in HIDDEN.items():
            if table in tables:
                hidden = ", ".join(GROUPS[r] for r in roles)
                s.execute(text(f"REVOKE SELECT ON {table} FROM {hidden}"))
        for table in WRITTEN_BY_THE_DATABASE:
            s.execute(text(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {table} FROM {everyone}"))
        _guard_rows(s, tables)


def _guard_rows(s: Session, tables: set[str]) -> None:
    """(Re)install the person guard on ``ROW_GUARDS`` tables (idempotent)."""
    for table, column in ROW_GUARDS.items():
        if table not in tables:
            continue
        name = f"qualdesk_guard_{table}"
        s.execute(text(f"DROP TRIGGER IF EXISTS {name} ON {table}"))
        s.execute(text(f"CREATE TRIGGER {name} BEFORE INSERT OR UPDATE OR DELETE ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION qualdesk_guard_row('{column}', '', '')"))


def _literal(s: Session, value: str) -> str:
    from psycopg import sql

    raw = s.connection().connection.driver_connection
    return sql.Literal(value).as_string(raw)


def grant_login(db: Database, name: str, login: str, password: str | None = None) -> str:
    """Give person ``name`` the database login ``login`` in their role's group; returns a
    one-line account of what was done. On SQLite only ``users.db_login`` is recorded."""
    login = login.strip().lower()
    if not LOGIN_RE.match(login):
        raise InvalidInput(f"database login {login!r}: use lower-case letters, digits and _ "
                           "(at most 63, not starting with a digit)")
    if login in GROUPS.values():
        raise InvalidInput(f"{login!r} is a group role, not a person's login")
    with db.session() as s:
        user = user_by_name(s, name)
        other = s.scalar(select(User).where(User.db_login == login, User.id != user.id))
        if other is not None:
            raise InvalidInput(f"database login {login!r} already belongs to {other.name}")
        user.db_login = login
        role, active = user.role, user.active
    if not db.is_postgres:
        return f"{name}: login {login!r} noted (SQLite has no database logins; nothing to create)"
    apply_grants(db)
    with db.session() as s:
        exists = login in _existing_roles(s)
        verb = "ALTER" if exists else "CREATE"
        pw = f" PASSWORD {_literal(s, password)}" if password else ""
        # a deactivated person's login stays closed (users.set_active reopens it)
        s.execute(text(f'{verb} ROLE "{login}" {"LOGIN" if active else "NOLOGIN"}{pw}'))
        for group in GROUPS.values():
            if group != GROUPS[role]:
                s.execute(text(f'REVOKE {group} FROM "{login}"'))
        s.execute(text(f'GRANT {GROUPS[role]} TO "{login}"'))
    return f"{name}: database login {login!r} {'updated' if exists else 'created'} in {GROUPS[role]}"


def login_person(db: Database) -> tuple[str, str] | None:
    """(name, role) of the person whose database login this connection uses; None on
    SQLite and for a login that is nobody's (the schema owner's). The login is the
    session's (``session_user``: what the database guards go by, ``SET ROLE`` aside)."""
    if not db.is_postgres:
        return None
    with db.session(write=False) as s:
        login = s.scalar(text("SELECT session_user"))
        row = s.execute(select(User.name, User.role).where(User.db_login == login)
                        .order_by(User.id).limit(1)).first()
        return (row[0], row[1]) if row else None


def person_for_login(db: Database) -> str | None:
    """The person whose database login this connection uses (``--rep`` defaults to it)."""
    me = login_person(db)
    return me[0] if me else None
