"""The lead's Activity tab: digital body language newest first, in words, saying which
rule raised the hand — fed through the receiver's own service with signed events."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.services import team_settings
from qualdesk.services.intake.live.sources import add_source
from qualdesk.services.users import add_user
from tests.ui.intake_helpers import receive_signed
from ui.activity_view import ActivityModel, ActivityView, Col, details_text, raised_text
from ui.context import AppContext
from ui.ops import SyncRunner

PAT = {"first_name": "Pat", "last_name": "Quinn", "company": "Quinn & Co",
       "email": "pat@quinn.example", "phone": "+12125550188"}


def _feed(db: Database) -> int:
    """A blog visit, a pricing visit (a key page), an email open, then a demo request."""
    team_settings.set_value(db, "intake.key_pages", "*/pricing*")
    secret = add_source(db, "web", "json").secret
    assert secret is not None
    now = clock.now()

    def at(minutes: int) -> str:
        return (now - timedelta(minutes=minutes)).isoformat()

    out = receive_signed(db, "web", secret, [
        {"event_id": "e1", "lead": PAT, "activity": {"kind": "page_hit", "at": at(40),
                                                     "details": {"url": "https://quinn.example/blog/x"}}},
        {"event_id": "e2", "lead": PAT, "activity": {"kind": "page_hit", "at": at(30),
                                                     "details": {"url": "https://quinn.example/pricing"}}},
        {"event_id": "e3", "lead": PAT, "activity": {"kind": "email_open", "at": at(20),
                                                     "details": {"subject": "Your guide"}}},
        {"event_id": "e4", "lead": PAT, "hand_raise": {"kind": "demo_request", "at": at(10),
                                                       "details": "Wants a demo for 40 seats"}},
    ])
    assert out.events == 4 and out.leads
    return out.leads[0]


def _ctx(db: Database) -> AppContext:
    return AppContext(db, add_user(db, "Ana Rep", "rep", email="ana@example.com"), SyncRunner())


def test_activity_newest_first_with_the_rule_that_raised_the_hand(qtbot, qtmodeltester,
                                                                   sqlite_db: Database) -> None:
    lead = _feed(sqlite_db)
    view = ActivityView(_ctx(sqlite_db))
    qtbot.addWidget(view)
    view.set_lead(lead)
    m = view.model
    qtmodeltester.check(m)
    text = [[m.data(m.index(r, c)) for c in (Col.ACTIVITY, Col.DETAILS, Col.SOURCE, Col.RAISED)]
            for r in range(m.rowCount())]
    assert text == [
        ["Hand raise", "Wants a demo for 40 seats", "web", "demo request sent by web"],
        ["Email opened", "subject: Your guide", "web", ""],
        ["Page visit", "https://quinn.example/pricing", "web", "page visits — key page */pricing*"],
        ["Page visit", "https://quinn.example/blog/x", "web", ""],
    ]
    assert m.data(m.index(0, Col.AGO)) == "10m"
    assert view.summary.text() == ("4 activities, newest first · last 10m · "
                                   "2 raised the hand (in bold)")
    bold = m.data(m.index(0, Col.ACTIVITY), Qt.ItemDataRole.FontRole)  # a hand raise stands out
    assert bold is not None and bold.bold()
    assert m.data(m.index(1, Col.ACTIVITY), Qt.ItemDataRole.FontRole) is None


def test_an_empty_lead_says_where_activity_comes_from(qtbot, sqlite_db: Database, seeded) -> None:
    view = ActivityView(AppContext(sqlite_db, seeded.rep, SyncRunner()))
    qtbot.addWidget(view)
    view.set_lead(seeded.leads["Eve"])
    assert view.model.rowCount() == 0
    assert view.summary.text().startswith("No activity recorded yet.")
    view.set_lead(None)
    assert view.summary.text() == ""


def test_the_lead_panel_has_the_activity_tab_beside_the_hand_raises(qtbot, sqlite_db: Database) -> None:
    from tests.ui.test_workspace import open_window

    lead = _feed(sqlite_db)
    ctx = _ctx(sqlite_db)
    team_settings.set_value(sqlite_db, "calling.window_start", "00:00")
    team_settings.set_value(sqlite_db, "calling.window_end", "23:59")
    w, _ = open_window(qtbot, ctx)
    tabs = w.lead_panel.lead_tabs
    assert tabs.tabText(tabs.indexOf(w.features.activity)) == "Activity"
    assert tabs.tabText(tabs.indexOf(w.features.activity) - 1) == "Body language"
    w.lead_panel.set_lead(lead)
    tabs.setCurrentWidget(w.features.activity)
    assert w.features.activity.model.rowCount() == 4


def test_details_and_rules_read_as_words() -> None:
    assert details_text({"url": "https://x.example/a", "title": "A", "extra": 1}) == \
        "https://x.example/a · title: A · extra: 1"
    assert details_text({"old_points": 10, "new_points": 60}) == "old points: 10 · new points: 60"
    assert details_text({"nested": {"a": 1}, "empty": ""}) == ""
    assert raised_text(None) == ""
    assert raised_text("3 email opens in 7 days", "email_opens") == \
        "email opens — 3 email opens in 7 days"
    assert raised_text("points reached 100") == "points reached 100"
    assert ActivityModel().rowCount() == 0
