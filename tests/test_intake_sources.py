"""Sources as data: secrets encrypted at rest and unreadable by a rep's login, team
leads manage sources, and a committed hand raise reaches a listening client (live sync)."""

from __future__ import annotations

import io
import json
import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import psycopg
import pytest
from sqlalchemy import select

from qualdesk.db.engine import Database
from qualdesk.db.models import IntakeSource
from qualdesk.errors import InvalidInput, NotAllowed
from qualdesk.services.intake.live.sources import (
    add_source,
    issue_test_token,
    list_sources,
    remove_source,
    rotate_secret,
)
from qualdesk.services.queue_rows import queue_rows
from qualdesk.services.sync import ChangeWatcher
from tests.cli_helpers import run
from tests.conftest import pg_url_with_logins
from tests.intake_server import Receiver, json_headers


def test_names_kinds_and_secrets_are_checked_and_secrets_kept_encrypted(db: Database) -> None:
    for bad in ("", "Has Caps", "a/b", "x" * 41, "naïve"):
        with pytest.raises(InvalidInput, match="source name"):
            add_source(db, bad, "json")
    with pytest.raises(InvalidInput, match="kind"):
        add_source(db, "x", "salesforce")
    with pytest.raises(InvalidInput, match="no secret"):
        add_source(db, "web", "form", secret="a" * 20)
    with pytest.raises(InvalidInput, match="16"):
        add_source(db, "short", "mautic", secret="tiny")
    new = add_source(db, "mautic", "mautic", secret="mautic-own-secret-123456")
    assert new.secret == "mautic-own-secret-123456"
    assert add_source(db, "web", "form").secret is None
    rotated = rotate_secret(db, "mautic")
    assert rotated.secret and rotated.secret != new.secret
    with db.session(write=False) as s:
        stored = s.scalar(select(IntakeSource.secret_enc).where(IntakeSource.name == "mautic"))
    assert stored and rotated.secret not in stored and stored.startswith("v1:")
    with pytest.raises(InvalidInput, match="already exists"):
        add_source(db, "web", "form")
    assert [s.name for s in list_sources(db)] == ["mautic", "web"]
    remove_source(db, "web")
    assert [s.name for s in list_sources(db)] == ["mautic"]


def test_the_cli_adds_and_lists_sources(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("the-secret-mautic-shows-me\n"))
    r = run(db_url, "intake", "source", "add", "mautic", "--kind", "mautic", "--campaign",
            "Spring", "--secret-stdin", "--json")
    assert r.code == 0, r.err
    assert r.json() == {"name": "mautic", "kind": "mautic", "path": "/intake/mautic",
                        "secret": None}
    r = run(db_url, "intake", "source", "add", "api", "--kind", "json", "--json")
    assert r.code == 0 and len(r.json()["secret"]) >= 32
    listed = run(db_url, "intake", "sources", "--json").json()
    assert [(s["name"], s["kind"], s["campaign"], s["path"], s["events_today"])
            for s in listed] == [("api", "json", None, "/intake/api", 0),
                                 ("mautic", "mautic", "Spring", "/intake/mautic", 0)]
    r = run(db_url, "intake", "source", "add", "Bad Name", "--kind", "json")
    assert r.code == 1 and r.err.count("\n") == 1 and "source name" in r.err


@pytest.fixture
def pg_url(pg_template: str) -> Iterator[str]:
    yield from pg_url_with_logins(pg_template, "qdi_")


def _login(url: str, name: str, role: str, monkeypatch: pytest.MonkeyPatch) -> str:
    from sqlalchemy.engine import make_url

    login = f"qdi_{name.lower().replace('-', '_')}_{uuid.uuid4().hex[:6]}"
    monkeypatch.setattr("sys.stdin", io.StringIO("pw\n"))
    r = run(url, "user", "add", name, "--role", role, "--db-login", login, "--password-stdin")
    assert r.code == 0, r.err
    return make_url(url).set(username=login, password="pw").render_as_string(hide_password=False)


