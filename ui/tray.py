"""Desktop notifications through the system tray, when there is one.

Without a tray (some desktops, offscreen tests) the message still reaches the window
through ``sig_notified``, which the main window shows in the status bar.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QSystemTrayIcon


class Tray(QObject):
    sig_notified = Signal(str, str)  # title, message
    sig_clicked = Signal()

    def __init__(self, icon: QIcon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tray")
        self.icon: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.icon = QSystemTrayIcon(icon, self)
            self.icon.setObjectName("tray_icon")
            self.icon.setToolTip("QualDesk")
            self.icon.messageClicked.connect(self.sig_clicked)
            self.icon.activated.connect(lambda _reason: self.sig_clicked.emit())
            self.icon.show()

    @property
    def available(self) -> bool:
        return self.icon is not None

    def notify(self, title: str, message: str) -> None:
        if self.icon is not None:
            self.icon.showMessage(title, message, QSystemTrayIcon.MessageIcon.Information, 10_000)
        self.sig_notified.emit(title, message)

    def hide(self) -> None:
        if self.icon is not None:
            self.icon.hide()
