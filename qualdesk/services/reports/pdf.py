"""A report as a PDF a manager would forward: ``qualdesk report … --pdf`` and the reports
view's Export PDF both call ``write_pdf``.

Every page carries the title, the period, the report's time zone (and the team's, when
it differs) and when it was generated; each table gets its chart (drawn by
``figures.draw_chart``, the same drawing as on screen) and then its rows, columns named
in words, wrapped headers, split over pages with the header repeated. Paper is A4 or US
Letter from the locale (``LC_PAPER``, then ``LC_ALL``/``LANG``); wide tables turn the
page to landscape. matplotlib's PDF backend writes vector text and lines, no Qt.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from qualdesk import clock
from qualdesk.errors import InvalidInput
from qualdesk.services.reports.figures import PAPER, draw_chart, fit_text
from qualdesk.services.reports.labels import is_percent
from qualdesk.services.reports.tables import Report, Table

# Territories that use US Letter (CLDR's paper-size data); everyone else uses A4.
LETTER_TERRITORIES = frozenset({"US", "CA", "MX", "PH", "CL", "CO", "VE", "GT", "PR", "CR",
                                "PA", "NI", "SV", "DO", "BZ"})
PAPER_INCHES = {"a4": (8.27, 11.69), "letter": (8.5, 11.0)}
MARGIN = 0.6  # inches, every side
FONT = 8.0  # table text, points
LINE = FONT * 1.45 / 72  # one text line, inches


def paper_for_locale(env: Mapping[str, str] | None = None) -> str:
    """'letter' for a US/Canadian/… locale (``en_US.UTF-8``), else 'a4'."""
    env = os.environ if env is None else env
    for var in ("LC_PAPER", "LC_ALL", "LANG"):
        value = env.get(var, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            territory = value.split(".")[0].split("@")[0].partition("_")[2].upper()
            return "letter" if territory in LETTER_TERRITORIES else "a4"
    return "a4"


def _text(table: Table, column: str, v: Any) -> str:
    v = table.display(column, v)
    if v is None or v == "":
        return "–"
    if isinstance(v, float):
        return f"{v:.1f} %" if is_percent(column) else f"{v:.1f}"
    if isinstance(v, int) and is_percent(column):
        return f"{v} %"
    return str(v)


def numeric_columns(table: Table) -> list[bool]:
    """Per column: does it hold numbers (right-aligned, header and "–" placeholders too)?"""
    return [bool(table.rows) and all(r[i] is None or (isinstance(r[i], int | float)
                                                   and not isinstance(r[i], bool))
                                     for r in table.rows)
            for i in range(len(table.columns))]


@dataclass
class _Layout:
    """Column widths (inches) and header lines of one table on one page width."""

    widths: list[float]
    header: list[list[str]]

    @property
    def header_h(self) -> float:
        return (max(len(h) for h in self.header) + 0.6) * LINE


def _layout(table: Table, width: float) -> _Layout:
    char = FONT * 0.55 / 72  # an average character, inches
    cells = [[_text(table, c, r[i]) for i, c in enumerate(table.columns)] for r in table.rows]
    need = [max([len(row[i]) for row in cells] + [4]) for i in range(len(table.columns))]
    label_words = [max(len(w) for w in table.label(c).split()) for c in table.columns]
    # a long column name may take three lines, not six
    third = [len(table.label(c)) / 3.0 * 1.15 for c in table.columns]
    want = [max(n, lw, t, 6) * char + 0.12
            for n, lw, t in zip(need, label_words, third, strict=True)]
    bold = FONT * 0.7 / 72  # header text is bold, hence wider (DejaVu Sans Bold)
    # never narrower than its longest header word or its longest cell: a column that
    # must give room gives it from its spare width, so no two headers run together
    least = [min(w, max(lw * bold, n * char) + 0.18)
             for w, lw, n in zip(want, label_words, need, strict=True)]
    widths = _squeeze(want, least, width)
    if sum(widths) < width:  # spread the spare room over the columns
        extra = (width - sum(widths)) / len(widths)
        widths = [min(w + extra, w * 2.2) for w in widths]
    header = [textwrap.wrap(table.label(c), max(4, int((w - 0.1) / bold)),
                            break_long_words=False) or [""]
              for c, w in zip(table.columns, widths, strict=True)]
    return _Layout(widths, header)


def _squeeze(want: list[float], least: list[float], width: float) -> list[float]:
    if not want or sum(want) <= width:
        return list(want)
    if sum(least) >= width:
        return [w * width / sum(least) for w in least]
    spare = [w - m for w, m in zip(want, least, strict=True)]
    k = (width - sum(least)) / sum(spare) if sum(spare) else 0.0
    return [m + sp * k for m, sp in zip(least, spare, strict=True)]


class _Pages:
    """Places blocks top to bottom on pages of one orientation; a block that does not fit
    starts a new page."""

    def __init__(self, pdf: Any, size: tuple[float, float], head: list[str]) -> None:
        self.pdf, self.size, self.head = pdf, size, head
        self.fig: Any = None
        self.y = 0.0
        self.count = 0
        self.figures: list[Any] = []

    @property
    def width(self) -> float:
        return self.size[0] - 2 * MARGIN

    def room(self) -> float:
        return self.y - MARGIN - 0.2 if self.fig is not None else 0.0

    def new_page(self) -> None:
        from matplotlib.figure import Figure

        self.fig = Figure(figsize=self.size)
        self.figures.append(self.fig)
        self.count += 1
        w, h = self.size
        top = h - MARGIN
        self.fig.text(MARGIN / w, top / h, self.head[0], fontsize=15, fontweight="bold",
                      va="top")
        for i, line in enumerate(self.head[1:]):
            self.fig.text(MARGIN / w, (top - 0.32 - i * 0.19) / h, line, fontsize=8.5,
                          va="top", color="#333333")
        rule_y = (top - 0.32 - len(self.head[1:]) * 0.19 - 0.02) / h
        self.fig.add_artist(_hline(self.fig, MARGIN / w, 1 - MARGIN / w, rule_y, "#888888", 0.8))
        self.y = top - 0.32 - len(self.head[1:]) * 0.19 - 0.2

    def ensure(self, need: float) -> None:
        if self.fig is None or self.room() < need:
            self.new_page()

    def chart(self, table: Table, height: float, left: float = 0.0,
              advance: bool = True) -> None:
        """The table's chart in the next ``height`` inches, fitted so that its title,
        legend and x labels (measured, not guessed) stay inside that band."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        w, h = self.size
        box = (MARGIN + left, self.y - height, MARGIN + self.width, self.y)  # inches
        ax = self.fig.add_axes((0.1, 0.1, 0.5, 0.5))
        draw_chart(ax, table, PAPER)
        canvas = self.fig.canvas if isinstance(self.fig.canvas, FigureCanvasAgg) else \
            FigureCanvasAgg(self.fig)
        x0, y0, x1, y1 = box[0] + 0.1, box[1] + 0.1, box[2] - 0.1, box[3] - 0.05
        pos = (x0, y0, x1, y1)
        for _ in range(4):  # converges in two steps: the padding hardly depends on size
            ax.set_position(((pos[0]) / w, pos[1] / h, (pos[2] - pos[0]) / w, (pos[3] - pos[1]) / h))
            renderer = canvas.get_renderer()
            fit_text(ax, renderer, right_px=x1 * self.fig.dpi)
            tight = ax.get_tightbbox(renderer).transformed(self.fig.dpi_scale_trans.inverted())
            inner = ax.get_position().transformed(self.fig.transFigure) \
                .transformed(self.fig.dpi_scale_trans.inverted())
            left, bottom = inner.x0 - tight.x0, inner.y0 - tight.y0
            right, top = tight.x1 - inner.x1, tight.y1 - inner.y1
            pos = (x0 + left, y0 + bottom, x1 - right, y1 - top)
        if advance:
            self.y -= height + 0.1

    def text(self, s: str, size: float = 10.5, bold: bool = False, gap: float = 0.26) -> None:
        w, h = self.size
        self.fig.text(MARGIN / w, self.y / h, s, fontsize=size, va="top",
                      fontweight="bold" if bold else "normal")
        self.y -= gap

    def finish(self) -> None:
        for i, fig in enumerate(self.figures, start=1):
            w, _ = self.size
            fig.text(1 - MARGIN / w, MARGIN * 0.6 / self.size[1], f"page {i} of {self.count}",
                     fontsize=7.5, ha="right", color="#555555")
            fig.text(MARGIN / w, MARGIN * 0.6 / self.size[1], "QualDesk", fontsize=7.5,
                     color="#555555")
            self.pdf.savefig(fig)


