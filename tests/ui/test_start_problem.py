"""The start on an unreachable database (W10 #3): a window that says so, with Retry;
without a display the line on stderr and a non-zero exit, as before."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QInputDialog
from pytestqt.qtbot import QtBot

from qualdesk.services.sign_in import open_signed_in
from ui.start_problem import StartProblemDialog, open_or_ask

CLOSED = "postgresql://nobody:pw@127.0.0.1:1/qualdesk"


def _dialog() -> StartProblemDialog | None:
    for w in QApplication.topLevelWidgets():
        if isinstance(w, StartProblemDialog) and w.isVisible():
            return w
    return None


def test_an_unreachable_database_shows_a_window_and_retry_opens_it_once_back(
        qtbot: QtBot, tmp_path: Path) -> None:
    where = {"url": CLOSED}
    seen: list[dict[str, Any]] = []

    def opener(_url: str) -> Any:
        return open_signed_in(where["url"], None, False)

    def look() -> None:
        dialog = _dialog()
        if dialog is None:
            QTimer.singleShot(50, look)
            return
        seen.append({"what": dialog.what.text(), "who": dialog.who.text(),
                     "details": dialog.details.text()})
        where["url"] = f"sqlite:///{tmp_path / 'back.sqlite3'}"  # the database is back
        dialog.retry.click()

    QTimer.singleShot(50, look)
    opened = open_or_ask(CLOSED, opener, interactive=True)
    assert opened is not None
    (db, user, users), url = opened
    db.dispose()
    assert url == CLOSED and user is None and users == []
    (first,) = seen
    assert first["what"] == "QualDesk cannot reach the team's database on 127.0.0.1, port 1."
    assert "team lead" in first["who"] and "qualdesk " not in first["who"]
    assert "Connection refused" in first["details"] or "connection" in first["details"]


def test_another_database_from_the_window_and_quit(qtbot: QtBot, tmp_path: Path) -> None:
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    steps: list[str] = []

    def type_other() -> None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QInputDialog) and w.isVisible():
                w.setTextValue(other)
                w.accept()
                return
        QTimer.singleShot(50, type_other)

    def look() -> None:
        dialog = _dialog()
        if dialog is None:
            QTimer.singleShot(50, look)
            return
        steps.append("asked")
        QTimer.singleShot(50, type_other)
        dialog.other.click()

    QTimer.singleShot(50, look)
    opened = open_or_ask(CLOSED, lambda u: open_signed_in(u, None, False), interactive=True)
    assert opened is not None and opened[1] == other and steps == ["asked"]
    opened[0][0].dispose()

    QTimer.singleShot(50, lambda: _dialog() and _dialog().quit.click())  # type: ignore[union-attr]
    assert open_or_ask(CLOSED, lambda u: open_signed_in(u, None, False), interactive=True) is None


def test_no_display_keeps_the_line_on_stderr_and_a_non_zero_exit(tmp_path: Path) -> None:
    env = {"QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "c"),
           "XDG_DATA_HOME": str(tmp_path / "d"), "PATH": "/usr/bin:/bin",
           "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "ui", "--db", CLOSED, "app"],
                          capture_output=True, text=True, timeout=60, env=env,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode != 0
    assert "qualdesk: database unavailable" in done.stderr


def test_a_sign_in_refusal_shows_its_own_words(qtbot: QtBot) -> None:
    """A refusal from ``services.sign_in`` (a ``NotAllowed``) is shown as written."""
    from qualdesk.errors import NotAllowed

    refusal = NotAllowed("Sam Rep is deactivated: ask your team lead to reactivate you "
                         "(Settings → People and roles)")
    calls: list[str] = []

    def opener(url: str) -> Any:
        calls.append(url)
        if len(calls) == 1:
            raise refusal
        return "opened"

    def look() -> None:
        dialog = _dialog()
        if dialog is None:
            QTimer.singleShot(50, look)
            return
        calls.append(dialog.what.text())
        dialog.retry.click()

    QTimer.singleShot(50, look)
    assert open_or_ask(CLOSED, opener, interactive=True) == ("opened", CLOSED)
    assert calls[1] == ("Sam Rep is deactivated: ask your team lead to reactivate you "
                        "(Settings → People and roles).")
