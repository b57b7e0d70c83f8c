"""Dial, the call as it happens, and one key per disposition.

With the app's phone (``PhoneController``: a SIP engine on a worker thread) F5 places
the call itself: the panel shows ringing → connected → ended with ring and talk time;
hang-up, mute, hold, keypad tones and the voicemail drop have keys; busy and no answer
are proposed and one key (Ctrl+Return) logs them; a connected call still asks for its
disposition. Every command is queued to the engine's thread and answered by a signal:
the window never waits on it, and a dead engine shows a line in the panel, not a freeze.

Without an engine, click-to-dial hands a ``tel:`` / ``sip:`` / ``callto:`` URL (team
setting ``dial.scheme``) to the desktop's phone (the opener is injectable so tests never
launch anything). When nothing takes the link the panel says so and offers the number
to copy, instead of running a call timer for a call that does not exist.

Digits 1–9 disposition the call when the cursor is not in a text field (text fields
keep their digits); Alt+digit works everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QFont, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from qualdesk import clock
from qualdesk.phone.adapter import ANSWERED, ENDED, RINGING, CallRecord
from qualdesk.phone.outcomes import Proposal, propose
from qualdesk.services.reference_data import DispositionRecord
from ui import keymap, labels
from ui.call_presence import CallPresence

if TYPE_CHECKING:
    from ui.context import AppContext
    from ui.phone_controller import PhoneController

UrlOpener = Callable[[QUrl], bool]

# Proposals one key confirms; "connected" always asks the rep (what was said matters).
CONFIRMABLE = frozenset({"busy", "no_answer", "bad_number"})


def dial_url(scheme: str, phone: str, ext: str | None = None) -> QUrl:
    """``tel:+12125550101`` (RFC 3966 puts an extension after ``;ext=``)."""
    target = phone.replace(" ", "")
    if ext and scheme == "tel":
        target += f";ext={ext}"
    return QUrl(f"{scheme}:{target}")


def mmss(seconds: float) -> str:
    s = max(0, round(seconds))
    return f"{s // 60:02d}:{s % 60:02d}"



class _Hint(QLabel):
    """What the phone says: shown only with words in it, so an empty one leaves its row
    to the script at 720 px (issue 17, trap 7)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__("", parent)
        self.hide()

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        self.setVisible(bool(text))

