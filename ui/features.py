"""Wiring the feature widgets into the main window, by role, in one place.

The workspace (queue + lead panel) is the main window's own. Everything else joins
here: the lead panel's Script, Audit and Activity tabs; the lead actions (voicemail +
email, turn over, incubate) with their keys; the team lead's pages (floor, reports,
simulator, sales, campaigns, intake); sales' page; import/export in the File menu; the
phone; the Settings menu; the sync indicator. ``install`` answers the ``Features`` it
wired, which own the background jobs: ``start`` (the running app, not widget tests) and
``stop`` (closing the window).

Features see the window as a ``ui.host.Host``, never as ``ui.main_window``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolBar, QWidget

from ui import keymap
from ui.activity_view import ActivityView
from ui.audit_view import AuditView
from ui.phone_page import install_phone, start_phone
from ui.script_stepper import ScriptStepper
from ui.settings_menu import install_settings
from ui.sync_status import SyncStatusWidget

if TYPE_CHECKING:
    from ui.host import Host
    from ui.live_refresh import LiveRefresh
    from ui.outbox_job import OutboxJob
    from ui.top_arrival import TopArrival
    from ui.tray import Tray

# Which pages each role sees beside (or, for sales, instead of) the queue.
TEAM_PAGES = ("floor", "reports", "simulator", "sales", "campaigns", "intake")
ROLE_PAGES: dict[str, tuple[str, ...]] = {
    "rep": (),
    "lead": TEAM_PAGES,
    "admin": TEAM_PAGES,
    "sales": ("sales",),
}


def _page(name: str, host: Host) -> tuple[str, QWidget]:
    ctx, parent = host.ctx, host.window()
    if name == "floor":
        from ui.floor_view import FloorView

        return "Floor", FloorView(ctx, parent)
    if name == "reports":
        from ui.reports_view import ReportsView

        return "Reports", ReportsView(ctx, parent)
    if name == "simulator":
        from ui.simulator_view import SimulatorView

        return "Simulator", SimulatorView(ctx, parent)
    if name == "campaigns":
        from ui.campaigns_view import CampaignsView

        return "Campaigns", CampaignsView(ctx, parent)
    if name == "intake":
        from ui.intake_view import IntakeView

        return "Intake", IntakeView(ctx, parent)
    from ui.sales_view import SalesView

    return "Sales", SalesView(ctx, parent)


class LeadActions(QObject):
    """The actions on the lead on screen: enabled only while there is one."""

    def __init__(self, host: Host, script: ScriptStepper) -> None:
        super().__init__(host.window())
        self.setObjectName("lead_actions")
        self.host = host
        self.ctx = host.ctx
        self._script = script
        self._dialog: QWidget | None = None
        self.toolbar = QToolBar("Lead", host.window())
        self.toolbar.setObjectName("lead_toolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.script = self._action("script", "Script", self.show_script)
        self.followup = self._action("followup", "Voicemail + email", self.open_followup)
        self.turn_over = self._action("turn_over", "Turn over to sales…", self.open_turn_over)
        self.incubate = self._action("incubate", "Incubate…", self.open_incubate)
        host.lead_panel.sig_lead_changed.connect(self._on_lead)
        self._on_lead(host.lead_panel.lead_id)

    def _action(self, name: str, text: str, slot: object) -> QAction:
        act = QAction(text, self.host.window())
        act.setObjectName(f"action_{name}")
        act.setShortcuts(keymap.sequences(name))
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.setToolTip(keymap.tooltip(name, text))
        act.triggered.connect(slot)
        self.host.addAction(act)
        self.toolbar.addAction(act)
        btn = self.toolbar.widgetForAction(act)
        if btn is not None:
            btn.setObjectName(f"lead_{name}_button")
        return act

    def _on_lead(self, lead_id: object) -> None:
        for act in (self.script, self.followup, self.turn_over, self.incubate):
            act.setEnabled(lead_id is not None)

    def _lead(self) -> int | None:
        return self.host.lead_panel.lead_id

    def _show(self, dialog: QWidget) -> None:
        self._dialog = dialog
        dialog.open()  # non-modal: the rep keeps the call keys

    def show_script(self) -> None:
        self.host.lead_panel.lead_tabs.setCurrentWidget(self._script)
        self._script.take_focus()

    def open_followup(self) -> None:
        from ui.followup_dialog import FollowUpDialog

        if (lead := self._lead()) is not None:
            calls = self.host.lead_panel.calls
            if calls.can_drop_voicemail():  # on a greeting: the recording plays, no reading
                calls.drop_voicemail_for_followup()
            self._show(FollowUpDialog(self.ctx, lead, self.host.window()))

    def open_turn_over(self) -> None:
        from ui.turnover_dialog import TurnOverDialog

        if (lead := self._lead()) is not None:
            dlg = TurnOverDialog(self.ctx, lead, self.host.window())
            dlg.sig_turned_over.connect(self.host.lead_panel.turned_over)  # logs a live call
            self._show(dlg)

    def open_incubate(self) -> None:
        from ui.incubate_dialog import IncubateDialog

        if (lead := self._lead()) is not None:
            detail = self.host.lead_panel.detail
            name = detail.summary.name if detail else ""
            self._show(IncubateDialog(self.ctx, lead, name, self.host.window()))


class FileActions(QObject):
    """Import leads / activity, export turned-over leads: the File menu."""

    def __init__(self, host: Host, role: str) -> None:
        window = host.window()
        super().__init__(window)
        self.host = host
        self._dialog: QWidget | None = None
        menu = host.menuBar().addMenu("&File")
        menu.setObjectName("menu_file")
        if role in ("rep", "lead", "admin"):
            imp = QAction("Import leads or activity…", window)
            imp.setObjectName("action_import")
            imp.setShortcuts(keymap.sequences("import"))
            imp.triggered.connect(self.open_import)
            menu.addAction(imp)
        if role in ("lead", "sales", "admin"):
            exp = QAction("Export turned-over leads…", window)
            exp.setObjectName("action_export")
            exp.setShortcuts(keymap.sequences("export"))
            exp.triggered.connect(self.open_export)
            menu.addAction(exp)
        menu.addSeparator()
        quit_action = QAction("Quit", window)
        quit_action.setObjectName("action_quit")
        quit_action.setShortcuts(keymap.sequences("quit"))
        quit_action.triggered.connect(host.close)
        menu.addAction(quit_action)

    def open_import(self) -> None:
        from ui.import_dialog import ImportDialog

        self._dialog = ImportDialog(self.host.ctx, self.host.window())
        self._dialog.show()

    def open_export(self) -> None:
        from ui.export_dialog import ExportDialog

        self._dialog = ExportDialog(self.host.ctx, self.host.window())
        self._dialog.open()


class Features:
    """Every feature the signed-in person's role uses, wired into ``host``; the jobs
    (outbox, sync polling, the phone's engine, the top-of-queue notice) run between
    ``start`` and ``stop``."""

    def __init__(self, host: Host) -> None:
        ctx = host.ctx
        self.host = host
        self.role = ctx.user.role if ctx.user else "rep"
        self._add_lead_tabs()
        self.lead_actions = LeadActions(host, self.script)
        host.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.lead_actions.toolbar)
        self.file_actions = FileActions(host, self.role)
        # The app's phone: F5 dials through it, the Phone menu sets it up.
        self.phone = install_phone(host)
        # Settings → Team setup: the welcome page's steps again (team leads and admins).
        self.settings = install_settings(host, self.after_welcome)
        self.pages: dict[str, QWidget] = {}
        self._add_pages()
        self.sync_status = SyncStatusWidget(ctx, host.window())
        host.statusBar().addPermanentWidget(self.sync_status)
        self.outbox_job: OutboxJob | None = None
        self.top_arrival: TopArrival | None = None
        self.running = False

    def _add_lead_tabs(self) -> None:
        ctx, panel = self.host.ctx, self.host.lead_panel
        self.script = ScriptStepper(ctx, panel)
        # Beside the call notes: the guided script is what the rep follows on the call.
        panel.add_tab("Script", self.script, at=1)
        self.audit = AuditView(ctx, panel)
        panel.add_tab("Audit", self.audit)
        self.activity = ActivityView(ctx, panel)
        # Beside the hand raises ("Digital body language"): the activity behind them.
        panel.add_tab("Activity", self.activity, at=3)

    def _add_pages(self) -> None:
        host = self.host
        for name in ROLE_PAGES.get(self.role, ()):
            title, widget = _page(name, host)
            host.add_page(title, widget, f"page_{name}")
            self.pages[name] = widget
        if self.role == "sales":
            # Sales work their turned-over leads, not a rep's queue: no queue page for them.
            host.pages.removeTab(host.pages.indexOf(host.workspace))
            host.pages.setCurrentWidget(self.pages["sales"])
            # nor a rep's lead toolbar (Script, Voicemail + email, …) or Phone menu
            host.removeToolBar(self.lead_actions.toolbar)
            phone_menu = host.menuBar().findChild(QMenu, "menu_phone")
            if phone_menu is not None:
                phone_menu.menuAction().setVisible(False)

    def after_welcome(self, then: str) -> None:
        """The welcome page's last step: open the import dialog or the intake page."""
        if then == "import":
            self.file_actions.open_import()
        elif then == "intake" and "intake" in self.pages:
            self.host.pages.setCurrentWidget(self.pages["intake"])

    # --- background jobs -------------------------------------------------------------

    def start(self, tray: Tray | None = None, live: LiveRefresh | None = None) -> None:
        """Background work the running app needs (not widget tests): the outbox, the sync
        indicator's polling, the phone's engine, live intake."""
        if self.running:
            return
        self.running = True
        from ui.outbox_job import OutboxJob

        ctx = self.host.ctx
        self.outbox_job = OutboxJob(ctx)
        self.outbox_job.sig_outbox_failed.connect(self.host.show_status)
        self.outbox_job.start()
        self.sync_status.start()
        if self.phone is not None:
            start_phone(ctx, self.phone)
        self._start_live_intake(tray, live)

    def _start_live_intake(self, tray: Tray | None, live: LiveRefresh | None) -> None:
        """Hand raises the receivers commit reach this client through live sync: the open
        lead's Activity tab reloads, and a new hand raise at the top of the queue raises
        one tray notification."""
        from ui.top_arrival import TopArrival

        queue = self.host.queue
        self.top_arrival = TopArrival(queue.model, self.host.window())
        if queue.loaded_once:
            self.top_arrival.prime()
        queue.sig_loaded.connect(self.top_arrival.check)
        if tray is not None:
            self.top_arrival.sig_arrived.connect(tray.notify)
        if live is not None:
            live.sig_remote_change.connect(self.activity.refresh_if_shown)

    def stop(self) -> None:
        """Closing the window: no job keeps running or polling after it."""
        self.running = False
        self.sync_status.stop()
        if self.phone is not None:
            self.phone.stop(wait=False)  # the engine quits on its own thread; closing never waits
        if self.outbox_job is not None:
            self.outbox_job.stop()


def install(host: Host) -> Features:
    """Add every feature the signed-in person's role uses; answer them."""
    return Features(host)
