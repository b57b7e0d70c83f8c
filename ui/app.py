"""``qualdesk app``: resolve the database, sign in, open the main window.

Nothing Qt is created at import time; ``run`` builds the QApplication.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from qualdesk.domain.records import UserRecord
from qualdesk.errors import KnownError
from qualdesk.paths import default_db_url
from qualdesk.settings import MachineSettings

log = logging.getLogger(__name__)


def resolve_db_url(db_url: str | None, machine: MachineSettings) -> str:
    """The command line, then ``QUALDESK_DB``, then this machine's choice, then the
    default SQLite file in the user's data dir."""
    return db_url or os.environ.get("QUALDESK_DB") or machine.db_url or default_db_url()


def run_from_args(args: argparse.Namespace) -> int:
    """The app runner the launcher gives the command line (``qualdesk`` / ``qualdesk app``)."""
    smoke = getattr(args, "smoke_test", None)
    if smoke:
        from ui.launcher import T0
        from ui.smoke import arm

        arm(float(smoke), T0)
    return run(db_url=getattr(args, "db", None), rep=getattr(args, "rep", None),
               demo=bool(getattr(args, "demo", False)))


def run(db_url: str | None, rep: str | None, demo: bool) -> int:
    from ui.qt_libs import xcb_problem

    problem = xcb_problem()  # before Qt dies with a message that names the wrong library
    if problem:
        print(f"qualdesk: {problem}", file=sys.stderr)
        return 1
    from PySide6.QtWidgets import QApplication

    from qualdesk.services.sign_in import open_signed_in, sign_in_choices
    from ui.crash_dialog import install_file_log
    from ui.icons import app_icon

    install_file_log()
    from ui.launcher import QT_ARGS

    # Qt's own options (-style, -platform …) reach Qt; the desktop's palette and colour
    # scheme are Qt's to follow (nothing here sets a palette or a style).
    app = QApplication.instance() or QApplication([*sys.argv[:1], *QT_ARGS])
    assert isinstance(app, QApplication)
    app.setApplicationName("QualDesk")
    app.setOrganizationName("QualDesk")
    app.setWindowIcon(app_icon())

    machine = MachineSettings.load()
    try:
        # with a person's own PostgreSQL login, the person is the login's (services.sign_in)
        db, user, users = open_signed_in(resolve_db_url(db_url, machine), rep, demo)
    except KnownError as exc:
        print(f"qualdesk: {exc}", file=sys.stderr)
        return 1

    holder: dict[str, object] = {}

    def open_main(who: UserRecord) -> None:
        from ui.context import AppContext
        from ui.main_window import MainWindow

        machine.rep = who.name
        try:
            machine.save()
        except OSError as exc:  # a read-only config dir must not stop the rep working
            log.warning("could not remember the sign-in: %s", exc)
        ctx = AppContext(db, who)
        window = MainWindow(ctx)
        holder["ctx"], holder["window"] = ctx, window
        window.show()
        window.start_background_after_first_load()

    def sign_in(people: list[UserRecord]) -> None:
        from ui.sign_in import SignInDialog

        dialog = SignInDialog(people, machine.rep, db.display_name())
        holder["dialog"] = dialog

        def finished(result: int) -> None:
            chosen = dialog.selected_user()
            if result and chosen is not None:
                open_main(chosen)
            else:
                app.quit()

        dialog.finished.connect(finished)
        dialog.open()

    if user is not None:
        open_main(user)
    elif not users:
        # A fresh install: the welcome page sets the team up, then opens the app as you.
        from ui.ops import OpRunner
        from ui.welcome_page import WelcomePage

        welcome = WelcomePage(db, OpRunner(app), machine)
        holder["welcome"] = welcome

        def welcomed(who: UserRecord | None, then: str) -> None:
            nonlocal db
            db = welcome.db  # the step may have switched to the team's database
            if then == "signin":  # a person's own login offers that person only (#21)
                sign_in(sign_in_choices(db))
            elif who is None:
                app.quit()
            else:
                open_main(who)
                after_welcome(holder["window"], then)

        welcome.sig_done.connect(welcomed)
        welcome.show()
    else:
        sign_in(users)
    code = app.exec()
    db.dispose()
    return int(code)


def after_welcome(window: object, then: str) -> None:
    """The welcome page's last step: open the import dialog or the intake page."""
    if then == "import":
        window.file_actions.open_import()  # type: ignore[attr-defined]
    elif then == "intake":
        page = getattr(window, "feature_pages", {}).get("intake")
        if page is not None:
            window.pages.setCurrentWidget(page)  # type: ignore[attr-defined]
