"""Imports never silently change text: one bad byte does not re-read a UTF-8 file as
cp1252, an unclosed quote says how many rows it swallowed, NUL bytes have one outcome on
both engines."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from qualdesk.db.engine import Database
from qualdesk.db.models import Lead
from qualdesk.services.intake.csv_source import read_table
from tests.cli_helpers import Result, run

HEAD = "First Name,Last Name,Company,Email\n"
NAMES = [("Zoë", "Ångström"), ("سارة", "الحسن"), ("Łukasz", "Żółć"), ("Renée", "Façade")]


def _rows(n: int) -> list[str]:
    return [f"{NAMES[i % 4][0]},{NAMES[i % 4][1]},Firm {i},p{i}@firm.example\n" for i in range(n)]


def imp(db_url: str, path: Path) -> Result:
    return run(db_url, "import", "leads", str(path), "--json")


def count(db: Database) -> int:
    with db.session(write=False) as s:
        return s.scalar(select(func.count(Lead.id))) or 0


def test_one_bad_byte_late_in_a_utf8_file_is_refused_with_line_and_byte(
        db: Database, db_url: str, tmp_path: Path) -> None:
    rows = _rows(200)
    data = bytearray((HEAD + "".join(rows[:180])).encode())
    prefix = rows[180][:5].encode()
    bad_line, bad_at = 182, len(data) + len(prefix)  # header is line 1, rows[180] is line 182
    data += prefix + b"\xff" + rows[180][5:].encode()
    data += "".join(rows[181:]).encode()
    p = tmp_path / "late.csv"
    p.write_bytes(bytes(data))
    assert bad_at > 0.85 * len(data)
    r = imp(db_url, p)
    assert r.code == 1
    out = r.json()
    assert out["applied"] is False
    reason = out["rejected"][0]["reason"]
    assert f"line {bad_line}" in reason and f"byte {bad_at}" in reason, reason
    assert "0xff" in reason and "not valid UTF-8" in reason
    assert count(db) == 0


def test_skip_bad_does_not_turn_a_bad_byte_into_a_guessed_encoding(
        db: Database, db_url: str, tmp_path: Path) -> None:
    """--skip-bad imports good rows; it never reads a UTF-8 file as another encoding."""
    rows = _rows(100)
    data = (HEAD + "".join(rows[:90])).encode() + b"Zo\xeb,Late,Firm X,x@firm.example\n"
    p = tmp_path / "late.csv"
    p.write_bytes(data + "".join(rows[90:]).encode())
    r = run(db_url, "import", "leads", str(p), "--skip-bad", str(tmp_path / "rej.csv"),
            "--json")
    assert r.code == 1
    reason = r.json()["rejected"][0]["reason"]
    assert "line 92" in reason and "0xeb is not valid UTF-8" in reason, reason
    assert count(db) == 0


def test_a_file_that_is_cp1252_throughout_is_read_as_such_and_says_so(
        db: Database, db_url: str, tmp_path: Path) -> None:
    p = tmp_path / "excel.csv"
    p.write_bytes((HEAD + "José,Müller,Café Ltd,jose@cafe.example\n"
                   "Zoë,Œuvre,Ærø — ™,zoe@aero.example\n").encode("cp1252"))
    r = imp(db_url, p)
    assert r.code == 0, r.err
    out = r.json()
    assert out["imported"] == 2
    assert any("Windows-1252" in w for w in out["warnings"]), out["warnings"]
    leads = {x["email"]: (x["first_name"], x["last_name"], x["company"])
             for x in run(db_url, "leads", "--json").json()}
    assert leads == {"jose@cafe.example": ("José", "Müller", "Café Ltd"),
                     "zoe@aero.example": ("Zoë", "Œuvre", "Ærø — ™")}


def test_a_clean_utf8_file_reads_without_a_warning(db_url: str, tmp_path: Path) -> None:
    p = tmp_path / "clean.csv"
    p.write_text(HEAD + "".join(_rows(8)), encoding="utf-8")
    r = imp(db_url, p)
    assert r.code == 0 and r.json()["imported"] == 8 and r.json()["warnings"] == []
    got = {x["first_name"] for x in run(db_url, "leads", "--json").json()}
    assert got == {n for n, _ in NAMES}


def test_an_unclosed_quote_says_it_swallowed_rows_and_how_many(
        db: Database, db_url: str, tmp_path: Path) -> None:
    rows = _rows(20)
    rows[4] = 'Dana,Lee,"Brick & Mortar,dana@brick.example\n'  # line 6: the quote never closes
    p = tmp_path / "quote.csv"
    p.write_text(HEAD + "".join(rows), encoding="utf-8")
    r = imp(db_url, p)
    assert r.code == 1
    reason = r.json()["rejected"][0]["reason"]
    assert "line 6" in reason and "swallowed the 15 row(s)" in reason, reason
    assert count(db) == 0


def test_a_quoted_multi_line_cell_is_not_mistaken_for_a_swallowing_quote(
        db_url: str, tmp_path: Path) -> None:
    p = tmp_path / "multiline.csv"
    p.write_text(HEAD + 'Dana,Lee,"Brick & Mortar\nSuite 4, Floor 2",dana@brick.example\n'
                 + "".join(_rows(3)), encoding="utf-8")
    r = imp(db_url, p)
    assert r.code == 0, r.err
    assert r.json()["imported"] == 4


def test_nul_bytes_have_one_outcome_on_both_engines(db: Database, db_url: str,
                                                    tmp_path: Path) -> None:
    """Removed with a warning naming the rows and the column, on SQLite and PostgreSQL
    alike (PostgreSQL cannot store a NUL; SQLite used to keep it)."""
    rows = _rows(300)
    rows[2] = "Nul,Early,Ac\x00me,early@nul.example\n"
    rows[290] = "Nul,Late,Late\x00 Co\x00,late@nul.example\n"
    p = tmp_path / "nul.csv"
    p.write_text(HEAD + "".join(rows), encoding="utf-8")
    assert p.read_bytes().index(b"Late\x00") > 4096
    r = imp(db_url, p)
    assert r.code == 0, r.err
    out = r.json()
    assert out["imported"] == 300
    assert any("NUL" in w and "'Company'" in w and "4" in w and "292" in w
               for w in out["warnings"]), out["warnings"]
    with db.session(write=False) as s:
        companies = set(s.scalars(select(Lead.company).where(Lead.first_name == "Nul")))
    assert companies == {"Acme", "Late Co"}


def test_rows_are_streamed_from_the_file_not_held(tmp_path: Path) -> None:
    p = tmp_path / "big.csv"
    p.write_text(HEAD + "".join(_rows(1000)), encoding="utf-8")
    t = read_table(p)
    assert len(t) == 1000 and t.rows[0][0] == "Zoë" and t.rows[999][2] == "Firm 999"
    assert not isinstance(t.rows, tuple)
    assert [n for n, _ in t.numbered()][:3] == [2, 3, 4]
