"""``qualdesk report … --pdf``: a page a manager would forward, read back with poppler
(pdftotext, pdfinfo, pdftoppm) — the words on it, the paper, every page rendered."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from qualdesk.db.engine import Database
from qualdesk.services.reports import run_report
from qualdesk.services.reports.pdf import paper_for_locale, write_pdf
from qualdesk.services.reports.periods import make_period
from tests.cli_helpers import run
from tests.test_report_sla import NY, seed


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is needed (Debian poppler-utils; tools/test.sh installs it)")
    return path


def pdf_text(path: Path) -> str:
    return subprocess.run([_tool("pdftotext"), "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def pdf_info(path: Path) -> dict[str, str]:
    out = subprocess.run([_tool("pdfinfo"), str(path)], capture_output=True, text=True,
                         check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def test_sla_pdf_has_title_period_zone_generated_chart_and_table(db: Database, frozen,  # type: ignore[no-untyped-def]
                                                                 tmp_path: Path) -> None:
    seed(db, frozen)
    out = tmp_path / "sla.pdf"
    r = run(db.url, "report", "sla", "--from", "2026-11-20", "--to", "2026-11-22", "--tz", NY,
            "--by", "campaign", "--pdf", str(out))
    assert r.code == 0, r.err
    assert r.out == ""  # a file was asked for: nothing else printed
    text = pdf_text(out)
    assert "Follow-up SLA" in text
    assert "Period: 2026-11-20 – 2026-11-22" in text and "grouped by campaign" in text
    assert f"Times in {NY}" in text and "generated 2026-" in text
    for words in ("Within 1 h", "Same day", "Within 24 h", "Within 48 h", "Within 72 h",
                  "Never followed up", "Hand raises"):
        assert words in text, words  # chart legend and table headers in words
    assert "pct_within_1h" not in text and "hand_raises" not in text
    assert "100 %" in text  # the percent axis in whole percent
    assert "Webinar" in text and "Default" in text
    assert "page 1 of 1" in text


def test_paper_follows_the_locale(db: Database, frozen, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seed(db, frozen)
    report = run_report(db, "funnel", make_period(db, None, None, NY))
    a4, letter = tmp_path / "a4.pdf", tmp_path / "letter.pdf"
    write_pdf(report, a4, paper="a4")
    write_pdf(report, letter, paper="letter")
    # the funnel's conversion tables are wide: landscape
    assert pdf_info(a4)["Page size"] == "841.68 x 595.44 pts (A4)"
    assert pdf_info(letter)["Page size"] == "792 x 612 pts (letter)"
    assert paper_for_locale({"LANG": "en_US.UTF-8"}) == "letter"
    assert paper_for_locale({"LC_PAPER": "de_DE.UTF-8", "LANG": "en_US.UTF-8"}) == "a4"
    assert paper_for_locale({"LANG": "fr_CA.UTF-8"}) == "letter"
    assert paper_for_locale({"LANG": "C.UTF-8"}) == "a4"


def test_every_page_renders_and_has_ink(db: Database, frozen, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Each report, each page through pdftoppm: not blank, numbered 'page i of n'."""
    seed(db, frozen)
    for kind in ("sla", "attempts", "funnel", "closed-loop"):
        out = tmp_path / f"{kind}.pdf"
        assert run(db.url, "report", kind, "--tz", NY, "--pdf", str(out)).code == 0
        pages = int(pdf_info(out)["Pages"])
        assert 1 <= pages <= 6, (kind, pages)
        assert f"page {pages} of {pages}" in pdf_text(out)
        subprocess.run([_tool("pdftoppm"), "-r", "30", "-gray", str(out), str(tmp_path / kind)],
                       check=True)
        shots = sorted(tmp_path.glob(f"{kind}-*.pgm"))
        assert len(shots) == pages
        for shot in shots:
            raw = shot.read_bytes()
            body = raw[raw.index(b"255\n") + 4:]
            dark = sum(1 for b in body if b < 128) / len(body)
            assert dark > 0.01, (shot.name, dark)  # ink on every page, no blank pages


def test_an_empty_period_says_so(db: Database, frozen, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seed(db, frozen)
    out = tmp_path / "empty.pdf"
    assert run(db.url, "report", "sla", "--from", "2020-01-01", "--to", "2020-01-31", "--tz", NY,
               "--pdf", str(out)).code == 0
    assert "No hand raises in this period" in pdf_text(out)


def test_an_unwritable_path_is_one_line(db: Database, tmp_path: Path) -> None:
    r = run(db.url, "report", "sla", "--pdf", str(tmp_path / "missing" / "x.pdf"))
    assert r.code != 0 and "cannot write" in r.err and "Traceback" not in r.err
    assert not (tmp_path / "missing").exists()
