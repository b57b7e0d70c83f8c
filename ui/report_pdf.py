"""The reports view's PDF export: the team's zone and the desktop locale's paper size
handed to the one PDF writer the command line uses (``qualdesk.services.reports.pdf``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLocale

from qualdesk.db.engine import Database
from qualdesk.services import team_settings
from qualdesk.services.reports.tables import Report


def locale_paper(locale: QLocale | None = None) -> str:
    """'letter' for the desktop's US/Canadian/… locale, else 'a4'."""
    from qualdesk.services.reports import pdf

    name = (locale or QLocale.system()).name()  # e.g. en_US
    return pdf.paper_for_locale({"LC_PAPER": name})


def write_pdf(db: Database, report: Report, path: str | Path, paper: str) -> Path:
    """Runs in the op runner: reads the team's zone, writes the file."""
    from qualdesk.services.reports import pdf  # matplotlib: loaded when first needed

    return pdf.write_pdf(report, path, team_zone=team_settings.get_value(db, "team.timezone"),
                         paper=paper)
