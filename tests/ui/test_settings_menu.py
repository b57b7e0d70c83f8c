"""Settings (team leads and admins): every admin screen and editor opens from the menu;
reps and sales get no Settings menu."""

from __future__ import annotations

from qualdesk.services.users import add_user
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.ops import SyncRunner


def _window(qtbot, db, role: str) -> MainWindow:  # type: ignore[no-untyped-def]
    user = add_user(db, f"Someone {role}", role, email=f"{role}@example.com")
    w = MainWindow(AppContext(db, user, SyncRunner()))
    qtbot.addWidget(w)
    return w


def test_a_team_lead_opens_each_screen_from_settings(qtbot, sqlite_db) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QAction

    w = _window(qtbot, sqlite_db, "lead")
    opened = {}
    for name, attr in (("action_team_setup", "team_setup"), ("action_people", "people_view"),
                       ("action_team_settings", "team_settings_view"),
                       ("action_script_editor", "script_editor"),
                       ("action_template_editor", "template_editor")):
        action = w.findChild(QAction, name)
        assert action is not None, name
        action.trigger()
        view = w.features.settings.windows[attr]
        assert view.isVisible()
        opened[name] = view.objectName()
        view.close()
    assert opened["action_team_setup"] == "welcome_page"
    assert w.features.settings.windows["team_setup"].current == 2  # you are known: the setup starts at the reps


def test_reps_get_no_settings_menu(qtbot, sqlite_db) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMenu

    w = _window(qtbot, sqlite_db, "rep")
    assert w.findChild(QMenu, "menu_settings") is None
