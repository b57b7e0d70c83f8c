"""The import dialog: preview the columns, refuse a bad file, import the good rows and
save the rejects, cancel a running import."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget
from sqlalchemy import func, select

from qualdesk.db.engine import Database
from qualdesk.db.models import Lead
from ui.context import AppContext
from ui.import_dialog import ImportDialog
from ui.ops import SyncRunner


class _Answering(QFileDialog):
    """A file dialog that 'chooses' ``path`` as soon as it is opened."""

    def __init__(self, parent: QWidget, path: str) -> None:
        super().__init__(parent)
        self.path = path

    def open(self) -> None:  # type: ignore[override]
        self.fileSelected.emit(self.path)


def _leads(db: Database) -> int:
    with db.session(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(Lead)) or 0)


def _dialog(qtbot, db: Database) -> ImportDialog:
    ctx = AppContext(db, None, SyncRunner())
    d = ImportDialog(ctx)
    qtbot.addWidget(d)
    d.show()
    return d


def test_preview_refuse_then_import_good_rows(qtbot, sqlite_db: Database, tmp_path: Path) -> None:
    src = tmp_path / "leads.csv"
    src.write_text("First Name,Company,Email,Phone Number,Deal Stage\n"
                   "Ann,Acme,ann@acme.test,212 555 0100,won\n"
                   "Bob,Acme,bob at acme,212 555 0101,lost\n"
                   "Cy,Acme,cy@acme.test,(415) 555-0132,open\n", encoding="utf-8")
    d = _dialog(qtbot, sqlite_db)
    d.open_dialog_factory = lambda parent, caption: _Answering(parent, str(src))
    seen = []
    d.ctx.sig_operation_executed.connect(lambda changes, initiator: seen.append(changes))
    qtbot.mouseClick(d.browse, qtbot_button())
    assert d.path.text() == str(src)
    assert d.mapping.mapping() == {"First Name": "first_name", "Company": "company",
                                   "Email": "email", "Phone Number": "phone",
                                   "Deal Stage": "keep_as_details"}
    assert d.mapping.rows_as_text()[4] == ("Deal Stage", "Keep as lead details")
    assert d.mapping.item(0, 2).text() == "Ann · Bob · Cy"  # the first rows beside each column
    assert d.run_button.isEnabled()

    qtbot.mouseClick(d.run_button, qtbot_button())
    assert d.rejects.rowCount() == 1
    assert [d.rejects.item(0, c).text() for c in range(4)] == [
        "3", "Email", "bob at acme", "not an email address"]
    assert d.status.text().startswith("Nothing imported: 1 bad row listed")
    assert _leads(sqlite_db) == 0
    assert d.good_rows_button.isEnabled()

    rejects = tmp_path / "rejects.csv"
    d.save_dialog_factory = lambda parent, caption: _Answering(parent, str(rejects))
    qtbot.mouseClick(d.good_rows_button, qtbot_button())
    assert d.last_result is not None and d.last_result.applied
    assert (d.last_result.imported, d.last_result.merged) == (2, 0)
    assert d.status.text() == "Imported 2 new rows; 1 row was rejected and saved to rejects.csv."
    assert d.progress.value() == 100
    assert _leads(sqlite_db) == 2
    with rejects.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][:4] == ["Bob", "Acme", "bob at acme", "212 555 0101"]
    assert len(seen) == 1 and seen[0].queue and len(seen[0].leads) == 2


def test_cancel_leaves_the_database_unchanged(qtbot, sqlite_db: Database, tmp_path: Path) -> None:
    src = tmp_path / "many.csv"
    lines = ["first_name,company,email"] + [f"P{i},Co,p{i}@co.test" for i in range(600)]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    d = _dialog(qtbot, sqlite_db)
    d.set_path(str(src))
    assert d.status.text().startswith("600 rows, UTF-8, comma-separated.")
    # The first progress report presses Cancel, as a user would mid-import.
    d.sig_progress.connect(lambda done, total: d.cancel_button.click())
    qtbot.mouseClick(d.run_button, qtbot_button())
    assert d.status.text() == "Import cancelled; nothing was imported."
    assert _leads(sqlite_db) == 0
    assert d.run_button.isEnabled() and not d.cancel_button.isEnabled()


def test_a_file_that_is_not_csv_says_so(qtbot, sqlite_db: Database, tmp_path: Path) -> None:
    src = tmp_path / "book.xlsx"
    src.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    d = _dialog(qtbot, sqlite_db)
    d.set_path(str(src))
    assert "Excel workbook" in d.status.text()
    assert not d.run_button.isEnabled()


def test_real_file_dialog_opens_non_modal(qtbot, sqlite_db: Database) -> None:
    d = _dialog(qtbot, sqlite_db)
    d.open_dialog_factory = lambda parent, caption: _plain(parent, caption)
    d.browse.click()
    fd = d.findChild(QFileDialog)
    assert fd is not None and fd.isVisible()
    fd.reject()


def _plain(parent: QWidget, caption: str) -> QFileDialog:
    fd = QFileDialog(parent, caption)
    fd.setOption(QFileDialog.Option.DontUseNativeDialog)
    return fd


def qtbot_button():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_the_mapping_gets_the_room_until_something_goes_wrong(qtbot, sqlite_db: Database,
                                                             tmp_path: Path) -> None:
    """W10 #22: no empty reject table or warnings box before anything went wrong, the
    status in words, the result as a sentence, no row header beside "Row 3"."""
    from ui.import_dialog import done_sentence

    src = tmp_path / "three.csv"
    src.write_text("First Name,Company,Email,Phone Number\nAnn,Acme,ann@acme.test,212 555 0100\n"
                   "Bob,Acme,bob at acme,212 555 0101\nCy,Acme,cy@acme.test,415 555 0132\n",
                   encoding="utf-8")
    d = _dialog(qtbot, sqlite_db)
    d.resize(1000, 700)
    d.set_path(str(src))
    qtbot.waitUntil(d.run_button.isEnabled, timeout=5000)
    assert d.status.text() == "3 rows, UTF-8, comma-separated."
    assert not d.rejects.isVisible() and not d.warnings.isVisible()
    qtbot.wait(50)
    assert d.mapping.height() > d.height() * 0.4
    d.run_import()
    qtbot.waitUntil(lambda: d.last_result is not None, timeout=10000)
    assert d.rejects.isVisible() and not d.rejects.verticalHeader().isVisible()
    assert done_sentence(1, 0) == "Imported 1 new row"
    assert done_sentence(0, 2) == "Nothing new imported, and merged 2 rows into what was already here"
