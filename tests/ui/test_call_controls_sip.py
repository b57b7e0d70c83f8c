"""The cockpit's call panel with the app's phone: real calls to a second baresip on
127.0.0.1, driven by keys; and without a phone, click-to-dial that tells the truth."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QGuiApplication
from sqlalchemy import select

from qualdesk.db.models import Attempt, PhoneState
from qualdesk.phone.engine import EngineConfig, free_port
from qualdesk.phone.phone import Phone
from qualdesk.services import team_settings
from qualdesk.services.voicemails import set_voicemail
from tests.phone_far_end import ANSWER, ANSWER_THEN_HANG_UP, REJECT, FarEnd, dominant_hz, write_tone
from tests.phone_setup_helpers import far_end_fixture
from ui.main_window import MainWindow
from ui.phone_controller import PhoneController

__all__ = ["far_end_fixture"]


class NoPhoneApp:
    """The desktop has nothing registered for tel: links."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: QUrl) -> bool:
        self.urls.append(url.toString())
        return False


def _window(qtbot, ctx, opener=None) -> MainWindow:  # noqa: ANN001
    w = MainWindow(ctx, opener or NoPhoneApp())
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: w.isActiveWindow(), timeout=2000)
    return w


def test_f5_without_a_phone_app_says_so_and_offers_the_number(qtbot, ctx, seeded) -> None:
    opener = NoPhoneApp()
    w = _window(qtbot, ctx, opener)
    panel = w.lead_panel
    qtbot.keyClick(w, Qt.Key.Key_F2)
    qtbot.keyClick(w.focusWidget(), Qt.Key.Key_F5)
    assert opener.urls == ["tel:+12125550101"]
    calls = panel.calls
    assert calls.call_started_at is None
    assert "On call" not in calls.timer_label.text()
    assert "No phone app" in calls.hint_label.text()
    assert calls.copy_button.isVisible()
    qtbot.keyClick(w.focusWidget(), Qt.Key.Key_C,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert QGuiApplication.clipboard().text() == "+12125550101"


@pytest.fixture
def phone_window(qtbot, ctx, seeded, far_end: FarEnd, tmp_path: Path):  # noqa: ANN001, ANN201
    team_settings.set_value(ctx.db, "sip.dial_uri", far_end.uri_template())
    mic = write_tone(tmp_path / "mic.wav", 0, 60)

    def factory() -> Phone:
        return Phone(EngineConfig(folder=tmp_path / "engine", accounts=("<sip:ana@127.0.0.1>;regint=0",),
                                  audio_source=f"aufile,{mic}", audio_player="aufile,/dev/null",
                                  sip_listen=f"127.0.0.1:{free_port()}", net_interface="127.0.0.1"))

    w = _window(qtbot, ctx)
    controller: PhoneController = w.features.phone  # the window's own phone (features.install_phone)
    controller.factory = factory  # this machine's "headset": a silent WAV, on 127.0.0.1
    controller.dial_uri = far_end.uri_template()
    controller.start()
    qtbot.waitUntil(lambda: controller.state == "up", timeout=8000)
    yield w, controller
    controller.stop()


def _attempt(ctx, lead_id: int) -> Attempt:  # noqa: ANN001
    with ctx.db.session(write=False) as s:
        a = s.scalars(select(Attempt).where(Attempt.lead_id == lead_id)).one()
        s.expunge(a)
        return a


def test_answered_call_shows_connected_then_asks_for_the_disposition(
        qtbot, ctx, seeded, far_end: FarEnd, phone_window) -> None:  # noqa: ANN001
    w, _controller = phone_window
    calls = w.lead_panel.calls
    qtbot.keyClick(w, Qt.Key.Key_F2)
    alice = seeded.leads["Alice"]
    far_end.will(ANSWER_THEN_HANG_UP, after=1.0)
    qtbot.keyClick(w.focusWidget(), Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: calls.timer_label.text().startswith("Connected"), timeout=5000)
    assert calls.hangup_button.isEnabled() and calls.voicemail_button.isEnabled()
    qtbot.waitUntil(lambda: calls.timer_label.text().startswith("Ended"), timeout=5000)
    assert "talked" in calls.timer_label.text()
    assert "choose its disposition" in calls.hint_label.text()
    assert not calls.confirm_button.isVisible()  # a connected call is never logged for the rep
    with ctx.db.session(write=False) as s:
        ps = s.scalars(select(PhoneState)).one()
        assert ps.state == "wrap_up" and ps.lead_id == alice
    qtbot.keyClick(w.focusWidget(), Qt.Key.Key_1)  # connected
    qtbot.waitUntil(lambda: w.lead_panel.lead_id != alice, timeout=3000)
    a = _attempt(ctx, alice)
    assert a.disposition == "connected" and a.sip_code == 200 and a.answered_at is not None
    with ctx.db.session(write=False) as s:
        assert s.scalars(select(PhoneState)).one().state == "idle"


def test_busy_is_proposed_and_one_key_logs_it(qtbot, ctx, seeded, far_end: FarEnd,
                                               phone_window) -> None:  # noqa: ANN001
    w, _controller = phone_window
    calls = w.lead_panel.calls
    qtbot.keyClick(w, Qt.Key.Key_F2)
    alice = seeded.leads["Alice"]
    far_end.will(REJECT)
    qtbot.keyClick(w.focusWidget(), Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: calls.confirm_button.isVisible(), timeout=5000)
    assert calls.confirm_button.text().startswith("Log busy")
    assert w.lead_panel.lead_id == alice  # proposed, not logged yet
    qtbot.keyClick(w.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: w.lead_panel.lead_id != alice, timeout=3000)
    a = _attempt(ctx, alice)
    assert (a.disposition, a.sip_code, a.answered_at) == ("busy", 486, None)


def test_voicemail_drop_key_logs_at_once_and_the_far_end_hears_it(
        qtbot, ctx, seeded, far_end: FarEnd, phone_window, tmp_path: Path) -> None:  # noqa: ANN001
    w, controller = phone_window
    calls = w.lead_panel.calls
    set_voicemail(ctx.db, ctx.rep_name, write_tone(tmp_path / "vm.wav", 550, 2.0))
    qtbot.keyClick(w, Qt.Key.Key_F2)
    alice = seeded.leads["Alice"]
    before = set(far_end.heard())
    far_end.will(ANSWER)
    qtbot.keyClick(w.focusWidget(), Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: calls.voicemail_button.isEnabled(), timeout=5000)
    qtbot.keyClick(w.focusWidget(), Qt.Key.Key_V,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: w.lead_panel.lead_id != alice, timeout=3000)  # the rep is free
    assert controller.current is not None and not controller.current.ended  # still playing
    qtbot.waitUntil(lambda: controller.current is not None and controller.current.ended,
                    timeout=6000)
    qtbot.waitUntil(lambda: _attempt(ctx, alice).answered_at is not None, timeout=3000)
    a = _attempt(ctx, alice)
    assert a.disposition == "left_voicemail" and a.sip_code == 200
    assert (a.ended_at - a.answered_at).total_seconds() >= 0  # frozen clock: stamped, in order
    qtbot.wait(300)
    new = [p for p in far_end.heard() if p not in before]
    hz, secs = max((dominant_hz(p) for p in new), key=lambda t: t[1])
    assert abs(hz - 550) < 15 and secs > 1.6


def test_dead_engine_shows_a_banner_and_the_window_keeps_answering(
        qtbot, ctx, seeded, phone_window) -> None:  # noqa: ANN001
    w, controller = phone_window
    calls = w.lead_panel.calls
    qtbot.keyClick(w, Qt.Key.Key_F2)
    assert controller.phone is not None and controller.phone.engine.proc is not None
    seen: list[tuple[str, str, bool]] = []  # what the panel showed at each engine change
    controller.sig_engine_state.connect(
        lambda st, _d: seen.append((st, calls.engine_label.text(), calls.engine_label.isVisible())))
    os.kill(controller.phone.engine.proc.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: any(st == "down" for st, _t, _v in seen), timeout=5000)
    down = next(x for x in seen if x[0] == "down")
    assert "restarting" in down[1] and down[2]  # the banner, shown while it restarts
    qtbot.keyClick(w, Qt.Key.Key_F1)  # the window answers keys meanwhile
    qtbot.waitUntil(lambda: controller.state == "up" and seen[-1][0] == "up", timeout=8000)
    assert not calls.engine_label.isVisible()


def test_phone_page_places_a_test_call(qtbot, ctx, seeded, far_end: FarEnd, phone_window) -> None:  # noqa: ANN001
    from ui.phone_page import PhonePage

    w, controller = phone_window
    page = PhonePage(ctx, controller, w)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: "Calls go to: sip:" in page.trunk_label.text(), timeout=3000)
    assert page.state_label.text().startswith("Running")
    far_end.will(ANSWER_THEN_HANG_UP, after=0.5)
    page.test_number.setText("+12125550102")
    page.test_button.click()
    qtbot.waitUntil(lambda: "SIP 200" in page.test_label.text(), timeout=6000)
    assert "answered" in page.test_label.text()


