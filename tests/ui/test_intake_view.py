"""The team lead's Intake page: sources with their addresses and counts, the secret
shown once, refusals in words, the test event over real HTTP, and the hand-raise rules
saved through the team settings."""

from __future__ import annotations

import html
import shutil

import pytest
from PySide6.QtCore import Qt

from qualdesk.db.engine import Database
from qualdesk.domain.hand_raise_rules import HandRaiseRules
from qualdesk.services import team_settings
from ui.context import AppContext
from ui.hand_raise_rules_editor import HandRaiseRulesEditor, patterns_of, rules_sentence


def test_rules_read_back_in_words() -> None:
    assert rules_sentence([], 3, 7, 0) == ("Besides form submits, a hand is raised by 3 email "
                                           "opens within 7 days or an asset download.")
    assert rules_sentence(["*/pricing*", "/demo*"], 1, 1, 100) == (
        "Besides form submits, a hand is raised by a visit to */pricing*, /demo*, 1 email open "
        "within 1 day, reaching 100 points or an asset download.")
    assert patterns_of(" */pricing* ,\n/demo*\n\n") == ["*/pricing*", "/demo*"]


def test_the_rules_editor_saves_the_rule_set_the_receivers_read(qtbot, ctx: AppContext,
                                                                sqlite_db: Database) -> None:
    ed = HandRaiseRulesEditor(ctx)
    qtbot.addWidget(ed)
    ed.refresh()
    assert ed.opens_count.value() == 3 and ed.opens_days.value() == 7
    assert ed.points.text() == "off" and not ed.save_button.isEnabled()
    ed.key_pages.setPlainText("*/pricing*\n/demo*")
    ed.opens_count.setValue(4)
    ed.opens_days.setValue(10)
    ed.points.setValue(150)
    assert ed.is_dirty() and ed.save_button.isEnabled()
    assert "a visit to */pricing*, /demo*, 4 email opens within 10 days, reaching 150 points" \
        in ed.summary.text()
    ed.save()
    assert ed.message.text().startswith("Saved")
    assert not ed.is_dirty()
    rules = HandRaiseRules.from_settings(team_settings.get_all(sqlite_db))
    assert rules == HandRaiseRules(("*/pricing*", "/demo*"), 4, 10, 150)


def test_the_rules_editor_shows_a_change_made_elsewhere_unless_mid_edit(qtbot, ctx: AppContext,
                                                                        sqlite_db: Database) -> None:
    from qualdesk.domain.records import Changes

    ed = HandRaiseRulesEditor(ctx)
    qtbot.addWidget(ed)
    ed.refresh()
    team_settings.set_value(sqlite_db, "intake.points_threshold", "80")  # another client
    ctx.sig_operation_executed.emit(Changes(settings=True), None)
    assert ed.points.value() == 80
    ed.opens_days.setValue(3)  # the team lead is typing: their edit is not overwritten
    team_settings.set_value(sqlite_db, "intake.points_threshold", "90")
    ctx.sig_operation_executed.emit(Changes(settings=True), None)
    assert ed.points.value() == 80 and ed.opens_days.value() == 3
    ed.revert_button.click()
    assert ed.opens_days.value() == 7


# --- the sources -------------------------------------------------------------------

def _lead_ctx(db: Database) -> AppContext:
    from qualdesk.services.users import add_user
    from ui.ops import SyncRunner

    return AppContext(db, add_user(db, "Lee Lead", "lead", email="lee@example.com"), SyncRunner())


