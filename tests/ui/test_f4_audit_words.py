"""The lead's History tab in words and team time (W10 #7): no ``designation``,
``due_at``, ``claimed_by``, ``cold``, ``attempt`` or raw ISO stamps; When in team time."""

from __future__ import annotations

from qualdesk.db.engine import Database
from qualdesk.domain.records import UserRecord
from qualdesk.services import team_settings
from tests.test_audit import work


def test_history_speaks_words_in_team_time(qtbot, sqlite_db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    from ui.audit_view import AuditView, Col
    from ui.context import AppContext
    from ui.ops import SyncRunner

    a = work(sqlite_db, frozen)
    team_settings.set_value(sqlite_db, "team.timezone", "America/New_York")
    view = AuditView(AppContext(sqlite_db, UserRecord(1, "ana", "rep", None), SyncRunner()))
    qtbot.addWidget(view)
    view.set_lead(a)
    m = view.model
    rows = [[m.data(m.index(r, c)) for c in Col] for r in range(m.rowCount())]
    text = " ".join(" ".join(r) for r in rows)
    for word in ("designation ", "due_at", "claimed_by", "attempt", "cold", "warm", "UTC", "T1"):
        assert word not in text, (word, rows)
    assert rows[6][Col.AT] == "Mon 23 Nov 2026 10:05 EST"
    assert rows[0][Col.FIELD] == "Designation" and rows[2][Col.ACTION] == "Call logged"
    callback = rows[4]
    assert callback[Col.FIELD] == "Due" and callback[Col.NEW].endswith(("EST", "EDT")), callback
