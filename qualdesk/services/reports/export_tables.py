"""Writing a report's tables to CSV and XLSX, shared by ``qualdesk report --csv/--xlsx``
and the reports view's export buttons."""

from __future__ import annotations

import csv
import re
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


def _sheet_title(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", name)[:31] or "Sheet"
    title, n = base, 2
    while title in used:
        suffix = f" {n}"
        title, n = base[:31 - len(suffix)] + suffix, n + 1
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
        ws.title = _sheet_title(t.name, used)
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


def _xlsx_value(t: Table, column: str, v: Any) -> Any:
    if is_percent(column) and isinstance(v, int | float):
        return v / 100.0
    return t.display(column, v)
