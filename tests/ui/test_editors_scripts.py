"""The script editor's source view (checked by ``qualdesk script check``'s parser at every
pause, the walk shown for a real lead, refused while broken) and the Level I rule from
choices. The form is driven in test_script_form_editor.py."""

from __future__ import annotations

from datetime import date

from qualdesk.domain.bant import Bant
from qualdesk.domain.level1_rule import evaluate
from qualdesk.paths import user_scripts_dir
from qualdesk.services import template_drafts as drafts
from qualdesk.services.campaigns import get_campaign
from qualdesk.services.script_library import load_script
from qualdesk.services.users import add_user
from tests.cli_helpers import run
from ui.level1_rule_builder import Level1RuleBuilder
from ui.ops import SyncRunner
from ui.script_editor import ScriptEditor


def test_write_a_script_with_a_branch_and_save_it(qtbot, sqlite_db, seeded, tmp_path) -> None:  # type: ignore[no-untyped-def]
    add_user(sqlite_db, "Tess Lead", "lead", email="tess@example.com")  # a team lead writes scripts
    ed = ScriptEditor(sqlite_db, SyncRunner(), rep="Tess Lead")
    qtbot.addWidget(ed)
    ed.show()
    ed.script_name.setCurrentText("default")
    assert ed.status.text().startswith("✓ no problems")
    shown = ed.preview.toPlainText()
    lead_first = ed.lead.currentText().split()[0]
    assert f"Hi {lead_first}, this is Tess Lead" in shown  # rendered for a real lead
    assert "Turn over once the rep knows:" in shown
    ed.show_source.setChecked(True)  # a power user types the script's text (TOML)
    ed.insert("yesno")
    ed.check_now()
    assert ed.status.text().startswith("✓ no problems")
    assert "Is that so?" in ed.preview.toPlainText()
    assert "→ if “no”: go to the close" in ed.preview.toPlainText()
    # a branch to a question that does not exist: named, with its line; can't save
    ed.source.setPlainText(ed.source.toPlainText().replace('next = { no = "close" }',
                                                           'next = { no = "q_nowhere" }'))
    qtbot.waitUntil(lambda: not ed.save.isEnabled(), timeout=3000)
    assert any("q_nowhere" in ed.problem_list.item(i).text() for i in range(ed.problem_list.count()))
    ed.save_as.setText("webinar_q1")
    ed.save_draft()
    assert ed.status.text().startswith("⚠ not saved")
    assert not (user_scripts_dir() / "webinar_q1.toml").exists()
    ed.source.setPlainText(ed.source.toPlainText().replace('"q_nowhere"', '"bant"'))
    qtbot.waitUntil(lambda: ed.save.isEnabled(), timeout=3000)
    ed.save.click()
    assert ed.status.text().startswith("Saved webinar_q1")
    # saved for the team, in the database (not a file on this machine)
    assert not (user_scripts_dir() / "webinar_q1.toml").exists()
    saved = tmp_path / "webinar_q1.toml"
    saved.write_text(drafts.load_script_source("webinar_q1", sqlite_db), encoding="utf-8")
    assert run(None, "script", "check", str(saved)).code == 0
    with sqlite_db.session(write=False) as s:
        script = load_script("webinar_q1", s)  # what a rep's next lead loads
    assert script.questions[-1].text == "Is that so?" and dict(script.questions[-1].next) == {"no": "bant"}
    # a campaign may use it at once
    assert run(sqlite_db.url, "campaign", "set", "Default", "--script", "webinar_q1").code == 0
    assert get_campaign(sqlite_db, "Default").script == "webinar_q1"


def test_level1_rule_from_choices(qtbot) -> None:  # type: ignore[no-untyped-def]
    b = Level1RuleBuilder("need_known and authority_confirmed and timeframe_within_months(6)")
    qtbot.addWidget(b)
    assert b.boxes["need_known"].isChecked() and b.months.value() == 6
    assert b.rule() == "authority_confirmed and need_known and timeframe_within_months(6)"
    for name in ("need_known", "authority_confirmed", "timeframe_within_months"):
        b.boxes[name].setChecked(False)
    ok = b.buttons.button(b.buttons.StandardButton.Ok)
    assert not ok.isEnabled() and "would qualify every lead" in b.words.text()
    b.boxes["budget_known"].setChecked(True)
    b.boxes["decision_maker"].setChecked(True)
    b.boxes["timeframe_within_months"].setChecked(True)
    b.months.setValue(3)
    assert b.rule() == "budget_known and decision_maker and timeframe_within_months(3)"
    assert b.words.text() == ("A rep turns the lead over once they know: budget (amount or range) "
                              "and authority: talking to the decision maker and timeframe within "
                              "3 months.")
    got: list[str] = []
    b.sig_rule_chosen.connect(got.append)
    ok.click()
    assert got == ["budget_known and decision_maker and timeframe_within_months(3)"]
    # the domain evaluates what the builder wrote
    status = evaluate(got[0], Bant(), date(2026, 11, 23))
    assert not status.met and "timeframe within 3 months" in status.missing
    b2 = Level1RuleBuilder("budget_known or (need_known and decision_maker)")
    qtbot.addWidget(b2)
    assert "written by hand" in b2.words.text()
