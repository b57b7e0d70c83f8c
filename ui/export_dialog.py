"""Export turned-over leads for a CRM: the format, whether to include leads already sent,
and where to save (a non-modal file dialog). The export runs through the op runner; the
result line says how many went out and lists any warnings (placeholders, cut values).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from qualdesk import clock
from qualdesk.services.export_crm import default_filename, export_turned_over
from qualdesk.services.export_crm.common import ExportResult
from ui.context import AppContext
from ui.dialog_buttons import action_buttons, column, ok_of

FORMAT_LABELS = (("salesforce", "Salesforce (Lead import)"),
                 ("hubspot", "HubSpot (contact import)"),
                 ("csv", "Plain CSV (everything)"))


class ExportDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("export_dialog")
        self.setWindowTitle("Export turned-over leads")
        self.ctx = ctx
        self.last_result: ExportResult | None = None
        # Tests swap this for a function that answers at once.
        self.file_dialog_factory: Callable[[QWidget, str], QFileDialog] = _save_dialog
        self._file_dialog: QFileDialog | None = None

        self.format = QComboBox(self)
        self.format.setObjectName("export_format")
        for key, label in FORMAT_LABELS:
            self.format.addItem(label, key)
        self.include_all = QCheckBox("Include leads already exported in this format", self)
        self.include_all.setObjectName("export_all")
        self.path = QLineEdit(self)
        self.path.setObjectName("export_path")
        # The whole suggested path readable, not its last 30 characters.
        self.path.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)
        self.browse = QPushButton("Choose…", self)
        self.browse.setObjectName("export_browse")
        self.browse.clicked.connect(self._choose_file)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        self.result = QLabel("", self)
        self.result.setObjectName("export_result")
        self.result.setWordWrap(True)
        self.warnings = QPlainTextEdit(self)
        self.warnings.setObjectName("export_warnings")
        self.warnings.setReadOnly(True)
        self.warnings.hide()

        form = QFormLayout()
        form.addRow("Format", self.format)
        form.addRow("", self.include_all)
        form.addRow("Save as", row)
        self.buttons = action_buttons(self, "export", "Export", self.run_export, close=True)
        self.export_button = ok_of(self.buttons)
        column(self, form, self.result, self.warnings, self.buttons)
        self.format.currentIndexChanged.connect(self._suggest_name)
        self._suggest_name()

    def fmt(self) -> str:
        return str(self.format.currentData())

    def _suggest_name(self) -> None:
        current = Path(self.path.text()) if self.path.text() else Path.home() / "x.csv"
        self.path.setText(str(current.parent / default_filename(self.fmt(), clock.now())))

    def _choose_file(self) -> None:
        dlg = self.file_dialog_factory(self, self.path.text())
        dlg.fileSelected.connect(self.path.setText)
        self._file_dialog = dlg
        dlg.open()

    def run_export(self) -> None:
        target = self.path.text().strip()
        if not target:
            self.result.setText("Choose where to save the file.")
            return
        db, fmt, all_ = self.ctx.db, self.fmt(), self.include_all.isChecked()
        self.export_button.setEnabled(False)
        self.result.setText("Exporting…")
        # A write (the leads are marked as sent), though no view shows the marks: the
        # runner finds no changes in the result and announces nothing.
        self.ctx.run_op(lambda: export_turned_over(db, fmt, target, all_=all_), self,
                        self._done, self._failed)

    def _done(self, r: ExportResult) -> None:
        self.last_result = r
        self.export_button.setEnabled(True)
        if r.exported:
            self.result.setText(f"Exported {r.exported} lead(s) to {r.file}")
        else:
            self.result.setText(f"No new turned-over leads: wrote a header-only file {r.file}")
        self.warnings.setPlainText("\n".join(r.warnings))
        self.warnings.setVisible(bool(r.warnings))

    def _failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        self.result.setText(f"Export failed: {exc}")


def _save_dialog(parent: QWidget, suggested: str) -> QFileDialog:
    dlg = QFileDialog(parent, "Export to", suggested, "CSV files (*.csv)")
    dlg.setObjectName("export_file_dialog")
    dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dlg.setDefaultSuffix("csv")
    return dlg
