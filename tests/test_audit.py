"""The audit log: claims and releases, calls, callbacks, designation and owner changes are recorded
with who, when, old -> new; ``qualdesk audit`` lists and exports them; the lead panel's
history tab shows them."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Campaign, Lead, User
from qualdesk.domain.records import Changes, UserRecord
from qualdesk.services.calls import log_call, schedule_callback
from qualdesk.services.designations import set_designation
from qualdesk.services.hand_raises import add_hand_raise
from qualdesk.services.queue import claim_lead, reassign
from tests.cli_helpers import run


def seed(db: Database) -> tuple[int, int]:
    now = clock.now()
    with db.session() as s:
        camp = s.scalar(select(Campaign).where(Campaign.is_default.is_(True)))
        assert camp is not None
        for name, role in (("ana", "rep"), ("bob", "rep"), ("lee", "lead")):
            s.add(User(name=name, role=role, active=True, created_at=now))
        ids = []
        for i in range(2):
            lead = Lead(first_name=f"L{i}", email=f"l{i}@acme.test", phone=f"+121255501{i:02d}",
                        time_zones=["America/New_York"], campaign_id=camp.id, designation="cold",
                        created_at=now, updated_at=now)
            s.add(lead)
            s.flush()
            add_hand_raise(s, lead, camp, "contact_form", 50, now)
            ids.append(lead.id)
    return ids[0], ids[1]


def work(db: Database, frozen) -> int:
    a, b = seed(db)
    frozen.advance(minutes=1)
    claim_lead(db, a, "ana")
    frozen.advance(minutes=1)
    log_call(db, a, "ana", "connected", notes="interested")
    frozen.advance(minutes=1)
    schedule_callback(db, a, "ana", datetime(2026, 11, 24, 15, 0, tzinfo=UTC))
    frozen.advance(minutes=1)
    set_designation(db, a, "hot", "ana", "in dialog")
    frozen.advance(minutes=1)
    reassign(db, a, "bob", "lee")
    claim_lead(db, b, "bob")  # another lead: not in a's history
    return a


EXPECTED = [
    # (minute, user, action, field, old, new)
    (0, None, "designation", "designation", "cold", "warm"),
    (1, "ana", "claim", "claimed_by", None, "ana"),
    (2, "ana", "attempt", "disposition", None, "connected"),
    (2, "ana", "note", "note 1", None, "interested"),  # a call's note is audited like any note
    (3, "ana", "callback", "due_at", None, "2026-11-24T15:00:00+00:00"),
    (4, "ana", "designation", "designation", "warm", "hot"),
    (5, "lee", "reassign", "owner", "ana", "bob"),
]


def test_audit_lists_every_change_to_a_lead(db_url: str, frozen, tmp_path: Path) -> None:
    db = Database(db_url)
    start = frozen.t
    a = work(db, frozen)
    r = run(db_url, "audit", str(a), "--json")
    assert r.code == 0, r.err
    got = [(int((datetime.fromisoformat(e["at"]) - start).total_seconds() // 60), e["user"],
            e["action"], e["field"], e["old"], e["new"]) for e in r.json()]
    assert got == EXPECTED
    assert {e["lead"] for e in r.json()} == {a}

    everything = run(db_url, "audit", "--json").json()
    assert len(everything) == len(EXPECTED) + 2  # lead b: warm on hand raise, claimed by bob
    assert run(db_url, "audit", "--limit", "1", "--json").json()[0]["user"] == "bob"

    out = tmp_path / "audit.csv"
    r = run(db_url, "audit", str(a), "--csv", str(out))
    assert r.code == 0 and r.out.strip() == f"wrote 7 audit entries to {out}"
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["id", "at", "lead", "user", "action", "field", "old", "new", "by"]
    assert [(x["action"], x["old"], x["new"]) for x in rows][-1] == ("reassign", "ana", "bob")

    r = run(db_url, "audit", "999")
    assert r.code == 1 and r.err.strip() == "qualdesk: no lead with id 999"
    db.dispose()


def _team_hhmm(db: Database) -> str:
    """15:05 UTC in the team's time, as the app writes time (W10 #7)."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from qualdesk.services import team_settings

    tz = str(team_settings.get_value(db, "team.timezone") or "UTC")
    return datetime(2026, 11, 23, 15, 5, tzinfo=UTC).astimezone(ZoneInfo(tz)).strftime("%H:%M %Z")


def test_audit_view_shows_the_leads_history(qtbot: QtBot, qtmodeltester, sqlite_db: Database,
                                            frozen) -> None:
    from ui.audit_view import AuditView, Col
    from ui.context import AppContext
    from ui.ops import SyncRunner

    a = work(sqlite_db, frozen)
    ctx = AppContext(sqlite_db, UserRecord(1, "ana", "rep", None), SyncRunner())
    ctx.team_tz = "UTC"  # type: ignore[attr-defined]
    view = AuditView(ctx)
    qtbot.addWidget(view)
    assert view.model.rowCount() == 0 and not view.empty.isHidden()
    view.set_lead(a)
    qtmodeltester.check(view.model)
    m = view.model
    assert m.rowCount() == 7 and view.empty.isHidden()
    assert [m.data(m.index(i, Col.ACTION)) for i in range(7)] == [
        "Designation changed", "Picked up", "Call logged", "Note", "Callback set",
        "Designation changed", "Reassigned"]  # in words (W10 #7)
    assert m.data(m.index(0, Col.USER)) == "system"
    assert m.data(m.index(6, Col.AT)) == f"Mon 23 Nov 2026 {_team_hhmm(sqlite_db)}"
    assert (m.data(m.index(6, Col.OLD)), m.data(m.index(6, Col.NEW))) == ("ana", "bob")
    # A write elsewhere on this lead refreshes the tab.
    frozen.advance(minutes=1)
    set_designation(sqlite_db, a, "warm", "bob", "cooled off")
    ctx.sig_operation_executed.emit(Changes(leads=(a,)), None)
    assert m.rowCount() == 8 and m.data(m.index(7, Col.NEW)) == "Warm"


def test_a_release_is_audited_and_a_release_of_nothing_is_not(db: Database, frozen) -> None:
    from qualdesk.services.audit_query import audit_entries
    from qualdesk.services.queue import release

    a, _ = seed(db)
    claim_lead(db, a, "ana")
    frozen.advance(minutes=2)
    release(db, a, "bob")  # not bob's claim: nothing happens, nothing is recorded
    release(db, a, "ana")
    release(db, a, "ana")  # already released
    got = [(e.user, e.action, e.field, e.old, e.new) for e in audit_entries(db, a)]
    assert got[-2:] == [("ana", "claim", "claimed_by", None, "ana"),
                        ("ana", "release", "claimed_by", "ana", None)]
