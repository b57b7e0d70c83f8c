"""Writing a report's tables to CSV and XLSX, shared by ``qualdesk report --csv/--xlsx``
and the reports view's export buttons."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import IO, Any

from qualdesk.errors import InvalidInput
from qualdesk.services.reports.tables import Report


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


def csv_text(report: Report) -> str:
    buf = io.StringIO()
    write_csv_stream(report, buf)
    return buf.getvalue()


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
    """One sheet per table; header row bold and frozen; numbers stay numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    p = Path(path)
    wb = Workbook()
    used: set[str] = set()
    for i, t in enumerate(report.tables):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = _sheet_title(t.name, used)
        ws.append(list(t.columns))
        for c in ws[1]:
            c.font = Font(bold=True)
        for r in t.rows:
            ws.append([v for v in r])
        ws.freeze_panes = "A2"
        for j, col in enumerate(t.columns, start=1):
            width = max([len(str(col))] + [len(str(_cell(r[j - 1]))) for r in t.rows[:200]])
            ws.column_dimensions[ws.cell(1, j).column_letter].width = min(40, width + 2)
    wb.properties.title = f"{report.title} {report.period.label()}"
    try:
        wb.save(p)
    except OSError as exc:
        raise InvalidInput(f"cannot write {p}: {exc.strerror}") from None
    return p
