"""`qualdesk … | head`: a reader that leaves early ends the command quietly (no traceback),
like other Unix tools."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from qualdesk.db.engine import Database
from qualdesk.services.demo import load_demo


def test_a_reader_that_leaves_early_gets_no_traceback(sqlite_db: Database, tmp_path: Path) -> None:
    load_demo(sqlite_db)
    url = sqlite_db.url
    sqlite_db.dispose()
    cmd = f"{sys.executable} -m qualdesk --db '{url}' leads --json | head -c 10 >/dev/null"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True,
                          text=True, timeout=60, cwd=Path(__file__).resolve().parents[1])
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (0, 141), done.stderr