def _hline(fig: Any, x0: float, x1: float, y: float, colour: str, lw: float) -> Any:
    from matplotlib.lines import Line2D

    return Line2D([x0, x1], [y, y], transform=fig.transFigure, color=colour, linewidth=lw)


def _rect(fig: Any, x: float, y: float, w: float, h: float, colour: str) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, transform=fig.transFigure, facecolor=colour,
                     edgecolor="none")


def _draw_rows(pages: _Pages, table: Table, lay: _Layout, rows: list[tuple[Any, ...]],
               start: int) -> None:
    fig, (w, h) = pages.fig, pages.size
    x0 = MARGIN
    # header band
    hh = lay.header_h
    fig.add_artist(_rect(fig, x0 / w, (pages.y - hh) / h, sum(lay.widths) / w, hh / h, "#e4e8ee"))
    x = x0
    numeric = numeric_columns(table)
    for lines, cw, right in zip(lay.header, lay.widths, numeric, strict=True):
        for k, line in enumerate(lines):
            fig.text((x + (cw - 0.05 if right else 0.05)) / w, (pages.y - 0.04 - k * LINE) / h,
                     line, fontsize=FONT, fontweight="bold", va="top",
                     ha="right" if right else "left")
        x += cw
    pages.y -= hh
    for n, r in enumerate(rows):
        if (start + n) % 2:
            fig.add_artist(_rect(fig, x0 / w, (pages.y - LINE) / h, sum(lay.widths) / w, LINE / h,
                                 "#f5f6f8"))
        x = x0
        for i, (col, cw) in enumerate(zip(table.columns, lay.widths, strict=True)):
            v = r[i]
            right = numeric[i]  # a "–" sits where the number would
            fig.text((x + (cw - 0.05 if right else 0.05)) / w, (pages.y - LINE * 0.2) / h,
                     _text(table, col, v), fontsize=FONT, va="top",
                     ha="right" if right else "left")
            x += cw
        pages.y -= LINE
    fig.add_artist(_hline(fig, x0 / w, (x0 + sum(lay.widths)) / w, pages.y / h, "#888888", 0.6))
    pages.y -= 0.2