def test_f6_on_a_greeting_drops_the_voicemail_and_opens_the_follow_up(
        qtbot, ctx, seeded, far_end: FarEnd, phone_window, tmp_path: Path) -> None:  # noqa: ANN001
    from ui.followup_dialog import FollowUpDialog

    w, controller = phone_window
    calls = w.lead_panel.calls
    set_voicemail(ctx.db, ctx.rep_name, write_tone(tmp_path / "vm.wav", 600, 1.5))
    qtbot.keyClick(w, Qt.Key.Key_F2)
    alice = seeded.leads["Alice"]
    before = set(far_end.heard())
    far_end.will(ANSWER)
    qtbot.keyClick(w.focusWidget(), Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: calls.voicemail_button.isEnabled(), timeout=5000)
    qtbot.keyClick(w.focusWidget(), Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: any(isinstance(d, FollowUpDialog) and d.isVisible()
                                for d in w.findChildren(FollowUpDialog)), timeout=3000)
    assert w.lead_panel.lead_id == alice  # the follow-up logs the voicemail with its email
    assert "playing" in calls.hint_label.text()
    qtbot.waitUntil(lambda: controller.current is not None and controller.current.ended,
                    timeout=6000)
    with ctx.db.session(write=False) as s:
        assert s.scalars(select(Attempt).where(Attempt.lead_id == alice)).first() is None
    qtbot.wait(300)
    new = [p for p in far_end.heard() if p not in before]
    hz, _secs = max((dominant_hz(p) for p in new), key=lambda t: t[1])
    assert abs(hz - 600) < 15


def test_a_disposition_during_a_live_call_hangs_it_up(qtbot, ctx, seeded, far_end: FarEnd,
                                                      phone_window) -> None:  # noqa: ANN001
    w, controller = phone_window
    calls = w.lead_panel.calls
    qtbot.keyClick(w, Qt.Key.Key_F2)
    alice = seeded.leads["Alice"]
    far_end.will(ANSWER)
    qtbot.keyClick(w.focusWidget(), Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: calls.timer_label.text().startswith("Connected"), timeout=5000)
    qtbot.keyClick(w.focusWidget(), Qt.Key.Key_6)  # not interested: logged, next lead
    qtbot.waitUntil(lambda: w.lead_panel.lead_id != alice, timeout=3000)
    qtbot.waitUntil(lambda: controller.current is not None and controller.current.ended,
                    timeout=3000)
    assert controller.current.hung_up_here
    qtbot.waitUntil(lambda: _attempt(ctx, alice).sip_code == 200, timeout=3000)
    assert _attempt(ctx, alice).disposition == "not_interested"
