"""The editors save for the team: the campaigns page lists a script or template folder the
team saved (not only this machine's files), and an open page lists a new one as soon as
the editor saves it (it announces a settings change; other clients hear it by live sync)."""

from __future__ import annotations

from qualdesk.paths import scripts_library_dir
from qualdesk.services import template_drafts as drafts
from qualdesk.services.users import add_user
from ui.campaigns_view import CampaignsView
from ui.context import AppContext
from ui.ops import SyncRunner
from ui.script_editor import ScriptEditor
from ui.template_editor import TemplateEditor

SCRIPT = (scripts_library_dir() / "default.toml").read_text(encoding="utf-8")


def _items(combo) -> list[str]:  # type: ignore[no-untyped-def]
    return [combo.itemData(i) or combo.itemText(i) for i in range(combo.count())]  # names (W10 #16)


def test_the_campaigns_page_lists_what_the_team_saved(qtbot, sqlite_db, seeded) -> None:  # type: ignore[no-untyped-def]
    lead = add_user(sqlite_db, "Tess Lead", "lead", email="tess@example.com")
    drafts.save_script_draft("team_only", SCRIPT, sqlite_db, "Tess Lead")
    ctx = AppContext(sqlite_db, lead, SyncRunner())
    view = CampaignsView(ctx)
    qtbot.addWidget(view)
    view.refresh()
    assert "team_only" in _items(view.script) and "default" in _items(view.script)
    # the editors, on the same runner: a save shows up on the open page at once
    ed = ScriptEditor(sqlite_db, ctx.runner, rep="Tess Lead")
    qtbot.addWidget(ed)
    assert "team_only" in _items(ed.script_name)  # listed from the database, off the GUI thread
    assert ed.origin.text() == "The shipped default (the team has not changed it)."
    ed.save_as.setText("webinar_q2")
    ed.save_draft()
    assert ed.status.text().startswith("Saved webinar_q2 for the team")
    assert ed.origin.text().startswith("The team's copy: version 1, saved by Tess Lead ")
    assert "webinar_q2" in _items(view.script)
    tpl = TemplateEditor(sqlite_db, ctx.runner, rep="Tess Lead")
    qtbot.addWidget(tpl)
    tpl.set_template("default", "voicemail.txt.j2")
    assert tpl.source.toPlainText() == drafts.load_source("default", "voicemail.txt.j2")
    tpl.source.setPlainText("Hi {{ lead.first_name }}, {{ rep.name }} for the team.")
    tpl.check_now()
    tpl.save_draft()
    assert tpl.status.text().startswith("Saved default/voicemail.txt.j2 for the team")
    assert drafts.load_source("default", "voicemail.txt.j2", sqlite_db).endswith("for the team.")
    # reopened, the editor shows the team's copy, not the shipped file
    again = TemplateEditor(sqlite_db, ctx.runner, rep="Tess Lead")
    qtbot.addWidget(again)
    again.set_template("default", "voicemail.txt.j2")
    assert again.source.toPlainText().endswith("for the team.")
    assert again.origin.text().startswith("The team's copy: version 1, saved by Tess Lead ")


def test_templates_for_a_new_campaign_folder(qtbot, sqlite_db, seeded) -> None:  # type: ignore[no-untyped-def]
    lead = add_user(sqlite_db, "Tess Lead", "lead", email="tess@example.com")
    ctx = AppContext(sqlite_db, lead, SyncRunner())
    view = CampaignsView(ctx)
    qtbot.addWidget(view)
    view.refresh()
    assert "webinar" not in _items(view.templates)
    ed = TemplateEditor(sqlite_db, ctx.runner, rep="Tess Lead")
    qtbot.addWidget(ed)
    ed.set_template("default", "email_subject.txt.j2")
    ed.save_as.setText("webinar")
    ed.source.setPlainText("The webinar recording for {{ lead.company }}")
    ed.check_now()
    assert ed.save.isEnabled()
    ed.save_draft()
    assert ed.status.text().startswith("Saved webinar/email_subject.txt.j2 for the team")
    assert ed.folder.currentText() == "webinar" and ed.save_as.text() == ""
    assert "webinar" in _items(view.templates)  # a campaign may use it now
    # the other files of the new folder come from default/
    assert drafts.load_source("webinar", "voicemail.txt.j2", sqlite_db) == ""
