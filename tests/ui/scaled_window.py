"""The cockpit under Qt's own scaling (``QT_SCALE_FACTOR``), which must be set before the
QApplication exists: a child process opens the demo data's window at a logical size,
takes the first lead (F2), runs the caller's lines and prints what they print."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_PREAMBLE = """
import os, sys, tempfile
sys.path.insert(0, {root!r})
tmp = tempfile.mkdtemp()
os.environ["QUALDESK_DATA_DIR"], os.environ["QUALDESK_CONFIG_DIR"] = tmp + "/d", tmp + "/c"
from PySide6.QtWidgets import QApplication
from qualdesk.db.engine import Database
from qualdesk.services.demo import load_demo
from qualdesk.services.users import get_user
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.ops import SyncRunner
app = QApplication(sys.argv[:1])
db = Database(f"sqlite:///{{tmp}}/x.sqlite3"); db.ensure_ready(); load_demo(db)
w = MainWindow(AppContext(db, get_user(db, "Alex Rivera"), SyncRunner()), lambda _u: {chose})
w.resize({width}, {height}); w.show()
w.queue.next_lead()
for _ in range(10):
    app.processEvents()
"""


def run_scaled(scale: str, width: int, height: int, lines: str, *, chose: bool = False) -> str:
    """Stdout of ``lines`` run after the window is up; the child's failure fails the test."""
    script = _PREAMBLE.format(root=str(ROOT), width=width, height=height, chose=chose) + lines
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR=scale)
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                         text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout
