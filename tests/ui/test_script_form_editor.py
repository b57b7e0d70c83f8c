"""The script editor's form, driven as a team lead would: questions added by mouse and by
keyboard, a branch left pointing at a removed question (the problem under the field, Save
disabled), saved and read back the same; every shipped script through the form unchanged."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from qualdesk.paths import scripts_library_dir
from qualdesk.services.script_library import load_script, parse_script
from qualdesk.services.users import add_user, list_users
from tests.test_script_form import meaning
from ui.ops import SyncRunner
from ui.script_editor import ScriptEditor


def _forget_edits(ed: ScriptEditor) -> None:
    ed.form_edited = False
    ed.source.document().setModified(False)


def _editor(qtbot, db, name: str = "default") -> ScriptEditor:  # type: ignore[no-untyped-def]
    if not any(u.name == "Lea Lead" for u in list_users(db)):
        add_user(db, "Lea Lead", "lead", "lea@example.com")  # a team lead writes the scripts
    ed = ScriptEditor(db, SyncRunner(), rep="Lea Lead")
    qtbot.addWidget(ed, before_close_func=_forget_edits)  # no "unsaved changes?" at teardown
    ed.resize(1280, 720)
    ed.show()
    qtbot.waitExposed(ed)
    ed.activateWindow()
    qtbot.waitUntil(ed.isActiveWindow, timeout=2000)
    ed.script_name.setCurrentText(name)
    ed.check_now()
    return ed


def _saved(db, name: str):  # type: ignore[no-untyped-def]
    """The script as a rep's next lead loads it (the team's copy in the database)."""
    with db.session(write=False) as s:
        return load_script(name, s)


def _row_of(ed: ScriptEditor, qid: str) -> int:
    i = ed.draft.index_of(qid)
    assert i is not None
    return 2 + i


def test_add_questions_by_mouse_and_keyboard_then_save_and_reload(qtbot, sqlite_db, seeded) -> None:  # type: ignore[no-untyped-def]
    ed = _editor(qtbot, sqlite_db)
    assert ed.status.text().startswith("✓ no problems: 7 questions")
    assert "Hi " in ed.preview.toPlainText() and "this is Lea Lead" in ed.preview.toPlainText()
    # mouse: after question 2, a new question; its text field takes the typing
    ed.form.steps.setCurrentRow(_row_of(ed, "q_works"))
    qtbot.mouseClick(ed.form.buttons["add"], Qt.MouseButton.LeftButton)
    assert QApplication.focusWidget() is ed.form.question.text
    qtbot.keyClicks(ed.form.question.text, "Which tools do you use today?")
    assert ed.draft.questions[2].text == "Which tools do you use today?"
    assert ed.form.steps.currentItem().text() == "3. Which tools do you use today?"
    ed.check_now()
    assert ed.status.text().startswith("✓ no problems: 8 questions")
    assert "Which tools do you use today?" in ed.preview.toPlainText()
    # the preview shows the chosen step as the rep's stepper does, for the chosen lead
    assert "As the rep sees it · Question 3 of 8" in ed.preview.toPlainText()
    ed.form.steps.setCurrentRow(_row_of(ed, "q_evaluating"))
    card = ed.preview.toPlainText().split("Default — consultative")[0]
    assert "Question 6 of 8" in card and "1  Yes" in card and "2  No" in card
    ed.form.steps.setCurrentRow(1)
    assert ed.preview.toPlainText().strip().startswith("As the rep sees it · Opening\nHi Eve, ")
    ed.form.steps.setCurrentRow(_row_of(ed, "q_which_tools_do"))
    # keyboard: from the list, Ctrl+N adds one after it; Tab walks on to the next field
    ed.form.steps.setFocus()
    qtbot.keyClick(ed.form.steps, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(QApplication.focusWidget(), "How big is the team?")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is ed.form.question.hint
    qtbot.keyClicks(ed.form.question.hint, "Seats")
    qtbot.keyClick(ed.form.question.hint, Qt.Key.Key_Tab)
    kind = ed.form.question.kind
    assert QApplication.focusWidget() is kind
    kind.setCurrentIndex(kind.findData("number"))
    bant = ed.form.question.bant
    bant.setCurrentIndex(bant.findData("need"))
    # and moved up one, by key
    qtbot.keyClick(ed.form.steps, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert [q.text for q in ed.draft.questions[2:4]] == ["How big is the team?",
                                                          "Which tools do you use today?"]
    ed.check_now()
    assert ed.save.isEnabled()
    ed.save_as.setText("webinar_q1")
    qtbot.keyClick(ed.save_as, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert ed.status.text().startswith("Saved webinar_q1")
    script = _saved(sqlite_db, "webinar_q1")
    asked = script.questions[2]
    assert (asked.id, asked.text, asked.hint, asked.kind, asked.bant) == (
        "q_how_big_is", "How big is the team?", "Seats", "number", "need")
    assert script.questions[3].id == "q_which_tools_do"
    # once saved, a question's key stays when its words change (answers are filed under it)
    ed.form.steps.setCurrentRow(_row_of(ed, "q_how_big_is"))
    qtbot.keyClicks(ed.form.question.text, " Roughly")
    assert ed.draft.questions[2].id == "q_how_big_is"
    ed.save.click()
    # read back: a fresh editor shows the same script
    again = _editor(qtbot, sqlite_db, "webinar_q1")
    assert again.draft == ed.draft and again.status.text().startswith("✓ no problems: 9 questions")


def test_a_branch_to_a_removed_question_is_shown_there_and_blocks_save(qtbot, sqlite_db, seeded) -> None:  # type: ignore[no-untyped-def]
    ed = _editor(qtbot, sqlite_db)
    ed.form.steps.setCurrentRow(_row_of(ed, "q_later"))
    ed.form.buttons["remove"].click()  # question 5 ("no" -> q_later) now points nowhere
    qtbot.waitUntil(lambda: not ed.save.isEnabled(), timeout=3000)
    five = _row_of(ed, "q_evaluating")
    assert ed.form.steps.item(five).text().startswith("⚠ 5.")
    shown = [ed.problem_list.item(i).text() for i in range(ed.problem_list.count())]
    assert shown == ["Question 5 (Are you actively looking at options to…): goes to a "
                     "question that is not there (q_later): choose another step for this answer"]
    # Enter on the problem: the question's page, its branches, the broken one flagged
    ed.problem_list.setCurrentRow(0)
    qtbot.keyClick(ed.problem_list, Qt.Key.Key_Return)
    assert ed.form.steps.currentRow() == five
    page = ed.form.question
    label = page.problems["next"]
    assert label.isVisible() and "not there (q_later)" in label.text()
    no = page.target_combos["no"]
    assert no.currentText() == "⚠ a question that is not there (q_later)"
    ed.save_draft()  # even asked directly, the service refuses
    assert ed.status.text().startswith("⚠ not saved")
    no.setCurrentIndex(no.findData("close"))
    ed.check_now()
    assert ed.save.isEnabled() and not label.isVisible()
    assert not ed.form.steps.item(five).text().startswith("⚠")
    ed.save.click()
    assert dict(_saved(sqlite_db, "default").question("q_evaluating").next) == {"no": "close"}


def test_every_shipped_script_goes_through_the_form_unchanged(qtbot, sqlite_db, seeded, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ed = _editor(qtbot, sqlite_db)
    for path in sorted(scripts_library_dir().glob("*.toml")):
        ed.script_name.setCurrentText(path.stem)
        ed.check_now()
        assert ed.status.text().startswith("✓ no problems"), path.stem
        assert not ed.show_source.isChecked()
        written = tmp_path / path.name
        written.write_text(ed.source.toPlainText(), encoding="utf-8")
        assert meaning(parse_script(written)[0]) == meaning(parse_script(path)[0]), path.stem


def test_choices_branches_and_the_level1_rule_in_the_form(qtbot, sqlite_db, seeded) -> None:  # type: ignore[no-untyped-def]
    ed = _editor(qtbot, sqlite_db)
    ed.form.steps.setCurrentRow(_row_of(ed, "q_nothing"))
    page = ed.form.question
    page.kind.setCurrentIndex(page.kind.findData("choice"))
    assert len(page.option_edits) == 2
    for edit, words in zip(page.option_edits, ("It gets worse", "Nothing much"), strict=True):
        qtbot.keyClicks(edit, words)
    page.add_choice.click()
    assert QApplication.focusWidget() is page.option_edits[2]
    typing = page.option_edits[2]
    qtbot.keyClicks(typing, "Oth")
    ed.check_now()  # a pause in typing: the check must leave the field being typed in alone
    assert page.option_edits[2] is typing and typing.hasFocus()
    qtbot.keyClicks(typing, "er")
    worse = page.target_combos["it_gets_worse"]
    worse.setCurrentIndex(worse.findData("bant"))
    ed.check_now()
    assert ed.save.isEnabled(), [ed.problem_list.item(i).text() for i in range(ed.problem_list.count())]
    q = ed.draft.questions[ed.draft.index_of("q_nothing")]  # type: ignore[index]
    assert [(c.key, c.label) for c in q.choices] == [
        ("it_gets_worse", "It gets worse"), ("nothing_much", "Nothing much"),
        ("other_answer", "Other")]
    assert q.next == {"it_gets_worse": "bant"}
    assert "→ if “It gets worse”: go to the BANT step" in ed.preview.toPlainText()
    # one option only: a problem under the options
    page.problems["choices"].hide()
    for _ in range(2):
        qtbot.mouseClick(page.findChild(type(page.add_choice), "script_q_remove_option_2"),
                         Qt.MouseButton.LeftButton)
    ed.check_now()
    assert not ed.save.isEnabled()
    assert page.problems["choices"].text() == "✗ give the rep at least two options"
    page.add_option()
    qtbot.keyClicks(page.option_edits[-1], "Nothing much")
    ed.check_now()
    assert ed.save.isEnabled()
    # the Level I rule, from the builder's choices
    ed.form.steps.setCurrentRow(0)
    ed.form.rule_button.click()
    b = ed.rule_builder
    b.boxes["budget_known"].setChecked(True)
    b.buttons.button(b.buttons.StandardButton.Ok).click()
    assert "budget_known" in str(ed.draft.level1)
    assert "budget (amount or range)" in ed.form.rule_words.text()
    ed.check_now()
    assert ('level1 = "budget_known and authority_confirmed and need_known and '
            'timeframe_within_months(6)"') in ed.source.toPlainText()
    assert ed.save.isEnabled()


def test_the_source_view_for_power_users(qtbot, sqlite_db, seeded) -> None:  # type: ignore[no-untyped-def]
    ed = _editor(qtbot, sqlite_db)
    ed.show_source.setChecked(True)
    assert ed.source.isVisible() and not ed.form.isVisible()
    ed.source.setPlainText(ed.source.toPlainText().replace(
        'title = "Default — consultative Level I call"', 'title = "Inbound, short"'))
    ed.show_source.setChecked(False)
    assert ed.form.isVisible() and ed.draft.title == "Inbound, short"
    ed.form.steps.setCurrentRow(0)
    assert ed.form.title.text() == "Inbound, short"
    # a source the form can't hold keeps the source view, saying why
    ed.show_source.setChecked(True)
    ed.source.setPlainText("title = ")
    ed.show_source.setChecked(False)
    assert ed.show_source.isChecked() and ed.source.isVisible()
    assert "The form can't show this source" in ed.status.text()
    ed.check_now()
    assert not ed.save.isEnabled()
    assert "not valid TOML" in ed.problem_list.item(0).text()


def test_the_opening_in_paragraphs(qtbot, sqlite_db, seeded) -> None:  # type: ignore[no-untyped-def]
    ed = _editor(qtbot, sqlite_db)
    ed.form.steps.setCurrentRow(1)
    box = ed.form.lines_edits["opening"]
    assert box.toPlainText().count("\n\n") == 1  # the default's two paragraphs
    box.setPlainText("Hi {{ lead.first_name }}!\nStill a good moment?\n\n\nI'm {{ rep.name }}.")
    assert ed.draft.opening == ["Hi {{ lead.first_name }}!\nStill a good moment?",
                                "I'm {{ rep.name }}."]
    box.setPlainText("")
    ed.check_now()
    assert not ed.save.isEnabled()
    label = ed.form.labels[("opening",)]
    assert label.isVisible() and label.text() == "✗ the opening is empty: write what the rep says"
    assert ed.form.steps.item(1).text() == "⚠ Opening"


def test_tab_follows_the_eye(qtbot, sqlite_db, seeded) -> None:  # type: ignore[no-untyped-def]
    ed = _editor(qtbot, sqlite_db)
    ed.form.steps.setCurrentRow(_row_of(ed, "q_evaluating"))
    ed.script_name.setFocus()
    seen = []
    for _ in range(16):
        seen.append(QApplication.focusWidget().objectName())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert seen[:14] == [
        "script_name", "script_save_as", "script_lead", "script_show_source", "script_steps",
        "script_question_add", "script_question_remove", "script_question_up",
        "script_question_down", "script_q_text", "script_q_hint", "script_q_kind",
        "script_q_bant", "script_q_next_yes"]
    assert seen.index("script_q_next_no") < seen.index("script_q_next_otherwise")


def test_unsaved_edits_are_not_lost_by_a_stray_click(qtbot, sqlite_db, seeded) -> None:  # type: ignore[no-untyped-def]
    ed = _editor(qtbot, sqlite_db)
    assert not ed.unsaved()
    qtbot.keyClicks(ed.form.title, " (mine)")
    assert ed.unsaved()
    ed.script_name.setCurrentText("whitepaper")
    box = ed.guard
    assert "Your changes to default are not saved" in box.text()
    box.button(box.StandardButton.Cancel).click()  # stay
    assert ed.script_name.currentText() == "default" and ed.draft.title.endswith(" (mine)")
    ed.script_name.setCurrentText("whitepaper")
    next(b for b in ed.guard.buttons() if b.objectName() == "confirm_yes").click()
    assert ed.draft.title.startswith("Whitepaper") and not ed.unsaved()
    # closing with edits asks too; saved edits close at once
    ed.form.steps.setCurrentRow(0)
    qtbot.keyClicks(ed.form.title, "!")
    ed.close()
    assert ed.isVisible() and "Close without them?" in ed.guard.text()
    ed.guard.button(ed.guard.StandardButton.Cancel).click()
    ed.save.click()
    assert not ed.unsaved()
    ed.close()
    assert not ed.isVisible()


def test_ctrl_n_adds_a_question_from_anywhere_in_the_form_window(qtbot, sqlite_db, seeded) -> None:  # type: ignore[no-untyped-def]
    ed = _editor(qtbot, sqlite_db)
    ed.script_name.setFocus()
    qtbot.keyClick(ed.script_name, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert len(ed.draft.questions) == 8 and ed.form.question.text.hasFocus()
    ed.show_source.setChecked(True)  # the source view: Ctrl+N is the text box's again
    qtbot.keyClick(ed.source, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert len(ed.draft.questions) == 8


def _mnemonics(ed: ScriptEditor) -> list[str]:
    import re

    from PySide6.QtWidgets import QAbstractButton, QLabel

    found = []
    for w in ed.findChildren(QAbstractButton) + ed.findChildren(QLabel):
        if w.isVisible() and (m := re.search(r"&(\w)", w.text())):
            found.append(m.group(1).lower())
    return found


def test_no_two_alt_keys_alike_on_any_step(qtbot, sqlite_db, seeded) -> None:  # type: ignore[no-untyped-def]
    ed = _editor(qtbot, sqlite_db)
    for row in range(ed.form.steps.count()):
        ed.form.steps.setCurrentRow(row)
        keys = _mnemonics(ed)
        assert len(keys) == len(set(keys)), (ed.form.steps.item(row).text(), sorted(keys))
    assert "s" in keys  # &Save script


def test_ctrl_enter_saves_from_a_text_box_too(qtbot, sqlite_db, seeded) -> None:  # type: ignore[no-untyped-def]
    ed = _editor(qtbot, sqlite_db)
    ed.form.steps.setCurrentRow(1)
    box = ed.form.lines_edits["opening"]
    qtbot.keyClicks(box, "x")
    ed.check_now()
    qtbot.keyClick(box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert ed.status.text().startswith("Saved default") and "\n" not in ed.draft.opening[-1]


def test_a_question_no_answer_leads_to_is_named(qtbot, sqlite_db, seeded) -> None:  # type: ignore[no-untyped-def]
    ed = _editor(qtbot, sqlite_db)
    later = _row_of(ed, "q_later")
    assert "never reached" not in ed.form.steps.item(later).text()
    ed.form.steps.setCurrentRow(_row_of(ed, "q_evaluating"))
    no = ed.form.question.target_combos["no"]
    no.setCurrentIndex(no.findData("close"))  # the only way to question 7 is gone
    assert ed.form.steps.item(later).text().endswith("(never reached)")
    ed.check_now()
    assert ed.save.isEnabled()  # allowed: a word, not a problem
    ed.form.steps.setCurrentRow(later)
    assert "no answer leads here" in ed.form.question.heading.text()
    QApplication.processEvents()
    scroll = ed.form.pages.currentWidget()
    assert scroll.widget().width() <= scroll.viewport().width()  # the note wraps, no cut-off


def test_every_step_fits_the_window_the_settings_menu_opens(qtbot, sqlite_db, seeded) -> None:  # type: ignore[no-untyped-def]
    ed = _editor(qtbot, sqlite_db)
    for size in ((1000, 640), (1280, 720)):
        ed.resize(*size)
        for row in range(ed.form.steps.count()):
            ed.form.steps.setCurrentRow(row)
            QApplication.processEvents()
            scroll = ed.form.pages.currentWidget()
            assert scroll.widget().width() <= scroll.viewport().width(), (size, row)
            assert ed.save.isVisible() and ed.save.geometry().bottom() <= ed.height()


def test_a_script_without_questions_says_so_under_the_list(qtbot, sqlite_db, seeded) -> None:  # type: ignore[no-untyped-def]
    ed = _editor(qtbot, sqlite_db)
    ed.form.steps.setCurrentRow(2)
    while ed.draft.questions:
        ed.form.buttons["remove"].click()
        ed.form.steps.setCurrentRow(2)
    ed.check_now()
    label = ed.form.labels[("questions",)]
    assert not ed.save.isEnabled() and label.isVisible()
    assert label.text() == "✗ add at least one question"
    assert not any(ed.form.steps.item(i).text().startswith("⚠")
                   for i in range(ed.form.steps.count()))
    ed.problem_list.setCurrentRow(0)
    qtbot.keyClick(ed.problem_list, Qt.Key.Key_Return)
    assert ed.form.buttons["add"].hasFocus()
