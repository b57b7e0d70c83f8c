"""The Phone page: set up and test the app's phone — the engine starts, the rep's SIP
account registers, a test call goes through; this machine's headset; the rep's
recorded voicemail (import a WAV, hear it back).

Opened from the Phone menu (``install_phone`` wires the phone into the window). Every
engine and database call goes through the phone's worker thread or the op runner.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from qualdesk.phone.adapter import CallRecord
from qualdesk.phone.outcomes import propose
from qualdesk.settings import MachineSettings
from ui.phone_controller import PhoneController

if TYPE_CHECKING:
    from ui.context import AppContext
    from ui.host import Host

STATE_TEXT = {
    "down": "Not running", "starting": "Starting…", "up": "Running", "gave_up": "Stopped (keeps failing)",
    "registered": "Running — your SIP account is registered",
    "register_failed": "Running — your SIP account did NOT register",
}


class PhonePage(QDialog):
    def __init__(self, ctx: AppContext, phone: PhoneController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("phone_page")
        self.setWindowTitle("Phone")
        self.ctx, self.phone = ctx, phone
        self._test_uri: str | None = None
        self._vm_path: Path | None = None

        groups = (self._engine_box(), self._account_box(), self._audio_box(),
                  self._voicemail_box(), self._test_box())
        lay = QVBoxLayout(self)
        for g in groups:
            lay.addWidget(g)
        phone.sig_engine_state.connect(self._on_state)
        phone.sig_call_changed.connect(self._on_call)
        phone.sig_error.connect(lambda msg: self.test_label.setText(f"Phone: {msg}"))
        self._on_state(phone.state, phone.detail)
        self.resize(620, 640)

    def _engine_box(self) -> QGroupBox:
        """The engine's state, the team's trunk and a restart button."""
        engine = QGroupBox("The phone on this computer", self)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("phone_state_label")
        self.state_label.setWordWrap(True)
        self.trunk_label = QLabel(self)
        self.trunk_label.setObjectName("phone_trunk_label")
        self.trunk_label.setWordWrap(True)
        self.start_button = QPushButton("Start / restart the phone", self)
        self.start_button.setObjectName("phone_start_button")
        self.start_button.clicked.connect(self.restart)
        el = QVBoxLayout(engine)
        el.addWidget(self.state_label)
        el.addWidget(self.trunk_label)
        el.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignLeft)
        return engine

    def _account_box(self) -> QGroupBox:
        """The rep's own SIP account (the password goes to the keyring)."""
        account = QGroupBox("My SIP account (optional: without one the phone dials the trunk "
                            "unregistered)", self)
        self.registrar = QLineEdit(self, placeholderText="pbx.example.com")
        self.registrar.setObjectName("phone_registrar")
        self.username = QLineEdit(self, placeholderText="1001")
        self.username.setObjectName("phone_username")
        self.password = QLineEdit(self)
        self.password.setObjectName("phone_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("kept in the OS keyring")
        self.proxy = QLineEdit(self, placeholderText="(none)")
        self.proxy.setObjectName("phone_proxy")
        self.transport = QComboBox(self)
        self.transport.setObjectName("phone_transport")
        self.transport.addItems(["udp", "tcp", "tls"])
        save_account = QPushButton("Save account", self)
        save_account.setObjectName("phone_save_account")
        save_account.clicked.connect(self.save_account)
        af = QFormLayout(account)
        af.addRow("&Registrar", self.registrar)
        af.addRow("&User", self.username)
        af.addRow("&Password", self.password)
        af.addRow("Outbound pro&xy", self.proxy)
        af.addRow("&Transport", self.transport)
        af.addRow("", save_account)
        return account

    def _audio_box(self) -> QGroupBox:
        """This machine's microphone and speaker, as the engine names them."""
        audio = QGroupBox("Headset on this computer (as the phone names devices)", self)
        ms = MachineSettings.load()
        self.mic = QLineEdit(ms.audio_source or "", self, placeholderText="alsa,default")
        self.mic.setObjectName("phone_mic")
        self.speaker = QLineEdit(ms.audio_player or "", self, placeholderText="alsa,default")
        self.speaker.setObjectName("phone_speaker")
        save_audio = QPushButton("Save headset", self)
        save_audio.setObjectName("phone_save_audio")
        save_audio.clicked.connect(self.save_audio)
        hf = QFormLayout(audio)
        hf.addRow("&Microphone", self.mic)
        hf.addRow("&Speaker", self.speaker)
        hf.addRow("", save_audio)
        return audio

    def _voicemail_box(self) -> QGroupBox:
        """The recorded voicemail: import a WAV, hear it back."""
        vm = QGroupBox("My recorded voicemail", self)
        self.vm_label = QLabel("No recorded voicemail yet.", self)
        self.vm_label.setObjectName("phone_voicemail_label")
        self.vm_label.setWordWrap(True)
        imp = QPushButton("Import a WAV…", self)
        imp.setObjectName("phone_voicemail_import")
        imp.clicked.connect(self.import_voicemail)
        self.hear = QPushButton("Hear it", self)
        self.hear.setObjectName("phone_voicemail_hear")
        self.hear.setEnabled(False)
        self.hear.clicked.connect(self.hear_voicemail)
        vl = QVBoxLayout(vm)
        vl.addWidget(self.vm_label)
        row = QHBoxLayout()
        row.addWidget(imp)
        row.addWidget(self.hear)
        row.addStretch(1)
        vl.addLayout(row)
        return vm

    def _test_box(self) -> QGroupBox:
        """A test call to a number the rep chooses."""
        test = QGroupBox("Test call", self)
        self.test_number = QLineEdit(self, placeholderText="+12125550100 (your own mobile)")
        self.test_number.setObjectName("phone_test_number")
        self.test_button = QPushButton("Place a test call", self)
        self.test_button.setObjectName("phone_test_button")
        self.test_button.clicked.connect(self.test_call)
        self.test_label = QLabel("", self)
        self.test_label.setObjectName("phone_test_label")
        self.test_label.setWordWrap(True)
        tl = QVBoxLayout(test)
        tr = QHBoxLayout()
        tr.addWidget(self.test_number, 1)
        tr.addWidget(self.test_button)
        tl.addLayout(tr)
        tl.addWidget(self.test_label)
        return test

    def showEvent(self, event) -> None:  # noqa: ANN001, N802 (Qt's name)
        super().showEvent(event)
        self.reload()

    def reload(self) -> None:
        from qualdesk.services import sip_accounts, team_settings
        from qualdesk.services.voicemails import voicemail_for

        db, rep = self.ctx.db, self.ctx.rep_name
        if rep is None:
            return

        def load() -> tuple[object, object, object]:
            uri = team_settings.get_value(db, "sip.dial_uri")
            acc = sip_accounts.account_for(db, rep)
            try:
                vm: object = voicemail_for(db, rep, None)
            except Exception as exc:  # noqa: BLE001 (its message is what the rep reads)
                vm = str(exc)
            return uri, acc, vm

        self.ctx.run_query(load, self._on_loaded, key="phone_page")

    def _on_loaded(self, loaded: tuple[object, object, object]) -> None:
        uri, acc, vm = loaded
        self.phone.dial_uri = str(uri) or None
        self.trunk_label.setText(f"Calls go to: {uri}" if uri else
                                 "No phone line is set up for the team yet: ask your team "
                                 "lead or admin to connect QualDesk to the phone system. "
                                 "Until then F5 hands the number to your desktop's phone.")
        if acc is not None and not self.registrar.text():
            self.registrar.setText(acc.registrar)  # type: ignore[attr-defined]
            self.username.setText(acc.username)  # type: ignore[attr-defined]
            self.proxy.setText(acc.outbound_proxy or "")  # type: ignore[attr-defined]
            self.transport.setCurrentText(acc.transport)  # type: ignore[attr-defined]
        self._show_voicemail(vm)

    def _show_voicemail(self, vm: object) -> None:
        from qualdesk.services.voicemails import VoicemailRecord

        if isinstance(vm, VoicemailRecord):
            self._vm_path = vm.path
            conv = f" (converted from {vm.converted_from})" if vm.converted_from else ""
            self.vm_label.setText(f"{vm.seconds:.1f} s{conv} — Ctrl+Shift+V drops it into an "
                                  "answered call.")
            self.hear.setEnabled(True)
        else:
            self.vm_label.setText(str(vm))

    def _on_state(self, state: str, detail: str) -> None:
        text = STATE_TEXT.get(state, state)
        if state == "up":
            self.state_label.setText(f"Running (baresip {detail})" if detail else text)
            return
        self.state_label.setText(f"{text}{': ' + detail if detail else ''}")

    def restart(self) -> None:
        self.phone.restart()

    def save_account(self) -> None:
        from qualdesk.services.sip_accounts import set_account

        db, rep = self.ctx.db, self.ctx.rep_name
        if rep is None:
            return
        reg, user, pw = self.registrar.text(), self.username.text(), self.password.text() or None
        proxy, transport = self.proxy.text() or None, self.transport.currentText()
        self.password.clear()
        self.ctx.run_op(lambda: set_account(db, rep, reg, user, proxy, transport, pw), self,
                        lambda _r: self.state_label.setText(
                            "Account saved: restart the phone to register with it."),
                        on_error=lambda exc: self.state_label.setText(str(exc)))

    def save_audio(self) -> None:
        ms = MachineSettings.load()
        ms.audio_source, ms.audio_player = self.mic.text().strip() or None, \
            self.speaker.text().strip() or None
        ms.save()
        self.state_label.setText("Headset saved: restart the phone to use it.")

    def import_voicemail(self) -> None:
        dlg = QFileDialog(self, "Your voicemail (WAV)", "", "WAV recordings (*.wav)")
        dlg.setObjectName("phone_voicemail_file_dialog")
        dlg.fileSelected.connect(self.import_file)
        dlg.open()

    def import_file(self, path: str) -> None:
        from qualdesk.services.voicemails import set_voicemail

        db, rep = self.ctx.db, self.ctx.rep_name
        if rep is None:
            return
        self.ctx.run_op(lambda: set_voicemail(db, rep, Path(path)), self, self._show_voicemail,
                        on_error=lambda exc: self.vm_label.setText(str(exc)))

    def hear_voicemail(self) -> None:
        if self._vm_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._vm_path)))

    def test_call(self) -> None:
        from qualdesk.services.phone_calls import dial_uri

        number = self.test_number.text().strip().replace(" ", "")
        if not self.phone.available:
            self.test_label.setText("The phone is not running, or no phone line is set up (above).")
            return
        if not number:
            self.test_label.setText("Type a number to call (E.164, e.g. +12125550100).")
            return
        assert self.phone.dial_uri is not None
        self._test_uri = dial_uri(self.phone.dial_uri, number)
        self.test_label.setText("Dialling…")
        self.phone.dial(self._test_uri, 30)

    def _on_call(self, rec: CallRecord) -> None:
        if rec.uri != self._test_uri:
            return
        if rec.ended:
            p = propose(rec)
            self.test_label.setText(f"Test call: {p.why} (SIP {rec.sip_code or '-'}, rang "
                                    f"{rec.ring_s:.1f} s, talked {rec.talk_s:.1f} s).")
        elif rec.answered_at is not None:
            self.test_label.setText("Test call: answered — speak and listen; hang up with "
                                    "Ctrl+Shift+H or from the other phone.")
        elif rec.ringing_at is not None:
            self.test_label.setText("Test call: ringing…")


