"""The team lead's campaigns page on real widgets with a synchronous runner: edit and save a
campaign, refusals shown under the form, live Level I rule check, and the dispositions /
hand-raise kinds editor."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from qualdesk.db.engine import Database
from qualdesk.paths import user_templates_dir
from qualdesk.services.campaigns import add_campaign, get_campaign, list_campaigns
from qualdesk.services.codes_admin import list_dispositions, list_kinds
from qualdesk.services.users import add_user
from ui.campaigns_view import CAMPAIGN_COLUMNS, CampaignsView, RecordTableModel
from ui.context import AppContext
from ui.ops import SyncRunner


def _view(qtbot, db: Database) -> tuple[CampaignsView, AppContext]:
    lead = add_user(db, "Tara Lead", "lead")
    ctx = AppContext(db, lead, SyncRunner())
    view = CampaignsView(ctx)
    qtbot.addWidget(view)
    view.show()
    return view, ctx


def click(qtbot, w: QWidget) -> None:
    qtbot.mouseClick(w, Qt.MouseButton.LeftButton)


def test_edit_and_save_a_campaign(qtbot, sqlite_db: Database, frozen) -> None:
    add_campaign(sqlite_db, "Webinar")
    view, ctx = _view(qtbot, sqlite_db)
    assert [view.campaign_model.record(i).name for i in range(view.campaign_model.rowCount())] \
        == ["Default", "Webinar"]
    assert view.campaign_model.data(view.campaign_model.index(0, 0)) == "Default (default)"
    assert [view.script.itemData(i) for i in range(view.script.count())] == \
        ["default", "demo_request", "inbound_call", "whitepaper"]
    assert [view.templates.itemData(i) for i in range(view.templates.count())] == \
        ["default", "demo_request", "inbound_call", "whitepaper"]
    # in words: the scripts' titles and the folders' names (W10 #16)
    assert [view.script.itemText(i) for i in range(view.script.count())] == \
        ["Default — consultative Level I call", "Demo request — qualify before the demo",
         "Inbound call — the lead called us", "Whitepaper: Speed to Lead — follow-up call"]
    assert [view.templates.itemText(i) for i in range(view.templates.count())] == \
        ["Standard", "Demo request", "Inbound call", "Whitepaper"]
    m = view.campaign_model
    assert (m.data(m.index(0, 2)), m.data(m.index(0, 3))) == \
        ("Default — consultative Level I call", "Standard")

    assert view.select_campaign("Webinar")
    assert view.editor.title() == "Campaign: Webinar" and view.sla.value() == 60
    view.script.setCurrentIndex(view.script.findData("whitepaper"))
    view.templates.setCurrentIndex(view.templates.findData("whitepaper"))
    view.sla.setValue(30)
    view.live_attempts.setValue(1)
    view.min_gap.setValue(25)
    view.daily_cap.setValue(2)
    view.lifetime_cap.setValue(5)
    view.level1.setText("need_known and budget_at_least(5000)")
    assert view.level1_status.text() == "✓ the rule parses" and view.save_button.isEnabled()
    with qtbot.waitSignal(ctx.sig_operation_executed) as sig:
        click(qtbot, view.save_button)
    assert sig.args[0].settings and sig.args[0].queue and sig.args[1] is view
    assert view.campaign_message.text() == "Saved Webinar."
    rec = get_campaign(sqlite_db, "Webinar")
    assert (rec.script, rec.templates, rec.sla_minutes, rec.same_day_live_attempts,
            rec.min_gap_minutes, rec.daily_cap, rec.lifetime_cap, rec.level1_rule) == \
        ("whitepaper", "whitepaper", 30, 1, 25, 2, 5, "need_known and budget_at_least(5000)")
    # The table reloaded and kept the selection.
    assert view.selected_campaign() == rec
    assert view.campaign_model.data(view.campaign_model.index(1, 4)) == "30 min"


def test_refusals_and_live_rule_check(qtbot, sqlite_db: Database, frozen) -> None:
    view, ctx = _view(qtbot, sqlite_db)
    view.level1.setText("need_known and (")
    assert view.level1_status.text().startswith("✗ level1_rule: 'need_known and (' does not "
                                                "parse")
    assert not view.save_button.isEnabled()
    view.level1.setText("")
    assert view.level1_status.text() == "✓ the script's own rule" and view.save_button.isEnabled()

    # A user's template folder appears in the list; a broken one is refused on save.
    bad = user_templates_dir() / "broken"
    bad.mkdir(parents=True)
    (bad / "voicemail.txt.j2").write_text("Hi {{ lead.firstname }}")
    view.refresh()
    assert view.templates.findData("broken") >= 0
    view.templates.setCurrentIndex(view.templates.findData("broken"))
    click(qtbot, view.save_button)
    assert view.campaign_message.text().startswith("templates: 'broken' has problems:")
    view.templates.setCurrentIndex(view.templates.findData("default"))
    view.daily_cap.setValue(8)
    click(qtbot, view.save_button)
    assert view.campaign_message.text() == "daily_cap: 8 must not exceed lifetime_cap (6)"
    assert get_campaign(sqlite_db, "Default").daily_cap == 3  # nothing half-saved


def test_add_a_campaign(qtbot, sqlite_db: Database, frozen) -> None:
    view, ctx = _view(qtbot, sqlite_db)
    click(qtbot, view.add_button)
    assert view.campaign_message.text() == "Type the new campaign's name first."
    qtbot.keyClicks(view.new_name, "Trade show")
    click(qtbot, view.add_button)
    assert [c.name for c in list_campaigns(sqlite_db)] == ["Default", "Trade show"]
    assert view.selected_campaign().name == "Trade show" and view.new_name.text() == ""
    qtbot.keyClicks(view.new_name, "trade SHOW")
    click(qtbot, view.add_button)
    assert view.campaign_message.text() == "name: a campaign named 'trade SHOW' already exists"


def test_dispositions_and_kinds_editor(qtbot, sqlite_db: Database, frozen) -> None:
    view, ctx = _view(qtbot, sqlite_db)
    view.tabs.setCurrentIndex(1)
    assert view.disposition_model.rowCount() == 9 and view.kind_model.rowCount() == 8
    view.disposition_table.selectRow(1)
    assert (view.disp_code.text(), view.disp_label.text(), view.disp_hotkey.currentText(),
            view.disp_contact.isChecked()) == ("no_answer", "No answer", "2", False)
    view.disp_label.setText("Gatekeeper — no answer")
    view.disp_hotkey.setCurrentIndex(view.disp_hotkey.findData("3"))
    click(qtbot, view.disp_save)
    assert view.codes_message.text() == "hotkey: '3' is already used by 'busy' (take it away " \
                                        "first: --hotkey none)"
    view.disp_hotkey.setCurrentIndex(view.disp_hotkey.findData("none"))
    click(qtbot, view.disp_save)
    assert view.codes_message.text() == "Saved disposition no_answer."
    got = {d.code: d for d in list_dispositions(sqlite_db)}["no_answer"]
    assert (got.label, got.hotkey) == ("Gatekeeper — no answer", None)
    assert view.selected_disposition() == got

    # A new code: type it over the selected one.
    view.disp_code.setText("Gatekeeper Block")
    view.disp_label.setText("Gatekeeper")
    view.disp_hotkey.setCurrentIndex(view.disp_hotkey.findData("2"))
    view.disp_contact.setChecked(True)
    click(qtbot, view.disp_save)
    new = list_dispositions(sqlite_db)[-1]
    assert (new.code, new.label, new.hotkey, new.is_contact) == \
        ("gatekeeper_block", "Gatekeeper", "2", True)

    view.kind_table.selectRow(0)
    assert (view.kind_code.text(), view.kind_strength.value()) == ("called_in", 100)
    view.kind_code.setText("webinar")
    view.kind_label.setText("Webinar sign-up")
    view.kind_strength.setValue(60)
    click(qtbot, view.kind_save)
    assert view.codes_message.text() == "Saved hand-raise kind webinar."
    assert [(k.code, k.strength) for k in list_kinds(sqlite_db)][4] == ("webinar", 60)
    assert view.kind_model.rowCount() == 9


def test_every_interactive_widget_has_an_object_name(qtbot, sqlite_db: Database, frozen) -> None:
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractSpinBox,
        QComboBox,
        QLineEdit,
        QTableView,
        QTabWidget,
    )

    view, _ = _view(qtbot, sqlite_db)
    kinds = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QTableView, QTabWidget)
    unnamed = [w for w in view.findChildren(QWidget) if isinstance(w, kinds)
               and not w.objectName()
               and isinstance(w.parent(), QWidget) and not isinstance(w.parent(), kinds)]
    assert unnamed == []


def test_model_passes_qtmodeltester(qtmodeltester, sqlite_db: Database, frozen) -> None:
    add_campaign(sqlite_db, "Webinar", sla_minutes=30)
    m = RecordTableModel(CAMPAIGN_COLUMNS)
    m.set_rows(list_campaigns(sqlite_db))
    qtmodeltester.check(m, force_py=True)
    m.set_rows([])
    qtmodeltester.check(m, force_py=True)