def test_a_rep_login_sees_sources_but_never_a_secret(pg_url: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    lead_url = _login(pg_url, "Lena", "lead", monkeypatch)
    rep_url = _login(pg_url, "Raj", "rep", monkeypatch)
    lead_db, rep_db = Database(lead_url), Database(rep_url)
    try:
        secret = add_source(lead_db, "hubspot", "json").secret  # a team lead may
        assert secret
        rotate_secret(lead_db, "hubspot")
        assert issue_test_token(lead_db, "hubspot")
        assert [s.name for s in list_sources(rep_db)] == ["hubspot"]  # a rep may look
        with pytest.raises(NotAllowed):
            add_source(rep_db, "rogue", "json")
        with pytest.raises(NotAllowed):
            rotate_secret(rep_db, "hubspot")
        with psycopg.connect(rep_url, autocommit=True) as conn:
            sealed = conn.execute("SELECT secret_enc FROM intake_sources").fetchone()[0]
            assert sealed.startswith("v1:")  # encrypted, and the key is out of reach:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("SELECT key FROM intake_keys")
    finally:
        lead_db.dispose()
        rep_db.dispose()


def test_a_posted_hand_raise_reaches_a_listening_clients_queue(db_url: str) -> None:
    db = Database(db_url)
    secret = add_source(db, "api", "json").secret
    assert secret
    woke = threading.Event()
    watcher = ChangeWatcher(db, poll_interval=0.2)
    try:
        with Receiver(db_url) as rcv:
            watcher.start(lambda _pos: woke.set())
            time.sleep(0.5)  # the watcher has its starting position
            body = json.dumps({"event_id": "live-1", "lead": {
                "first_name": "Liv", "email": "liv@example.com"},
                "hand_raise": {"kind": "demo_request"}}).encode()
            t0 = time.monotonic()
            r = httpx.post(rcv.url("api"), content=body, headers=json_headers(secret, body))
            assert r.status_code == 200, r.text
            assert woke.wait(5), "the listening client never heard of the write"
            lead_id = r.json()["leads"][0]
            rows = queue_rows(db, None).rows
            assert rows[0].lead_id == lead_id and rows[0].kind == "demo_request"
            assert time.monotonic() - t0 < 2.0
    finally:
        watcher.stop()
        db.dispose()


def test_the_receiver_runs_with_an_admin_login_as_documented(
        pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    recv_url = _login(pg_url, "intake-receiver", "admin", monkeypatch)
    lead_url = _login(pg_url, "Lena", "lead", monkeypatch)
    lead_db = Database(lead_url)
    try:
        secret = add_source(lead_db, "hubspot", "json").secret
        assert secret
        with Receiver(recv_url) as rcv:
            body = json.dumps({"event_id": "adm-1", "lead": {
                "first_name": "Ola", "email": "ola@example.com"},
                "hand_raise": {"kind": "contact_form"}}).encode()
            r = httpx.post(rcv.url("hubspot"), content=body, headers=json_headers(secret, body))
            assert r.status_code == 200, r.text
            lead_id = r.json()["leads"][0]
            bad = httpx.post(rcv.url("hubspot"), content=b"{", headers=json_headers(secret, b"{"))
            assert bad.status_code == 400
        with psycopg.connect(pg_url, autocommit=True) as conn:
            actions = [a for (a,) in conn.execute(
                "SELECT action FROM audit_log WHERE lead_id = %s", (lead_id,))]
            assert "intake" in actions
            assert conn.execute("SELECT count(*) FROM intake_refusals").fetchone() == (1,)
    finally:
        lead_db.dispose()


def test_today_is_the_team_time_zones_day(db: Database, frozen: object) -> None:
    from datetime import UTC, datetime

    from qualdesk import clock
    from qualdesk.db.models import IntakeDelivery, IntakeRefusal
    from qualdesk.services import team_settings

    # 2026-11-23 15:00 UTC is already 11-24 05:00 on Kiritimati (UTC+14).
    team_settings.set_value(db, "team.timezone", "Pacific/Kiritimati")
    add_source(db, "api", "json")
    with db.session() as s:
        src = s.scalar(select(IntakeSource).where(IntakeSource.name == "api"))
        assert src is not None
        for i, at in enumerate((datetime(2026, 11, 23, 9, 59, tzinfo=UTC),  # 11-23 23:59 there
                                datetime(2026, 11, 23, 10, 1, tzinfo=UTC),  # 11-24 00:01
                                clock.now())):
            s.add(IntakeDelivery(source_id=src.id, body_sha256=f"{i:064d}", received_at=at,
                                 events=2))
        s.add(IntakeRefusal(source_id=src.id, source_name="api", at=clock.now(), status=401,
                            reason="no X-QualDesk-Signature header"))
    status = list_sources(db)[0]
    assert (status.events_today, status.refused_today) == (4, 1)
    assert status.last_event_at == clock.now()
    assert status.last_refusal_reason == "no X-QualDesk-Signature header"
