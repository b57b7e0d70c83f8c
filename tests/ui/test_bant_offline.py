"""BANT typed while the database is away (#21): the script stepper's save goes to the
outbox with its retry key, and the replay saves it once, even when replayed twice."""

from __future__ import annotations

import socket
from pathlib import Path

from sqlalchemy import func, select

from qualdesk.db.engine import Database
from qualdesk.db.models import ChangeLog, Qualification
from qualdesk.offline.outbox import Outbox
from qualdesk.offline.replay import replay
from qualdesk.offline.resilient import ResilientOps
from ui.script_stepper import ScriptStepper


def _gone() -> Database:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return Database(f"postgresql://nobody@127.0.0.1:{port}/gone")


def test_bant_typed_offline_is_queued_and_saved_once(qtbot, ctx, seeded, sqlite_db: Database,
                                                     tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox.sqlite3")
    gone = _gone()
    ctx.resilient = ResilientOps(gone, box)
    alice = seeded.leads["Alice"]
    w = ScriptStepper(ctx)
    qtbot.addWidget(w)
    w.set_lead(alice)
    qtbot.keyClicks(w.bant_form.budget, "40k-60k")  # typed: textEdited, as a rep types
    w.flush()
    qtbot.waitUntil(lambda: box.pending_count() == 1, timeout=5000)
    item = box.pending()[0]
    assert item.kind == "qualification" and item.payload["bant"]["budget"]["low"] == 40000
    assert [o.status for o in replay(sqlite_db, box)] == ["applied"]
    box.mark(item.id, "pending")  # the answer was lost: it replays again, and is found
    assert [o.status for o in replay(sqlite_db, box)] == ["duplicate"]
    with sqlite_db.session(write=False) as s:
        row = s.scalar(select(Qualification).where(Qualification.lead_id == alice))
        saves = s.scalar(select(func.count()).where(ChangeLog.kind == "qualification",
                                                    ChangeLog.lead_id == alice))
    assert row is not None and row.bant["budget"]["low"] == 40000 and saves == 1
    gone.dispose()
