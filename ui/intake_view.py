"""The team lead's Intake page: where hand raises come in from, live.

Per source: the address senders post to, its kind and campaign in words, events and
refusals today, the last event, and the refusals with their reasons; a source's secret
shows once, right after it is made (add or "New secret"), with a copy button, and is
then gone from the screen. "Send a test event" proves the whole path — receiver,
database, queue — and says plainly which part did not answer. The hand-raise rules sit
on the page's second tab.

Everything reads and writes through the intake services on the op runner; the page
polls its counts only while it is on screen.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from qualdesk import clock
from qualdesk.domain.countdown import age_text
from qualdesk.domain.records import Changes
from ui import labels
from ui.context import AppContext
from ui.hand_raise_rules_editor import HandRaiseRulesEditor
from ui.intake_dialogs import KIND_SHORT, AddSourceDialog, ConfirmDialog
from ui.intake_secret import SecretPanel
from ui.record_table import Col, RecordTableModel, record_table, select_record, selected_record
from ui.what_changed import SETTINGS, intake_tested

Index = QModelIndex | QPersistentModelIndex
DEFAULT_BASE = "http://127.0.0.1:8470"
PUBLIC_URL = "intake.public_url"

# HTTP answers as a team lead reads them; the number stays for the sender's admin.
STATUS_WORDS = {
    200: "Robot: thanked, nothing kept",  # a web form's trap field was filled in
    400: "Bad event", 401: "Signature missing or wrong", 403: "Not allowed",
    404: "Unknown source", 413: "Too large (over 1 MiB)", 415: "Wrong content type",
    422: "Bad event", 429: "Too many events (over the rate)", 503: "Database was away",
}


def status_text(status: int) -> str:
    words = STATUS_WORDS.get(status, "Refused")
    return words if status < 300 else f"{words} ({status})"


def source_url(base: str, name: str, path: str | None = None) -> str:
    """The address a sender posts to: the public base (or this computer's receiver) and
    the source's path."""
    return (base.strip() or DEFAULT_BASE).rstrip("/") + (path or f"/intake/{name}")


class RecordModel(RecordTableModel):
    """Cells show what senders sent, hostile or not: a table cell never renders HTML, but
    a tooltip would, so tooltips are escaped and marked as rich text to show it as is."""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        value = super().data(index, role)
        if role == Qt.ItemDataRole.ToolTipRole and isinstance(value, str) and value:
            return f"<qt>{html.escape(value)}</qt>"
        return value


class Clock:
    """When things happened, in the team's zone, with how long ago."""

    def __init__(self) -> None:
        self.tz = ZoneInfo("UTC")
        self.now = clock.now()

    def when(self, at: datetime | None) -> str:
        if at is None:
            return "never"
        local = at.astimezone(self.tz)
        day = "" if local.date() == self.now.astimezone(self.tz).date() else f"{local:%d %b} "
        return f"{day}{local:%H:%M} ({age_text(at, self.now)} ago)"


def _ts(at: datetime | None) -> float:
    return at.timestamp() if at else 0.0


def _table(model: RecordModel, name: str, parent: QWidget) -> QTableView:
    t = record_table(model, name, parent)  # the configuration pages' read-only table
    t.setAlternatingRowColors(True)
    t.setWordWrap(False)
    return t


def _load(db: Any) -> tuple[list[Any], dict[str, Any]]:
    from qualdesk.services import team_settings
    from qualdesk.services.intake.live.sources import list_sources

    return list_sources(db), team_settings.get_all(db)


def _load_refusals(db: Any, name: str) -> list[Any]:
    from qualdesk.services.intake.live.sources import recent_refusals

    return recent_refusals(db, name)


class IntakeView(QWidget):
    POLL_MS = 5000

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("intake_view")
        self.ctx = ctx
        self.base = DEFAULT_BASE
        self.clock = Clock()
        self._settings: dict[str, Any] = {}
        self._dialog: QWidget | None = None
        self._select_next: str | None = None
        self._testing = False

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("intake_tabs")
        self.tabs.addTab(self._sources_tab(), "Sources")
        self.rules = HandRaiseRulesEditor(ctx, self)
        self.tabs.addTab(self.rules, "Hand-raise rules")
        lay = QVBoxLayout(self)
        lay.addWidget(self.tabs)

        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(self.POLL_MS)
        self.poll_timer.timeout.connect(self._poll)
        ctx.sig_operation_executed.connect(self._on_operation)
        self._selected()

    # --- building -------------------------------------------------------------------

    def _sources_tab(self) -> QWidget:
        page = QWidget(self)
        self._build_tables(page)
        self._build_controls(page)
        split = QSplitter(Qt.Orientation.Vertical, page)
        split.setObjectName("intake_splitter")
        split.setChildrenCollapsible(False)
        split.addWidget(self._sources_area(page))
        split.addWidget(self._refusals_box(page))
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        lay = QVBoxLayout(page)
        lay.addLayout(self._base_row(page))
        lay.addLayout(self._button_row())
        lay.addWidget(self.secret_panel)
        lay.addWidget(self.message)
        lay.addWidget(split, 1)
        return page

    def _build_tables(self, page: QWidget) -> None:
        c = self.clock
        self.source_columns = (
            Col("Source", lambda r: r.name),
            Col("Address", lambda r: source_url(self.base, r.name, r.path)),
            Col("Kind", lambda r: KIND_SHORT.get(r.kind, r.kind)),
            Col("Campaign", lambda r: r.campaign or "(default)"),
            Col("Hand raise", lambda r: labels.hand_raise(r.hand_raise or "contact_form")),
            Col("Events today", lambda r: str(r.events_today), lambda r: r.events_today),
            Col("Refused today", lambda r: str(r.refused_today), lambda r: r.refused_today),
            Col("Last event", lambda r: c.when(r.last_event_at), lambda r: _ts(r.last_event_at)),
            Col("Last refusal", lambda r: (f"{c.when(r.last_refusal_at)}: "
                                           f"{r.last_refusal_reason or ''}").rstrip(": ")
                if r.last_refusal_at else "none", lambda r: _ts(r.last_refusal_at)),
        )
        self.refusal_columns = (
            Col("When", lambda r: c.when(r.at), lambda r: _ts(r.at)),
            Col("Answer", lambda r: status_text(r.status), lambda r: r.status),
            Col("Why", lambda r: r.reason),
            Col("From address", lambda r: r.remote or "unknown"),
            Col("What was sent", lambda r: (r.excerpt or "").replace("\n", " ")),
        )
        self.sources_model = RecordModel(self.source_columns, self)
        self.sources_table = _table(self.sources_model, "intake_sources_table", page)
        self.sources_table.selectionModel().selectionChanged.connect(self._selected)
        self.refusals_model = RecordModel(self.refusal_columns, self)
        self.refusals_table = _table(self.refusals_model, "intake_refusals_table", page)

    def _build_controls(self, page: QWidget) -> None:
        self.base_edit = QLineEdit(page)
        self.base_edit.setObjectName("intake_public_url")
        self.base_edit.setPlaceholderText(f"{DEFAULT_BASE} (this computer)")
        self.base_edit.setToolTip("The intake service's address as senders reach it, usually the "
                                  "HTTPS address of the reverse proxy in front of it")
        self.base_save = QPushButton("Save address", page)
        self.base_save.setObjectName("intake_public_url_save")
        self.base_save.clicked.connect(self.save_base)
        self.base_edit.returnPressed.connect(self.save_base)

        self.add_button = self._button("&Add source…", "intake_add", self.open_add, page)
        self.remove_button = self._button("&Remove…", "intake_remove", self.open_remove, page)
        self.rotate_button = self._button("New &secret…", "intake_rotate", self.open_rotate, page)
        self.test_button = self._button("Send a &test event", "intake_test", self.send_test, page)
        self.refresh_button = self._button("Refresh", "intake_refresh", self.refresh, page)
        self.secret_panel = SecretPanel(page)
        self.message = QLabel("", page)
        self.message.setObjectName("intake_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def _sources_area(self, page: QWidget) -> QWidget:
        """The sources table, or (none yet) what to do, where the table would be."""
        area = QWidget(page)
        self.sources_empty = QLabel("No sources yet. Press Add source… to give a web form, "
                                    "Mautic or another system an address that sends its "
                                    "hand raises here.", area)
        self.sources_empty.setObjectName("intake_sources_empty")
        self.sources_empty.setWordWrap(True)
        self.sources_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.sources_empty.hide()
        lay = QVBoxLayout(area)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.sources_table, 1)
        lay.addWidget(self.sources_empty, 1)
        return area

    def _refusals_box(self, page: QWidget) -> QGroupBox:
        """The selected source's address (with a copy button) over its refusals."""
        self.detail = QGroupBox("Refusals", page)
        self.detail.setObjectName("intake_refusals")
        self.address = QLabel("", self.detail)
        self.address.setObjectName("intake_address")
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_address = QPushButton("Copy address", self.detail)
        self.copy_address.setObjectName("intake_copy_address")
        self.copy_address.clicked.connect(self._copy_address)
        self.refusals_empty = QLabel("", self.detail)
        self.refusals_empty.setObjectName("intake_refusals_empty")
        addr_row = QHBoxLayout()
        addr_row.addWidget(self.address, 1)
        addr_row.addWidget(self.copy_address)
        dl = QVBoxLayout(self.detail)
        dl.addLayout(addr_row)
        dl.addWidget(self.refusals_table, 1)
        dl.addWidget(self.refusals_empty)
        return self.detail

    def _base_row(self, page: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel("Senders post to", page))
        row.addWidget(self.base_edit, 1)
        row.addWidget(self.base_save)
        return row

    def _button_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        for b in (self.add_button, self.remove_button, self.rotate_button, self.test_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.refresh_button)
        return row

    def _button(self, text: str, name: str, slot: Callable[[], None], parent: QWidget) -> QPushButton:
        b = QPushButton(text, parent)
        b.setObjectName(name)
        b.clicked.connect(slot)
        return b

    # --- loading --------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()
        self.rules.refresh()
        self.poll_timer.start()

    def hideEvent(self, event: Any) -> None:
        self.poll_timer.stop()
        if not event.spontaneous():
            # The team lead moved to another page: a secret must not wait on screen for
            # them. (A minimised window is spontaneous: they may be pasting it.)
            self.secret_panel.clear()
        super().hideEvent(event)

    def _poll(self) -> None:
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        db = self.ctx.db
        self.ctx.run_query(lambda: _load(db), self._loaded, key="intake_sources")

    def _loaded(self, loaded: tuple[list[Any], dict[str, Any]]) -> None:
        rows, settings = loaded
        self._settings = settings
        self.base = str(settings.get(PUBLIC_URL) or "") or DEFAULT_BASE
        if not self.base_edit.hasFocus():
            self.base_edit.setText(str(settings.get(PUBLIC_URL) or ""))
        try:
            self.clock.tz = ZoneInfo(str(settings.get("team.timezone") or "UTC"))
        except (KeyError, ValueError):
            self.clock.tz = ZoneInfo("UTC")
        self.clock.now = clock.now()
        keep = self._select_next or (s.name if (s := self.selected()) else None)
        self._select_next = None
        self.sources_model.set_rows(rows)
        self.sources_table.setVisible(bool(rows))
        self.sources_empty.setVisible(not rows)
        self.detail.setVisible(bool(rows))  # no source: no refusals to show
        if not (keep and self.select(keep)) and rows:
            self.sources_table.selectRow(0)
        self._selected()

    def _on_operation(self, changes: Changes, initiator: object) -> None:
        if changes.settings and self.isVisible():
            self.refresh()

    # --- the selected source --------------------------------------------------------

    def selected(self) -> Any | None:
        return selected_record(self.sources_table, self.sources_model)

    def select(self, name: str) -> bool:
        return select_record(self.sources_table, self.sources_model, lambda r: r.name == name)

    def selected_url(self) -> str | None:
        s = self.selected()
        return source_url(self.base, s.name, s.path) if s is not None else None

    def _selected(self, *_: object) -> None:
        s = self.selected()
        for b in (self.remove_button, self.test_button, self.copy_address):
            b.setEnabled(s is not None and not (b is self.test_button and self._testing))
        self.rotate_button.setEnabled(s is not None and s.kind != "form")
        self.rotate_button.setToolTip("A web form has no secret: its page is public"
                                      if s is not None and s.kind == "form" else
                                      "Replace the secret; the old one stops working at once")
        if s is None:
            self.detail.setTitle("Refusals")
            self.address.setText("Select a source to see its address here.")
            self.refusals_model.set_rows([])
            self.refusals_empty.setText("")
            return
        self.detail.setTitle(f"Refusals of {s.name}")
        self.address.setText(f"Address: {self.selected_url()}")
        db, name = self.ctx.db, s.name
        self.ctx.run_query(lambda: _load_refusals(db, name), self._refusals,
                           key="intake_refusals")

    def _refusals(self, rows: list[Any]) -> None:
        self.refusals_model.set_rows(rows)
        self.refusals_empty.setText("" if rows else "Nothing refused: every event was taken.")
        self.refusals_empty.setVisible(not rows)

    def _copy_address(self) -> None:
        from PySide6.QtGui import QGuiApplication

        if (url := self.selected_url()) is not None:
            QGuiApplication.clipboard().setText(url)
            self.message.setText(f"Copied {url}")

    # --- writes ---------------------------------------------------------------------

    def save_base(self) -> None:
        from qualdesk.services import team_settings

        raw, db = self.base_edit.text().strip().rstrip("/"), self.ctx.db
        if raw and not raw.lower().startswith(("http://", "https://")):
            self.message.setText("The address starts with https:// (or http:// on a test "
                                 "machine), for example https://intake.example.com")
            return

        def op() -> Changes:
            team_settings.set_value(db, PUBLIC_URL, raw)
            return SETTINGS

        self.ctx.run_op(op, initiator=self, on_done=lambda _c: self.message.setText(
            f"Senders now post to {raw or DEFAULT_BASE}/intake/…"), on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        from qualdesk.errors import KnownError

        if isinstance(exc, KnownError):
            self.message.setText(str(exc))
            return
        self.ctx.runner.report(exc)

    def open_add(self) -> None:
        db = self.ctx.db

        def choices() -> tuple[list[str], list[tuple[str, str]]]:
            from qualdesk.services.campaigns import list_campaigns
            from qualdesk.services.codes_admin import list_kinds

            return ([c.name for c in list_campaigns(db) if not c.is_default],
                    [(k.code, k.label) for k in list_kinds(db)])

        self.ctx.run_query(choices, self._show_add, key="intake_choices")

    def _show_add(self, choices: tuple[list[str], list[tuple[str, str]]]) -> None:
        dialog = AddSourceDialog(self.ctx, choices[0], choices[1], self)
        dialog.sig_added.connect(self._added)
        self._dialog = dialog
        dialog.open()

    def _added(self, name: str, new: Any) -> None:
        self._select_next = name
        secret = getattr(new, "secret", None)
        if secret:
            self.secret_panel.show_secret(name, secret)
            self.message.setText(f"Added {name}.")
        else:
            self.message.setText(f"Added {name}: point the web form's action at its address.")
        self.refresh()

    def open_remove(self) -> None:
        from qualdesk.services.intake.live.sources import remove_source

        s = self.selected()
        if s is None:
            return
        db, name = self.ctx.db, s.name
        dialog = ConfirmDialog(
            self.ctx, f"Remove {name}",
            f"Remove the source {name}? Senders still posting to {self.selected_url()} will be "
            "told it does not exist, and their events will not be kept. Leads it already "
            "brought in stay.", "Remove source", lambda: remove_source(db, name),
            "remove_source", self)
        dialog.sig_done.connect(lambda _r: self._removed(name))
        self._dialog = dialog
        dialog.open()

    def _removed(self, name: str) -> None:
        self.secret_panel.forget(name)
        self.message.setText(f"Removed {name}.")
        self.refresh()

    def open_rotate(self) -> None:
        from qualdesk.services.intake.live.sources import rotate_secret

        s = self.selected()
        if s is None or s.kind == "form":
            return
        db, name = self.ctx.db, s.name
        dialog = ConfirmDialog(
            self.ctx, f"New secret for {name}",
            f"Make a new secret for {name}? The old one stops working at once: until the "
            "sender has the new one, its events are refused (signature wrong).",
            "Make a new secret", lambda: rotate_secret(db, name), "rotate_secret", self)
        dialog.sig_done.connect(lambda new: self._rotated(name, new))
        self._dialog = dialog
        dialog.open()

    def _rotated(self, name: str, new: Any) -> None:
        self.secret_panel.show_secret(name, new.secret)
        self.message.setText(f"{name} has a new secret; the old one no longer works.")
        self.refresh()

    # --- the test event -------------------------------------------------------------

    def send_test(self) -> None:
        from qualdesk.services.intake_probe import send_test_event

        s, url = self.selected(), self.selected_url()
        if s is None or url is None or self._testing:
            return
        self._testing = True
        self.test_button.setEnabled(False)
        self.message.setText(f"Sending a test event to {url}…")
        db, name = self.ctx.db, s.name
        by = self.ctx.user.name if self.ctx.user else None
        self.ctx.run_op(lambda: send_test_event(db, name, url, by=by), self, self._tested,
                        self._test_failed, changes=intake_tested)

    def _tested(self, result: Any) -> None:
        self._testing = False
        self._selected()
        self.message.setText(("✓ " if result.ok else "✗ ") + result.message)
        self.refresh()

    def _test_failed(self, exc: BaseException) -> None:
        self._testing = False
        self._selected()
        self._failed(exc)