def transposed(table: Table) -> Table:
    """A one-row table of many columns (the ungrouped SLA) reads better as a list: one
    line per measure, its count and its share side by side."""
    from qualdesk.services.reports.tables import Table as T

    row = dict(zip(table.columns, table.rows[0], strict=True))
    rows = []
    for c in table.columns:
        if c.startswith("pct_") and c[4:] in row:
            continue  # shown beside its count
        if is_percent(c):
            rows.append((table.label(c).removesuffix(" (%)"), None, row[c]))
        else:
            rows.append((table.label(c), row[c], row.get(f"pct_{c}")))
    return T(table.name, ("measure", "value", "pct_value"), tuple(rows), table.chart,
             labels=(("measure", "Measure"), ("value", "Value"), ("pct_value", "Share (%)")))


def printed(table: Table) -> Table:
    one_row_of_numbers = (len(table.rows) == 1 and len(table.columns) > 6
                          and all(isinstance(v, int | float) or v is None for v in table.rows[0]))
    return transposed(table) if one_row_of_numbers else table


def _section(pages: _Pages, table: Table, chart_h: float) -> None:
    chart_table = table
    table = printed(table)
    lay = _layout(table, pages.width)
    has_chart = table.chart is not None
    keep = min(len(table.rows), 12)  # a short table stays with its chart, whole
    side = has_chart and table.rows and len(table.columns) <= 5 and len(table.rows) <= 16
    if side:  # a narrow table beside its chart: half the height, no empty half-page
        lay = _layout(table, min(pages.width * 0.4, 4.8))
        chart_h = min(chart_h, 2.4)
        pages.ensure(0.35 + max(chart_h, lay.header_h + len(table.rows) * LINE))
    else:
        pages.ensure(0.35 + (chart_h if has_chart else 0) + lay.header_h + keep * LINE)
    pages.text(table.name, bold=True)
    if side:
        top = pages.y
        pages.chart(chart_table, chart_h, left=sum(lay.widths) + 0.3, advance=False)
        _draw_rows(pages, table, lay, list(table.rows), 0)
        pages.y = min(pages.y, top - chart_h - 0.1) - 0.1
        return
    if has_chart:
        pages.chart(chart_table, chart_h)
    if not table.rows:
        if not has_chart:
            pages.text("No data in this period.", size=9)
        pages.y -= 0.1
        return
    if len(table.columns) <= 3:  # a list: no need to run across the page
        lay = _layout(table, min(pages.width, 4.5))
    i = 0
    rows = list(table.rows)
    while i < len(rows):
        fit = int((pages.room() - lay.header_h - 0.2) // LINE)
        if fit < 3:
            pages.new_page()
            pages.text(f"{table.name} (continued)", bold=True)
            continue
        chunk = rows[i:i + fit]
        _draw_rows(pages, table, lay, chunk, i)
        i += len(chunk)


def header_lines(report: Report, generated_at: datetime, team_zone: str | None) -> list[str]:
    zone = report.period.tz
    per = report.period
    span = ("all time" if per.from_date is None and per.to_date is None
            else per.label().rsplit(" (", 1)[0].replace("start", "the beginning")
            .replace("now", "today"))
    lines = [report.title,
             f"Period: {span}"
             + (f"  ·  grouped by {report.group_by.replace('_', ' ')}" if report.group_by else ""),
             f"Times in {zone}" + (f" (the team's time zone is {team_zone})"
                                   if team_zone and team_zone != zone else " (the team's time zone)"
                                   if team_zone else "")
             + "  ·  generated " + generated_at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")]
    return lines


def write_pdf(report: Report, path: str | Path, team_zone: str | None = None,
              paper: str | None = None, generated_at: datetime | None = None) -> Path:
    """Write ``report`` as a PDF; ``paper`` 'a4' or 'letter' (default: from the locale)."""
    from matplotlib.backends.backend_pdf import PdfPages

    p = Path(path)
    paper = (paper or paper_for_locale()).lower()
    if paper not in PAPER_INCHES:
        raise InvalidInput(f"unknown paper size {paper!r} (a4 or letter)")
    pw, ph = PAPER_INCHES[paper]
    landscape = max((len(printed(t).columns) for t in report.tables), default=0) > 9
    size = (ph, pw) if landscape else (pw, ph)
    head = header_lines(report, generated_at or clock.now(), team_zone)
    try:
        with PdfPages(p, metadata={"Title": f"{report.title}, {report.period.label()}",
                                   "Creator": "QualDesk"}) as pdf:
            pages = _Pages(pdf, size, head)
            chart_h = 2.7 if landscape else 3.0
            if report.empty and all(t.chart is None for t in report.tables):
                pages.new_page()
                pages.text("No data in this period.", size=10)
            for t in report.tables:
                _section(pages, t, chart_h)
            pages.finish()
    except OSError as exc:
        raise InvalidInput(f"cannot write {p}: {exc.strerror or exc}") from None
    return p

