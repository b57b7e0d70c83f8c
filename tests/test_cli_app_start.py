"""Starting the desktop app parses only the ``app`` command: the other commands' modules
(and the libraries they pull in — Alembic, the import pipeline, reports) stay unloaded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qualdesk.cli import opens_the_app
from qualdesk.db.engine import Database
from qualdesk.db.migrate import upgrade


@pytest.mark.parametrize(("argv", "app"), [
    ([], True), (["app", "--demo"], True), (["--db", "sqlite:///x", "app"], True),
    (["--db=sqlite:///x"], True), (["--db", "sqlite:///x", "queue"], False),
    (["queue", "--json"], False), (["--help"], False), (["--version"], False),
    (["import", "leads", "app"], False),
])
def test_which_command_lines_open_the_app(argv: list[str], app: bool) -> None:
    assert opens_the_app(argv) is app


def test_app_start_loads_no_other_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'q.db'}"
    db = Database(url)
    upgrade(db)
    db.dispose()
    code = (
        "import sys\n"
        "from qualdesk.cli import main\n"
        f"code = main(['--db', {url!r}, 'app', '--rep', 'nobody'])\n"
        "heavy = [m for m in ('alembic', 'qualdesk.services.demo', 'qualdesk.cli.cmd_import',"
        " 'qualdesk.services.intake.import_leads') if m in sys.modules]\n"
        "print(code, heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # The core alone cannot open a window: it says so (exit 1) — after parsing only `app`.
    assert out.stdout.strip() == "1 []", out.stdout + out.stderr
    assert "the desktop app is not part of this entry point" in out.stderr
