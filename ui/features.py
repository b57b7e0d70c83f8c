"""Wiring the feature widgets into the main window, by role, in one place.

The workspace (queue + lead panel) is the main window's own. Everything else joins
here: the lead panel's Script and History tabs; the lead actions (voicemail + email,
turn over, incubate) with their keys; the team lead's pages (floor, reports, simulator,
sales); sales' page; import/export in the File menu; the sync indicator; and the
background jobs (the email outbox).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QToolBar, QWidget

from ui import keymap

if TYPE_CHECKING:
    from ui.main_window import MainWindow

# Which pages each role sees beside (or, for sales, instead of) the queue.
TEAM_PAGES = ("floor", "reports", "simulator", "sales", "campaigns", "intake")
ROLE_PAGES: dict[str, tuple[str, ...]] = {
    "rep": (),
    "lead": TEAM_PAGES,
    "admin": TEAM_PAGES,
    "sales": ("sales",),
}


def _page(name: str, window: MainWindow) -> tuple[str, QWidget]:
    ctx = window.ctx
    if name == "floor":
        from ui.floor_view import FloorView

        return "Floor", FloorView(ctx, window)
    if name == "reports":
        from ui.reports_view import ReportsView

        return "Reports", ReportsView(ctx, window)
    if name == "simulator":
        from ui.simulator_view import SimulatorView

        return "Simulator", SimulatorView(ctx, window)
    if name == "campaigns":
        from ui.campaigns_view import CampaignsView

        return "Campaigns", CampaignsView(ctx, window)
    if name == "intake":
        from ui.intake_view import IntakeView

        return "Intake", IntakeView(ctx, window)
    from ui.sales_view import SalesView

    return "Sales", SalesView(ctx, window)


class LeadActions(QObject):
    """The actions on the lead on screen: enabled only while there is one."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("lead_actions")
        self.window = window
        self.ctx = window.ctx
        self._dialog: QWidget | None = None
        self.toolbar = QToolBar("Lead", window)
        self.toolbar.setObjectName("lead_toolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.script = self._action("script", "Script", self.show_script)
        self.followup = self._action("followup", "Voicemail + email", self.open_followup)
        self.turn_over = self._action("turn_over", "Turn over to sales…", self.open_turn_over)
        self.incubate = self._action("incubate", "Incubate…", self.open_incubate)
        window.lead_panel.sig_lead_changed.connect(self._on_lead)
        self._on_lead(window.lead_panel.lead_id)

    def _action(self, name: str, text: str, slot: object) -> QAction:
        act = QAction(text, self.window)
        act.setObjectName(f"action_{name}")
        act.setShortcuts(keymap.sequences(name))
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.setToolTip(keymap.tooltip(name, text))
        act.triggered.connect(slot)
        self.window.addAction(act)
        self.toolbar.addAction(act)
        btn = self.toolbar.widgetForAction(act)
        if btn is not None:
            btn.setObjectName(f"lead_{name}_button")
        return act

    def _on_lead(self, lead_id: object) -> None:
        for act in (self.script, self.followup, self.turn_over, self.incubate):
            act.setEnabled(lead_id is not None)

    def _lead(self) -> int | None:
        return self.window.lead_panel.lead_id

    def _show(self, dialog: QWidget) -> None:
        self._dialog = dialog
        dialog.open()  # non-modal: the rep keeps the call keys

    def show_script(self) -> None:
        panel, script = self.window.lead_panel, self.window.script
        panel.lead_tabs.setCurrentWidget(script)
        script.take_focus()

    def open_followup(self) -> None:
        from ui.followup_dialog import FollowUpDialog

        if (lead := self._lead()) is not None:
            calls = self.window.lead_panel.calls
            if calls.can_drop_voicemail():  # on a greeting: the recording plays, no reading
                calls.drop_voicemail_for_followup()
            self._show(FollowUpDialog(self.ctx, lead, self.window))

    def open_turn_over(self) -> None:
        from ui.turnover_dialog import TurnOverDialog

        if (lead := self._lead()) is not None:
            dlg = TurnOverDialog(self.ctx, lead, self.window)
            dlg.sig_turned_over.connect(self.window.lead_panel.turned_over)  # logs a live call
            self._show(dlg)

    def open_incubate(self) -> None:
        from ui.incubate_dialog import IncubateDialog

        if (lead := self._lead()) is not None:
            detail = self.window.lead_panel.detail
            name = detail.summary.name if detail else ""
            self._show(IncubateDialog(self.ctx, lead, name, self.window))


class FileActions(QObject):
    """Import leads / activity, export turned-over leads: the File menu."""

    def __init__(self, window: MainWindow, role: str) -> None:
        super().__init__(window)
        self.window = window
        self._dialog: QWidget | None = None
        menu = window.menuBar().addMenu("&File")
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
        quit_action.triggered.connect(window.close)
        menu.addAction(quit_action)

    def open_import(self) -> None:
        from ui.import_dialog import ImportDialog

        self._dialog = ImportDialog(self.window.ctx, self.window)
        self._dialog.show()

    def open_export(self) -> None:
        from ui.export_dialog import ExportDialog

        self._dialog = ExportDialog(self.window.ctx, self.window)
        self._dialog.open()


def install(window: MainWindow) -> None:
    """Add every feature the signed-in person's role uses."""
    from ui.audit_view import AuditView
    from ui.script_stepper import ScriptStepper
    from ui.sync_status import SyncStatusWidget

    ctx = window.ctx
    role = ctx.user.role if ctx.user else "rep"
    panel = window.lead_panel
    window.script = ScriptStepper(ctx, panel)
    # Beside the call notes: the guided script is what the rep follows on the call.
    panel.add_tab("Script", window.script, at=1)
    window.audit = AuditView(ctx, panel)
    panel.add_tab("Audit", window.audit)
    from ui.activity_view import ActivityView

    window.activity = ActivityView(ctx, panel)
    # Beside the hand raises ("Digital body language"): the activity behind them.
    panel.add_tab("Activity", window.activity, at=3)

    window.lead_actions = LeadActions(window)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, window.lead_actions.toolbar)
    window.file_actions = FileActions(window, role)
    from ui.phone_page import install_phone

    install_phone(window)  # the app's phone: F5 dials through it, the Phone menu sets it up
    from ui.welcome_page import install_settings

    install_settings(window)  # Settings → Team setup: the welcome page's steps again

    window.feature_pages = {}
    for name in ROLE_PAGES.get(role, ()):
        title, widget = _page(name, window)
        window.add_page(title, widget, f"page_{name}")
        window.feature_pages[name] = widget
    if role == "sales":
        # Sales work their turned-over leads, not a rep's queue: no queue page for them.
        window.pages.removeTab(window.pages.indexOf(window.workspace))
        window.pages.setCurrentWidget(window.feature_pages["sales"])

    window.sync_status = SyncStatusWidget(ctx, window)
    window.statusBar().addPermanentWidget(window.sync_status)


