"""The rep keeps working when the shared PostgreSQL goes away: a real server stop while
a lead is on screen, the disposition typed by key lands in the local outbox, and after
the restart it is in the database exactly once."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from qualdesk.db.engine import Database
from qualdesk.db.migrate import upgrade
from qualdesk.db.models import Attempt
from qualdesk.offline.outbox import Outbox
from qualdesk.offline.resilient import ResilientOps
from tests.pg_cluster import PgCluster
from tests.ui.conftest import seed_workspace
from tests.ui.test_workspace import open_window
from ui.context import AppContext
from ui.ops import SyncRunner


def test_disposition_while_the_database_is_down_replays_once(
    qtbot, private_pg: PgCluster, frozen, tmp_path
) -> None:
    url = private_pg.create_database("qd_gui_offline")
    db = Database(url)
    upgrade(db)
    seeded = seed_workspace(db, frozen.t)
    ops = ResilientOps(db, Outbox(tmp_path / "outbox.sqlite3"))
    ctx = AppContext(db, seeded.rep, SyncRunner(), resilient=ops)
    w, _ = open_window(qtbot, ctx)
    qtbot.keyClick(w, Qt.Key.Key_F2)
    lead = w.lead_panel.lead_id
    assert lead == seeded.leads["Alice"]
    qtbot.keyClick(w, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(w.focusWidget(), "rang twice, no answer")
    qtbot.keyClick(w.focusWidget(), Qt.Key.Key_Escape)

    private_pg.stop()
    qtbot.keyClick(w, Qt.Key.Key_2)  # no answer
    assert "offline — saved locally, 1 change waiting" in w.statusBar().currentMessage()
    assert ops.pending() == 1
    w.sync_status.refresh_now()
    assert w.sync_status.label.text() == "offline — 1 change waiting"

    private_pg.start()
    w.sync_status.refresh_now()
    assert ops.pending() == 0
    assert w.sync_status.label.text() == "online"
    w.sync_status.refresh_now()  # a second sync replays nothing
    check = Database(url)
    with check.session(write=False) as s:
        rows = s.execute(select(Attempt.lead_id, Attempt.disposition, Attempt.notes)).all()
    assert rows == [(lead, "no_answer", "rang twice, no answer")]
    check.dispose()
    w.close()
    db.dispose()
