"""What an import reports: counts, row problems, grouped warnings; cancelling one."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
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
    """Warnings grouped by kind, each naming the rows it concerns (10,000 rows of the same
    problem read as one line, not 10,000). Only the rows shown are kept, and a count."""

    def __init__(self) -> None:
        self._groups: dict[str, tuple[str, list[int], list[int]]] = {}

    def add(self, key: str, message: str, row: int | None = None) -> None:
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = (message, [], [0])
        if row is not None:
            group[2][0] += 1
            if len(group[1]) < _ROWS_SHOWN:
                group[1].append(row)

    def lines(self) -> tuple[str, ...]:
        out = []
        for message, rows, (count,) in self._groups.values():
            if not rows:
                out.append(message)
            elif count == 1:
                out.append(f"row {rows[0]}: {message}")
            else:
                shown = ", ".join(str(r) for r in rows)
                more = f" and {count - len(rows)} more" if count > len(rows) else ""
                out.append(f"rows {shown}{more}: {message}")
        return tuple(out)


class LeadIds(Sequence[int]):
    """An import's new lead ids in file order, kept as runs of consecutive ids (they are
    reserved in blocks), not one object per lead."""

    def __init__(self, ids: Iterable[int] = ()) -> None:
        self._runs: list[range] = []
        self._ends: list[int] = []  # position after each run
        self.extend(ids)

    def extend(self, ids: Iterable[int]) -> None:
        runs, ends = self._runs, self._ends
        for i in ids:
            if runs and runs[-1].stop == i:
                runs[-1] = range(runs[-1].start, i + 1)
                ends[-1] += 1
            else:
                runs.append(range(i, i + 1))
                ends.append((ends[-1] if ends else 0) + 1)

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    def __iter__(self) -> Iterator[int]:
        return chain.from_iterable(self._runs)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return tuple(self)[index]
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError(index)
        k = bisect_right(self._ends, index)
        return self._runs[k][index - (self._ends[k - 1] if k else 0)]

    def __contains__(self, value: object) -> bool:
        return any(value in run for run in self._runs)  # a few runs, not an id each

    def __add__(self, other: Sequence[int]) -> tuple[int, ...]:
        return (*self, *other)

    def __radd__(self, other: Sequence[int]) -> tuple[int, ...]:
        return (*other, *self)  # ``Changes.leads + result.lead_ids``

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other,
                                                                        strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self._runs))

    def __repr__(self) -> str:
        return f"LeadIds({', '.join(f'{r.start}..{r.stop - 1}' for r in self._runs)})"


@dataclass(frozen=True)
class ImportResult:
    imported: int
    merged: int
    rejected: tuple[RowProblem, ...]
    applied: bool
    warnings: tuple[str, ...] = ()
    hand_raises: int = 0
    lead_ids: Sequence[int] = ()
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
