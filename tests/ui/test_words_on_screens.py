"""Trap 10 (issue 17) on the team lead's and sales' screens: codes reach people through
``ui/labels`` (designations, verdicts, hand-raise kinds, report groupings, roles), never
as ``turned_over`` or ``demo_request``."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt

from qualdesk.db.engine import Database
from qualdesk.services.turnover import TurnOverRecord
from qualdesk.services.users import get_user
from tests.test_floor import seed as seed_floor
from tests.test_words_in_front import STRUCTURED_BANT
from ui.context import AppContext
from ui.floor_view import FloorView, RiskCol
from ui.ops import SyncRunner
from ui.reports_view import ReportsView
from ui.sales_handoff import handoff_html
from ui.sales_view import Column, TurnOverModel

CODES = ("turned_over", "demo_request", "contact_form", "hand_raise", "no_answer", "q_works",
         "low=", "rejected (")


def _record(designation: str, verdict: str | None, reason: str | None) -> TurnOverRecord:
    return TurnOverRecord(1, 7, "Ada Lovelace", "Analytical", None, designation, "Sam", "Rita",
                          datetime(2026, 12, 1, 15, 0, tzinfo=UTC), None, None, verdict, None,
                          reason, {})


def test_sales_sees_the_status_and_the_handoff_in_words(qtbot) -> None:
    model = TurnOverModel()
    model.set_rows([_record("turned_over", None, None),
                    _record("incubating", "rejected", "no budget")])
    status = [model.data(model.index(r, Column.STATUS)) for r in range(2)]
    assert status == ["Turned over", "Incubating (rejected: no budget)"]
    html = handoff_html({
        "bant": STRUCTURED_BANT, "answers": {"q_works": "Spreadsheets", "q_pain_now": "slow"},
        "questions": {"q_works": "How do you handle this today?"},
        "attempts": {"count": 1, "last_disposition": "no_answer"},
        "body_language": [{"kind": "demo_request", "at": "2026-12-01T14:00:00+00:00"}]})
    assert "40,000–60,000 USD" in html and "VP Operations; decision maker" in html
    assert "How do you handle this today? <b>Spreadsheets</b>" in html
    assert "Pain now: <b>slow</b>" in html
    assert "last: No answer" in html and "Demo request" in html
    assert not [c for c in CODES if c in html]


def test_the_floor_names_hand_raises_in_words(qtbot, sqlite_db: Database, frozen) -> None:
    seed_floor(sqlite_db, frozen)
    view = FloorView(AppContext(sqlite_db, get_user(sqlite_db, "lee"), SyncRunner()))
    qtbot.addWidget(view)
    r = view.risk_model
    kinds = {r.data(r.index(i, RiskCol.KIND), Qt.ItemDataRole.DisplayRole)
             for i in range(r.rowCount())}
    assert kinds and kinds <= {"Contact form", "Demo request", "Called in", "Chat"}, kinds
    view.poll_timer.stop()


def test_report_groupings_are_words(qtbot, sqlite_db: Database, frozen) -> None:
    from qualdesk.services.users import add_user

    add_user(sqlite_db, "Lee", "lead")
    view = ReportsView(AppContext(sqlite_db, get_user(sqlite_db, "Lee"), SyncRunner()))
    qtbot.addWidget(view)
    view.set_report("sla")
    groups = [view.group.itemText(i) for i in range(view.group.count())]
    assert "Hand raise" in groups and "Campaign" in groups
    assert not [g for g in groups if "_" in g or g[:1].islower()]


def test_roles_are_words() -> None:
    from ui import labels

    assert [labels.role(r) for r in ("rep", "lead", "sales", "admin")] == \
        ["Qualifying rep", "Team lead", "Sales", "Admin"]
