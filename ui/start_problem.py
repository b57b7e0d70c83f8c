"""When the start cannot open the team's database or sign in: a window that says so.

Before this, every ``KnownError`` from opening the database went to stderr only, so a
rep starting QualDesk from the desktop saw nothing at all. Now the start shows what is
wrong in words, who can fix it, and Retry / Use another database… / Quit. Without a
display (offscreen, minimal) nothing can be shown: the line on stderr and a non-zero
exit stay, as before.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from qualdesk.errors import DatabaseUnavailable, KnownError

RETRY, OTHER = 2, 3  # dialog results beside Rejected (0: Quit)
HEADLESS = frozenset({"offscreen", "minimal"})


def where(url: str) -> str:
    """The database in words, without a password."""
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - a malformed address is still shown as typed
        return "the database address this computer uses"
    if parsed.get_backend_name() == "sqlite":
        return f"the database file {parsed.database}"
    return f"the team's database on {parsed.host or 'this computer'}, port {parsed.port or 5432}"


def explain(exc: KnownError, url: str) -> tuple[str, str]:
    """(what is wrong, who can fix it) for the start's problem."""
    if isinstance(exc, DatabaseUnavailable):
        return (f"QualDesk cannot reach {where(url)}.",
                "Ask your team lead, or whoever looks after the team's database, to check "
                "that it is running and that this computer may reach it; then press Retry.")
    return (_sentence(str(exc)), "Your team lead can fix this; then press Retry.")


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "." if text else "QualDesk could not start."


class StartProblemDialog(QDialog):
    """What went wrong opening the database or signing in, with Retry, another
    database (for a team lead or admin) and Quit."""

    def __init__(self, exc: KnownError, url: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("start_problem")
        self.setWindowTitle("QualDesk cannot start")
        self.url = url
        what, who = explain(exc, url)
        self.what = self._label(what, "start_problem_what")
        self.what.setStyleSheet("font-weight: bold")
        self.who = self._label(who, "start_problem_who")
        self.details = self._label(f"Details: {exc}", "start_problem_details")
        box = QDialogButtonBox(self)
        box.setObjectName("start_problem_buttons")
        self.retry = box.addButton("&Retry", QDialogButtonBox.ButtonRole.AcceptRole)
        self.retry.setObjectName("start_problem_retry")
        self.other = box.addButton("&Use another database…", QDialogButtonBox.ButtonRole.ActionRole)
        self.other.setObjectName("start_problem_other")
        self.other.setToolTip("For a team lead or admin: the address of the team's database")
        self.quit = box.addButton("&Quit", QDialogButtonBox.ButtonRole.RejectRole)
        self.quit.setObjectName("start_problem_quit")
        self.retry.clicked.connect(lambda: self.done(RETRY))
        self.other.clicked.connect(self.choose_other)
        self.quit.clicked.connect(self.reject)
        lay = QVBoxLayout(self)
        for part in (self.what, self.who, self.details):
            lay.addWidget(part)
        lay.addWidget(box)
        self.retry.setDefault(True)
        self.retry.setFocus()
        self.resize(560, self.sizeHint().height())

    def _label(self, text: str, name: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName(name)
        label.setWordWrap(True)
        return label

    def choose_other(self) -> None:
        url, ok = QInputDialog.getText(
            self, "Use another database",
            "The team's database address (your team lead or admin has it):",
            QLineEdit.EchoMode.Normal, self.url)
        if ok and url.strip():
            self.url = url.strip()
            self.done(OTHER)


Opener = Callable[[str], Any]


def _known(opener: Opener, url: str) -> Any:
    """``opener(url)``, a refused connection as the ``KnownError`` the command line
    also prints (``database unavailable: …``, its first line)."""
    try:
        return opener(url)
    except OperationalError as exc:
        lines = str(exc.orig or exc).strip().splitlines()
        raise DatabaseUnavailable("database unavailable: " + (lines[0] if lines else "no connection")) from exc


def open_or_ask(url: str, opener: Opener, *, interactive: bool | None = None) -> tuple[Any, str] | None:
    """``opener(url)``'s result and the url it opened, asking again on every problem
    while the person presses Retry (or gives another database); None: they quit, or
    there is no display to ask on. Every problem also goes to stderr."""
    if interactive is None:
        interactive = QGuiApplication.platformName() not in HEADLESS
    while True:
        try:
            return _known(opener, url), url
        except KnownError as exc:
            print(f"qualdesk: {exc}", file=sys.stderr)
            if not interactive:
                return None
            dialog = StartProblemDialog(exc, url)
            result = dialog.exec()
            if result == OTHER:
                url = dialog.url
            elif result != RETRY:
                return None
