"""What every report hands to the CLI, the exporters and the reports view: named
tables of plain values, plus the JSON the command line prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qualdesk.services.reports.labels import column_label, value_label
from qualdesk.services.reports.periods import Period

GROUPS = ("campaign", "rep", "hand_raise")
NONE_LABEL = "(none)"


@dataclass(frozen=True)
class Chart:
    """How to draw a table: ``x`` column against the ``ys`` columns."""

    x: str
    ys: tuple[str, ...]
    kind: str = "bar"  # bar | line
    title: str = ""
    percent: bool = False  # the ys are percentages: a 0-100 axis in whole percent
    empty: str = "No data in this period"  # what the chart says when there is nothing


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    chart: Chart | None = None
    labels: tuple[tuple[str, str], ...] = ()  # column -> words, beside labels.LABELS
    coded: tuple[str, ...] = ()  # columns whose values are codes (designations, ages)

    def label(self, column: str) -> str:
        """The column's name in words (for the screen, the PDF and the workbook)."""
        return dict(self.labels).get(column) or column_label(column)

    def display(self, column: str, value: Any) -> Any:
        """A cell as a person reads it: codes in words, the rest unchanged."""
        return value_label(value) if column in self.coded else value

    def column(self, name: str) -> list[Any]:
        i = self.columns.index(name)
        return [r[i] for r in self.rows]

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]


@dataclass(frozen=True)
class Report:
    kind: str
    title: str
    period: Period
    tables: tuple[Table, ...]
    data: Any = field(default=None)  # the --json shape
    group_by: str | None = None

    @property
    def empty(self) -> bool:
        return all(not t.rows for t in self.tables)


def group_label(value: Any) -> str:
    return NONE_LABEL if value is None else str(value)
