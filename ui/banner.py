"""The banner for known errors ("database unavailable — retrying", a refused
designation change): one line, a Retry button when there is something to retry, and a
Dismiss. Never a stack trace."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class Banner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("error_banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # The palette's tooltip colours: a distinct strip on any desktop theme.
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self._retry: Callable[[], None] | None = None

        self.icon = QLabel("⚠", self)
        f = QFont(self.font())
        f.setBold(True)
        self.icon.setFont(f)
        self.text = QLabel("", self)
        self.text.setObjectName("banner_text")
        self.text.setWordWrap(True)
        self.retry_button = QPushButton("Retry", self)
        self.retry_button.setObjectName("banner_retry")
        self.retry_button.clicked.connect(self._on_retry)
        self.dismiss_button = QPushButton("Dismiss", self)
        self.dismiss_button.setObjectName("banner_dismiss")
        self.dismiss_button.clicked.connect(self.hide)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        lay.addWidget(self.icon)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.retry_button)
        lay.addWidget(self.dismiss_button)
        self.hide()

    def show_message(self, message: str, retry: Callable[[], None] | None = None) -> None:
        self._retry = retry
        self.text.setText(message)
        self.retry_button.setVisible(retry is not None)
        self.show()

    def message(self) -> str:
        return self.text.text() if self.isVisibleTo(self.parentWidget()) else ""

    def _on_retry(self) -> None:
        retry = self._retry
        self.hide()
        if retry is not None:
            retry()
