"""``qualdesk app``: resolve the database, sign in, open the main window.

Nothing Qt is created at import time; ``run`` builds the QApplication. The launcher
(``ui.launcher``) calls in with Qt's own options and its start instant; nothing here
imports it back.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qualdesk.db.engine import Database
from qualdesk.domain.records import UserRecord
from qualdesk.paths import default_db_url
from qualdesk.settings import MachineSettings

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget

    from ui.context import AppContext
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)


def resolve_db_url(db_url: str | None, machine: MachineSettings) -> str:
    """The command line, then ``QUALDESK_DB``, then this machine's choice, then the
    default SQLite file in the user's data dir. This machine's choice is stored without
    its password, which comes back from the OS keyring (``credentials.resolve``)."""
    from qualdesk.services.credentials import resolve

    return db_url or os.environ.get("QUALDESK_DB") or (
        resolve(machine.db_url) if machine.db_url else default_db_url())


def run_from_args(args: argparse.Namespace, qt_args: Sequence[str] = (),
                  t0: float | None = None) -> int:
    """The app runner the launcher gives the command line (``qualdesk`` / ``qualdesk app``).
    ``qt_args``: Qt's own options (``-style fusion``…); ``t0``: when the start began, for
    the smoke test's ready time."""
    smoke = getattr(args, "smoke_test", None)
    if smoke:
        from ui.smoke import arm

        arm(float(smoke), time.perf_counter() if t0 is None else t0, qt_args)
    return run(db_url=getattr(args, "db", None), rep=getattr(args, "rep", None),
               demo=bool(getattr(args, "demo", False)), qt_args=qt_args)


def run(db_url: str | None, rep: str | None, demo: bool, qt_args: Sequence[str] = ()) -> int:
    from ui.qt_libs import xcb_problem

    problem = xcb_problem()  # before Qt dies with a message that names the wrong library
    if problem:
        print(f"qualdesk: {problem}", file=sys.stderr)
        return 1
    app = _application(qt_args)
    machine = MachineSettings.load()
    first = resolve_db_url(db_url, machine)
    opened = _open_or_ask(first, rep, demo)
    if opened is None:
        return 1
    (db, user, users), url = opened
    if url != first:  # a team lead gave another database at the start: remember it
        _remember_db(machine, url)
    start = Start(app, db, machine)
    start.begin(user, users)
    code = app.exec()
    start.db.dispose()
    return int(code)


def _application(qt_args: Sequence[str]) -> QApplication:
    from PySide6.QtWidgets import QApplication

    from ui.crash_dialog import install_file_log
    from ui.icons import app_icon

    install_file_log()
    # Qt's own options (-style, -platform …) reach Qt; the desktop's palette and colour
    # scheme are Qt's to follow (nothing here sets a palette or a style).
    app = QApplication.instance() or QApplication([*sys.argv[:1], *qt_args])
    assert isinstance(app, QApplication)
    app.setApplicationName("QualDesk")
    app.setOrganizationName("QualDesk")
    app.setWindowIcon(app_icon())
    return app


def _open_or_ask(url: str, rep: str | None, demo: bool) -> Any:
    """Open the database and sign in; on a problem, a window that says what is wrong
    with Retry (``ui.start_problem``); without a display, the line on stderr only."""
    from ui.start_problem import open_or_ask

    return open_or_ask(url, lambda u: _open_database(u, rep, demo))


def _remember_db(machine: MachineSettings, url: str) -> None:
    machine.db_url = url
    try:
        machine.save()
    except OSError as exc:
        log.warning("could not remember the database: %s", exc)


def _open_database(url: str, rep: str | None,
                   demo: bool) -> tuple[Database, UserRecord | None, list[UserRecord]]:
    """The database ready to use, who ``--rep`` names, and (without one) who can sign in:
    with a person's own PostgreSQL login, that person (``services.sign_in``)."""
    from qualdesk.services.sign_in import open_signed_in

    return open_signed_in(url, rep, demo)


class Start:
    """From the start to the main window: the welcome page (a fresh install), the sign-in,
    or straight in (``--rep``). Keeps what it opens alive while the app runs."""

    def __init__(self, app: QApplication, db: Database, machine: MachineSettings) -> None:
        self.app, self.db, self.machine = app, db, machine
        self.ctx: AppContext | None = None
        self.window: MainWindow | None = None
        self.welcome_page: QWidget | None = None
        self.sign_in_dialog: QWidget | None = None

    def begin(self, user: UserRecord | None, users: list[UserRecord]) -> None:
        if user is not None:
            self.open_main(user)
        elif not users:
            self.welcome()  # sets the team up, then opens the app as you
        else:
            self.sign_in(users)

    def open_main(self, who: UserRecord) -> MainWindow:
        from ui.context import AppContext
        from ui.main_window import MainWindow

        self.machine.rep = who.name
        try:
            self.machine.save()
        except OSError as exc:  # a read-only config dir must not stop the rep working
            log.warning("could not remember the sign-in: %s", exc)
        self.ctx = AppContext(self.db, who)
        self.window = MainWindow(self.ctx)
        self.window.show()
        self.window.start_background_after_first_load()
        return self.window

    def sign_in(self, people: list[UserRecord]) -> None:
        from ui.sign_in import SignInDialog

        dialog = SignInDialog(people, self.machine.rep, self.db.display_name())
        self.sign_in_dialog = dialog

        def finished(result: int) -> None:
            chosen = dialog.selected_user()
            if result and chosen is not None:
                self.open_main(chosen)
            else:
                self.app.quit()

        dialog.finished.connect(finished)
        dialog.open()

    def welcome(self) -> None:
        from ui.ops import OpRunner
        from ui.welcome_page import WelcomePage

        page = WelcomePage(self.db, OpRunner(self.app), self.machine)
        self.welcome_page = page

        def welcomed(who: UserRecord | None, then: str) -> None:
            from qualdesk.services.sign_in import sign_in_choices

            self.db = page.db  # the step may have switched to the team's database
            if then == "signin":  # a person's own login offers that person only (#21)
                self.sign_in(sign_in_choices(self.db))
            elif who is None:
                self.app.quit()
            else:
                self.open_main(who).features.after_welcome(then)

        page.sig_done.connect(welcomed)
        page.show()
