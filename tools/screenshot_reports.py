"""Screenshots of the floor view and the SLA report, grabbed offscreen.

    QT_QPA_PLATFORM=offscreen python tools/screenshot_reports.py [--out docs]

Seeds a throwaway SQLite database through the services (users, hand raises, calls,
sent emails, follow-ups, turn-overs, claims) at a fixed clock, then grabs the widgets.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshot_common import save  # noqa: E402 (after the path)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import select  # noqa: E402

from qualdesk import clock  # noqa: E402
from qualdesk.db.engine import Database  # noqa: E402
from qualdesk.db.migrate import upgrade  # noqa: E402
from qualdesk.db.models import Campaign, Email, FollowUp, Lead, User  # noqa: E402
from qualdesk.services import designations  # noqa: E402
from qualdesk.services.calls import record_attempt  # noqa: E402
from qualdesk.services.hand_raises import add_hand_raise, kind_strengths, stamp_email  # noqa: E402
from qualdesk.services.queue import claim_lead  # noqa: E402
from qualdesk.services.team_settings import set_value  # noqa: E402
from qualdesk.services.users import add_user, get_user  # noqa: E402

NOW = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # 11:00 in New York
REPS = ("Ana Lopez", "Ben Okafor", "Chloe Martin", "Dev Patel")
FIRST = ("Maria", "John", "Priya", "Lukas", "Sofia", "Omar", "Emma", "Hiro", "Nina", "Carlos",
         "Grace", "Ivan", "Zoe", "Ahmed", "Lena", "Tom", "Aisha", "Pedro", "Mia", "Raj")
COMPANIES = ("Acme Corp", "Globex", "Initech", "Umbrella Ltd", "Stark Industries", "Wayne Co",
             "Hooli", "Vandelay", "Soylent", "Wonka GmbH")
KINDS = ("demo_request", "contact_form", "called_in", "chat", "asset_download", "page_visits")


class Clock:
    def __init__(self, t: datetime) -> None:
        self.t = t

    def __call__(self) -> datetime:
        return self.t


def seed(db: Database) -> None:
    rnd = random.Random(7)
    fc = Clock(NOW - timedelta(days=15))
    clock.set_clock(fc)
    set_value(db, "team.timezone", "America/New_York")
    for r in REPS:
        add_user(db, r, "rep", email=r.split()[0].lower() + "@example.com")
    add_user(db, "Lee Lead", "lead", email="lee@example.com")
    with db.session() as s:
        camps = [s.scalar(select(Campaign).where(Campaign.is_default.is_(True)))]
        for name in ("Webinar Q4", "Pricing page"):
            c = Campaign(name=name, created_at=fc.t)
            s.add(c)
            camps.append(c)
        s.flush()
        strengths = kind_strengths(s)
        reps = {u.name: u.id for u in s.scalars(select(User).where(User.role == "rep"))}
        leads = []
        for i in range(60):
            first = FIRST[i % len(FIRST)]
            co = COMPANIES[i % len(COMPANIES)]
            lead = Lead(first_name=first, last_name=f"{chr(65 + i % 26)}.", company=co,
                        email=f"{first.lower()}{i}@{co.split()[0].lower()}.example",
                        phone=f"+1212555{1000 + i}", time_zones=["America/New_York"],
                        campaign_id=camps[i % 3].id, designation="cold", created_at=fc.t,
                        updated_at=fc.t)
            s.add(lead)
            leads.append(lead)
        s.flush()
        for i, lead in enumerate(leads):
            days = 0 if i >= 48 else rnd.randint(1, 14)
            raised = NOW - timedelta(days=days, minutes=rnd.randint(5, 420 if days == 0 else 600))
            fc.t = raised
            kind = KINDS[rnd.randrange(len(KINDS))]
            add_hand_raise(s, lead, camps[i % 3], kind, strengths[kind], raised)
            if i % 9 == 8:
                continue  # never followed up
            rep = REPS[rnd.randrange(len(REPS))]
            first_call = raised + timedelta(minutes=rnd.choice((3, 8, 15, 25, 40, 55, 90, 300, 1500)))
            if first_call > NOW:
                continue
            disp = rnd.choice(("no_answer", "connected", "left_voicemail", "busy", "connected"))
            fc.t = first_call
            lead.owner_id = reps[rep]
            a = record_attempt(s, lead, reps[rep], disp, started_at=first_call)
            if disp == "connected" and i % 4 == 0:
                designations.move(s, lead, "hot", reps[rep], "interested")
                if i % 8 == 0:
                    designations.move(s, lead, "turned_over", reps[rep], "Level I met")
            mail_at = first_call + timedelta(minutes=rnd.choice((1, 5, 20, 70)))
            if mail_at <= NOW and i % 7 != 3:
                e = Email(lead_id=lead.id, rep_id=reps[rep], to_addr=lead.email, subject="Following up",
                          body_text="Hi", status="sent", created_at=mail_at, sent_at=mail_at)
                s.add(e)
                s.flush()
                stamp_email(s, lead.id, mail_at)
                if disp == "left_voicemail":
                    s.add(FollowUp(lead_id=lead.id, rep_id=reps[rep], attempt_id=a.id,
                                   email_id=e.id, at=mail_at))
        hot_ids = [lead.id for lead in leads[48:52]]
    for rep, lead_id, ago in zip(REPS[:3], hot_ids, (4, 11, 2), strict=False):
        fc.t = NOW - timedelta(minutes=ago)
        with db.session() as s:
            s.get(Lead, lead_id).owner_id = None
        claim_lead(db, lead_id, rep)
    fc.t = NOW


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "docs"))
    ap.add_argument("--size", default="", help="also the reports view at WxH (1280x720)")
    ap.add_argument("--dark", action="store_true", help="dark palette (Fusion)")
    ap.add_argument("--pdf", action="store_true",
                    help="also export the SLA and funnel PDFs and render their pages (pdftoppm)")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    if args.dark:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from screenshot_intake import dark_palette

        app.setStyle("Fusion")
        app.setPalette(dark_palette())  # type: ignore[arg-type]
    if args.size or args.pdf:
        return extra_shots(app, out, args.size, args.dark, args.pdf)
    from ui.context import AppContext
    from ui.floor_view import FloorView
    from ui.ops import SyncRunner
    from ui.reports_view import ReportsView

    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/shots.sqlite3")
        upgrade(db)
        seed(db)
        ctx = AppContext(db, get_user(db, "Lee Lead"), SyncRunner())
        floor = FloorView(ctx)
        floor.poll_timer.stop()
        floor.resize(1200, 640)
        floor.show()
        app.processEvents()
        save(floor, out / "screenshot-floor-view.png")
        reports = ReportsView(ctx)
        reports.set_report("sla", "campaign")
        from datetime import date

        reports.set_period(date(2026, 11, 9), date(2026, 11, 23))
        reports.run()
        reports.resize(1200, 760)
        reports.show()
        app.processEvents()
        save(reports, out / "screenshot-sla-report.png")
        floor.close()
        reports.close()
        db.dispose()
    clock.set_clock(None)
    print(f"wrote {out / 'screenshot-floor-view.png'} and {out / 'screenshot-sla-report.png'}")
    return 0


def extra_shots(app, out: Path, size: str, dark: bool, pdf: bool) -> int:  # type: ignore[no-untyped-def]
    """The reports view at a screen size (light or dark), and the PDF pages as images."""
    import subprocess
    from datetime import date

    from ui.context import AppContext
    from ui.ops import SyncRunner
    from ui.reports_view import ReportsView

    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/shots.sqlite3")
        upgrade(db)
        seed(db)
        ctx = AppContext(db, get_user(db, "Lee Lead"), SyncRunner())
        reports = ReportsView(ctx)
        reports.set_period(date(2026, 11, 9), date(2026, 11, 23))
        if size:
            w, h = (int(x) for x in size.lower().split("x"))
            suffix = f"-{w}" + ("-dark" if dark else "")
            from ui.floor_view import FloorView

            floor = FloorView(ctx)
            floor.poll_timer.stop()
            floor.resize(w, h)
            floor.show()
            floor.risk_table.selectRow(0)
            app.processEvents()
            save(floor, out / f"screenshot-floor{suffix}.png")
            floor.close()
            for kind, group, section, name in (("sla", "campaign", 0, "sla"),
                                               ("funnel", None, 2, "funnel")):
                reports.set_report(kind, group)
                if kind == "funnel":  # the seeded leads were created before the period
                    reports.set_period(None, None)
                reports.run()
                reports.section.setCurrentIndex(section)
                reports.resize(w, h)
                reports.show()
                app.processEvents()
                save(reports, out / f"screenshot-report-{name}{suffix}.png")
        if pdf:
            for kind, group in (("sla", None), ("sla", "campaign"), ("funnel", None),
                                ("closed-loop", None)):
                reports.set_report(kind, group)
                reports.run()
                stem = f"report-pdf-{kind}" + (f"-by-{group}" if group else "")
                target = Path(tmp) / f"{stem}.pdf"
                reports.export_pdf(str(target))
                subprocess.run(["pdftoppm", "-r", "70", "-png", str(target), str(out / stem)],
                               check=True)
        reports.close()
        db.dispose()
    clock.set_clock(None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
