"""The GUI side of the loop: turn-over dialog -> sales view accept / reject, the incubate
dialog and the export dialog, on real widgets with a synchronous runner."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QPushButton
from sqlalchemy import select

from qualdesk.db.engine import Database
from qualdesk.db.models import Lead, Opportunity, TurnOver
from qualdesk.services.turnover import turn_over
from qualdesk.services.users import get_user
from tests.test_turnover import add_people, designation, make_lead, qualify
from ui.context import AppContext
from ui.export_dialog import ExportDialog
from ui.incubate_dialog import IncubateDialog
from ui.ops import SyncRunner
from ui.sales_view import SalesView, TurnOverModel
from ui.turnover_dialog import TurnOverDialog


def context(db: Database, name: str) -> AppContext:
    return AppContext(db, get_user(db, name), SyncRunner())


def test_turnover_dialog_then_sales_accepts_and_rejects(qtbot, sqlite_db: Database, frozen) -> None:
    db = sqlite_db
    add_people(db)
    ada = make_lead(db)
    qualify(db, ada)
    bo = make_lead(db, first="Bo", last="Berg", email="bo@x.example")

    rep = context(db, "Rita")
    dlg = TurnOverDialog(rep, ada)
    qtbot.addWidget(dlg)
    dlg.open()
    assert "Level I qualified" in dlg.level1.text() and not dlg.override.isEnabled()
    assert [dlg.owner.itemData(i) for i in range(dlg.owner.count())] == ["Sam", "Sue"]
    assert "BANT: Budget: 50k approved" in dlg.preview.toPlainText()
    assert "Demo request: asked for a demo on /pricing" in dlg.preview.toPlainText()
    assert dlg.ok_button.isEnabled()
    dlg.note.setPlainText("Call her Tuesday")
    with qtbot.waitSignal(rep.sig_operation_executed) as sig:
        qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    assert sig.args[0].turnovers and sig.args[1] is dlg
    assert dlg.result() == QDialog.DialogCode.Accepted and not dlg.isVisible()
    assert designation(db, ada) == "turned_over"

    # Bo is not qualified: the dialog wants an override reason first.
    dlg2 = TurnOverDialog(rep, bo)
    qtbot.addWidget(dlg2)
    dlg2.open()
    assert "Not Level I qualified" in dlg2.level1.text() and dlg2.override.isEnabled()
    assert not dlg2.ok_button.isEnabled()
    dlg2.owner.setCurrentIndex(0)
    qtbot.keyClicks(dlg2.override, "exec sponsor")
    assert dlg2.ok_button.isEnabled()
    qtbot.mouseClick(dlg2.ok_button, Qt.MouseButton.LeftButton)
    assert designation(db, bo) == "turned_over"
    with db.session(write=False) as s:
        assert s.scalar(select(TurnOver.override_reason).where(TurnOver.lead_id == bo)) == \
            "exec sponsor"

    # Sam, in sales, sees his two leads and decides.
    sales = context(db, "Sam")
    view = SalesView(sales)
    qtbot.addWidget(view)
    view.show()
    assert view.model.rowCount() == 2 and view.scope.text() == "Turned over to Sam"
    assert view.select_lead(ada)
    assert "Hand-off note: Call her Tuesday" in view.detail.toPlainText()
    # readable: BANT as a short table, then notes, body language, attempts; local dates
    shown = view.detail.toPlainText()
    assert "<table" in view.detail.toHtml() and "Budget" in shown
    assert shown.index("BANT") < shown.index("Notes") < shown.index("Digital body language") \
        < shown.index("Attempts")
    assert view.retouch.displayFormat() == "ddd dd MMM yyyy"  # the app's date words
    assert "+00:00" not in view.model.data(view.model.index(0, 2))  # team time, in words
    view.weighting.setValue(40)
    qtbot.mouseClick(view.accept_button, Qt.MouseButton.LeftButton)
    assert designation(db, ada) == "turned_over"  # asked first: nothing happens yet
    view.confirm_box.findChild(QPushButton, "confirm_yes").click()
    assert designation(db, ada) == "accepted"
    assert view.done.text().startswith("✓ Accepted Ada") and "(40 %)" in view.done.text()
    assert view.weighting.value() == 0  # cleared for the next lead
    with db.session(write=False) as s:
        opp = s.scalar(select(Opportunity).where(Opportunity.lead_id == ada))
        assert opp is not None and (opp.weighting, opp.marketing_generated) == (40, True)
    # The decided lead left the "waiting" list; Bo is selected.
    assert view.model.rowCount() == 1 and view.selected().lead_id == bo
    view.reason.setCurrentText("not ready")
    view.set_retouch.setChecked(True)
    view.retouch.setDate(view.retouch.date().fromString("2027-01-10", "yyyy-MM-dd"))
    qtbot.mouseClick(view.reject_button, Qt.MouseButton.LeftButton)
    with db.session(write=False) as s:  # asked first (#17): nothing happens yet
        lead = s.get(Lead, bo)
        assert lead is not None and lead.designation == "turned_over"
    view.confirm_box.findChild(QPushButton, "confirm_yes").click()
    with db.session(write=False) as s:
        lead = s.get(Lead, bo)
        assert lead is not None and lead.designation == "incubating"
        assert lead.retouch_at == datetime(2027, 1, 10, tzinfo=UTC)
    assert view.done.text().startswith("✓ Rejected Bo") and "(not ready)" in view.done.text()
    # the reject form is cleared for the next lead
    assert not view.set_retouch.isChecked() and view.reason.currentText() == ""
    assert view.model.rowCount() == 0 and not view.accept_button.isEnabled()
    view.pending_only.setChecked(False)
    assert view.model.rowCount() == 2
    assert view.error.text() == ""


def test_sales_view_for_a_team_lead_shows_everyone(qtbot, sqlite_db: Database, frozen) -> None:
    add_people(sqlite_db)
    for first, owner in (("Ann", "Sam"), ("Ben", "Sue")):
        lid = make_lead(sqlite_db, first=first, email=f"{first}@x.example")
        qualify(sqlite_db, lid)
        turn_over(sqlite_db, lid, owner)
    view = SalesView(context(sqlite_db, "Tom"))
    qtbot.addWidget(view)
    assert view.model.rowCount() == 2 and view.scope.text() == "Turned over to everyone"
    own = SalesView(context(sqlite_db, "Sue"))
    qtbot.addWidget(own)
    assert own.model.rowCount() == 1 and own.model.record(0).lead_name == "Ben Lovelace"


def test_turnover_model_passes_qtmodeltester(qtmodeltester, sqlite_db: Database, frozen) -> None:
    from qualdesk.services.turnover import turned_over_leads

    add_people(sqlite_db)
    for first in ("Ann", "Ben"):
        lid = make_lead(sqlite_db, first=first, email=f"{first}@x.example")
        qualify(sqlite_db, lid)
        turn_over(sqlite_db, lid, "Sam")
    m = TurnOverModel()
    m.set_rows(turned_over_leads(sqlite_db))
    qtmodeltester.check(m, force_py=True)


def test_incubate_dialog(qtbot, sqlite_db: Database, frozen) -> None:
    add_people(sqlite_db)
    lead = make_lead(sqlite_db)
    dlg = IncubateDialog(context(sqlite_db, "Rita"), lead, "Ada Lovelace")
    qtbot.addWidget(dlg)
    dlg.open()
    # Suggested date follows the reason until the rep picks one.
    assert dlg.until.date().toString("yyyy-MM-dd") == "2027-02-21"  # bad timing: 90 days
    dlg.reason.setCurrentText("not ready")
    assert dlg.until.date().toString("yyyy-MM-dd") == "2026-12-23"
    dlg.set_until(date(2027, 1, 5))
    dlg.reason.setCurrentText("no budget yet")
    assert dlg.until.date().toString("yyyy-MM-dd") == "2027-01-05"
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    assert dlg.result() == QDialog.DialogCode.Accepted
    with sqlite_db.session(write=False) as s:
        row = s.get(Lead, lead)
        assert row is not None and row.designation == "incubating"
        assert row.retouch_at == datetime(2027, 1, 5, tzinfo=UTC)
        assert row.retouch_reason == "no budget yet"


def test_export_dialog(qtbot, sqlite_db: Database, frozen, tmp_path: Path) -> None:
    add_people(sqlite_db)
    lead = make_lead(sqlite_db)
    qualify(sqlite_db, lead)
    turn_over(sqlite_db, lead, "Sam")
    dlg = ExportDialog(context(sqlite_db, "Tom"))
    qtbot.addWidget(dlg)
    dlg.open()
    assert dlg.path.text().endswith("turned-over-salesforce-20261123-150000.csv")
    dlg.format.setCurrentIndex(1)
    assert dlg.fmt() == "hubspot" and "turned-over-hubspot-" in dlg.path.text()

    picked = tmp_path / "picked.csv"

    class Answering:
        """Stands in for the file dialog: answers at once with a path."""

        def __init__(self) -> None:
            from PySide6.QtCore import QObject, Signal

            class _S(QObject):
                fileSelected = Signal(str)

            self._s = _S()
            self.fileSelected = self._s.fileSelected

        def open(self) -> None:
            self.fileSelected.emit(str(picked))

    dlg.file_dialog_factory = lambda parent, suggested: Answering()  # type: ignore[assignment]
    qtbot.mouseClick(dlg.browse, Qt.MouseButton.LeftButton)
    assert dlg.path.text() == str(picked)
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    assert dlg.last_result is not None and dlg.last_result.exported == 1
    assert dlg.result.text().startswith("Exported 1 lead(s)")
    with picked.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["lifecyclestage"] == "salesqualifiedlead"
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    assert dlg.last_result.exported == 0 and "header-only" in dlg.result.text()
    dlg.include_all.setChecked(True)
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    assert dlg.last_result.exported == 1
