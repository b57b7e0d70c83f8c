"""Tray alerts (what comes up for the rep: due callbacks, near breaches, re-touches) and
how several make one notification, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from qualdesk.db.engine import Database
from qualdesk.services.alerts import Alert, alert_summary, upcoming_alerts
from qualdesk.services.calls import schedule_callback
from qualdesk.services.queue import rep_queue
from tests.ui.conftest import seed_workspace


def test_alerts_due_callbacks_and_near_breaches(db: Database, frozen) -> None:
    seeded = seed_workspace(db, frozen.t)
    # Alice's demo request breaches in exactly 10 minutes: inside a 10-minute warning.
    alerts = upcoming_alerts(db, "Ana Rep", warn_minutes=10)
    assert [(a.kind, a.lead_id, a.text) for a in alerts] == [
        ("breach", seeded.leads["Alice"], "demo request from Alice Able breaches in 10 min")]
    assert upcoming_alerts(db, "Ana Rep", warn_minutes=9) == []

    schedule_callback(db, seeded.leads["Eve"], "Ana Rep", frozen.t + timedelta(minutes=5), "mine")
    schedule_callback(db, seeded.leads["Dan"], "Ben Rep", frozen.t + timedelta(minutes=5), "mine")
    frozen.advance(minutes=6)
    kinds = {(a.kind, a.lead_id) for a in upcoming_alerts(db, "Ana Rep", warn_minutes=1)}
    # Eve's is Ana's; Dan's is Ben's own promise, so Ana is not told.
    assert kinds == {("callback", seeded.leads["Eve"])}
    ben = {(a.kind, a.lead_id) for a in upcoming_alerts(db, "Ben Rep", warn_minutes=1)}
    assert ben == {("callback", seeded.leads["Dan"])}


def test_alerts_announce_a_lead_back_from_incubation(db: Database, frozen) -> None:
    from qualdesk.services.incubation import incubate

    seeded = seed_workspace(db, frozen.t)
    eve = seeded.leads["Eve"]
    incubate(db, eve, (frozen.t + timedelta(days=30)).date(), "bad timing",
             by="Ana Rep")
    assert [a for a in upcoming_alerts(db, "Ana Rep") if a.kind == "retouch"] == []
    frozen.advance(days=31)
    alerts = [a for a in upcoming_alerts(db, "Ana Rep") if a.kind == "retouch"]
    assert [(a.lead_id, a.text) for a in alerts] == [
        (eve, "Back from incubation: Eve Evans (bad timing)")]
    assert eve in [e.lead_id for e in rep_queue(db, "Ana Rep").entries]


def test_alerts_that_come_up_together_make_one_notification(frozen) -> None:
    def alert(i: int, kind: str) -> Alert:
        return Alert(f"k{i}", kind, i, f"Lead {i}", frozen.t, f"text {i}")

    assert alert_summary([alert(1, "callback")]) == ("Callback due", "text 1")
    assert alert_summary([alert(1, "retouch")]) == ("Re-touch due", "text 1")
    assert alert_summary([alert(1, "breach")]) == ("Hand raise about to breach", "text 1")
    assert alert_summary([alert(1, "breach"), alert(2, "callback")]) == (
        "2 leads need you now", "text 1\ntext 2")
    assert alert_summary([alert(i, "breach") for i in range(7)]) == (
        "7 leads need you now", "text 0\ntext 1\ntext 2\n…and 4 more")
