"""The main window: pages (the rep's workspace first; team-lead pages join through
``add_page``), the error banner, the crash dialog, and the status bar.

One place wires the workspace: the queue claims, the lead panel shows, a disposition
asks the queue for the next lead. Window geometry goes to QSettings (an INI file in
the config dir, so tests never touch the real one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QTabWidget, QVBoxLayout, QWidget

from qualdesk.paths import config_dir
from qualdesk.services.alerts import Alert, alert_summary
from ui import keymap, labels
from ui.banner import Banner
from ui.call_controls import UrlOpener
from ui.context import AppContext
from ui.crash_dialog import CrashDialog
from ui.features import Features, install
from ui.icons import app_icon
from ui.keymap import KeymapDialog
from ui.lead_panel import LeadPanel
from ui.queue_view import QueueView
from ui.what_changed import remote

if TYPE_CHECKING:
    from ui.live_refresh import LiveRefresh
    from ui.scheduler import AlertScheduler
    from ui.tray import Tray


def window_settings() -> QSettings:
    return QSettings(str(config_dir() / "window.ini"), QSettings.Format.IniFormat)


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, opener: UrlOpener | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("main_window")
        self.setWindowTitle("QualDesk")
        self.setWindowIcon(app_icon())
        self.ctx = ctx
        self._crash: CrashDialog | None = None
        self._keymap: KeymapDialog | None = None
        self.tray: Tray | None = None  # the background's (``start_background``)
        self.alerts: AlertScheduler | None = None
        self.live: LiveRefresh | None = None
        self._unchecked_span: tuple[int, int] | None = None  # remote changes not yet looked at
        self._closed = False
        self._split_follows_window = False  # no proportions saved: see _restore_geometry
        self._split_for_open_lead = False  # the proportions were last set for an open lead
        # Other clients' writes: one reload per burst; the timers stop when the window closes.
        self._reload_timer = self._burst_timer(self.retry)
        self._config_timer = self._burst_timer(self._check_remote_configuration)

        self.banner = Banner(self)
        self.pages = QTabWidget(self)
        self.pages.setObjectName("main_pages")
        self.pages.setDocumentMode(True)
        self._page_actions: list[QAction] = []

        self.queue = QueueView(ctx, self)
        self.lead_panel = LeadPanel(ctx, self, opener)
        self.lead_panel.calls.sig_keypad_live.connect(self._on_keypad_live)
        self.workspace = QSplitter(Qt.Orientation.Horizontal, self)
        self.workspace.setObjectName("workspace_splitter")
        self.workspace.addWidget(self.queue)
        self.workspace.addWidget(self.lead_panel)
        self.workspace.setStretchFactor(0, 3)
        self.workspace.setStretchFactor(1, 2)
        self.workspace.setChildrenCollapsible(False)
        self.add_page("My queue", self.workspace, "page_workspace")

        central = QWidget(self)
        lay = QVBoxLayout(central)
        lay.setContentsMargins(4, 4, 4, 0)
        lay.addWidget(self.banner)
        lay.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self._build_status_bar()
        help_action = QAction("Keyboard map", self)
        help_action.setObjectName("action_keymap")
        help_action.setShortcuts(keymap.sequences("keymap"))
        help_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        help_action.triggered.connect(self.show_keymap)
        self.addAction(help_action)

        # The workspace, wired in one place.
        self.queue.sig_lead_claimed.connect(self.lead_panel.set_lead)
        self.lead_panel.sig_lead_changed.connect(self.queue.pin_lead)
        self.lead_panel.sig_next_requested.connect(self.queue.next_lead)
        self.queue.tick_timer.timeout.connect(self.lead_panel.tick)
        self.queue.sig_status.connect(self.show_status)
        self.lead_panel.sig_status.connect(self.show_status)
        ctx.runner.sig_error_known.connect(self.show_known_error)
        ctx.runner.sig_error_bug.connect(self.show_bug)
        ctx.runner.sig_busy_changed.connect(self._on_busy)
        ctx.sig_db_status.connect(self._on_db_status)

        self.features: Features = install(self)
        self._restore_geometry()
        self.queue.refresh()

    def _build_status_bar(self) -> None:
        self.status_db = QLabel(f"Database: {self.ctx.db.display_name()}", self)
        self.status_db.setObjectName("status_database")
        self.status_user = QLabel("", self)
        self.status_user.setObjectName("status_user")
        self.status_busy = QLabel("", self)
        self.status_busy.setObjectName("status_busy")
        self.statusBar().addPermanentWidget(self.status_busy)
        self.statusBar().addPermanentWidget(self.status_db)
        self.statusBar().addPermanentWidget(self.status_user)
        self._show_user()

    def _burst_timer(self, slot: object) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(250)
        timer.timeout.connect(slot)
        return timer

    # --- pages -----------------------------------------------------------------------

    def add_page(self, title: str, widget: QWidget, object_name: str) -> int:
        """Add a page (floor view, reports, simulator, sales view…); Ctrl+N goes to the
        N-th page."""
        widget.setObjectName(object_name)
        index = self.pages.addTab(widget, title)
        if index < 9:
            act = QAction(self)
            act.setObjectName(f"action_page_{index + 1}")
            act.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.triggered.connect(lambda _=False, i=index: self._go_to_page(i))
            self.addAction(act)
            self._page_actions.append(act)
        return index

    def _go_to_page(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        page = self.pages.currentWidget()
        if page is not None:  # into the page's first field: not the tab bar, nor a
            # status-bar button past the page's end (Space there would start a sync)
            w = page.nextInFocusChain()
            while w is not page and not (page.isAncestorOf(w) and w.isVisible()
                                         and w.isEnabled() and w.focusPolicy()
                                         & Qt.FocusPolicy.TabFocus):
                w = w.nextInFocusChain()
            w.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _on_keypad_live(self, live: bool) -> None:
        # Two enabled actions on one key would make both ambiguous: while a call is
        # answered Ctrl+digit is the keypad, otherwise the pages.
        for act in self._page_actions:
            act.setEnabled(not live)

    # --- status, errors --------------------------------------------------------------

    def _show_user(self, *_args: object) -> None:
        u = self.ctx.user
        self.status_user.setText(f"Signed in: {u.name} ({labels.role(u.role)})" if u else "Not signed in")

    def show_status(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    def _on_busy(self, n: int) -> None:
        self.status_busy.setText("Working…" if n else "")

    def show_known_error(self, message: str) -> None:
        self.banner.show_message(message, self.retry)

    def _on_db_status(self, reason: str) -> None:
        if reason:
            self.banner.show_message(f"{reason} — retrying", self.retry)
        elif self.banner.isVisible():
            self.banner.hide()
            self.retry()

    def retry(self) -> None:
        if self._closed:
            return  # a late reload (a timer, a banner's retry): nothing left to show it
        self.queue.refresh()
        self.lead_panel.reload()

    def show_bug(self, summary: str, details: str) -> None:
        if self._crash is not None and self._crash.isVisible():
            return  # one crash dialog at a time; the log has every one
        self._crash = CrashDialog(summary, details, self)
        self._crash.open()

    def show_keymap(self) -> None:
        if self._keymap is None:
            self._keymap = KeymapDialog(self)
        self._keymap.show()
        self._keymap.activateWindow()

    # --- background: tray alerts and other clients' writes ---------------------------

    def start_background_after_first_load(self, latest_ms: int = 2000) -> None:
        """Start the background once the queue has first loaded (at the latest after
        ``latest_ms``): its imports (the scheduler library, the tray, live refresh) would
        otherwise hold the GIL while the queue's worker builds the first rows."""
        started = False

        def go(*_: object) -> None:
            nonlocal started
            if not started and not self._closed:
                started = True
                self.start_background()

        if self.queue.loaded_once:
            go()
            return
        self.queue.sig_loaded.connect(go)
        QTimer.singleShot(latest_ms, self, go)

    def start_background(self) -> None:
        """Scheduler, tray and live refresh: started by the app, not in widget tests."""
        from ui.live_refresh import LiveRefresh
        from ui.scheduler import AlertScheduler
        from ui.tray import Tray

        self.tray = Tray(app_icon(), self)
        self.tray.sig_notified.connect(self._on_notified)
        self.tray.sig_clicked.connect(self._bring_to_front)
        if self.ctx.user is None or self.ctx.user.role != "sales":
            # breach and callback alerts are for the qualifying team, not for sales
            self.alerts = AlertScheduler(self.ctx.db, self.ctx.rep_name, self)
            self.alerts.sig_new_alerts.connect(self._on_alerts)
            self.alerts.start()
        self.live = LiveRefresh(self.ctx.db, self)
        self.live.sig_remote_change.connect(self._on_remote_change)
        self.live.sig_remote_span.connect(self._on_remote_span)
        self.live.sig_db_status.connect(self.ctx.sig_db_status)
        self.live.start()
        self.features.start(self.tray, self.live)

    def stop_background(self) -> None:
        self.features.stop()
        if self.alerts is not None:
            self.alerts.stop()
        if self.live is not None:
            self.live.stop()
        if self.tray is not None:
            self.tray.hide()

    def _on_alerts(self, alerts: list[Alert]) -> None:
        # One notification per wave: a stack of them buries all but the last.
        if self.tray is not None and alerts:
            self.tray.notify(*alert_summary(alerts))

    def _on_notified(self, title: str, message: str) -> None:
        self.show_status(f"{title}: {message.replace(chr(10), ' · ')}")

    def _bring_to_front(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def _on_remote_change(self, _position: object) -> None:
        # Coalesce a burst of remote writes into one reload.
        if not self._closed and not self._reload_timer.isActive():
            self._reload_timer.start()

    def _on_remote_span(self, previous: int, position: int) -> None:
        """Another client may have changed the configuration (dispositions, kinds,
        campaigns, team settings): if so, every view reloads what it shows of it."""
        pending = self._unchecked_span
        self._unchecked_span = (previous if pending is None else min(previous, pending[0]), position)
        if pending is None and not self._closed:
            self._config_timer.start()

    def _check_remote_configuration(self) -> None:
        if self._unchecked_span is None or self._closed:
            return
        from qualdesk.services import sync as sync_svc

        (after, upto), self._unchecked_span = self._unchecked_span, None
        db = self.ctx.db
        self.ctx.run_query(lambda: sync_svc.kinds_between(db, after, upto), self._on_remote_kinds,
                           key="remote_kinds")

    def _on_remote_kinds(self, kinds: set[str]) -> None:
        # The queue itself was reloaded for this burst already (``_on_remote_change``).
        if self._closed:
            return  # the answer came after the window closed
        self.ctx.runner.announce(remote(kinds), self)

    # --- geometry --------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        s = window_settings()
        geom = s.value("main/geometry")
        if isinstance(geom, QByteArray) and not geom.isEmpty():
            self.restoreGeometry(geom)
        else:
            self.resize(1280, 780)
        split = s.value("main/workspace")
        if isinstance(split, QByteArray) and not split.isEmpty():
            self.workspace.restoreState(split)
        else:  # the queue gets the room: its clock, local time and reason must show
            width = max(self.width(), 1000)
            self.workspace.setSizes([int(width * 0.6), int(width * 0.4)])
            self.queue.sig_loaded.connect(self._size_workspace)
            # Until the rep moves the splitter, the proportions follow the window's size
            # (the first show, a maximise); a lead never moves it.
            self._split_follows_window = True
            self.workspace.splitterMoved.connect(self._split_moved_by_rep)
            self.lead_panel.sig_lead_changed.connect(self._lead_opened_or_closed)

    def _split_moved_by_rep(self, *_: object) -> None:
        self._split_follows_window = False

    def _lead_opened_or_closed(self, lead_id: object) -> None:
        """The split follows whether a lead is open (its card needs the room), never
        which lead: going from one lead to the next leaves it where it is."""
        is_open = lead_id is not None
        if is_open != self._split_for_open_lead and self._split_follows_window \
                and self.queue.loaded_once:
            self._split_for_open_lead = is_open
            self.size_workspace()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._split_follows_window and self.queue.loaded_once:
            self.size_workspace()

    def _size_workspace(self, _n: int = 0) -> None:
        """Once, when the first rows are in (no proportions saved yet): the queue as wide
        as its columns want, the lead panel the rest but never under what its call keys
        need; after that the splitter stays where it is (it jumped between leads)."""
        self.queue.sig_loaded.disconnect(self._size_workspace)
        self.size_workspace()

    def size_workspace(self) -> None:
        """The queue its columns' width, within the window; the panel the rest."""
        # The window's width, not the splitter's: the rows may come before the first show.
        total = self.width() - 8 - self.workspace.handleWidth()
        panel = self.lead_panel
        if panel.lead_id is None:  # "Press F2": the queue's columns get the room
            floor = max(panel.minimumWidth(), int(total * 0.25))
        else:
            floor = max(panel.minimumWidth(), panel.card.minimumSizeHint().width(),
                        panel.lead_tabs.tabBar().sizeHint().width() + 60, int(total * 0.3))
        queue = min(self.queue.wanted_width(), total - floor)
        queue = max(queue, self.queue.minimumSizeHint().width())
        self.workspace.setSizes([queue, total - queue])

    def save_geometry(self) -> None:
        s = window_settings()
        s.setValue("main/geometry", self.saveGeometry())
        s.setValue("main/workspace", self.workspace.saveState())
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save, end claims, stop every job and timer; late results are ignored after."""
        self._closed = True
        self._reload_timer.stop()
        self._config_timer.stop()
        self.lead_panel.notes.save_now()
        self.lead_panel.end_claims_on_quit()
        self.save_geometry()
        self.stop_background()
        super().closeEvent(event)
