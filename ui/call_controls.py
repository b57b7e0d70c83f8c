"""Dial, the call timer, and one key per disposition.

Click-to-dial hands a ``tel:`` / ``sip:`` / ``callto:`` URL (team setting
``dial.scheme``) to the desktop's phone; the opener is injectable so tests never launch
anything. Digits 1–9 disposition the call when the cursor is not in a text field (text
fields keep their digits); Alt+digit works everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QFont, QKeySequence
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from qualdesk import clock
from qualdesk.services.reference_data import DispositionRecord
from ui import keymap

UrlOpener = Callable[[QUrl], bool]


def dial_url(scheme: str, phone: str, ext: str | None = None) -> QUrl:
    """``tel:+12125550101`` (RFC 3966 puts an extension after ``;ext=``)."""
    target = phone.replace(" ", "")
    if ext and scheme == "tel":
        target += f";ext={ext}"
    return QUrl(f"{scheme}:{target}")


class CallControls(QWidget):
    sig_disposition = Signal(str)
    sig_dialled = Signal(str)

    def __init__(self, parent: QWidget | None = None, opener: UrlOpener | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("call_controls")
        self.opener: UrlOpener = opener or QDesktopServices.openUrl
        self.scheme = "tel"
        self.phone: str | None = None
        self.ext: str | None = None
        self.call_started_at: datetime | None = None
        self._buttons: dict[str, QPushButton] = {}
        self._actions: list[QAction] = []

        self.dial_button = QPushButton("Dial", self)
        self.dial_button.setObjectName("call_dial_button")
        self.dial_button.setToolTip(keymap.tooltip("dial"))
        self.dial_button.clicked.connect(self.dial)
        self.timer_label = QLabel("Not on a call", self)
        self.timer_label.setObjectName("call_timer_label")
        f = QFont(self.font())
        f.setBold(True)
        self.timer_label.setFont(f)
        dial_action = QAction(self)
        dial_action.setObjectName("action_dial")
        dial_action.setShortcuts(keymap.sequences("dial"))
        dial_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        dial_action.triggered.connect(self.dial)
        self.addAction(dial_action)

        self.grid = QGridLayout()
        self.grid.setSpacing(4)
        top = QHBoxLayout()
        top.addWidget(self.dial_button)
        top.addWidget(self.timer_label, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addLayout(self.grid)

        self.call_timer = QTimer(self)
        self.call_timer.setObjectName("call_timer")
        self.call_timer.setInterval(1000)
        self.call_timer.timeout.connect(self.update_timer)
        self.set_lead(None)

    def set_dispositions(self, dispositions: Sequence[DispositionRecord]) -> None:
        for b in self._buttons.values():
            b.deleteLater()
        for a in self._actions:
            self.removeAction(a)
            a.deleteLater()
        self._buttons.clear()
        self._actions.clear()
        for i, d in enumerate(dispositions):
            key = d.hotkey if d.hotkey and d.hotkey.isdigit() else None
            text = f"{key}  {d.label}" if key else d.label
            b = QPushButton(text, self)
            b.setObjectName(f"disposition_{d.code}")
            b.setToolTip(f"{d.label} ({key} / Alt+{key})" if key else d.label)
            b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            b.clicked.connect(lambda _=False, code=d.code: self.sig_disposition.emit(code))
            self.grid.addWidget(b, i // 3, i % 3)
            self._buttons[d.code] = b
            if key:
                act = QAction(self)
                act.setObjectName(f"action_disposition_{d.code}")
                act.setShortcuts([QKeySequence(key), QKeySequence(f"Alt+{key}")])
                act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
                act.triggered.connect(lambda _=False, code=d.code: self._key_disposition(code))
                self.addAction(act)
                self._actions.append(act)
        self._sync_enabled()

    def button(self, code: str) -> QPushButton:
        return self._buttons[code]

    def set_lead(self, phone: str | None, ext: str | None = None, dnc: bool = False,
                 scheme: str | None = None) -> None:
        self.phone = None if dnc else phone
        self.ext = ext
        if scheme:
            self.scheme = scheme
        self.reset()
        self.dial_button.setText("Dial " + phone if self.phone else
                                 ("Do not call" if dnc else "No phone"))
        self._sync_enabled()

    def _sync_enabled(self) -> None:
        self.dial_button.setEnabled(self.phone is not None)
        for b in self._buttons.values():
            b.setEnabled(self.isEnabled())

    def _key_disposition(self, code: str) -> None:
        if self.isEnabled() and self.isVisible():
            self.sig_disposition.emit(code)

    def dial(self) -> None:
        if self.phone is None:
            return
        url = dial_url(self.scheme, self.phone, self.ext)
        self.opener(url)
        if self.call_started_at is None:
            self.call_started_at = clock.now()
        self.call_timer.start()
        self.update_timer()
        self.sig_dialled.emit(url.toString())

    def elapsed_seconds(self) -> int:
        if self.call_started_at is None:
            return 0
        return max(0, int((clock.now() - self.call_started_at).total_seconds()))

    def update_timer(self) -> None:
        if self.call_started_at is None:
            self.timer_label.setText("Not on a call")
            return
        secs = self.elapsed_seconds()
        self.timer_label.setText(f"On call {secs // 60:02d}:{secs % 60:02d}")

    def reset(self) -> None:
        self.call_timer.stop()
        self.call_started_at = None
        self.update_timer()
