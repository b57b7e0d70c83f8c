"""The PDF's words never run into each other (W10 #5, #6): every report rendered from the
demo data, every word's box read back with ``pdftotext -bbox``; words on one line keep a
gap, and nothing runs past the page margin. Plus the chart fitting itself, measured in
matplotlib: x labels that do not touch, a title inside the figure."""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import pytest

from qualdesk.services.reports.figures import draw_chart, fit_text
from qualdesk.services.reports.tables import Chart, Table
from tests.cli_helpers import run
from tests.test_report_pdf import _tool

LIGATURE_PIECES = {"fi", "fl", "ff", "ffi", "ffl"}  # pdftotext splits "first" as "fi" "rst"
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def page_words(path: Path) -> list[tuple[float, list[tuple[float, float, float, float, str]]]]:
    out = subprocess.run([_tool("pdftotext"), "-bbox", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    pages = []
    for w, body in re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', out, re.S):
        pages.append((float(w), [(float(a), float(b), float(c), float(d), html.unescape(t))
                                 for a, b, c, d, t in WORD.findall(body)]))
    return pages


def collisions(words: list[tuple[float, float, float, float, str]]) -> list[tuple[str, str]]:
    """Pairs of words on one baseline closer than 1 pt (or overlapping)."""
    bad = []
    for i, a in enumerate(words):
        for b in words[i + 1:]:
            if a[4] in LIGATURE_PIECES or b[4] in LIGATURE_PIECES or abs(a[3] - b[3]) > 1.5:
                continue
            if min(a[2], b[2]) - max(a[0], b[0]) > -1.0:
                bad.append((a[4], b[4]))
    return bad


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite3'}"
    assert run(url, "demo").code == 0
    return url


@pytest.mark.parametrize("kind", ["sla", "attempts", "funnel", "closed-loop"])
def test_no_two_words_touch_and_all_stay_inside_the_margins(demo_url: str, tmp_path: Path,
                                                            kind: str) -> None:
    out = tmp_path / f"{kind}.pdf"
    r = run(demo_url, "report", kind, "--pdf", str(out))
    assert r.code == 0, r.err
    for n, (width, words) in enumerate(page_words(out), start=1):
        assert words, (kind, n)
        assert collisions(words) == [], (kind, n)
        margin = 0.6 * 72 - 2  # pdf.MARGIN, less a rounding point
        past = [w[4] for w in words if w[0] < margin or w[2] > width - margin]
        assert past == [], (kind, n)


def test_sla_bucket_labels_and_a_long_title_fit_a_narrow_chart() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    cols = ("within_1h", "same_day", "within_24h", "within_48h", "within_72h", "never")
    table = Table("SLA", cols, ((35, 41, 43, 43, 43, 57),),
                  Chart("", cols, "bar", "Hand raises followed up (call and email), "
                        "% of hand raises, in a long title", percent=True))
    fig = Figure(figsize=(3.3, 2.4))
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0.15, 0.3, 0.8, 0.55))
    draw_chart(ax, table)
    renderer = canvas.get_renderer()
    fit_text(ax, renderer, right_px=fig.bbox.x1)
    canvas.draw()
    boxes = sorted((t.get_window_extent(renderer) for t in ax.get_xticklabels()),
                   key=lambda b: b.x0)
    assert len(boxes) == 6
    for a, b in zip(boxes, boxes[1:], strict=False):
        assert a.x1 < b.x0, "x labels touch"
    title = next(t for t in (ax.title, *ax.texts, *ax.get_children())
                 if hasattr(t, "get_text") and t.get_text().startswith("Hand raises"))
    box = title.get_window_extent(renderer)
    assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1, (box, fig.bbox)
