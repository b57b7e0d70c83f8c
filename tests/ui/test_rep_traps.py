"""The rep's shift without traps (#17): each test walks into one trap by keyboard, as a
rep with a headset would, and checks it is gone."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from qualdesk.db.models import Attempt
from tests.ui.test_workspace import open_window


def _attempts(db, lead: int) -> list[str]:
    with db.session(write=False) as s:
        return list(s.scalars(select(Attempt.disposition).where(Attempt.lead_id == lead)))


def _active(qtbot, dlg):
    """The window manager activates a dialog that opens; the offscreen platform does not."""
    dlg.activateWindow()
    qtbot.waitUntil(dlg.isActiveWindow, timeout=2000)
    return dlg


def test_digits_in_the_script_and_bant_form_never_disposition(qtbot, ctx, seeded,
                                                              sqlite_db) -> None:
    """Trap 1: at a yes/no step "1" picks "yes"; in the BANT form's drop-downs a digit is
    the form's; neither logs "connected" nor moves to the next lead."""
    w, _ = open_window(qtbot, ctx)
    panel, script = w.lead_panel, w.features.script
    alice = seeded.leads["Alice"]
    qtbot.keyClick(w, Qt.Key.Key_F2)
    assert panel.lead_id == alice
    qtbot.keyClick(w.focusWidget(), Qt.Key.Key_F3)
    while script.step != "q_evaluating":
        script.next()
    script.take_focus()
    assert script.choices.isVisible()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_1)
    assert script._choice_group.checkedButton() is script._choice_group.button(1)
    assert panel.lead_id == alice and _attempts(sqlite_db, alice) == []

    while script.step != "bant":
        script.next()
    script.bant_form.decision.setFocus()
    qtbot.keyClick(script.bant_form.decision, Qt.Key.Key_2)
    assert panel.lead_id == alice and _attempts(sqlite_db, alice) == []

    # Back on the call keys the digit is the disposition it says.
    panel.focus_call_keys()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_2)  # no answer
    assert _attempts(sqlite_db, alice) == ["no_answer"]


