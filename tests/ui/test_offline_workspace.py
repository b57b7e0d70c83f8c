"""The rep keeps working when the shared PostgreSQL goes away: a real server stop while
a lead is on screen, the disposition typed by key lands in the local outbox, and after
the restart it is in the database exactly once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from sqlalchemy import select

from qualdesk.db.engine import Database
from qualdesk.db.migrate import upgrade
from qualdesk.db.models import Attempt, Email
from qualdesk.offline.outbox import Outbox
from qualdesk.offline.resilient import ResilientOps
from tests.pg_cluster import PgCluster
from tests.ui.conftest import Seeded, seed_workspace
from tests.ui.test_workspace import open_window
from ui.context import AppContext
from ui.followup_dialog import FollowUpDialog
from ui.ops import SyncRunner


def _workspace(cluster: PgCluster, frozen: Any, tmp_path: Path,
               name: str) -> tuple[str, Database, Seeded, ResilientOps, AppContext]:
    """A seeded workspace on a database of the test's own server, with its own outbox."""
    url = cluster.create_database(name)
    db = Database(url)
    upgrade(db)
    seeded = seed_workspace(db, frozen.t)
    ops = ResilientOps(db, Outbox(tmp_path / "outbox.sqlite3"))
    return url, db, seeded, ops, AppContext(db, seeded.rep, SyncRunner(), resilient=ops)


def _replays_one_followup(cluster: PgCluster, ops: ResilientOps, url: str, lead: int) -> None:
    """The database back: the outbox replays, and the follow-up is in exactly once."""
    cluster.start()
    assert ops.sync().pending == 0
    check = Database(url)
    with check.session(write=False) as s:
        assert s.execute(select(Attempt.lead_id, Attempt.disposition)).all() == [
            (lead, "left_voicemail")]
        assert s.execute(select(Email.lead_id, Email.to_addr)).all() == [(lead, "alice@acme.example")]
    check.dispose()


def test_disposition_while_the_database_is_down_replays_once(
    qtbot, private_pg: PgCluster, frozen, tmp_path
) -> None:
    url, db, seeded, ops, ctx = _workspace(private_pg, frozen, tmp_path, "qd_gui_offline")
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
    w.features.sync_status.refresh_now()
    assert w.features.sync_status.label.text() == "offline — 1 change waiting"

    private_pg.start()
    w.features.sync_status.refresh_now()
    assert ops.pending() == 0
    assert w.features.sync_status.label.text() == "online"
    w.features.sync_status.refresh_now()  # a second sync replays nothing
    check = Database(url)
    with check.session(write=False) as s:
        rows = s.execute(select(Attempt.lead_id, Attempt.disposition, Attempt.notes)).all()
    assert rows == [(lead, "no_answer", "rang twice, no answer")]
    check.dispose()
    w.close()
    db.dispose()


def test_followup_sent_after_the_database_went_away_waits_in_the_outbox(
    qtbot, private_pg: PgCluster, frozen, tmp_path
) -> None:
    url, db, seeded, ops, ctx = _workspace(private_pg, frozen, tmp_path, "qd_gui_followup")
    lead = seeded.leads["Alice"]
    dlg = FollowUpDialog(ctx, lead)
    qtbot.addWidget(dlg)
    dlg.open()
    assert dlg.send_btn.isEnabled()  # the rep has read the script

    private_pg.stop()
    dlg.send()
    assert dlg.status.text().startswith("◷ Voicemail saved offline; the email goes out when "
                                        "the database is back (offline — saved locally, 1 change")
    assert not dlg.send_btn.isEnabled() and ops.pending() == 1
    dlg.send()  # one click, one follow-up
    assert ops.pending() == 1

    _replays_one_followup(private_pg, ops, url, lead)
    dlg.close()
    db.dispose()


def test_followup_made_offline_from_the_lead_on_screen(qtbot, private_pg: PgCluster, frozen,
                                                       tmp_path) -> None:
    """The database goes away during the call: F6 still shows the script (rendered when
    the lead was opened), and the follow-up waits in the outbox until the database is back."""
    url, db, seeded, ops, ctx = _workspace(private_pg, frozen, tmp_path, "qd_gui_followup_off")
    w, _ = open_window(qtbot, ctx)
    qtbot.keyClick(w, Qt.Key.Key_F2)
    lead = w.lead_panel.lead_id
    assert lead == seeded.leads["Alice"]

    private_pg.stop()
    qtbot.keyClick(w, Qt.Key.Key_F6)
    dlg = w.features.lead_actions._dialog
    assert isinstance(dlg, FollowUpDialog)
    assert dlg.header.text().startswith("Offline — the follow-up as rendered at ")
    assert dlg.voicemail.toPlainText().startswith("Hi Alice, this is Ana Rep")
    assert dlg.send_btn.isEnabled()
    dlg.send()
    assert dlg.status.text().startswith("◷ Voicemail saved offline")
    assert ops.pending() == 1

    _replays_one_followup(private_pg, ops, url, lead)
    dlg.close()
    w.close()
    db.dispose()
