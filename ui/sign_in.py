"""Choose who you are (the names given to ``qualdesk user add``); remembered per machine."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from qualdesk.domain.records import UserRecord
from ui import labels
from ui.dialog_buttons import action_buttons


class SignInDialog(QDialog):
    def __init__(self, users: Sequence[UserRecord], remembered: str | None = None,
                 database: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sign_in_dialog")
        self.setWindowTitle("Sign in to QualDesk")
        self.users = [u for u in users if u.active]
        self.combo = QComboBox(self)
        self.combo.setObjectName("sign_in_user")
        for u in self.users:
            self.combo.addItem(f"{u.name} ({labels.role(u.role)})", u.name)
        if remembered:
            i = self.combo.findData(remembered)
            if i >= 0:
                self.combo.setCurrentIndex(i)
        info = QLabel(f"Database: {database}" if database else "", self)
        info.setObjectName("sign_in_database")
        info.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Your name", self.combo)
        self.buttons = action_buttons(self, "sign_in", "Sign in", self.accept,
                                      ok_name="sign_in_ok", cancel_name="sign_in_cancel")
        lay = QVBoxLayout(self)
        if not self.users:
            empty = QLabel("Nobody is set up on this database yet. Start QualDesk's team "
                           "setup (it opens by itself on a new database) or ask your team "
                           "lead or admin to add you under Settings → People and roles.",
                           self)
            empty.setWordWrap(True)
            empty.setObjectName("sign_in_empty")
            lay.addWidget(empty)
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        lay.addWidget(info)
        lay.addLayout(form)
        lay.addWidget(self.buttons)

    def selected_user(self) -> UserRecord | None:
        name = self.combo.currentData()
        return next((u for u in self.users if u.name == name), None)