def test_turn_over_from_a_live_call_logs_the_call_as_connected(qtbot, ctx, seeded, sqlite_db,
                                                              frozen) -> None:
    """Trap 2: F8 during the call; the call is recorded (connected, first touch), the lead
    is turned over, and the notes typed on the call go with the attempt."""
    from qualdesk.db.models import HandRaise, Lead
    from qualdesk.services.users import add_user

    add_user(sqlite_db, "Sam Sales", "sales", email="sam@example.com")
    w, _ = open_window(qtbot, ctx)
    panel = w.lead_panel
    alice = seeded.leads["Alice"]
    qtbot.keyClick(w, Qt.Key.Key_F2)
    qtbot.keyClick(w.focusWidget(), Qt.Key.Key_F5)
    frozen.advance(minutes=3)
    qtbot.keyClick(w.focusWidget(), Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(panel.notes.edit, "Ready for a demo")
    qtbot.keyClick(w, Qt.Key.Key_F8)
    dlg = _active(qtbot, w.features.lead_actions._dialog)
    qtbot.keyClicks(dlg.override, "asked for sales today")
    qtbot.keyClick(dlg.override, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _attempts(sqlite_db, alice) == ["connected"], timeout=3000)
    with sqlite_db.session(write=False) as s:
        lead = s.get(Lead, alice)
        assert lead is not None and lead.designation == "turned_over"
        hr = s.scalar(select(HandRaise).where(HandRaise.lead_id == alice))
        assert hr is not None and hr.first_call_at is not None
        a = s.scalar(select(Attempt).where(Attempt.lead_id == alice))
        assert a is not None and a.notes == "Ready for a demo"
    assert panel.lead_id != alice  # on to the next lead


def _no_phone(db, lead: int) -> None:
    from qualdesk.db.models import Lead

    with db.session() as s:
        row = s.get(Lead, lead)
        assert row is not None
        row.phone = None


def test_followup_without_a_phone_is_email_only(qtbot, ctx, seeded, sqlite_db) -> None:
    """Trap 6: F6 on a lead with no valid phone sends the campaign's email-only email, logs
    no voicemail, and says so; a call disposition is refused with what to do instead."""
    from qualdesk.db.models import Email

    alice = seeded.leads["Alice"]
    _no_phone(sqlite_db, alice)
    w, _ = open_window(qtbot, ctx)
    qtbot.keyClick(w, Qt.Key.Key_F2)
    assert w.lead_panel.lead_id == alice
    messages: list[str] = []
    ctx.runner.sig_error_known.connect(messages.append)
    qtbot.keyClick(w.focusWidget(), Qt.Key.Key_1)  # connected: no call could have been made
    assert _attempts(sqlite_db, alice) == [] and w.lead_panel.lead_id == alice
    assert messages and "no valid phone" in messages[-1]

    qtbot.keyClick(w, Qt.Key.Key_F6)
    dlg = _active(qtbot, w.features.lead_actions._dialog)
    qtbot.waitUntil(lambda: dlg.send_btn.isEnabled(), timeout=3000)
    assert dlg.vm_box.isHidden() and "email-only" in dlg.header.text()
    assert "voicemail" not in dlg.text.toPlainText().lower()
    qtbot.keyClick(dlg.subject, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dlg.result is not None, timeout=3000)
    assert _attempts(sqlite_db, alice) == []
    with sqlite_db.session(write=False) as s:
        [email] = list(s.scalars(select(Email).where(Email.lead_id == alice)))
        assert "voicemail" not in email.body_text.lower()
        assert "phone number" in email.body_text
    assert "Voicemail" not in dlg.status.text() and "set it up" in dlg.status.text()


def _claimed_by(db, lead: int) -> int | None:
    from qualdesk.db.models import Lead

    with db.session(write=False) as s:
        row = s.get(Lead, lead)
        assert row is not None
        return row.claimed_by_id


def test_claims_end_when_the_rep_moves_on_or_quits(qtbot, ctx, seeded, sqlite_db) -> None:
    """Trap 5: picking another lead frees the first one at once; quitting frees every
    claim, so the floor shows nobody "on" a lead after the rep left."""
    from qualdesk.services.reports.floor import floor_snapshot

    alice, bob = seeded.leads["Alice"], seeded.leads["Bob"]
    w, _ = open_window(qtbot, ctx)
    qtbot.keyClick(w, Qt.Key.Key_F2)
    assert w.lead_panel.lead_id == alice and _claimed_by(sqlite_db, alice) == seeded.rep.id
    assert w.queue.select_lead(bob)
    w.queue.claim_selected()
    assert w.lead_panel.lead_id == bob and _claimed_by(sqlite_db, bob) == seeded.rep.id
    assert _claimed_by(sqlite_db, alice) is None  # not worked: free for the team now
    ana = next(r for r in floor_snapshot(sqlite_db).reps if r.name == "Ana Rep")
    assert ana.current_lead_id == bob

    w.close()
    assert _claimed_by(sqlite_db, bob) is None
    ana = next(r for r in floor_snapshot(sqlite_db).reps if r.name == "Ana Rep")
    assert ana.current_lead_id is None


def test_final_designations_ask_first(qtbot, ctx, seeded, sqlite_db) -> None:
    """Trap 8: Alt+G, End, Return no longer makes a lead do-not-call for good: it asks, and
    the safe answer is the default (a second Return cancels)."""
    from qualdesk.db.models import Lead

    alice = seeded.leads["Alice"]
    w, _ = open_window(qtbot, ctx)
    panel = w.lead_panel
    qtbot.keyClick(w, Qt.Key.Key_F2)
    combo = panel.designation
    before = combo.currentData()
    combo.setFocus()
    combo.setCurrentIndex(combo.findData("do_not_call"))
    combo.activated.emit(combo.currentIndex())  # what End + Return in the popup does
    box = panel.confirm_box
    assert box is not None and box.isVisible() and "cannot be undone" in box.text()
    qtbot.keyClick(box, Qt.Key.Key_Return)  # the default: Cancel
    with sqlite_db.session(write=False) as s:
        row = s.get(Lead, alice)
        assert row is not None and row.designation == before and not row.do_not_call
    assert combo.currentData() == before

    combo.setCurrentIndex(combo.findData("do_not_call"))
    combo.activated.emit(combo.currentIndex())
    box = _active(qtbot, panel.confirm_box)
    qtbot.keyClick(box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    with sqlite_db.session(write=False) as s:
        row = s.get(Lead, alice)
        assert row is not None and row.designation == "do_not_call"


def test_a_do_not_call_request_key_asks_first(qtbot, ctx, seeded, sqlite_db) -> None:
    alice = seeded.leads["Alice"]
    w, _ = open_window(qtbot, ctx)
    qtbot.keyClick(w, Qt.Key.Key_F2)
    w.lead_panel.calls.button("dnc_request").click()
    assert _attempts(sqlite_db, alice) == []
    box = w.lead_panel.confirm_box
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert _attempts(sqlite_db, alice) == [] and w.lead_panel.lead_id == alice


def test_the_lead_on_screen_has_its_clock_and_stays_in_the_queue(qtbot, ctx, seeded,
                                                                 frozen) -> None:
    """Traps 3 and 4: the panel shows the lead's countdown in the queue's clock font and
    colours, ticking with the queue's one timer; a filter never hides the lead being
    worked; Ctrl+L brings the notes tab to the front before the cursor goes in."""
    from ui.queue_model import Column, StateRole

    w, _ = open_window(qtbot, ctx)
    panel, card = w.lead_panel, w.lead_panel.card
    alice = seeded.leads["Alice"]
    qtbot.keyClick(w, Qt.Key.Key_F2)
    assert panel.lead_id == alice
    assert card.clock.isVisible() and card.clock.text() == "10:00  under 15 min"
    assert card.clock.font().pointSizeF() == w.queue.model._clock_font.pointSizeF()
    row = w.queue.model.row_of_lead(alice)
    assert w.queue.model.index(row, Column.COUNTDOWN).data(StateRole) == "warning"
    frozen.advance(minutes=11)
    w.queue.tick_timer.timeout.emit()
    assert card.clock.text() == "+01:00  breached" and card.clock_state.value == "breached"
    bg = card.clock.palette().color(card.clock.backgroundRole())
    assert bg == w.queue.model.index(row, Column.COUNTDOWN).data(
        Qt.ItemDataRole.BackgroundRole).color()

    # The selected row (the lead being worked) keeps its clock's colours.
    table = w.queue.table
    assert w.queue.selected_lead() == alice
    idx = w.queue.proxy.mapFromSource(w.queue.model.index(row, Column.COUNTDOWN))
    rect = table.visualRect(idx)
    img = table.viewport().grab().toImage()
    dpr = img.devicePixelRatio()
    pixel = img.pixelColor(int((rect.right() - 6) * dpr), int(rect.center().y() * dpr))
    assert pixel == bg

    w.queue.filter_edit.setText("Beta GmbH")  # matches Bob only
    shown = {w.queue.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole + 2)
             for r in range(w.queue.proxy.rowCount())}
    assert shown == {alice, seeded.leads["Bob"]}

    panel.lead_tabs.setCurrentWidget(panel.history)  # calls, emails, callbacks
    assert panel.lead_tabs.currentWidget() is panel.history
    qtbot.keyClick(w, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert panel.notes.edit.isVisible() and w.focusWidget() is panel.notes.edit


def test_new_lead_when_a_person_calls_in_and_the_card_is_corrected(qtbot, ctx, seeded,
                                                                   sqlite_db) -> None:
    """A person calls in: Ctrl+Shift+N adds them with a called-in hand raise and puts them
    on screen; a known email opens their lead instead. Ctrl+Shift+E corrects the card,
    refusing a bad number in words and keeping what was typed."""
    from qualdesk.db.models import HandRaise, Lead

    w, _ = open_window(qtbot, ctx)
    qtbot.keyClick(w, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    dlg = _active(qtbot, w.queue._new_dialog)
    assert QApplication.focusWidget() is dlg.edits["first_name"]
    for name, text in (("first_name", "Zoe"), ("last_name", "Zed"), ("company", "Zeta AG"),
                       ("email", "zoe@zeta.example"), ("phone", "+41 44 668 18 00")):
        dlg.edits[name].setText(text)
    qtbot.keyClick(dlg.edits["phone"], Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    panel = w.lead_panel
    assert panel.lead_id is not None and panel.card.name.text() == "Zoe Zed"
    zoe = panel.lead_id
    _active(qtbot, w)
    with sqlite_db.session(write=False) as s:
        assert [h.kind for h in s.scalars(select(HandRaise).where(HandRaise.lead_id == zoe))] \
            == ["called_in"]
        row = s.get(Lead, zoe)
        assert row is not None and row.time_zones == ["Europe/Zurich"]

    qtbot.keyClick(w, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    dlg = _active(qtbot, w.queue._new_dialog)
    dlg.edits["first_name"].setText("Alice")
    dlg.edits["last_name"].setText("Able")
    dlg.edits["email"].setText("ALICE@acme.example")
    dlg.submit()
    assert panel.lead_id == seeded.leads["Alice"]  # no duplicate
    _active(qtbot, w)

    qtbot.keyClick(w, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    edit = _active(qtbot, panel.edit_dialog)
    edit.edits["phone"].setText("12")
    edit.edits["title"].setText("COO")
    edit.submit()
    assert edit.isVisible() and "phone “12”" in edit.error.text()
    assert edit.edits["title"].text() == "COO"  # kept
    edit.edits["phone"].setText("+1 212 555 0111")
    edit.submit()
    assert not edit.isVisible()
    qtbot.waitUntil(lambda: panel.card.phone.text() == "+12125550111", timeout=2000)


def test_qt_options_reach_qt(tmp_path) -> None:
    """Dark palette item: ``-style`` / ``-platform`` on the command line are Qt's; they
    used to be dropped (QApplication got only the program name)."""
    import json
    import os
    import subprocess
    import sys

    from ui.launcher import split_qt_args

    assert split_qt_args(["-style", "fusion", "--db", "x", "-platform=offscreen", "app"]) == (
        ["--db", "x", "app"], ["-style", "fusion", "-platform=offscreen"])
    assert split_qt_args(["lead", "add", "--title", "CTO"])[1] == []
    env = {**os.environ, "QUALDESK_DATA_DIR": str(tmp_path / "d"),
           "QUALDESK_CONFIG_DIR": str(tmp_path / "c"), "QT_QPA_PLATFORM": "minimal"}
    out = subprocess.run(
        [sys.executable, "-m", "ui", "--db", f"sqlite:///{tmp_path / 'q.db'}", "-platform",
         "offscreen", "app", "--demo", "--rep", "Alex Rivera", "-style", "windows",
         "--smoke-test", "60"], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    line = json.loads(out.stdout.strip().splitlines()[-1])
    assert line["queue_loaded"] and line["style"].lower() == "windows"


def test_dark_desktop_palette_is_followed_and_the_email_stays_readable(qtbot, ctx, seeded,
                                                                       sqlite_db) -> None:
    """The desktop turns dark: the clocks take their dark colours at once, and the email
    preview is shown on its own white page (it was #222 text on a dark base)."""
    from PySide6.QtGui import QColor, QPalette

    from ui.followup_dialog import FollowUpDialog
    from ui.icons import state_colours

    app = QApplication.instance()
    old = app.palette()
    dark = QPalette(old)
    for role, colour in ((QPalette.ColorRole.Window, "#202124"), (QPalette.ColorRole.Base,
                         "#18191b"), (QPalette.ColorRole.Text, "#e8e8e8"),
                         (QPalette.ColorRole.WindowText, "#e8e8e8")):
        dark.setColor(role, QColor(colour))
    try:
        w, _ = open_window(qtbot, ctx)
        qtbot.keyClick(w, Qt.Key.Key_F2)
        app.setPalette(dark)
        qtbot.waitUntil(lambda: w.queue.model._dark, timeout=2000)
        card = w.lead_panel.card
        want = state_colours(card.clock_state, True)
        assert want is not None
        assert card.clock.palette().color(card.clock.backgroundRole()) == want[0]
        dlg = FollowUpDialog(ctx, seeded.leads["Alice"], w)
        qtbot.addWidget(dlg)
        pal = dlg.html.palette()
        assert pal.color(QPalette.ColorRole.Base).lightness() > 200
        assert pal.color(QPalette.ColorRole.Text).lightness() < 80
    finally:
        app.setPalette(old)


def test_1280x720_the_bant_step_fits_and_the_splitter_stays(qtbot, ctx, seeded,
                                                            sqlite_db) -> None:
    """Trap 7: at 1280x720 entering the BANT step grew the window to 857 px; the step now
    scrolls inside the script tab, and a lead with a long name or email leaves the
    splitter where the rep put it."""
    from qualdesk.db.models import Lead

    with sqlite_db.session() as s:
        bob = s.get(Lead, seeded.leads["Bob"])
        assert bob is not None
        bob.email = "bartholomew.brown-featherstonehaugh@beta-industries-holding.example"
        bob.company = "Beta Industries Holding und Verwaltungsgesellschaft mbH"
    w, _ = open_window(qtbot, ctx)
    w.resize(1280, 720)
    qtbot.wait(50)
    qtbot.keyClick(w, Qt.Key.Key_F2)
    qtbot.keyClick(w.focusWidget(), Qt.Key.Key_F3)
    script = w.features.script
    while script.step != "bant":
        script.next()
    qtbot.wait(50)
    assert w.height() <= 720 and w.width() <= 1280
    assert script.scroll.verticalScrollBar().maximum() > 0  # it scrolls instead of growing
    sizes = w.workspace.sizes()
    w.lead_panel.set_lead(seeded.leads["Bob"])
    qtbot.wait(50)
    assert w.workspace.sizes() == sizes and w.height() <= 720


def test_callback_editor_defaults_inside_the_window_takes_typed_digits_and_warns(
        qtbot, ctx, seeded, frozen) -> None:
    """Trap 9: the callback editor's default is a time the rep may call; typed digits land
    in the field they are typed in; a time outside the team's hours is flagged; Return
    in the date or time goes on instead of scheduling; Ctrl+Enter schedules."""
    from datetime import datetime

    from PySide6.QtWidgets import QDateTimeEdit

    from ui.callback_dialog import CallbackDialog, default_local_time

    late = datetime(2026, 11, 24, 1, 30, tzinfo=frozen.t.tzinfo)  # 20:30 in New York
    assert default_local_time(late, "America/New_York") == datetime(2026, 11, 24, 8, 0)
    frozen.advance(hours=10, minutes=30)  # 01:30 UTC
    dlg = CallbackDialog("Alice Able", "America/New_York", "UTC")
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.local_value() == datetime(2026, 11, 24, 8, 0)
    dlg.date.setFocus()
    dlg.date.setSelectedSection(QDateTimeEdit.Section.YearSection)
    qtbot.keyClicks(dlg.date, "2026-12-01")  # the "-" after a full month ate a digit
    dlg.time.setFocus()
    dlg.time.setSelectedSection(QDateTimeEdit.Section.HourSection)
    qtbot.keyClicks(dlg.time, "19:30")
    assert dlg.local_value() == datetime(2026, 12, 1, 19, 30)
    assert dlg.warning.isVisible() and "outside the team's hours" in dlg.warning.text().lower()
    qtbot.keyClick(dlg.time, Qt.Key.Key_Return)
    assert dlg.isVisible() and dlg.focusWidget() is dlg.note
    qtbot.keyClicks(dlg.note, "send the pricing first")
    accepted: list[bool] = []
    dlg.accepted.connect(lambda: accepted.append(True))
    _active(qtbot, dlg)
    qtbot.keyClick(dlg.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert accepted and dlg.value()[2] == "send the pricing first"


def test_codes_are_shown_in_words(qtbot) -> None:
    """Trap 10: what travels to sales reads "Budget: 40,000–60,000", not "low=40000", and
    a script answer by its question, not "q_works:"; a waiting email says what to do in
    the app and who can do it, not which command to type."""
    from ui.labels import designation, disposition, hand_raise, mail_problem
    from ui.turnover_dialog import snapshot_text

    text = snapshot_text({
        "lead": {"first_name": "Ada"}, "bant": {"budget": {"low": 40000, "high": 60000}},
        "answers": {"q_works": "Spreadsheets"},
        "questions": {"q_works": "What works well today?"}})
    assert "Budget: 40,000–60,000" in text and "low=" not in text
    assert "What works well today?: Spreadsheets" in text and "q_works" not in text
    assert snapshot_text({"answers": {"q_pain_now": "slow"}}).count("Pain now: slow") == 1
    assert (designation("turned_over"), disposition("dnc_request"), hand_raise("called_in")) \
        == ("Turned over", "Do-not-call request", "Called in")
    advice = mail_problem("smtp.host is not set (qualdesk config set smtp.host HOST)")
    assert "qualdesk" not in advice and "team lead" in advice


def test_an_email_that_did_not_go_out_shows_on_the_lead_the_queue_and_to_the_team_lead(
        qtbot, ctx, seeded, sqlite_db) -> None:
    """Trap 12: with no mail server set up the follow-up's email waits in the outbox; the
    lead's card and the queue say so, and a team lead's window tells them what to do."""
    from qualdesk.services.followup import run_followup
    from qualdesk.services.users import add_user, get_user
    from ui.context import AppContext
    from ui.main_window import MainWindow
    from ui.ops import SyncRunner
    from ui.queue_model import Column

    alice = seeded.leads["Alice"]
    r = run_followup(sqlite_db, alice, ctx.rep_name)
    assert r.email_status == "queued"
    w, _ = open_window(qtbot, ctx)
    w.queue.held_check.setChecked(True)  # just attempted: held back until the next try
    model = w.queue.model
    row = model.row_of_lead(alice)
    assert row >= 0 and model.index(row, Column.NAME).data().startswith("✉")
    assert "mail server is not set up" in model.index(row, Column.NAME).data(
        Qt.ItemDataRole.ToolTipRole)
    assert "1 email not sent yet" in w.queue.summary.text()
    w.queue.select_lead(alice)
    w.queue.claim_selected()
    card = w.lead_panel.card
    assert card.warning.isVisible() and "has not gone out" in card.warning.text()
    assert "qualdesk" not in card.warning.text()

    add_user(sqlite_db, "Lee Lead", "lead", email="lee@example.com")
    lead_ctx = AppContext(sqlite_db, get_user(sqlite_db, "Lee Lead"), SyncRunner())
    told: list[str] = []
    lead_ctx.runner.sig_error_known.connect(told.append)
    lw = MainWindow(lead_ctx)
    qtbot.addWidget(lw)
    assert any("waiting in the outbox" in m and "Team setup" in m for m in told)


def test_the_rep_guide_keyboard_map_is_the_f1_map() -> None:
    """The rep guide's table lists exactly what F1 shows (both read ``keymap.BINDINGS``)."""
    from pathlib import Path

    from ui.keymap import BINDINGS

    guide = (Path(__file__).resolve().parents[2] / "docs" / "rep-guide.md").read_text()
    start = guide.index("| Key | What it does |")
    rows = guide[start:guide.index("\n\n", start)].splitlines()[2:]
    assert rows == [f"| {' / '.join(b.keys)} | {b.what} |" for b in BINDINGS]
