"""The welcome page: a fresh install opens here instead of on a sign-in with nobody in it.

Five steps, each skippable, in a list on the left (click or Alt+number): the database
(solo SQLite file or a team's PostgreSQL, test connection, upgrade schema), you (the team
lead or admin), your reps, email (SMTP with "send me a test email"), leads (import a file,
open the intake page, or the demo data). Finishing opens the main window as you; the
same page comes back under Settings → Team setup (``ui/settings_menu.py``), where you
are already known.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from qualdesk.db.engine import Database
from qualdesk.domain.records import UserRecord
from qualdesk.settings import MachineSettings
from ui.welcome_steps import DatabaseStep, EmailStep, LeadsStep, RepsStep, Step, YouStep

STEPS = (DatabaseStep, YouStep, RepsStep, EmailStep, LeadsStep)


class WelcomePage(QWidget):
    # (who to open the app as, or None; then what: "", "import", "intake", "signin")
    sig_done = Signal(object, str)

    def __init__(self, db: Database, runner: Any, machine: MachineSettings | None = None,
                 user: UserRecord | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome_page")
        self.setWindowTitle("Welcome to QualDesk" if user is None else "QualDesk team setup")
        self.db, self.runner, self.machine, self.user = db, runner, machine, user
        self.first_run = user is None
        self._done = False
        self.steps_list = QListWidget(self)
        self.steps_list.setObjectName("welcome_steps")
        self.stack = QStackedWidget(self)
        self.steps: list[Step] = []
        for i, cls in enumerate(STEPS, start=1):
            step = cls(self)
            self.steps.append(step)
            self.stack.addWidget(step)
            self.steps_list.addItem(f"{i}  {step.title}")
            QShortcut(QKeySequence(f"Alt+{i}"), self,
                      activated=lambda k=i - 1: self.go(k))  # type: ignore[call-arg]
        self.steps_list.setMaximumWidth(self.steps_list.sizeHintForColumn(0) + 40)
        self.steps_list.currentRowChanged.connect(self._shown)

        hello = QLabel("<h1>Welcome to QualDesk</h1><p>Set up your team in a few steps. "
                       "Skip any of them: everything is under Settings → Team setup later."
                       "</p>" if self.first_run else
                       "<h1>Team setup</h1><p>The same steps as on the first day.</p>")
        hello.setObjectName("welcome_hello")
        hello.setWordWrap(True)
        self.note = QLabel("")
        self.note.setObjectName("welcome_note")
        self.back = QPushButton("&Back")
        self.back.setObjectName("welcome_back")
        self.skip = QPushButton("S&kip")
        self.skip.setObjectName("welcome_skip")
        self.next = QPushButton("&Next")
        self.next.setObjectName("welcome_next")
        self.next.setDefault(True)
        self.finish_button = QPushButton("&Open QualDesk" if self.first_run else "&Close")
        self.finish_button.setObjectName("welcome_finish")
        self.sign_in = QPushButton("&Sign in instead")
        self.sign_in.setObjectName("welcome_sign_in")
        self.sign_in.setToolTip("The database already has people: sign in as one of them")
        self.sign_in.setVisible(False)
        self.back.clicked.connect(lambda: self.go(self.current - 1))
        self.skip.clicked.connect(lambda: self.go(self.current + 1))
        self.next.clicked.connect(self._next)
        self.finish_button.clicked.connect(lambda: self.finish(""))
        self.sign_in.clicked.connect(lambda: self._emit(None, "signin"))

        buttons = QHBoxLayout()
        buttons.addWidget(self.note, 1)
        for b in (self.sign_in, self.back, self.skip, self.next, self.finish_button):
            buttons.addWidget(b)
        body = QHBoxLayout()
        body.addWidget(self.steps_list)
        body.addWidget(self.stack, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(hello)
        lay.addLayout(body, 1)
        lay.addLayout(buttons)
        self.resize(900, 560)
        self.go(0 if self.first_run else 2)

    @property
    def current(self) -> int:
        return self.stack.currentIndex()

    def go(self, index: int) -> None:
        index = max(0, min(len(self.steps) - 1, index))
        self.steps_list.setCurrentRow(index)  # -> _shown

    def _shown(self, index: int) -> None:
        if index < 0:
            return
        self.stack.setCurrentIndex(index)
        self.back.setEnabled(index > 0)
        last = index == len(self.steps) - 1
        self.next.setEnabled(not last)
        self.skip.setEnabled(not last)
        self.steps[index].refresh()
        field = next((w for w in self.steps[index].findChildren(QLineEdit) if w.isEnabled()), None)
        if field is not None:  # the next keystroke belongs in the step's first field
            field.setFocus()

    def _next(self) -> None:
        here = self.current

        def go_on() -> None:
            if self.current == here:  # not if the rep moved elsewhere while it wrote
                self.go(here + 1)

        self.steps[here].advance(go_on)

    def switch_database(self, url: str) -> None:
        """The team's database from now on, on this machine too."""
        from qualdesk.services.first_run import needs_setup

        old, self.db = self.db, Database(url)
        if old is not self.db:
            old.dispose()
        if self.machine is not None:
            from qualdesk.errors import KnownError
            from qualdesk.services.credentials import remember_connection

            try:  # the password goes to the OS keyring, the file keeps the URL without it
                remember_connection(url, self.machine)
            except (OSError, KnownError) as exc:
                self.note.setText(f"⚠ could not remember the database on this machine: {exc}")
        if not self.first_run:
            self.note.setText("The app uses this database from the next time you open it.")
        else:
            self.runner.run(lambda: not needs_setup(self.db),
                            lambda has_people: self.sign_in.setVisible(bool(has_people)))

    def finish(self, then: str) -> None:
        if self.user is None:
            self.note.setText("Create yourself first: the app opens as you.")
            self.go(1)
            return
        self._emit(self.user, then)

    def _emit(self, user: UserRecord | None, then: str) -> None:
        self._done = True
        self.sig_done.emit(user, then)
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._done:  # closed with the window button: quit without opening
            self._done = True
            self.sig_done.emit(None, "")
        super().closeEvent(event)

