"""PostgreSQL keeps each hand raise's copy of its lead's owner (migration 0005).

The server-side claim walks hand raises of free leads and of the rep's own leads by that
copy, so a stale copy hides a lead from the queue head. These tests change owners every
way the product does (claim, reassign, release, a sales login, a new hand raise, a COPY
import, the upgrade itself, and an insert racing a reassignment on two connections) and
check the copy against ``leads.owner_id`` each time.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import create_engine, text

from qualdesk.db.engine import Database, normalise_url
from qualdesk.db.migrate import upgrade
from qualdesk.services import queue as q
from qualdesk.services.calls import log_call
from qualdesk.services.pg_roles import apply_grants, grant_login
from qualdesk.services.sync import libpq_url
from qualdesk.services.turnover import turn_over
from qualdesk.services.users import add_user
from tests.conftest import FrozenClock, _with_db, drop_pg, new_pg_url, pg_admin_url
from tests.factories import make_lead

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def pg(pg_template: str) -> Iterator[Database]:
    url = new_pg_url(pg_template)
    d = Database(url)
    yield d
    d.dispose()
    drop_pg(url)


def _stale(db: Database) -> list[tuple[int, int | None, int | None]]:
    with db.engine.connect() as c:
        return [tuple(r) for r in c.exec_driver_sql(
            "SELECT h.id, h.lead_owner_id, l.owner_id FROM hand_raises h JOIN leads l "
            "ON l.id = h.lead_id WHERE h.lead_owner_id IS DISTINCT FROM l.owner_id")]


def _copies(db: Database, lead_id: int) -> set[int | None]:
    with db.engine.connect() as c:
        return set(c.exec_driver_sql(
            f"SELECT DISTINCT lead_owner_id FROM hand_raises WHERE lead_id = {lead_id}").scalars())


def _user_id(db: Database, name: str) -> int:
    with db.engine.connect() as c:
        return c.exec_driver_sql(f"SELECT id FROM users WHERE name = '{name}'").scalar_one()


def _insert_raise_sql(lead_id: int) -> str:
    return ("INSERT INTO hand_raises (lead_id, campaign_id, kind, strength, raised_at, deadline_at, "
            "created_at) SELECT id, campaign_id, 'white_paper', 60, now(), now() + interval '1 hour', "
            f"now() FROM leads WHERE id = {lead_id}")


def test_claim_reassign_new_raise_and_release(pg: Database, frozen: FrozenClock) -> None:
    for name, role in (("Ann", "rep"), ("Bob", "rep"), ("Tia", "lead")):
        add_user(pg, name, role)
    lead = make_lead(pg)
    assert _copies(pg, lead) == {None}
    assert q.claim_next(pg, "Ann").lead_id == lead
    assert _copies(pg, lead) == {None}  # leased, not owned
    log_call(pg, lead, "Ann", "no_answer")  # the first attempt makes her the owner
    assert _copies(pg, lead) == {_user_id(pg, "Ann")}
    q.reassign(pg, lead, "Bob", "Tia")
    assert _copies(pg, lead) == {_user_id(pg, "Bob")}
    with pg.engine.begin() as c:  # a second hand raise on an owned lead inherits the owner
        c.exec_driver_sql(_insert_raise_sql(lead))
    assert _copies(pg, lead) == {_user_id(pg, "Bob")}
    q.reassign(pg, lead, None, "Tia")
    assert _copies(pg, lead) == {None}
    q.claim_lead(pg, lead, "Ann")
    log_call(pg, lead, "Ann", "no_answer")
    q.claim_lead(pg, lead, "Ann")
    assert _copies(pg, lead) == {_user_id(pg, "Ann")}
    q.release(pg, lead, "Ann")  # given back: the lead is the team's again
    assert _copies(pg, lead) == {None}
    assert _stale(pg) == []


def test_copy_import_rows_get_their_leads_owner(pg: Database, frozen: FrozenClock) -> None:
    add_user(pg, "Ann", "rep")
    owned, free = make_lead(pg, kind=None), make_lead(pg, email="b@x.test", kind=None)
    ann = _user_id(pg, "Ann")
    with pg.engine.begin() as c:
        c.exec_driver_sql(f"UPDATE leads SET owner_id = {ann} WHERE id = {owned}")
    now = frozen.t
    with psycopg.connect(libpq_url(pg)) as conn, conn.cursor() as cur:
        camp = cur.execute("SELECT campaign_id FROM leads WHERE id = %s", (owned,)).fetchone()[0]
        with cur.copy("COPY hand_raises (lead_id, campaign_id, kind, strength, raised_at, deadline_at, "
                      "created_at) FROM STDIN") as cp:
            for lid in (owned, free, owned):
                cp.write_row((lid, camp, "contact_form", 85, now, now + timedelta(hours=1), now))
    assert _copies(pg, owned) == {ann}
    assert _copies(pg, free) == {None}
    assert _stale(pg) == []


def test_upgrade_fills_the_copy_for_owned_leads(frozen: FrozenClock) -> None:
    name = f"qd_owner_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(pg_admin_url()), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = _with_db(pg_admin_url(), name)
    db = Database(url)
    try:
        upgrade(db, "0004")
        add_user(db, "Ann", "rep")
        owned, free = make_lead(db), make_lead(db, email="b@x.test")
        with db.engine.begin() as c:
            c.exec_driver_sql(f"UPDATE leads SET owner_id = {_user_id(db, 'Ann')} WHERE id = {owned}")
        upgrade(db)
        assert _copies(db, owned) == {_user_id(db, "Ann")}
        assert _copies(db, free) == {None}
    finally:
        db.dispose()
        drop_pg(url)


def _in_thread(sql: str, url: str) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with psycopg.connect(url, autocommit=True) as c:
                c.execute(sql)
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)

    t = threading.Thread(target=work)
    t.start()
    return t, errors


@pytest.mark.parametrize("first", ["insert", "reassign"])
def test_a_raise_inserted_while_the_lead_is_reassigned_keeps_no_old_owner(
        pg: Database, first: str) -> None:
    """Whichever of the two transactions goes first, the second waits for it, and the
    new hand raise ends with the lead's new owner."""
    add_user(pg, "Ann", "rep")
    add_user(pg, "Bob", "rep")
    lead = make_lead(pg)
    ann, bob = _user_id(pg, "Ann"), _user_id(pg, "Bob")
    with pg.engine.begin() as c:
        c.exec_driver_sql(f"UPDATE leads SET owner_id = {ann} WHERE id = {lead}")
    url = libpq_url(pg)
    reassign = f"UPDATE leads SET owner_id = {bob} WHERE id = {lead}"
    with psycopg.connect(url) as open_tx:
        open_tx.execute(_insert_raise_sql(lead) if first == "insert" else reassign)
        t, errors = _in_thread(reassign if first == "insert" else _insert_raise_sql(lead), url)
        time.sleep(0.5)
        assert t.is_alive(), "the second transaction should wait for the first"
        open_tx.commit()
    t.join(10)
    assert not t.is_alive() and not errors, errors
    assert _copies(pg, lead) == {bob}
    assert _stale(pg) == []