def _page(qtbot, ctx: AppContext):
    from ui.intake_view import IntakeView

    page = IntakeView(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


def _cells(model, row: int) -> list[str]:
    return [model.data(model.index(row, c)) for c in range(model.columnCount())]


def test_each_source_shows_its_address_kind_and_counts_in_words(qtbot, qtmodeltester,
                                                               sqlite_db: Database) -> None:
    from qualdesk.services.intake.live.sources import add_source
    from tests.ui.intake_helpers import receive_signed

    secret = add_source(sqlite_db, "mautic", "mautic", hand_raise="demo_request").secret
    add_source(sqlite_db, "web-form", "form")
    json_secret = add_source(sqlite_db, "hubspot", "json").secret
    assert secret and json_secret
    receive_signed(sqlite_db, "hubspot", json_secret, {
        "event_id": "h1", "lead": {"first_name": "Kim", "email": "kim@x.example"},
        "hand_raise": {"kind": "contact_form"}})
    page = _page(qtbot, _lead_ctx(sqlite_db))
    m = page.sources_model
    qtmodeltester.check(m)
    rows = {_cells(m, r)[0]: _cells(m, r) for r in range(m.rowCount())}
    assert rows["mautic"][1:7] == ["http://127.0.0.1:8470/intake/mautic", "Mautic webhook",
                                   "(default)", "Demo request", "0", "0"]
    assert rows["web-form"][2] == "Web form"
    assert rows["hubspot"][2] == "Signed JSON" and rows["hubspot"][5] == "1"
    assert rows["hubspot"][7].endswith("(0s ago)") and rows["mautic"][7] == "never"
    assert m.headerData(5, Qt.Orientation.Horizontal) == "Events today"

    page.select("web-form")
    assert not page.rotate_button.isEnabled()  # a web form has no secret
    page.base_edit.setText("https://intake.example.com/")
    page.save_base()
    assert team_settings.get_value(sqlite_db, "intake.public_url") == "https://intake.example.com"
    page.refresh()
    assert page.selected().name == "web-form"
    assert page.address.text() == "Address: https://intake.example.com/intake/web-form"
    page.base_edit.setText("intake.example.com")
    page.save_base()
    assert page.message.text().startswith("The address starts with https://")


def test_a_new_source_shows_its_secret_once_and_the_secret_works(qtbot, sqlite_db: Database) -> None:
    from PySide6.QtGui import QGuiApplication

    from qualdesk.services.intake.live.sources import list_sources
    from tests.ui.intake_helpers import receive_signed
    from ui.intake_dialogs import AddSourceDialog

    page = _page(qtbot, _lead_ctx(sqlite_db))
    assert not page.test_button.isEnabled() and not page.remove_button.isEnabled()
    page.add_button.click()
    dialog = page._dialog
    assert isinstance(dialog, AddSourceDialog) and dialog.isVisible()
    dialog.name.setText("Bad Name!")
    dialog.submit()
    assert "lower-case letters" in dialog.message.text() and dialog.isVisible()
    dialog.name.setText("hubspot")
    dialog.kind.setCurrentIndex(dialog.kind.findData("json"))
    dialog.hand_raise.setCurrentIndex(dialog.hand_raise.findData("demo_request"))
    dialog.submit()
    assert not dialog.isVisible()
    panel = page.secret_panel
    assert panel.showing and "hubspot" in panel.label.text()
    secret = panel.value.text()
    assert len(secret) >= 32
    assert page.selected().name == "hubspot"
    panel.copy_button.click()
    assert QGuiApplication.clipboard().text() == secret
    assert not panel.showing and panel.value.text() == ""  # gone from the screen
    out = receive_signed(sqlite_db, "hubspot", secret, {
        "lead": {"first_name": "Kim", "email": "kim@x.example"}, "hand_raise": {}})
    assert out.events == 1
    assert [s.hand_raise for s in list_sources(sqlite_db)] == ["demo_request"]


def test_the_sender_s_own_secret_and_a_refusal_in_the_dialog(qtbot, sqlite_db: Database) -> None:
    from qualdesk.services.intake.live.sources import add_source

    add_source(sqlite_db, "mautic", "mautic")
    page = _page(qtbot, _lead_ctx(sqlite_db))
    page.add_button.click()
    dialog = page._dialog
    dialog.name.setText("mautic")  # taken: the service says so, inline
    dialog.own.setChecked(True)
    dialog.secret.setText("s3cret-from-mautic-webhook-form")
    dialog.submit()
    assert dialog.isVisible() and "already exists" in dialog.message.text()
    dialog.name.setText("mautic-eu")
    dialog.submit()
    assert not dialog.isVisible()
    assert page.secret_panel.value.text() == "s3cret-from-mautic-webhook-form"
    page.secret_panel.hide_button.click()
    assert not page.secret_panel.showing
    page.secret_panel.show_secret("mautic-eu", "another-secret-value-shown-once")
    page.hide()  # another page of the app: the secret does not wait there
    page.show()
    assert not page.secret_panel.showing and page.secret_panel.value.text() == ""


def test_a_new_secret_replaces_the_old_one_and_removing_asks_first(qtbot, sqlite_db: Database) -> None:
    from qualdesk.services.intake.live.deliveries import Refused
    from qualdesk.services.intake.live.sources import add_source
    from tests.ui.intake_helpers import receive_signed
    from ui.intake_dialogs import ConfirmDialog

    old = add_source(sqlite_db, "hubspot", "json").secret
    page = _page(qtbot, _lead_ctx(sqlite_db))
    page.select("hubspot")
    page.rotate_button.click()
    dialog = page._dialog
    assert isinstance(dialog, ConfirmDialog) and "stops working at once" in dialog.text.text()
    dialog.submit()
    new = page.secret_panel.value.text()
    assert new and new != old
    ev = {"lead": {"email": "kim@x.example", "first_name": "Kim"}, "hand_raise": {}}
    assert receive_signed(sqlite_db, "hubspot", new, ev).events == 1
    with pytest.raises(Refused) as refused:
        receive_signed(sqlite_db, "hubspot", old, dict(ev, event_id="again"))
    assert refused.value.status == 401

    page.remove_button.click()
    dialog = page._dialog
    assert "http://127.0.0.1:8470/intake/hubspot" in dialog.text.text()
    dialog.submit()
    assert page.sources_model.rowCount() == 0
    assert not page.secret_panel.showing  # the removed source's secret is gone too
    assert page.message.text() == "Removed hubspot."


# --- through the real receiver -----------------------------------------------------

def test_refusals_show_in_words_and_the_test_event_proves_the_whole_path(
        qtbot, qtmodeltester, db_url: str, sqlite_template, tmp_path) -> None:
    """The real receiver in its own process: a wrongly signed post is listed with its
    reason; "Send a test event" runs off the GUI thread and reports success only once
    the test lead is in the queue."""
    from qualdesk.services.intake.live.sources import add_source
    from qualdesk.services.users import add_user
    from tests.ui.intake_helpers import post, running_receiver, signed

    db = Database(db_url)
    try:
        add_source(db, "hubspot", "json")
        ctx = AppContext(db, add_user(db, "Lee Lead", "lead", email="lee@example.com"))
        with running_receiver(db_url) as base:
            team_settings.set_value(db, "intake.public_url", base)
            body, headers = signed("not-the-secret-at-all", {"lead": {"email": "a@b.example"}})
            status, _ = post(f"{base}/intake/hubspot", body, headers)
            assert status == 401
            page = _page(qtbot, ctx)
            qtbot.waitUntil(lambda: page.refusals_model.rowCount() == 1, timeout=5000)
            qtmodeltester.check(page.refusals_model)
            row = _cells(page.refusals_model, 0)
            assert row[1] == "Signature missing or wrong (401)"
            assert "does not match" in row[2] and row[3] == "127.0.0.1"
            assert '"a@b.example"' in row[4]
            tip = page.refusals_model.data(page.refusals_model.index(0, 4),
                                           Qt.ItemDataRole.ToolTipRole)
            assert tip == f"<qt>{html.escape(row[4])}</qt>"  # a sender's markup shows as text
            assert _cells(page.sources_model, 0)[6] == "1"  # refused today

            page.test_button.click()
            assert page.message.text() == f"Sending a test event to {base}/intake/hubspot…"
            assert not page.test_button.isEnabled()  # one at a time; the GUI stays free
            qtbot.waitUntil(lambda: page.message.text()[:1] in "✓✗", timeout=15000)
            assert page.message.text().startswith("✓ The test event went through"), \
                page.message.text()
            assert "queue" in page.message.text() and page.test_button.isEnabled()
            qtbot.waitUntil(lambda: _cells(page.sources_model, 0)[5] == "1", timeout=5000)
            ctx.runner.wait()
            # Proven, then out of every rep's queue: nobody calls the test lead.
            from qualdesk.services.intake.live.sources import test_email
            from qualdesk.services.intake_probe import queue_place
            from qualdesk.services.leads import LeadFilter, list_leads

            (test_lead,) = list_leads(db, LeadFilter(search=test_email("hubspot")))
            assert test_lead.designation == "disqualified"
            assert queue_place(db, test_lead.id) is None
            page.test_button.click()  # a second test warms the same test lead again
            qtbot.waitUntil(lambda: page.message.text()[:1] in "✓✗", timeout=15000)
            assert page.message.text().startswith("✓ The test event went through")
            ctx.runner.wait()
            assert queue_place(db, test_lead.id) is None

            # Another team's database behind the same address: the receiver says so.
            shutil.copy(sqlite_template, tmp_path / "other.sqlite3")
            elsewhere = Database(f"sqlite:///{tmp_path / 'other.sqlite3'}")
            add_source(elsewhere, "orphan", "json")
            team_settings.set_value(elsewhere, "intake.public_url", base)
            other = _page(qtbot, _lead_ctx(elsewhere))
            other.test_button.click()
            qtbot.waitUntil(lambda: other.message.text()[:1] in "✓✗", timeout=15000)
            assert other.message.text() == (
                f"✗ The receiver at {base}/intake/orphan refused the test event (404: no "
                "intake source named 'orphan').")
            other.ctx.runner.wait()
            elsewhere.dispose()
    finally:
        db.dispose()


def test_a_receiver_that_does_not_answer_is_named_with_what_to_do(qtbot, sqlite_db: Database) -> None:
    from qualdesk.services.intake.live.sources import add_source
    from tests.ui.intake_helpers import free_port

    add_source(sqlite_db, "web", "form")
    base = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    team_settings.set_value(sqlite_db, "intake.public_url", base)
    page = _page(qtbot, _lead_ctx(sqlite_db))
    page.test_button.click()
    assert page.message.text() == (
        f"✗ The receiver at {base}/intake/web did not answer (nothing is listening there): "
        "start the QualDesk intake service on the intake server.")


def test_a_database_away_goes_to_the_banner_not_a_crash(qtbot, sqlite_db: Database) -> None:
    from qualdesk.domain.records import UserRecord
    from tests.ui.intake_helpers import free_port
    from ui.ops import SyncRunner

    gone = Database(f"postgresql://nobody@127.0.0.1:{free_port()}/gone")  # nothing listens
    ctx = AppContext(gone, UserRecord(1, "Lee Lead", "lead", None), SyncRunner())
    known: list[str] = []
    bugs: list[str] = []
    ctx.runner.sig_error_known.connect(known.append)
    ctx.runner.sig_error_bug.connect(lambda summary, _tb: bugs.append(summary))
    page = _page(qtbot, ctx)
    assert known and not bugs
    assert page.sources_model.rowCount() == 0
    gone.dispose()


def test_a_robot_caught_by_the_form_s_trap_reads_as_such(qtbot, sqlite_db: Database) -> None:
    from qualdesk.services.intake.live.refusals import keep_refusal
    from qualdesk.services.intake.live.sources import add_source

    add_source(sqlite_db, "web-form", "form")
    keep_refusal(sqlite_db, "web-form", 200, "honeypot field filled in: a bot, nothing kept",
                 "203.0.113.9", b"first_name=<b>Bot</b>&qd_hp=1")
    page = _page(qtbot, _lead_ctx(sqlite_db))
    row = _cells(page.refusals_model, 0)
    assert row[1:5] == ["Robot: thanked, nothing kept",
                        "honeypot field filled in: a bot, nothing kept", "203.0.113.9",
                        "first_name=<b>Bot</b>&qd_hp=1"]


def test_no_sources_says_what_to_do_where_the_sources_table_is(qtbot, sqlite_db: Database) -> None:
    """W10 #23: the empty state sits in the sources area, not under Refusals."""
    from qualdesk.services.intake.live.sources import add_source

    page = _page(qtbot, _lead_ctx(sqlite_db))
    page.refresh()
    qtbot.waitUntil(page.sources_empty.isVisible, timeout=3000)
    assert "Add source" in page.sources_empty.text()
    assert not page.sources_table.isVisible() and not page.detail.isVisible()
    assert "Add a source" not in page.address.text()
    add_source(sqlite_db, "web-form", "form")
    page.refresh()
    qtbot.waitUntil(page.sources_table.isVisible, timeout=3000)
    assert not page.sources_empty.isVisible() and page.detail.isVisible()