def start_jobs(window: MainWindow) -> None:
    """Background work the running app needs (not widget tests): the outbox, the
    sync indicator's polling."""
    from ui.outbox_job import OutboxJob

    window.outbox_job = OutboxJob(window.ctx)
    window.outbox_job.sig_outbox_failed.connect(window.show_status)
    window.outbox_job.start()
    window.sync_status.start()
    from ui.phone_page import start_phone

    start_phone(window)
    _start_live_intake(window)


def _start_live_intake(window: MainWindow) -> None:
    """Hand raises the receivers commit reach this client through live sync: the open
    lead's Activity tab reloads, and a new hand raise at the top of the queue raises one
    tray notification."""
    from ui.top_arrival import TopArrival

    window.top_arrival = TopArrival(window.queue.model, window)
    if window.queue.loaded_once:
        window.top_arrival.prime()
    window.queue.sig_loaded.connect(window.top_arrival.check)
    if window.tray is not None:
        window.top_arrival.sig_arrived.connect(window.tray.notify)
    if window.live is not None:
        window.live.sig_remote_change.connect(window.activity.refresh_if_shown)


def stop_jobs(window: MainWindow) -> None:
    phone = getattr(window, "phone", None)
    if phone is not None:
        phone.stop(wait=False)  # the engine quits on its own thread; closing never waits
    job = getattr(window, "outbox_job", None)
    if job is not None:
        job.stop()
