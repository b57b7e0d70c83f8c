"""A quote left open swallows the rows after it into one cell. Without --skip-bad the file
is refused with the line where the quote opened, its column and value, and how many rows
it swallowed; with it, those rows are reported (each its own line in the rejects file, as
it was in the file) and the rest imports. Both engines, leads and activity."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from qualdesk.db.engine import Database
from qualdesk.db.models import Lead
from qualdesk.services.intake.csv_source import read_table
from qualdesk.services.intake.import_activity import import_activity
from tests.cli_helpers import Result, run

HEAD = "First Name,Last Name,Company,Email\n"
OPEN = 'Dana,Lee,"Brick & Mortar,dana@brick.example\n'  # the quote never closes on its line


def _rows(n: int) -> list[str]:
    return [f"P{i},Q{i},Firm {i},p{i}@firm.example\n" for i in range(n)]


def _file(tmp_path: Path, rows: list[str]) -> Path:
    p = tmp_path / "quote.csv"
    p.write_text(HEAD + "".join(rows), encoding="utf-8")
    return p


def _emails(db: Database) -> set[str]:
    with db.session(write=False) as s:
        return set(s.scalars(select(Lead.email)))


def _closed_later(tmp_path: Path) -> Path:
    """Line 6 opens a quote; line 12's own quoted cell closes it: lines 7-12 swallowed."""
    rows = _rows(20)
    rows[4] = OPEN
    rows[10] = 'Eve,Eden,"Eden, Inc",eve@eden.example\n'
    return _file(tmp_path, rows)


def test_without_skip_bad_the_file_is_refused_naming_line_field_value_and_count(
        db: Database, db_url: str, tmp_path: Path) -> None:
    r = run(db_url, "import", "leads", str(_closed_later(tmp_path)), "--json")
    assert r.code == 1
    out = r.json()
    assert out["applied"] is False and out["imported"] == 0
    first = out["rejected"][0]
    assert (first["row"], first["field"], first["value"]) == (
        6, "Company", "Brick & Mortar,dana@brick.example")
    assert "line 6" in first["reason"] and "swallowed the 6 row(s)" in first["reason"]
    assert "lines 7-12" in first["reason"]
    assert [p["row"] for p in out["rejected"]] == list(range(6, 13))
    assert all("row 6's 'Company' cell" in p["reason"] for p in out["rejected"][1:])
    assert _emails(db) == set()


def test_with_skip_bad_the_swallowed_rows_are_reported_and_the_rest_imports(
        db: Database, db_url: str, tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.csv"
    r = run(db_url, "import", "leads", str(_closed_later(tmp_path)), "--skip-bad",
            str(rejects), "--json")
    assert r.code == 0, r.err
    out = r.json()
    assert out["applied"] is True
    assert out["imported"] == 20 - 7  # rows of lines 6-12 are the swallowed record
    assert [p["row"] for p in out["rejected"]] == list(range(6, 13))
    assert "swallowed the 6 row(s)" in out["rejected"][0]["reason"]
    got = _emails(db)
    assert "p0@firm.example" in got and "p19@firm.example" in got  # before and after
    assert not got & {"dana@brick.example", "p5@firm.example", "eve@eden.example"}
    # The rejects file holds each swallowed line as the row it was, ready to fix.
    with rejects.open(encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh))
    assert [ln[4] for ln in lines[1:]] == [str(n) for n in range(6, 13)]
    assert lines[1][:4] == ["Dana", "Lee", "Brick & Mortar,dana@brick.example", ""]
    assert lines[2][:4] == ["P5", "Q5", "Firm 5", "p5@firm.example"]
    assert lines[7][:4] == ["Eve", "Eden", "Eden, Inc", "eve@eden.example"]


def test_a_quote_open_to_the_end_swallows_every_row_after_it(
        db: Database, db_url: str, tmp_path: Path) -> None:
    rows = _rows(20)
    rows[4] = OPEN
    r = run(db_url, "import", "leads", str(_file(tmp_path, rows)), "--skip-bad",
            str(tmp_path / "rejects.csv"), "--json")
    assert r.code == 0, r.err
    out = r.json()
    assert out["imported"] == 4
    assert "swallowed the 15 row(s) after it (lines 7-21)" in out["rejected"][0]["reason"]
    assert len(out["rejected"]) == 16
    assert len(_emails(db)) == 4


def test_the_table_counts_and_numbers_the_swallowed_lines(tmp_path: Path) -> None:
    t = read_table(_closed_later(tmp_path))
    assert len(t) == 20 and [n for n, _ in t.numbered()] == list(range(2, 22))
    (sw,) = t.swallowed
    assert (sw.first, sw.last, sw.column, sw.rows) == (6, 12, "Company", tuple(range(7, 13)))
    assert "Row 6" in sw.summary() and "6 rows after it" in sw.summary()
    assert sorted(t.read_problems) == list(range(6, 13))


def test_an_activity_file_reports_its_swallowed_rows_too(db: Database,
                                                         tmp_path: Path) -> None:
    p = tmp_path / "activity.csv"
    p.write_text("lead_email,type,at,rep,notes\n"
                 'a@x.example,call,2026-11-23T14:00:00Z,Nobody,"left open\n'
                 "b@x.example,call,2026-11-23T14:05:00Z,Nobody,x\n"
                 "c@x.example,call,2026-11-23T14:10:00Z,Nobody,y\n", encoding="utf-8")
    result = import_activity(db, p)
    assert not result.applied
    assert [(x.row, x.field) for x in result.rejected][:3] == [
        (2, "notes"), (3, "(whole row)"), (4, "(whole row)")]
    assert "swallowed the 2 row(s)" in result.rejected[0].reason


def test_a_real_multi_line_address_is_not_a_swallowing_quote(db_url: str,
                                                             tmp_path: Path) -> None:
    p = tmp_path / "address.csv"
    p.write_text(HEAD + 'Dana,Lee,"Brick & Mortar\nSuite 4\nFloor 2",dana@brick.example\n'
                 + "".join(_rows(3)), encoding="utf-8")
    r: Result = run(db_url, "import", "leads", str(p), "--json")
    assert r.code == 0, r.err
    assert r.json()["imported"] == 4 and r.json()["rejected"] == []
