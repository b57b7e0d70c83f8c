"""A report as a printable PDF (``QPdfWriter``): title, period, then per table its chart
image and its rows. Laid out as a ``QTextDocument`` so long tables paginate by
themselves."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF, QUrl
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from qualdesk.errors import InvalidInput
from qualdesk.services.reports.tables import Report


def _cell(v: object) -> str:
    return "" if v is None else html.escape(str(v))


def report_html(report: Report, chart_names: Sequence[str | None]) -> str:
    parts = [f"<h2>{html.escape(report.title)}</h2>",
             f"<p>{html.escape(report.period.label())}"
             + (f" — by {html.escape(report.group_by)}" if report.group_by else "") + "</p>"]
    for t, chart in zip(report.tables, chart_names, strict=False):
        parts.append(f"<h3>{html.escape(t.name)}</h3>")
        if chart:
            parts.append(f'<p><img src="{chart}" width="560"></p>')
        if not t.rows:
            parts.append("<p><i>no data</i></p>")
            continue
        head = "".join(f"<th>{_cell(c)}</th>" for c in t.columns)
        body = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in r) + "</tr>" for r in t.rows)
        parts.append(f'<table border="1" cellspacing="0" cellpadding="3"><tr>{head}</tr>{body}</table>')
    return "\n".join(parts)


def write_pdf(report: Report, path: str | Path, charts: Sequence[QImage | None] = ()) -> Path:
    """``charts[i]`` is the picture of ``report.tables[i]``'s chart (or None)."""
    p = Path(path)
    writer = QPdfWriter(str(p))
    writer.setTitle(f"{report.title} {report.period.label()}")
    writer.setResolution(150)
    landscape = max((len(t.columns) for t in report.tables), default=0) > 8
    writer.setPageLayout(QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait,
        QMarginsF(12, 12, 12, 12)))
    doc = QTextDocument()
    doc.setDefaultStyleSheet("th { background: #dddddd; } td, th { font-size: 8pt; }")
    names: list[str | None] = []
    for i, img in enumerate(list(charts) + [None] * (len(report.tables) - len(charts))):
        if img is None or img.isNull():
            names.append(None)
            continue
        name = f"chart{i}.png"
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), img)
        names.append(name)
    doc.setHtml(report_html(report, names))
    rect = writer.pageLayout().paintRectPixels(writer.resolution())
    doc.setPageSize(QSizeF(rect.width(), rect.height()))
    try:
        doc.print_(writer)
    except OSError as exc:
        raise InvalidInput(f"cannot write {p}: {exc}") from None
    del writer  # flushes and closes the file
    if not p.exists() or p.stat().st_size == 0:
        raise InvalidInput(f"cannot write {p}")
    return p