class CallControls(QWidget):
    sig_disposition = Signal(str)
    sig_dialled = Signal(str)
    # The keypad (Ctrl+digit) belongs to the call only while one is answered; otherwise
    # the same keys switch pages (the window listens and gives them back).
    sig_keypad_live = Signal(bool)

    def __init__(self, parent: QWidget | None = None, opener: UrlOpener | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("call_controls")
        self.opener: UrlOpener = opener or QDesktopServices.openUrl
        self.scheme = "tel"
        self.phone: str | None = None
        self.ext: str | None = None
        self.lead_id: int | None = None
        self.call_started_at: datetime | None = None
        self.engine: PhoneController | None = None
        self.ctx: AppContext | None = None
        self.call: CallRecord | None = None  # the engine call placed from this panel
        self.proposal: Proposal | None = None
        self.presence: CallPresence | None = None
        self._campaign_id: int | None = None
        self._voicemail_logged = False
        self._log_drop = True
        self._buttons: dict[str, QPushButton] = {}
        self._actions: list[QAction] = []

        self._build_widgets()
        self._build_keys()
        self._build_layout()

        self.call_timer = QTimer(self)
        self.call_timer.setObjectName("call_timer")
        self.call_timer.setInterval(1000)
        self.call_timer.timeout.connect(self.update_timer)
        self.set_lead(None)

    def _build_widgets(self) -> None:
        """The dial button, the call's timer and lines, and one button per call key."""
        self.dial_button = QPushButton("Dial", self)
        self.dial_button.setObjectName("call_dial_button")
        self.dial_button.setToolTip(keymap.tooltip("dial"))
        self.dial_button.clicked.connect(self.dial)
        self.timer_label = QLabel("Not on a call", self)
        self.timer_label.setObjectName("call_timer_label")
        f = QFont(self.font())
        f.setBold(True)
        self.timer_label.setFont(f)
        self.hint_label = _Hint(self)
        self.hint_label.setObjectName("call_hint_label")
        self.hint_label.setWordWrap(True)
        self.engine_label = QLabel("", self)  # the engine's banner: stopped, restarting
        self.engine_label.setObjectName("call_engine_banner")
        self.engine_label.setWordWrap(True)
        self.engine_label.setStyleSheet("QLabel { background: palette(highlight); "
                                        "color: palette(highlighted-text); padding: 3px; }")
        self.engine_label.hide()

        self.copy_button = self._key_button("copy_number", "Copy number", self.copy_number)
        self.confirm_button = self._key_button("confirm_outcome", "Log it", self.confirm_outcome)
        self.hangup_button = self._key_button("hang_up", "Hang up", self.hang_up)
        self.mute_button = self._key_button("mute", "Mute", self.toggle_mute)
        self.hold_button = self._key_button("hold", "Hold", self.toggle_hold)
        self.voicemail_button = self._key_button("drop_voicemail", "Drop voicemail",
                                                 self.drop_voicemail)

    def _build_keys(self) -> None:
        """F5 and the keypad tones (Ctrl+digit: live only while a call is answered)."""
        self._add_action("dial", self.dial)
        self._keypad: list[QAction] = []
        for key in "0123456789*#":
            act = QAction(self)
            act.setEnabled(False)  # no call yet: Ctrl+digit is the window's page key
            self._keypad.append(act)
            act.setObjectName(f"action_dtmf_{key}")
            act.setShortcut(QKeySequence(f"Ctrl+{key}"))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.triggered.connect(lambda _=False, k=key: self.send_dtmf(k))
            self.addAction(act)

    def _build_layout(self) -> None:
        """Engine banner; dial and timer; the call keys in one row; the disposition grid."""
        self.grid = QGridLayout()
        self.grid.setSpacing(4)
        top = QHBoxLayout()
        top.addWidget(self.dial_button)
        top.addWidget(self.timer_label, 1)
        # One row for the call keys, what the phone says and its one-key proposal: the
        # panel must not grow taller than a 720-pixel screen leaves it.
        call_row = QHBoxLayout()
        for b in (self.hangup_button, self.mute_button, self.hold_button, self.voicemail_button):
            call_row.addWidget(b)
        call_row.addWidget(self.hint_label, 1)
        call_row.addWidget(self.confirm_button)
        call_row.addWidget(self.copy_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.engine_label)
        lay.addLayout(top)
        lay.addLayout(call_row)
        lay.addLayout(self.grid)

    def _key_button(self, action: str, text: str, slot: Callable[[], None]) -> QPushButton:
        b = QPushButton(text, self)
        b.setObjectName(f"call_{action}_button")
        b.setToolTip(keymap.tooltip(action))
        b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        b.clicked.connect(slot)
        self._add_action(action, slot)
        return b

    def _add_action(self, action: str, slot: Callable[[], None]) -> None:
        act = QAction(self)
        act.setObjectName(f"action_{action}")
        act.setShortcuts(keymap.sequences(action))
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.triggered.connect(slot)
        self.addAction(act)

    # --- the app's phone ---------------------------------------------------------------

    def attach_phone(self, engine: PhoneController, ctx: AppContext) -> None:
        """Dial through the app's phone from now on (when it is up and a trunk is set)."""
        self.engine, self.ctx = engine, ctx
        self.presence = CallPresence(ctx)
        engine.sig_call_changed.connect(self._on_call_changed)
        engine.sig_engine_state.connect(self._on_engine_state)
        engine.sig_error.connect(self._on_engine_error)
        self._on_engine_state(engine.state, engine.detail)

    def _on_engine_state(self, state: str, detail: str) -> None:
        texts = {
            "starting": "",
            "up": "",
            "down": (f"The phone stopped ({detail}) — restarting it. Meanwhile F5 hands the "
                     "number to your desktop's phone." if "exit" in detail or "lost" in detail
                     else f"The phone is not working: {detail}. F5 hands the number to your "
                     "desktop's phone." if detail else ""),
            "gave_up": f"The phone keeps stopping ({detail}). See the Phone page; F5 hands the "
                       "number to your desktop's phone.",
            "register_failed": f"Your SIP account did not register ({detail}): see the Phone page.",
        }
        if state in texts:
            text = texts[state]
            self.engine_label.setText(text)
            self.engine_label.setVisible(bool(text))
        self._sync_enabled()

    def _on_engine_error(self, message: str) -> None:
        if "already in progress" in message:
            message = "your voicemail is still playing into the last call; it ends by itself"
        self.hint_label.setText(f"Phone: {message}")

    def engine_voicemail_playing(self) -> bool:
        """A dropped voicemail still playing (dropped here, or seen by the engine)."""
        cur = self.engine.current if self.engine is not None else None
        return cur is not None and not cur.ended and (cur.voicemail_started or self._voicemail_logged)

    def _via_engine(self) -> bool:
        return self.engine is not None and self.engine.available

    # --- dispositions ------------------------------------------------------------------

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
            b.clicked.connect(lambda _=False, code=d.code: self._emit_disposition(code))
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
                 scheme: str | None = None, lead_id: int | None = None,
                 campaign_id: int | None = None) -> None:
        self.phone = None if dnc else phone
        self.ext = ext
        self.lead_id = lead_id
        self._campaign_id = campaign_id
        if scheme:
            self.scheme = scheme
        self.reset()
        self.dial_button.setText("Dial " + phone if self.phone else
                                 ("Do not call" if dnc else "No phone"))
        self._sync_enabled()

    def _sync_enabled(self) -> None:
        live = self.call is not None and not self.call.ended
        answered = live and self.call is not None and self.call.answered_at is not None
        self.dial_button.setEnabled(self.phone is not None and not live)
        for b in self._buttons.values():
            b.setEnabled(self.isEnabled())
        for b in (self.hangup_button, self.mute_button, self.hold_button):
            b.setVisible(live)  # in-call keys only in a call: the row is the hint's otherwise
        self.voicemail_button.setVisible(live)
        self.voicemail_button.setEnabled(answered)
        if self._keypad[0].isEnabled() != answered:
            for act in self._keypad:
                act.setEnabled(answered)
            self.sig_keypad_live.emit(answered)
        self.copy_button.setVisible(self.phone is not None and self.call_started_at is None
                                    and bool(self.hint_label.text()))
        confirmable = self.proposal is not None and self.proposal.disposition in CONFIRMABLE
        self.confirm_button.setVisible(confirmable)
        if confirmable and self.proposal is not None and self.proposal.disposition:
            said = labels.disposition(self.proposal.disposition).lower()
            self.confirm_button.setText(f"Log {said}")
            self.confirm_button.setToolTip(keymap.tooltip(
                "confirm_outcome", f"Log {said}"))

    def _key_disposition(self, code: str) -> None:
        if self.isEnabled() and self.isVisible():
            self._emit_disposition(code)

    def _emit_disposition(self, code: str) -> None:
        # One key ends the call: once it is logged the lead leaves the screen, and
        # ``reset`` hangs up a call still live (not a voicemail playing).
        self.sig_disposition.emit(code)

    def confirm_outcome(self) -> None:
        if self.proposal is not None and self.proposal.disposition in CONFIRMABLE and self.isVisible():
            self.sig_disposition.emit(self.proposal.disposition)

    # --- dialling ------------------------------------------------------------------------

    def dial(self) -> None:
        if self.phone is None or (self.call is not None and not self.call.ended):
            return
        if self._via_engine():
            self._dial_engine()
            return
        url = dial_url(self.scheme, self.phone, self.ext)
        if not self.opener(url):
            # Nothing took the link: no call exists, so no call timer (trap 11 of #17).
            self.hint_label.setText(f"No phone app on this computer took the call. Dial "
                                    f"{self.phone} yourself — {keymap.key_label('copy_number')} "
                                    "copies the number.")
            self._sync_enabled()
            return
        self.hint_label.setText("")
        if self.call_started_at is None:
            self.call_started_at = clock.now()
        self.call_timer.start()
        self.update_timer()
        self._sync_enabled()
        self.sig_dialled.emit(url.toString())

    def _dial_engine(self) -> None:
        assert self.engine is not None and self.engine.dial_uri is not None and self.ctx is not None
        ctx, rep, lead_id = self.ctx, self.ctx.rep_name, self.lead_id
        if rep is None or lead_id is None:
            return
        from qualdesk.services.phone_calls import prepare_dial

        self.timer_label.setText("Checking…")
        db = ctx.db
        ctx.run_query(lambda: prepare_dial(db, lead_id, rep), self._on_target, key="dial_check",
                      on_error=self._on_refused)

    def _on_refused(self, exc: BaseException) -> None:
        self.timer_label.setText("Not dialled")
        self.hint_label.setText(str(exc))
        self._sync_enabled()

    def _on_target(self, target: object) -> None:
        from qualdesk.services.phone_calls import DialTarget

        assert isinstance(target, DialTarget) and self.engine is not None
        if target.lead_id != self.lead_id or target.uri is None:
            return
        self._campaign_id = target.campaign_id
        self._voicemail_logged = False
        self.proposal = None
        self.hint_label.setText("")
        self.call = CallRecord(uri=target.uri)  # until the engine's first record arrives
        self.timer_label.setText("Dialling…")
        self.engine.dial(target.uri, target.ring_timeout)
        self._sync_enabled()
        self.sig_dialled.emit(target.uri)

    def _on_call_changed(self, rec: CallRecord) -> None:
        if self.presence is not None:
            self.presence.call_changed(rec, self.lead_id)
        if self.call is None or rec.uri != self.call.uri:
            return
        self.call = rec
        if rec.dialled_at is not None:
            self.call_started_at = rec.dialled_at
        if rec.state in (RINGING, ANSWERED) or not rec.ended:
            self.call_timer.start()
        if rec.ended:
            self.call_timer.stop()
            self.proposal = propose(rec)
            if self.proposal.disposition == "left_voicemail" and not self._voicemail_logged:
                self._voicemail_logged = True
                self.sig_disposition.emit("left_voicemail")
            elif self.proposal.disposition in CONFIRMABLE:
                self.hint_label.setText(f"{self.proposal.why.capitalize()} — "
                                        f"{keymap.key_label('confirm_outcome')} logs it.")
            elif self.proposal.disposition == "connected":
                self.hint_label.setText("Call ended: choose its disposition (1–9).")
            else:
                self.hint_label.setText(f"The call did not go through: {self.proposal.why}.")
        self.update_timer()
        self._sync_enabled()

    # --- in the call ---------------------------------------------------------------------

    def hang_up(self) -> None:
        if self.engine is not None and self.call is not None and not self.call.ended:
            self.engine.hangup()

    def toggle_mute(self) -> None:
        if self.engine is not None and self.call is not None and not self.call.ended:
            self.engine.toggle_mute()
            self.mute_button.setText("Unmute" if self.mute_button.text() == "Mute" else "Mute")

    def toggle_hold(self) -> None:
        if self.engine is not None and self.call is not None and not self.call.ended:
            self.engine.toggle_hold()
            self.hold_button.setText("Resume" if self.hold_button.text() == "Hold" else "Hold")

    def send_dtmf(self, key: str) -> None:
        if self.engine is not None and self.call is not None and self.call.answered_at is not None \
                and not self.call.ended:
            self.engine.dtmf(key)

    def can_drop_voicemail(self) -> bool:
        call, ctx = self.call, self.ctx
        return not (self.engine is None or ctx is None or call is None or call.answered_at is None
                    or call.ended or ctx.rep_name is None)

    def drop_voicemail(self) -> None:
        """Play the rep's recording into the answered call; log left voicemail at once
        (the rep is free while it plays; the engine ends the call when it has played)."""
        self._drop(log=True)

    def drop_voicemail_for_followup(self) -> None:
        """F6 on a greeting: the recording plays, and the follow-up logs the voicemail
        with its email (so it is not logged twice)."""
        self._drop(log=False)

    def _drop(self, log: bool) -> None:
        if not self.can_drop_voicemail():
            return
        ctx = self.ctx
        assert ctx is not None and ctx.rep_name is not None
        self._log_drop = log
        from qualdesk.services.voicemails import voicemail_for

        db, rep, campaign = ctx.db, ctx.rep_name, self._campaign_id
        ctx.run_query(lambda: voicemail_for(db, rep, campaign), self._on_voicemail,
                      key="voicemail_drop", on_error=self._on_refused_voicemail)

    def _on_refused_voicemail(self, exc: BaseException) -> None:
        self.hint_label.setText(str(exc))

    def _on_voicemail(self, vm: object) -> None:
        from qualdesk.services.voicemails import VoicemailRecord

        assert isinstance(vm, VoicemailRecord) and self.engine is not None
        if self.call is None or self.call.ended:
            return
        self.engine.drop_voicemail(str(vm.path))
        self._voicemail_logged = True
        if self.presence is not None:
            self.presence.voicemail_dropped(self.call)
        if self._log_drop:
            self.sig_disposition.emit("left_voicemail")
        else:
            self.hint_label.setText("Your voicemail is playing into the call; the follow-up "
                                    "logs it with the email.")

    def copy_number(self) -> None:
        if self.phone:
            QGuiApplication.clipboard().setText(self.phone)
            self.hint_label.setText(f"Copied {self.phone}.")

    # --- the timer -----------------------------------------------------------------------

    def elapsed_seconds(self) -> int:
        if self.call_started_at is None:
            return 0
        return max(0, int((clock.now() - self.call_started_at).total_seconds()))

    def update_timer(self) -> None:
        call = self.call
        if call is not None and call.dialled_at is not None:
            self.timer_label.setText(self._engine_text(call))
            return
        if self.call_started_at is None:
            if call is None:
                self.timer_label.setText("Not on a call")
            return
        self.timer_label.setText(f"On call {mmss(self.elapsed_seconds())}")

    def _engine_text(self, call: CallRecord) -> str:
        now = clock.now()
        assert call.dialled_at is not None
        if call.state == ENDED:
            talk = f", talked {mmss(call.talk_s)}" if call.answered_at else ""
            return f"Ended — rang {mmss(call.ring_s)}{talk}"
        if call.answered_at is not None:
            return f"Connected {mmss((now - call.answered_at).total_seconds())}" + \
                (" (muted)" if self.mute_button.text() == "Unmute" else "")
        if call.ringing_at is not None:
            return f"Ringing {mmss((now - call.dialled_at).total_seconds())}"
        return "Dialling…"

    def reset(self) -> None:
        """A new lead on screen. An engine call still playing a voicemail goes on by
        itself (its attempt is stamped when it ends); any other live call was hung up by
        its disposition."""
        if self.presence is not None:
            self.presence.lead_left(self.call)
        call = self.call
        if call is not None and not call.ended and self.engine is not None \
                and not self.engine_voicemail_playing():
            self.engine.hangup()  # the lead left the screen (given back): so does its call
        self.call_timer.stop()
        self.call_started_at = None
        self.call = None
        self.proposal = None
        self.hint_label.setText("")
        self.mute_button.setText("Mute")
        self.hold_button.setText("Hold")
        self.update_timer()
        self._sync_enabled()

    def logged(self, lead_id: int, code: str) -> None:
        """The lead panel logged this call: stamp its real times and SIP code on the
        attempt (now, or when a voicemail still playing ends)."""
        if self.presence is not None and self.call is not None:
            self.presence.logged(self.call, lead_id, code)
