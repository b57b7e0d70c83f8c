"""A source's secret, shown once: right after it was made, with a copy button; copied
(or dismissed), it is gone from the screen and from this widget. The database keeps
only a form of it that cannot be read back, so a lost secret means "New secret"."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget


class SecretPanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("intake_secret_panel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # The tooltip colours, like the banner: it must not be missed, on any theme.
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.source: str | None = None
        self.label = QLabel("", self)
        self.label.setObjectName("intake_secret_label")
        self.label.setWordWrap(True)
        self.value = QLineEdit(self)
        self.value.setObjectName("intake_secret_value")
        self.value.setReadOnly(True)
        self.copy_button = QPushButton("&Copy secret", self)
        self.copy_button.setObjectName("intake_secret_copy")
        self.copy_button.clicked.connect(self.copy)
        self.hide_button = QPushButton("Hide it", self)
        self.hide_button.setObjectName("intake_secret_hide")
        self.hide_button.clicked.connect(self.clear)
        row = QHBoxLayout()
        row.addWidget(self.value, 1)
        row.addWidget(self.copy_button)
        row.addWidget(self.hide_button)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        lay.addWidget(self.label, 2)
        lay.addLayout(row, 3)
        self.hide()

    def show_secret(self, source: str, secret: str) -> None:
        self.source = source
        self.label.setText(f"The secret of {source}, shown only now: paste it into the "
                           "sender's settings.")
        self.value.setText(secret)
        fm = self.value.fontMetrics()
        self.value.setMinimumWidth(fm.horizontalAdvance(secret) + fm.horizontalAdvance("MM"))
        self.show()
        self.copy_button.setFocus()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.value.text())
        self.clear()

    def clear(self) -> None:
        self.value.clear()
        self.source = None
        self.hide()

    def forget(self, source: str) -> None:
        """The source is gone: its secret must not stay on screen."""
        if self.source == source:
            self.clear()

    @property
    def showing(self) -> bool:
        return self.isVisibleTo(self.parentWidget()) and bool(self.value.text())
