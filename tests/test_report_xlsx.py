"""XLSX sheets a person can read (W10 #24): short, unique sheet names in whole words
(Excel allows 31 characters), and the attempts report's Day a real date cell."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from qualdesk.services.reports.export_tables import sheet_title
from tests.cli_helpers import run
from tests.test_report_pdf_layout import demo_url  # noqa: F401  (the demo database fixture)


def test_sheet_names_are_whole_words_short_and_unique() -> None:
    used: set[str] = set()
    names = ["Conversion per campaign and month", "Conversion per campaign",
             "Age of open leads (since last hand raise)", "Closed loop per campaign and month",
             "Month over month", "month over month", "A very long name made of many words, "
             "much longer than Excel allows"]
    titles = [sheet_title(n, used) for n in names]
    assert titles == ["Conversion by campaign, month", "Conversion per campaign",
                      "Age of open leads", "Closed loop by campaign, month", "Month over month",
                      "month over month (2)", "A very long name made of many"]
    assert len({t.lower() for t in titles}) == len(titles)
    for name, title in zip(names, titles, strict=True):
        assert len(title) <= 31
        words = set(name.lower().replace(",", " ").replace("(", " ").split()) | {"by", "(2)"}
        assert set(title.lower().replace(",", " ").split()) <= words, title  # no cut word


@pytest.mark.parametrize("kind", ["sla", "attempts", "funnel", "closed-loop"])
def test_every_report_xlsx_has_whole_word_sheets_and_dates(demo_url: str, tmp_path: Path,  # noqa: F811
                                                           kind: str) -> None:
    import openpyxl

    out = tmp_path / f"{kind}.xlsx"
    r = run(demo_url, "report", kind, "--xlsx", str(out))
    assert r.code == 0, r.err
    wb = openpyxl.load_workbook(out)
    assert len(set(wb.sheetnames)) == len(wb.sheetnames)
    for name in wb.sheetnames:
        assert len(name) <= 31 and not name.endswith((" and", " mon", " h")), name
    if kind == "attempts":
        ws = wb.worksheets[0]
        head = [c.value for c in ws[1]]
        day = ws.cell(2, head.index("Day") + 1)
        assert isinstance(day.value, datetime), day.value  # openpyxl reads dates as datetime
        assert day.number_format == "yyyy-mm-dd"
