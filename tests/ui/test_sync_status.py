"""The status-bar pieces of live sync: LiveRefresh delivers remote writes on the GUI
thread; SyncStatusWidget shows offline / waiting / conflicts."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread
from pytestqt.qtbot import QtBot

from qualdesk.db.engine import Database
from qualdesk.services import audit
from qualdesk.services.sync import current_position
from ui.live_refresh import LiveRefresh


def test_remote_change_arrives_on_gui_thread(qtbot: QtBot, sqlite_db: Database) -> None:
    lr = LiveRefresh(Database(sqlite_db.url), poll_interval=0.2)
    seen: list[tuple[int, bool]] = []
    spans: list[tuple[int, int, bool]] = []  # (previous, new): what landed can be asked for
    gui = QThread.currentThread()
    lr.sig_remote_change.connect(lambda pos: seen.append((pos, QThread.currentThread() is gui)))
    lr.sig_remote_span.connect(lambda a, b: spans.append((a, b, QThread.currentThread() is gui)))
    start = current_position(sqlite_db)
    lr.start(since=start)
    try:
        def write() -> None:
            with sqlite_db.session() as s:
                audit.bump(s, "hand_raise", 1)

        t = threading.Thread(target=write)
        t.start()
        t.join()
        qtbot.waitUntil(lambda: bool(seen), timeout=2000)
    finally:
        lr.stop()
    assert seen[-1] == (start + 1, True)
    assert spans == [(start, start + 1, True)]


def _dead_pg_url() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"postgresql://nobody@127.0.0.1:{port}/gone"  # nothing listens there


def test_status_shows_offline_waiting_then_conflict(qtbot: QtBot, sqlite_db: Database,
                                                    tmp_path) -> None:
    from sqlalchemy import select

    from qualdesk import clock
    from qualdesk.db.models import Campaign, Lead, User
    from qualdesk.domain.records import UserRecord
    from qualdesk.offline.outbox import Outbox
    from qualdesk.offline.resilient import ResilientOps
    from qualdesk.services.queue import reassign
    from ui.context import AppContext
    from ui.ops import SyncRunner
    from ui.sync_status import SyncStatusWidget

    now = clock.now()
    with sqlite_db.session() as s:
        camp = s.scalar(select(Campaign).where(Campaign.is_default.is_(True)))
        s.add_all([User(name="ana", role="rep", created_at=now),
                   User(name="bob", role="rep", created_at=now)])
        lead = Lead(first_name="Pat", email="p@x.test", phone="+12125550100", time_zones=["UTC"],
                    campaign_id=camp.id, designation="warm", created_at=now, updated_at=now)
        s.add(lead)
        s.flush()
        lead_id = lead.id

    offline_db = Database(_dead_pg_url())
    ops = ResilientOps(offline_db, Outbox(tmp_path / "outbox.sqlite3"))
    ctx = AppContext(sqlite_db, UserRecord(1, "ana", "rep", None), SyncRunner())
    w = SyncStatusWidget(ctx, ops=ops)
    qtbot.addWidget(w)
    assert ops.log_call(lead_id, "ana", "no_answer").status == "queued"
    assert ops.save_note(lead_id, "ana", "call back after lunch").status == "queued"
    w.button.click()
    assert w.label.text() == "offline — 2 changes waiting"

    reassign(sqlite_db, lead_id, "bob", None)  # meanwhile, on the shared database
    ops.db = sqlite_db  # the database is back
    refreshed: list[object] = []
    ctx.sig_operation_executed.connect(lambda ch, _i: refreshed.append(ch))
    with qtbot.waitSignal(w.sig_conflicts_found) as sig:
        w.refresh_now()
    assert [o.status for o in sig.args[0]] == ["conflict", "conflict"]
    assert w.label.text() == (
        f"online — 2 conflicts: lead {lead_id} was reassigned to bob while you were offline: "
        "your note is saved on it")
    assert "your call (no_answer) is recorded" in w.label.toolTip()
    assert refreshed and lead_id in refreshed[0].leads  # views refresh after the replay
    w.clear_conflicts()
    assert w.label.text() == "online"
    offline_db.dispose()


def test_a_mail_client_followup_made_offline_opens_when_it_replays(qtbot: QtBot, ctx, seeded,
                                                                   sqlite_db: Database,
                                                                   frozen, tmp_path) -> None:
    from PySide6.QtCore import QUrl

    from qualdesk.offline.outbox import Outbox
    from qualdesk.offline.resilient import ResilientOps
    from qualdesk.services import team_settings
    from ui.sync_status import SyncStatusWidget

    team_settings.set_value(sqlite_db, "email.mode", "mailclient")
    ops = ResilientOps(sqlite_db, Outbox(tmp_path / "outbox.sqlite3"))
    lead = seeded.leads["Alice"]
    ops.outbox.add("followup", {"lead_id": lead, "rep": "Ana Rep",
                                "queued_at": frozen.t.isoformat()}, "offline-1")
    w = SyncStatusWidget(ctx, ops=ops)
    qtbot.addWidget(w)
    opened: list[QUrl] = []
    w.open_url = opened.append
    w.refresh_now()
    assert w.label.text() == "online" and ops.pending() == 0
    assert len(opened) == 1 and opened[0].toLocalFile().endswith(".eml")
    w.refresh_now()  # replayed once: nothing opens again
    assert len(opened) == 1
