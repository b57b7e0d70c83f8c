"""What an import reports: counts, row problems, grouped warnings; cancelling one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from qualdesk.errors import KnownError, RowProblem
from qualdesk.services.intake.csv_source import Table

Progress = Callable[[int, int], None]
CancelFlag = Callable[[], bool]

_ROWS_SHOWN = 8


class ImportCancelled(KnownError):
    def __init__(self) -> None:
        super().__init__("import cancelled; nothing was imported")


class Warnings:
    """Warnings grouped by kind, each listing the rows it concerns (10,000 rows of the same
    problem read as one line, not 10,000)."""

    def __init__(self) -> None:
        self._groups: dict[str, tuple[str, list[int]]] = {}

    def add(self, key: str, message: str, row: int | None = None) -> None:
        msg, rows = self._groups.setdefault(key, (message, []))
        if row is not None:
            rows.append(row)

    def lines(self) -> tuple[str, ...]:
        out = []
        for message, rows in self._groups.values():
            if not rows:
                out.append(message)
            elif len(rows) == 1:
                out.append(f"row {rows[0]}: {message}")
            else:
                shown = ", ".join(str(r) for r in rows[:_ROWS_SHOWN])
                more = f" and {len(rows) - _ROWS_SHOWN} more" if len(rows) > _ROWS_SHOWN else ""
                out.append(f"rows {shown}{more}: {message}")
        return tuple(out)


@dataclass(frozen=True)
class ImportResult:
    imported: int
    merged: int
    rejected: tuple[RowProblem, ...]
    applied: bool
    warnings: tuple[str, ...] = ()
    hand_raises: int = 0
    lead_ids: tuple[int, ...] = ()
    table: Table | None = field(default=None, repr=False, compare=False)

    @property
    def rejected_rows(self) -> tuple[int, ...]:
        return tuple(sorted({p.row for p in self.rejected}))

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "merged": self.merged,
            "rejected": [p.as_dict() for p in self.rejected],
            "applied": self.applied,
            "warnings": list(self.warnings),
            "hand_raises": self.hand_raises,
        }

    def summary(self) -> str:
        if not self.applied:
            return (f"nothing imported: {len(self.rejected_rows)} bad row(s); fix them or use "
                    "--skip-bad REJECTS.csv to import the good rows")
        text = f"imported {self.imported}, merged {self.merged}"
        if self.hand_raises:
            text += f", {self.hand_raises} hand raise(s) added"
        if self.rejected:
            text += f", rejected {len(self.rejected_rows)} row(s)"
        return text


def tick(progress: Progress | None, cancel: CancelFlag | None, done: int, total: int) -> None:
    if cancel is not None and cancel():
        raise ImportCancelled()
    if progress is not None:
        progress(done, total)
