"""Import leads (or past activity) from a CSV file.

Pick a file (a non-modal file dialog), see which column feeds which lead field, run the
import in the op runner with a progress bar and Cancel, and read every refused row in a
table. A refused file offers "Import good rows, save rejects…": the good rows go in and
the bad ones are written, with their reasons, to a CSV the user chooses.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qualdesk.errors import KnownError, RowProblem
from qualdesk.services.import_mapping import (
    apply_mapping,
    initial_mapping,
    names_a_lead,
    raise_hands_now,
    remember_mapping,
    saved_mapping,
    without_hand_raise,
)
from qualdesk.services.intake.csv_source import Table, read_table
from qualdesk.services.intake.header_aliases import HeaderMap, map_headers
from qualdesk.services.intake.import_activity import import_activity
from qualdesk.services.intake.import_leads import LeadImportOptions, import_leads
from qualdesk.services.intake.outcome import ImportCancelled, ImportResult
from qualdesk.services.intake.rejects import write_rejects
from ui import labels
from ui.context import AppContext
from ui.import_mapping_table import MappingTable
from ui.what_changed import hands_raised, imported

KIND_LEADS, KIND_ACTIVITY = "leads", "activity"


@dataclass(frozen=True)
class _Preview:
    table: Table
    headers: HeaderMap | None  # None for activity files (their columns are fixed)
    chosen: dict[str, str] | None = None  # the team's saved layout applied, else the aliases'
    remembered: bool = False


def done_sentence(new_rows: int, merged: int) -> str:
    """What an import did, as a sentence (no "Imported 1, merged 0")."""
    new = f"Imported {labels.count(new_rows, 'new row')}" if new_rows else "Nothing new imported"
    if not merged:
        return new
    return f"{new}, and merged {labels.count(merged, 'row')} into what was already here"


def _open_dialog(parent: QWidget, caption: str) -> QFileDialog:
    d = QFileDialog(parent, caption)
    d.setFileMode(QFileDialog.FileMode.ExistingFile)
    d.setNameFilters(["CSV files (*.csv *.txt *.tsv)", "All files (*)"])
    return d


def _save_dialog(parent: QWidget, caption: str) -> QFileDialog:
    d = QFileDialog(parent, caption)
    d.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    d.setDefaultSuffix("csv")
    d.setNameFilters(["CSV files (*.csv)"])
    return d


class ImportDialog(QDialog):
    # (done, total) from the worker thread; Qt queues it to the GUI thread.
    sig_progress = Signal(int, int)
    sig_import_finished = Signal(object)  # the ImportResult

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("import_dialog")
        self.setWindowTitle("Import from CSV")
        self.ctx = ctx
        self.last_result: ImportResult | None = None
        self._preview: _Preview | None = None
        self._mapping_note = [""]
        self._cancel = threading.Event()
        self._running = False
        self._rejects_path: str | None = None
        # Tests swap these for factories that answer at once.
        self.open_dialog_factory: Callable[[QWidget, str], QFileDialog] = _open_dialog
        self.save_dialog_factory: Callable[[QWidget, str], QFileDialog] = _save_dialog
        self._file_dialog: QFileDialog | None = None
        self._build()
        self.sig_progress.connect(self._on_progress)

    # --- layout -----------------------------------------------------------------
    def _build(self) -> None:
        """The dialog top to bottom: the file and its options, the columns, the cold
        leads' offer, progress, what happened, the buttons (created in that order: Tab
        follows it)."""
        form = self._file_form()
        self.mapping = MappingTable(self)
        cold_row = self._cold_row()
        prog_row = self._progress_row()
        self._results()
        buttons = self._buttons()
        self._arrange(form, cold_row, prog_row, buttons)

    def _file_form(self) -> QFormLayout:
        self.kind = QComboBox(self)
        self.kind.setObjectName("import_kind")
        self.kind.addItem("Leads and hand raises", KIND_LEADS)
        self.kind.addItem("Past calls, voicemails and emails", KIND_ACTIVITY)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.path = QLineEdit(self)
        self.path.setObjectName("import_path")
        self.path.editingFinished.connect(lambda: self.set_path(self.path.text()))
        self.browse = QPushButton("Choose…", self)
        self.browse.setObjectName("import_browse")
        self.browse.clicked.connect(self.choose_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(self.browse)
        self.campaign = QLineEdit(self)
        self.campaign.setObjectName("import_campaign")
        self.campaign.setPlaceholderText("default campaign (a new name is created)")
        self.region = QLineEdit(self)
        self.region.setObjectName("import_region")
        self.region.setPlaceholderText("e.g. US — for numbers without +country code")
        self.region.setMaxLength(2)
        form = QFormLayout()
        form.addRow("Import", self.kind)
        form.addRow("File", file_row)
        form.addRow("Campaign", self.campaign)
        form.addRow("Default region", self.region)
        return form

    def _cold_row(self) -> QHBoxLayout:
        """After an import: leads that came without a hand raise are cold; offer to say
        they did raise their hand (now)."""
        self.cold_note = QLabel("", self)
        self.cold_note.setObjectName("import_cold_note")
        self.cold_note.setWordWrap(True)
        self.cold_kind = QComboBox(self)
        self.cold_kind.setObjectName("import_cold_kind")
        for code in ("contact_form", "demo_request", "called_in", "asset_download", "chat"):
            self.cold_kind.addItem(labels.hand_raise(code), code)
        self.cold_button = QPushButton("Treat them as hand raises &now", self)
        self.cold_button.setObjectName("import_raise_now")
        self.cold_button.clicked.connect(self.raise_hands_now)
        self._cold_ids: list[int] = []
        for w in (self.cold_note, self.cold_kind, self.cold_button):
            w.setVisible(False)
        cold_row = QHBoxLayout()
        cold_row.addWidget(self.cold_note, 1)
        cold_row.addWidget(self.cold_kind)
        cold_row.addWidget(self.cold_button)
        return cold_row

    def _progress_row(self) -> QHBoxLayout:
        self.progress = QProgressBar(self)
        self.progress.setObjectName("import_progress")
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.cancel_button = QPushButton("Cancel import", self)
        self.cancel_button.setObjectName("import_cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        prog_row = QHBoxLayout()
        prog_row.addWidget(self.progress, 1)
        prog_row.addWidget(self.cancel_button)
        return prog_row

    def _results(self) -> None:
        """What the import says: its status, the rejected rows, the warnings."""
        self.status = QLabel("Choose a CSV file.", self)
        self.status.setObjectName("import_status")
        self.status.setWordWrap(True)
        self.rejects = QTableWidget(0, 4, self)
        self.rejects.setObjectName("import_rejects")
        self.rejects.setHorizontalHeaderLabels(["Row", "Field", "Value", "Reason"])
        self.rejects.horizontalHeader().setStretchLastSection(True)
        self.rejects.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.rejects.verticalHeader().hide()  # the Row column names the row
        self.rejects.hide()
        self.warnings = QPlainTextEdit(self)
        self.warnings.setObjectName("import_warnings")
        self.warnings.setReadOnly(True)
        self.warnings.setMaximumBlockCount(500)
        self.warnings.hide()

    def _buttons(self) -> QHBoxLayout:
        self.run_button = QPushButton("Import", self)
        self.run_button.setObjectName("import_run")
        self.run_button.setEnabled(False)
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(lambda: self.run_import(skip_bad=False))
        self.good_rows_button = QPushButton("Import good rows, save rejects…", self)
        self.good_rows_button.setObjectName("import_good_rows")
        self.good_rows_button.setEnabled(False)
        self.good_rows_button.clicked.connect(self.choose_rejects_file)
        self.close_button = QPushButton("Close", self)
        self.close_button.setObjectName("import_close")
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.good_rows_button)
        buttons.addWidget(self.close_button)
        return buttons

    def _arrange(self, form: QFormLayout, cold_row: QHBoxLayout, prog_row: QHBoxLayout,
                 buttons: QHBoxLayout) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Columns", self))
        layout.addWidget(self.mapping, 1)
        layout.addLayout(cold_row)
        layout.addLayout(prog_row)
        layout.addWidget(self.status)
        layout.addWidget(self.rejects, 1)
        layout.addWidget(self.warnings)
        layout.addLayout(buttons)
        # Wide enough for a rejected row's field, value and reason side by side.
        self.rejects.setColumnWidth(0, self.fontMetrics().horizontalAdvance("Row 100000"))
        self.rejects.setColumnWidth(1, self.fontMetrics().averageCharWidth() * 14)
        self.rejects.setColumnWidth(2, self.fontMetrics().averageCharWidth() * 22)
        self.resize(self.fontMetrics().averageCharWidth() * 110, self.fontMetrics().height() * 42)

    # --- choosing a file --------------------------------------------------------
    def choose_file(self) -> None:
        d = self.open_dialog_factory(self, "Choose a CSV file to import")
        d.fileSelected.connect(self.set_path)
        self._file_dialog = d
        d.open()

    def set_path(self, path: str) -> None:
        path = path.strip()
        self.path.setText(path)
        self._preview = None
        self.run_button.setEnabled(False)
        self.good_rows_button.setEnabled(False)
        self._show_rejects(())
        if not path:
            return
        kind = self.kind.currentData()

        db = self.ctx.db

        def load() -> _Preview:
            table = read_table(path)
            if kind != KIND_LEADS:
                return _Preview(table, None)
            # the team's saved layouts are in the database: read here, off the GUI thread
            return _Preview(table, map_headers(table.headers), initial_mapping(table.headers, db),
                            saved_mapping(table.headers, db) is not None)

        self.status.setText("Reading the file…")
        self.ctx.run_query(load, self._on_preview, key="import_preview",
                           on_error=self._on_error)

    def _kind_changed(self) -> None:
        leads = self.kind.currentData() == KIND_LEADS
        self.campaign.setEnabled(leads)
        if self.path.text():
            self.set_path(self.path.text())

    def _on_preview(self, preview: _Preview) -> None:
        self._preview = preview
        t = preview.table
        chosen = preview.chosen
        self.mapping.set_columns(t.headers, chosen, t.rows[:3])
        remembered = chosen is not None and preview.remembered
        self.status.setText(f"{labels.count(len(t), 'row')}, {labels.text_encoding(t.encoding)}, "
                            f"{labels.delimiter(t.delimiter)}."
                            + (" The mapping saved for files like this one is applied."
                               if remembered else ""))
        self.run_button.setEnabled(True)

    # --- running ----------------------------------------------------------------
    def run_import(self, skip_bad: bool = False, rejects_path: str | None = None) -> None:
        if self._preview is None or self._running:
            return
        self._rejects_path = rejects_path
        table = self._preview.table
        kind = self.kind.currentData()
        campaign = self.campaign.text().strip() or None
        region = self.region.text().strip() or None
        db = self.ctx.db
        self._cancel.clear()
        cancelled = self._cancel.is_set
        chosen = self.mapping.mapping()
        if kind == KIND_LEADS and not names_a_lead(chosen):
            # said here, in the dialog's words (the service would advise --map)
            self.status.setText("Map at least one column to a name, the company, an email or "
                                "a phone (\"Imported as\" above): nothing names a lead yet.")
            return
        cold: list[int] = []
        self._cold_ids = cold
        self._mapping_note = note = [""]
        by = self.ctx.user.name if self.ctx.user is not None else None

        def work() -> ImportResult:
            progress = self.sig_progress.emit
            if kind == KIND_ACTIVITY:
                result = import_activity(db, table, skip_bad=skip_bad, default_region=region,
                                         progress=progress, cancel=cancelled)
            else:
                mapped, overrides = apply_mapping(table, chosen)
                opts = LeadImportOptions(campaign=campaign, default_region=region,
                                         skip_bad=skip_bad, mapping=overrides)
                result = import_leads(db, mapped, opts, progress=progress, cancel=cancelled)
                if result.applied:
                    # the next file like it maps itself, on every machine of the team
                    note[0] = remember_mapping(db, table.headers, chosen, by)
                    cold[:] = without_hand_raise(db, result.lead_ids)
            if rejects_path and result.applied and result.rejected:
                write_rejects(rejects_path, table, result.rejected)
            return result

        self._set_running(True)
        self.status.setText("Importing…")
        self.ctx.run_op(work, self, self._on_done, self._on_error, changes=imported)

    def _show_cold(self) -> None:
        n = len(self._cold_ids)
        for w in (self.cold_note, self.cold_kind, self.cold_button):
            w.setVisible(n > 0)
        self.cold_note.setText(
            f"{n} lead{'s' if n != 1 else ''} came without a hand raise: "
            f"{'they are' if n != 1 else 'it is'} cold, in the leads list but in nobody's queue. "
            "If they did ask to be contacted, say so:")

    def raise_hands_now(self) -> None:
        ids, kind, db = list(self._cold_ids), self.cold_kind.currentData(), self.ctx.db

        def done(n: int) -> None:
            self._cold_ids = []
            self._show_cold()
            self.status.setText(f"{n} lead{'s' if n != 1 else ''} now warm with a hand raise: "
                                "in the queue, the clock running.")

        self.ctx.run_op(lambda: raise_hands_now(db, ids, kind), self, done, self._on_error,
                        changes=hands_raised)

    def cancel(self) -> None:
        self._cancel.set()
        self.status.setText("Cancelling…")

    def choose_rejects_file(self) -> None:
        d = self.save_dialog_factory(self, "Save the rejected rows as")
        d.fileSelected.connect(self.import_good_rows)
        self._file_dialog = d
        d.open()

    def import_good_rows(self, rejects_path: str) -> None:
        if rejects_path:
            self.run_import(skip_bad=True, rejects_path=rejects_path)

    def _set_running(self, running: bool) -> None:
        self._running = running
        self.cancel_button.setEnabled(running)
        for w in (self.run_button, self.browse, self.kind, self.path, self.good_rows_button):
            w.setEnabled(not running)
        if running:
            self.progress.setValue(0)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setValue(100 * done // max(total, 1))

    def _on_done(self, result: ImportResult) -> None:
        self._set_running(False)
        self.last_result = result
        self._show_rejects(result.rejected)
        self._show_warnings([*result.warnings, *filter(None, self._mapping_note)])
        # A quotation mark left open: said in words above the list of the rows it took.
        swallowed = "".join(f" {sw.summary()}; those rows are not imported."
                            for sw in (result.table.swallowed if result.table else ()))
        if result.applied:
            self.progress.setValue(100)
            text = done_sentence(result.imported, result.merged)
            if result.rejected:
                n = len(result.rejected_rows)
                text += f"; {labels.count(n, 'row')} {'was' if n == 1 else 'were'} rejected"
                if self._rejects_path:
                    text += f" and saved to {Path(self._rejects_path).name}"
            self.status.setText(text + "." + swallowed)
            self._show_cold()
            self.run_button.setEnabled(False)
            self.good_rows_button.setEnabled(False)
        else:
            bad = labels.count(len(result.rejected_rows), "bad row")
            self.status.setText(f"Nothing imported: {bad} "
                                f"listed below.{swallowed} Fix the file, or import the good "
                                "rows and save the rejects.")
            self.good_rows_button.setEnabled(True)
        self.sig_import_finished.emit(result)

    def _on_error(self, exc: BaseException) -> None:
        self._set_running(False)
        if isinstance(exc, ImportCancelled):
            self.progress.setValue(0)
            self.status.setText("Import cancelled; nothing was imported.")
            self.run_button.setEnabled(self._preview is not None)
        elif isinstance(exc, KnownError):
            self.status.setText(str(exc))
            self.run_button.setEnabled(False)
        else:
            self.ctx.runner.report(exc)  # a bug: the crash dialog

    def _show_warnings(self, lines: list[str]) -> None:
        self.warnings.setPlainText("\n".join(lines))
        self.warnings.setVisible(bool(lines))  # an empty box took room from the mapping

    def _show_rejects(self, problems: tuple[RowProblem, ...]) -> None:
        self.rejects.setVisible(bool(problems))  # nothing went wrong: no empty table
        self.rejects.setRowCount(len(problems))
        for i, p in enumerate(problems):
            for col, value in enumerate((str(p.row), p.field, p.value, p.reason)):
                self.rejects.setItem(i, col, QTableWidgetItem(value))