def test_a_sales_login_changes_an_owner_without_rights_on_hand_raises(pg: Database) -> None:
    """Sales sends a rejected lead back to its rep (a sales login acts only on the leads
    turned over to its own person, 0010)."""
    add_user(pg, "Ann", "rep")
    add_user(pg, "Sam", "sales")
    lead = make_lead(pg)
    turn_over(pg, lead, "Sam", by="Ann", override="asked for pricing")
    apply_grants(pg)
    login = "qdt_owner_sales"
    with pg.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql(f"DROP ROLE IF EXISTS {login}")
    grant_login(pg, "Sam", login, "pw")
    try:
        as_sales = pg.engine.url.set(drivername="postgresql", username=login, password="pw")
        with psycopg.connect(as_sales.render_as_string(hide_password=False), autocommit=True) as c:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute("UPDATE hand_raises SET lead_owner_id = NULL")
            c.execute(f"UPDATE leads SET owner_id = {_user_id(pg, 'Ann')} WHERE id = {lead}")
        assert _copies(pg, lead) == {_user_id(pg, "Ann")}
    finally:
        pg.dispose()
        with pg.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql(f"REVOKE qualdesk_sales FROM {login}")
            c.exec_driver_sql(f"DROP ROLE IF EXISTS {login}")
