"""The import dialog on a file with a quotation mark left open: the list of problems
names the row where it opened, its column and value, and every row it swallowed, in
words; the status line says what happened; the good rows import and the swallowed ones
go to the rejects file as the lines they were."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QWidget
from sqlalchemy import select

from qualdesk.db.engine import Database
from qualdesk.db.models import Lead
from ui.context import AppContext
from ui.import_dialog import ImportDialog
from ui.ops import SyncRunner


class _Answering(QFileDialog):
    def __init__(self, parent: QWidget, path: str) -> None:
        super().__init__(parent)
        self.path = path

    def open(self) -> None:  # type: ignore[override]
        self.fileSelected.emit(self.path)


def test_swallowed_rows_are_listed_in_words_and_the_rest_imports(
        qtbot, sqlite_db: Database, tmp_path: Path) -> None:
    src = tmp_path / "leads.csv"
    rows = [f"P{i},Firm {i},p{i}@firm.test\n" for i in range(10)]
    rows[2] = 'Dana,"Brick & Mortar,dana@brick.test\n'  # row 4: the quote never closes
    rows[6] = 'Eve,"Eden, Inc",eve@eden.test\n'  # row 8: its quote closes the open one
    src.write_text("First Name,Company,Email\n" + "".join(rows), encoding="utf-8")
    d = ImportDialog(AppContext(sqlite_db, None, SyncRunner()))
    qtbot.addWidget(d)
    d.show()
    d.set_path(str(src))
    assert d.status.text().startswith("10 rows")
    qtbot.mouseClick(d.run_button, Qt.MouseButton.LeftButton)

    table = [[d.rejects.item(r, c).text() for c in range(4)] for r in range(d.rejects.rowCount())]
    assert [r[0] for r in table] == ["4", "5", "6", "7", "8"]
    assert table[0][1:3] == ["Company", "Brick & Mortar,dana@brick.test"]
    assert "quotation mark opened in this cell is never closed" in table[0][3]
    assert "swallowed the 4 row(s) after it (lines 5-8)" in table[0][3]
    assert all(r[1] == "(whole row)" and "row 4's 'Company' cell" in r[3] for r in table[1:])
    assert [r[2] for r in table[1:]] == [  # each swallowed line, to recognise it by
        "P3,Firm 3,p3@firm.test", "P4,Firm 4,p4@firm.test", "P5,Firm 5,p5@firm.test",
        'Eve,"Eden, Inc",eve@eden.test']
    status = d.status.text()
    assert status.startswith("Nothing imported: 5 bad rows listed below. Row 4: a "
                             "quotation mark opened in the 'Company' cell is never closed, "
                             "so the 4 rows after it (rows 5-8) were read into that one cell")
    for internal in ("--", "csv.Error", "Swallowed", "skip"):
        assert internal not in status

    rejects = tmp_path / "rejects.csv"
    d.save_dialog_factory = lambda parent, caption: _Answering(parent, str(rejects))
    qtbot.mouseClick(d.good_rows_button, Qt.MouseButton.LeftButton)
    assert d.last_result is not None and d.last_result.applied
    assert d.status.text().startswith("Imported 5 new rows; 5 rows were rejected and saved to "
                                      "rejects.csv. Row 4: a quotation mark")
    with sqlite_db.session(write=False) as s:
        assert sorted(s.scalars(select(Lead.first_name))) == ["P0", "P1", "P7", "P8", "P9"]
    with rejects.open(encoding="utf-8-sig", newline="") as fh:
        saved = list(csv.reader(fh))
    assert [r[:3] for r in saved[1:]] == [
        ["Dana", "Brick & Mortar,dana@brick.test", ""], ["P3", "Firm 3", "p3@firm.test"],
        ["P4", "Firm 4", "p4@firm.test"], ["P5", "Firm 5", "p5@firm.test"],
        ["Eve", "Eden, Inc", "eve@eden.test"]]
