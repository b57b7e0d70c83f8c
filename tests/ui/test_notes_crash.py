"""Notes survive a crash: a rep who types without a pause loses at most the last 2 s.

A real ``kill -9`` of a real app process (the notes editor, the op runner's threads, a
SQLite file) while it types without a pause; then the database must hold everything
but at most what was typed in the last 2 seconds, and the draft file likewise."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from qualdesk.db.engine import Database
from qualdesk.db.models import Note
from tests.ui.conftest import Seeded

ROOT = Path(__file__).resolve().parents[2]
TYPING_S = 7.0  # longer than any debounce: the old editor saved nothing in it
PROMISE_S = 2.0


@pytest.mark.timeout(120)
def test_kill_9_while_typing_loses_at_most_the_last_two_seconds(
        sqlite_db: Database, seeded: Seeded, tmp_path: Path) -> None:
    lead_id = seeded.leads["Alice"]
    text = ("Spoke with Alice about the pilot; budget approved for Q1, needs sign-off "
            "from the CFO; call back Tuesday after the board meeting; send pricing. ") * 4
    text_file = tmp_path / "text.txt"
    text_file.write_text(text, encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "QUALDESK_DATA_DIR": str(tmp_path / "data"),
           "QUALDESK_CONFIG_DIR": str(tmp_path / "config"),
           "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "tests.ui.notes_typist", sqlite_db.url,
                             seeded.rep.name, str(lead_id), str(text_file)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=ROOT)
    assert proc.stdout is not None
    typed: list[tuple[int, float]] = []
    try:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read() if proc.stderr else ""
        started = time.monotonic()
        while time.monotonic() - started < TYPING_S:
            line = proc.stdout.readline()
            if not line:
                break
            n, at = line.split()
            typed.append((int(n), float(at)))
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    assert typed and typed[-1][0] >= 100, "the typist did not type steadily"
    # The intervals were steady (no pause a debounce could have used).
    gaps = [b[1] - a[1] for a, b in zip(typed, typed[1:], strict=False)]
    assert max(gaps) < 0.5, max(gaps)
    typed_total = typed[-1][0]
    before_promise = max((n for n, at in typed if at <= killed_at - PROMISE_S), default=0)
    with sqlite_db.session(write=False) as s:
        bodies = list(s.scalars(select(Note.body).where(Note.lead_id == lead_id)))
    assert len(bodies) == 1, bodies
    body = bodies[0]
    assert text.startswith(body), "the saved note is not what was typed"
    assert len(body) >= before_promise, (
        f"{typed_total} characters typed; the database holds {len(body)}, but everything "
        f"typed up to 2 s before the kill ({before_promise}) must be there")
    drafts = list((tmp_path / "data" / "drafts").glob("*.json"))
    assert drafts, "no draft file"
