"""A bug reached the user: say so plainly, show the details to copy, and log them."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger("qualdesk.crash")


def log_path() -> Path:
    from qualdesk.paths import data_dir

    return data_dir() / "qualdesk.log"


def install_file_log() -> Path:
    """Send warnings and errors to the log file in the data dir (once per process)."""
    path = log_path()
    root = logging.getLogger()
    if not any(isinstance(h, logging.FileHandler) and Path(h.baseFilename) == path
               for h in root.handlers):
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.setLevel(logging.WARNING)
        root.addHandler(handler)
    return path


class CrashDialog(QDialog):
    def __init__(self, summary: str, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crash_dialog")
        self.setWindowTitle("Something went wrong")
        log.error("%s\n%s", summary, details)
        text = QLabel(
            "QualDesk hit a bug. Your data is safe: every change is saved as it happens, "
            f"and notes are kept as drafts.\n\n{summary}\n\nThe details are in {log_path()}.",
            self)
        text.setObjectName("crash_summary")
        text.setWordWrap(True)
        self.details = QPlainTextEdit(details, self)
        self.details.setObjectName("crash_details")
        self.details.setReadOnly(True)
        copy = QPushButton("Copy details", self)
        copy.setObjectName("crash_copy")
        copy.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(f"{summary}\n\n{details}"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.setObjectName("crash_buttons")
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.button(QDialogButtonBox.StandardButton.Close).setObjectName("crash_close")
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(text)
        lay.addWidget(self.details, 1)
        lay.addWidget(buttons)
        self.resize(640, 400)
