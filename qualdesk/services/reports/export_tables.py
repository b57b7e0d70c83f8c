"""Writing a report's tables to CSV and XLSX, shared by ``qualdesk report --csv/--xlsx``
and the reports view's export buttons."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path
from typing import IO, Any

from qualdesk.errors import InvalidInput
from qualdesk.services.reports.labels import is_percent
from qualdesk.services.reports.tables import Report, Table


def _cell(v: Any) -> Any:
    return "" if v is None else v


def write_csv_stream(report: Report, out: IO[str]) -> None:
    """One table: header and rows. Several: each under a title line, a blank line between."""
    w = csv.writer(out, lineterminator="\n")
    many = len(report.tables) > 1
    for i, t in enumerate(report.tables):
        if many:
            if i:
                w.writerow([])
            w.writerow([f"# {t.name}"])
        w.writerow(t.columns)
        for r in t.rows:
            w.writerow([_cell(v) for v in r])


def write_csv(report: Report, path: str | Path) -> Path:
    p = Path(path)
    try:
        with p.open("w", encoding="utf-8", newline="") as f:
            write_csv_stream(report, f)
    except OSError as exc:
        raise InvalidInput(f"cannot write {p}: {exc.strerror}") from None
    return p


SHEET_MAX = 31  # Excel's limit on a sheet name
SHORTER = ((" per ", " by "), (" and ", ", "))  # tried in turn while a name is too long


def _cut(name: str, limit: int) -> str:
    """At most ``limit`` characters, cut between words, never after a dangling 'and'."""
    if len(name) <= limit:
        return name
    words: list[str] = []
    for w in name.split():
        if len(" ".join([*words, w])) > limit:
            break
        words.append(w)
    while len(words) > 1 and words[-1].lower().strip(",") in ("and", "by", "per", "of", "the"):
        words.pop()
    return " ".join(words).rstrip(",") or name[:limit]


def sheet_title(name: str, used: set[str]) -> str:
    """A short, unique sheet name in whole words: the aside in brackets goes, then 'per'
    becomes 'by' and 'and' a comma, then the name is cut between words; a repeat gets
    ' (2)'."""
    base = re.sub(r"[\[\]:*?/\\]", " ", name)
    base = re.sub(r"\s*\([^)]*\)", "", base).strip() or "Sheet"
    for old, new in SHORTER:
        if len(base) > SHEET_MAX:
            base = base.replace(old, new)
    title, n = _cut(base, SHEET_MAX), 2
    while title.lower() in {u.lower() for u in used}:  # Excel compares names caselessly
        suffix = f" ({n})"
        title, n = _cut(base, SHEET_MAX - len(suffix)) + suffix, n + 1
    used.add(title)
    return title


def write_xlsx(report: Report, path: str | Path) -> Path:
    """One sheet per table, for people: column names in words on a bold, shaded, wrapped
    and frozen header row; percentages stored as fractions with a percent format (Excel
    shows 87.5 %, sums and charts work); codes in words; numbers stay numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    p = Path(path)
    wb = Workbook()
    used: set[str] = set()
    head_font = Font(bold=True, color="FFFFFF")
    head_fill = PatternFill("solid", fgColor="2F4B6E")
    head_align = Alignment(wrap_text=True, vertical="center")
    rule = Border(bottom=Side(style="thin", color="888888"))
    for i, t in enumerate(report.tables):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = sheet_title(t.name, used)
        ws.append([t.label(c) for c in t.columns])
        for c in ws[1]:
            c.font, c.fill, c.alignment, c.border = head_font, head_fill, head_align, rule
        ws.row_dimensions[1].height = 32
        pct_cols = [j for j, c in enumerate(t.columns) if is_percent(c)]
        for r in t.rows:
            ws.append([_xlsx_value(t, c, v) for c, v in zip(t.columns, r, strict=True)])
        for j in pct_cols:
            for row in ws.iter_rows(min_row=2, min_col=j + 1, max_col=j + 1):
                row[0].number_format = "0.0%"
        for j in [j for j, c in enumerate(t.columns) if c in DATE_COLUMNS]:
            for row in ws.iter_rows(min_row=2, min_col=j + 1, max_col=j + 1):
                row[0].number_format = "yyyy-mm-dd"
        ws.freeze_panes = "A2"
        for j, col in enumerate(t.columns, start=1):
            longest = max([len(str(_cell(t.display(col, r[j - 1])))) for r in t.rows[:200]] + [6])
            words = max(len(w) for w in t.label(col).split())
            ws.column_dimensions[ws.cell(1, j).column_letter].width = min(40, max(longest, words,
                                                                                  10) + 2)
    wb.properties.title = f"{report.title} {report.period.label()}"
    try:
        wb.save(p)
    except OSError as exc:
        raise InvalidInput(f"cannot write {p}: {exc.strerror}") from None
    return p


DATE_COLUMNS = frozenset({"day", "date"})  # a real date cell: Excel sorts and filters it


def _xlsx_value(t: Table, column: str, v: Any) -> Any:
    if is_percent(column) and isinstance(v, int | float):
        return v / 100.0
    if column in DATE_COLUMNS and isinstance(v, str):
        try:
            return date.fromisoformat(v)
        except ValueError:
            return v
    return t.display(column, v)
