"""A whole qualification call on one lead, by keyboard: script steps, BANT, Level I, Mark hot."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from qualdesk.db.models import Lead, Qualification
from ui.script_stepper import ScriptStepper


def _row(db, lead_id: int) -> Qualification | None:
    with db.session(write=False) as s:
        return s.scalar(select(Qualification).where(Qualification.lead_id == lead_id))


def _enter(qtbot, w: ScriptStepper) -> None:
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_Return)


def test_whole_call_by_keyboard(qtbot, ctx, seeded, sqlite_db) -> None:
    alice = seeded.leads["Alice"]
    w = ScriptStepper(ctx)
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitActive(w)
    w.set_lead(alice)
    assert w.step == "opening"
    assert w.step_text.text().startswith("Hi Alice, this is Ana Rep")
    assert "Missing for Level I" in w.missing.text()

    _enter(qtbot, w)
    assert w.step == "q_reason" and w.focusWidget() is w.answer
    qtbot.keyClicks(w.answer, "Missed the Q3 pipeline target")
    # Saved as typed: the debounce fires without any further key.
    qtbot.waitUntil(lambda: (r := _row(sqlite_db, alice)) is not None
                    and r.answers.get("q_reason") == "Missed the Q3 pipeline target", timeout=3000)
    for text in ("Spreadsheets work", "Leads wait two days", "We lose deals"):
        _enter(qtbot, w)
        qtbot.keyClicks(w.answer, text)
    _enter(qtbot, w)
    assert w.step == "q_evaluating" and w.choices.isVisible()
    qtbot.keyClick(w.focusWidget(), Qt.Key.Key_1)  # yes
    _enter(qtbot, w)
    assert w.step == "q_role"
    qtbot.keyClick(w.focusWidget(), Qt.Key.Key_3)  # a buying committee
    _enter(qtbot, w)
    assert w.step == "bant" and w.focusWidget() is w.bant_form.budget

    f = w.bant_form
    qtbot.keyClicks(f.budget, "40k-60k")
    qtbot.keyClicks(f.role, "VP Marketing")
    f.decision.setFocus()
    qtbot.keyClick(f.decision, Qt.Key.Key_Down)  # decision maker
    qtbot.keyClicks(f.pain, "Leads wait two days for a call")
    f.priority.setFocus()
    for _ in range(3):
        qtbot.keyClick(f.priority, Qt.Key.Key_Down)  # high
    qtbot.keyClicks(f.timeframe, "2027-Q1")
    assert not w.hot_btn.isHidden()
    _enter(qtbot, w)
    assert w.step == "close"
    assert w.state is not None and w.state.status.met
    assert w.missing.text() == "✓ Level I met"
    assert w.proposed.text() == "Proposed: Hot — in dialog"

    r = _row(sqlite_db, alice)
    assert r is not None and r.level1_met is True
    assert r.answers == {"q_reason": "Missed the Q3 pipeline target", "q_works": "Spreadsheets work",
                         "q_better": "Leads wait two days", "q_nothing": "We lose deals",
                         "q_evaluating": "yes", "q_role": "committee"}
    assert r.bant == {"budget": {"low": 40000, "high": 60000, "currency": None},
                      "authority": {"role": "VP Marketing", "decision": "yes"},
                      "need": {"pain": "Leads wait two days for a call", "priority": "high"},
                      "timeframe": {"when": "2027-Q1"}}

    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert w.step == "bant"
    with qtbot.waitSignal(ctx.sig_operation_executed, timeout=3000):
        qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_F9)
    with sqlite_db.session(write=False) as s:
        lead = s.get(Lead, alice)
        assert lead is not None and lead.designation == "hot"
    assert w.proposed.text() == "Proposed: Ready to turn over"
    assert not w.hot_btn.isEnabled()


def test_branch_skips_questions_and_back_returns(qtbot, ctx, seeded) -> None:
    w = ScriptStepper(ctx)
    qtbot.addWidget(w)
    w.show()
    w.set_lead(seeded.leads["Bob"])
    for _ in range(5):
        w.next()
    assert w.step == "q_evaluating"
    w.choose(2)  # no -> q_later, then the close (no BANT)
    w.next()
    assert w.step == "q_later"
    w.next()
    assert w.step == "close"
    assert w.steps()[-2:] == ["q_later", "close"]
    w.back()
    w.back()
    assert w.step == "q_evaluating"
    assert w._choice_group.checkedButton() is w._choice_group.button(2)


def test_whole_script_toggle_and_bad_input(qtbot, ctx, seeded) -> None:
    w = ScriptStepper(ctx)
    qtbot.addWidget(w)
    w.show()
    w.set_lead(seeded.leads["Carol"])
    qtbot.keyClick(w, Qt.Key.Key_F7)
    assert w.whole.isChecked() and w.pages.currentIndex() == 1
    html = w.browser.toPlainText()
    assert "What prompted you to reach out to us now?" in html and "Close" in html
    qtbot.keyClick(w, Qt.Key.Key_F7)
    assert w.pages.currentIndex() == 0
    while w.step != "bant":
        w.next()
    qtbot.keyClicks(w.bant_form.timeframe, "someday")
    assert w.bant_form.error.isVisible() and "someday" in w.bant_form.error.text()


def test_no_lead(qtbot, ctx) -> None:
    w = ScriptStepper(ctx)
    qtbot.addWidget(w)
    w.set_lead(None)
    assert w.title.text() == "No lead selected" and not w.hot_btn.isEnabled()