def install_phone(host: Host) -> PhoneController | None:
    """The app's phone for the signed-in rep: the call panel dials through it, the Phone
    menu opens this page. The engine starts with the app's background jobs
    (``start_phone``); the features own the controller."""
    ctx = host.ctx
    rep = ctx.rep_name
    if rep is None:
        return None
    from qualdesk.services.phone_setup import rep_phone

    db = ctx.db
    window = host.window()
    controller = PhoneController(lambda: rep_phone(db, rep), window)
    host.lead_panel.calls.attach_phone(controller, ctx)
    pages: list[PhonePage] = []  # made at its first opening, then kept

    def open_page() -> None:
        if not pages:
            pages.append(PhonePage(ctx, controller, window))
        pages[0].show()
        pages[0].raise_()

    menu = host.menuBar().addMenu("&Phone")
    menu.setObjectName("menu_phone")
    act = QAction("Phone set-up and test…", window)
    act.setObjectName("action_phone_page")
    act.triggered.connect(open_page)
    menu.addAction(act)
    return controller


def start_phone(ctx: AppContext, controller: PhoneController) -> None:
    """Start the engine when the team has a phone line (the running app, not widget tests)."""
    from qualdesk.services import team_settings

    db = ctx.db

    def started(uri: object) -> None:
        if not shiboken6.isValid(controller):
            return  # the window closed while the team's line was read
        controller.dial_uri = str(uri) or None
        if controller.dial_uri:
            controller.start()

    ctx.run_query(lambda: team_settings.get_value(db, "sip.dial_uri"), started,
                  on_error=lambda _exc: None)
