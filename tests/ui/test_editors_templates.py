"""The template editor checks every keystroke with the CLI's checker, previews with a
real lead, and can't save a template that names an unknown field."""

from __future__ import annotations

from qualdesk.paths import user_templates_dir
from qualdesk.services import template_drafts as drafts
from qualdesk.services.template_check import check_template
from qualdesk.services.templating import render_followup, sample_context, team_env
from qualdesk.services.users import add_user
from tests.cli_helpers import run
from ui.ops import SyncRunner
from ui.template_editor import TemplateEditor


def test_live_check_preview_and_save(qtbot, sqlite_db, seeded, tmp_path) -> None:  # type: ignore[no-untyped-def]
    add_user(sqlite_db, "Tess Lead", "lead", email="tess@example.com")  # a team lead writes templates
    ed = TemplateEditor(sqlite_db, SyncRunner(), rep="Tess Lead")
    qtbot.addWidget(ed)
    ed.show()
    ed.set_template("default", "voicemail.txt.j2")
    assert "{{ lead.first_name" in ed.source.toPlainText()
    assert ed.lead.currentData() is not None  # a real lead, not the sample
    chosen = ed.lead.currentText().split(",")[0].split()[0]
    assert ed.status.text() == "✓ no problems" and ed.save.isEnabled()
    assert ed.preview.toPlainText().startswith(f"Hi {chosen}, this is Tess Lead")
    # typing an unknown field: flagged within the pause, save refused
    ed.source.moveCursor(ed.source.textCursor().MoveOperation.End)
    qtbot.keyClicks(ed.source, " {{ lead.favourite_colour }}")
    qtbot.waitUntil(lambda: not ed.save.isEnabled(), timeout=3000)
    assert ed.problem_list.count() == 1
    assert "unknown field lead.favourite_colour" in ed.problem_list.item(0).text()
    assert ed.problem_list.item(0).text().startswith("line 5:")  # the file ends in a newline: typed on line 5
    assert ed.status.text().startswith("✗ 1 problem")
    ed.save_draft()  # even pressed by a shortcut: the service refuses it whole
    assert ed.status.text().startswith("⚠ not saved: default/voicemail.txt.j2, line 5")
    assert not (user_templates_dir() / "default" / "voicemail.txt.j2").exists()
    # fixed: saved where the campaign finds it, and the next follow-up uses it
    ed.source.setPlainText("Hi {{ lead.first_name }}, {{ rep.name }} from QualDesk here.")
    qtbot.waitUntil(lambda: ed.save.isEnabled(), timeout=3000)
    ed.save.click()
    assert ed.status.text().startswith("Saved default/voicemail.txt.j2")
    # saved for the team, in the database (not a file on this machine)
    assert not (user_templates_dir() / "default" / "voicemail.txt.j2").exists()
    source = drafts.load_source("default", "voicemail.txt.j2", sqlite_db)
    assert source.startswith("Hi {{ lead.first_name }}")
    saved = tmp_path / "default" / "voicemail.txt.j2"
    saved.parent.mkdir()
    saved.write_text(source, encoding="utf-8")
    assert check_template(saved) == []
    assert run(None, "template", "check", str(saved)).code == 0
    with sqlite_db.session(write=False) as s:
        env = team_env(s)
    assert render_followup("default", sample_context(), env).voicemail == \
        "Hi Dana, Sam Rivera from QualDesk here."


def test_a_syntax_error_names_its_line(qtbot, sqlite_db) -> None:  # type: ignore[no-untyped-def]
    ed = TemplateEditor(sqlite_db, SyncRunner())
    qtbot.addWidget(ed)
    ed.set_template("default", "email_subject.txt.j2")
    ed.source.setPlainText("Hello\n{% if lead.company %}\nno end")
    ed.check_now()
    assert not ed.save.isEnabled()
    assert ed.problem_list.item(0).text().startswith("line 3: syntax error")
    ed.problem_list.setCurrentRow(0)
    ed._go_to_problem()
    assert ed.source.textCursor().blockNumber() == 2
