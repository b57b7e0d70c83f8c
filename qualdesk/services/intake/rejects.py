"""The rejects file of ``--skip-bad``: each bad row's original cells plus why it was refused."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from qualdesk.errors import InvalidInput, RowProblem
from qualdesk.services.intake.csv_source import Table

REASON_COLUMN = "reject_reason"
ROW_COLUMN = "source_row"


def write_rejects(dest: Path | str, table: Table, problems: Iterable[RowProblem]) -> int:
    """Write one line per bad row (in file order); returns how many rows were written.

    UTF-8 with a BOM, so Excel opens it with the accents intact.
    """
    reasons: dict[int, list[str]] = {}
    for p in problems:
        reasons.setdefault(p.row, []).append(f"{p.field}: {p.reason}" + (
            f" ({p.value!r})" if p.value else ""))
    # Only the bad rows' cells are kept: the table itself is streamed from its file.
    by_number = {n: cells for n, cells in table.numbered() if n in reasons}
    try:
        with open(dest, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow([*table.headers, ROW_COLUMN, REASON_COLUMN])
            for row in sorted(reasons):
                cells = list(by_number.get(row, ()))
                cells += [""] * (len(table.headers) - len(cells))
                w.writerow([*cells, row, "; ".join(reasons[row])])
    except OSError as exc:
        raise InvalidInput(f"cannot write rejects file {dest}: {exc.strerror}") from None
    return len(reasons)
