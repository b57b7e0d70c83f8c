"""The Settings menu (team leads and admins): Team setup (the welcome page's steps again),
People and roles, Team settings, the script and template editors. Each opens in a window
of its own, kept alive while it is open."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMenu, QWidget

from qualdesk.domain.records import UserRecord
from qualdesk.settings import MachineSettings

if TYPE_CHECKING:
    from ui.host import Host


class SettingsMenu:
    def __init__(self, host: Host, user: UserRecord, after_setup: Callable[[str], None]) -> None:
        """``after_setup(then)``: the team setup's last step ("", "import", "intake")."""
        self.host, self.user, self.after_setup = host, user, after_setup
        self.windows: dict[str, QWidget] = {}  # by name: the last one opened, kept alive
        menu = host.menuBar().addMenu("&Settings")
        menu.setObjectName("menu_settings")
        self._action(menu, "team_setup", "Team setup (database, people, email, leads)…",
                     self.open_team_setup)
        self._action(menu, "people", "People and roles…", self.open_people)
        self._action(menu, "team_settings", "Team settings…", self.open_team_settings)
        menu.addSeparator()
        self._action(menu, "script_editor", "Qualification scripts…", self.open_script_editor)
        self._action(menu, "template_editor", "Voicemail and email templates…",
                     self.open_template_editor)

    def _action(self, menu: QMenu, name: str, text: str, slot: Callable[[], None]) -> None:
        action = QAction(text, self.host.window())
        action.setObjectName(f"action_{name}")
        action.triggered.connect(slot)
        menu.addAction(action)

    def _show(self, name: str, view: QWidget) -> None:
        view.setWindowFlag(Qt.WindowType.Window)
        fit_to_screen(view)
        self.windows[name] = view
        view.show()

    def open_team_setup(self) -> None:
        from ui.welcome_page import WelcomePage

        ctx = self.host.ctx
        page = WelcomePage(ctx.db, ctx.runner, MachineSettings.load(), self.user)
        page.setWindowFlag(Qt.WindowType.Window)
        self.windows["team_setup"] = page
        page.sig_done.connect(lambda _who, then: self.after_setup(then))
        page.show()

    def open_people(self) -> None:
        from ui.admin_users import AdminUsersView

        ctx = self.host.ctx
        self._show("people_view", AdminUsersView(ctx.db, ctx.runner, self.host.window()))

    def open_team_settings(self) -> None:
        from ui.team_settings_view import TeamSettingsView

        ctx = self.host.ctx
        self._show("team_settings_view",
                   TeamSettingsView(ctx.db, ctx.runner, self.user.name, self.host.window()))

    def open_script_editor(self) -> None:
        from ui.script_editor import ScriptEditor

        ctx = self.host.ctx
        self._show("script_editor",
                   ScriptEditor(ctx.db, ctx.runner, self.user.name, self.host.window()))

    def open_template_editor(self) -> None:
        from ui.template_editor import TemplateEditor

        ctx = self.host.ctx
        self._show("template_editor",
                   TemplateEditor(ctx.db, ctx.runner, self.user.name, self.host.window()))


def fit_to_screen(view: QWidget) -> None:
    """Size a Settings window to its content, within 90 % of the screen it opens on (a
    fixed 1000x640 clipped hints at 1280x720 and wasted a 1920 screen)."""
    screen = view.screen() or QGuiApplication.primaryScreen()
    room = screen.availableGeometry().size() * 0.9 if screen else QSize(1000, 640)
    want = view.sizeHint().expandedTo(QSize(640, 400)).expandedTo(view.minimumSizeHint())
    view.resize(want.boundedTo(room))


def install_settings(host: Host, after_setup: Callable[[str], None]) -> SettingsMenu | None:
    """The Settings menu for team leads and admins; reps and sales get none."""
    user = host.ctx.user
    if user is None or user.role not in ("lead", "admin"):
        return None
    return SettingsMenu(host, user, after_setup)
