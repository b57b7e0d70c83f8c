"""Screenshots of live intake: the team lead's Intake page (sources, a secret shown once,
refusals, a test event that went through), the hand-raise rules, and a lead's Activity.

    xvfb-run -a -s '-screen 0 1280x720x24' python3 tools/screenshot_intake.py \\
        [--size 1280x720] [--dark] [--out docs] [--suffix -1280]

The events arrive the real way: the receiver (``qualdesk intake serve``) runs as its own
process on a free port and every event is posted to it over HTTP with a real signature
(or a wrong one, for the refusals). The window fills the screen size given; ``--dark``
uses Qt's Fusion style with a dark palette, as a dark desktop would.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshot_common import save  # noqa: E402 (after the path)


def dark_palette() -> object:
    from PySide6.QtGui import QColor, QPalette

    p = QPalette()
    roles = QPalette.ColorRole
    for role, colour in ((roles.Window, "#2b2d30"), (roles.WindowText, "#e6e6e6"),
                         (roles.Base, "#1e1f22"), (roles.AlternateBase, "#26282b"),
                         (roles.ToolTipBase, "#3c3f41"), (roles.ToolTipText, "#f0f0f0"),
                         (roles.Text, "#e6e6e6"), (roles.Button, "#3c3f41"),
                         (roles.ButtonText, "#e6e6e6"), (roles.BrightText, "#ff6b6b"),
                         (roles.Highlight, "#2f65ca"), (roles.HighlightedText, "#ffffff"),
                         (roles.PlaceholderText, "#8a8a8a"), (roles.Link, "#6ea8fe")):
        p.setColor(role, QColor(colour))
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#8a8a8a"))
    return p


def seed(db_url: str, base: str) -> dict[str, object]:
    """Sources, then real posts to the receiver: hand raises, activity, refusals."""
    from qualdesk.db.engine import Database
    from qualdesk.services import team_settings
    from qualdesk.services.intake.live.signatures import mautic_signature, qualdesk_signature
    from qualdesk.services.intake.live.sources import add_source
    from qualdesk.services.users import add_user
    from tests.ui.intake_helpers import post

    db = Database(db_url)
    team_settings.set_values(db, {"team.timezone": "America/New_York",
                                  "intake.key_pages": "*/pricing*,*/demo*",
                                  "intake.points_threshold": "100",
                                  "calling.window_start": "00:00", "calling.window_end": "23:59"})
    add_user(db, "Lee Lead", "lead", email="lee@example.com")
    add_user(db, "Ana Rep", "rep", email="ana@example.com")
    hub = add_source(db, "hubspot", "json", hand_raise="demo_request").secret
    mau = add_source(db, "mautic", "mautic").secret
    add_source(db, "website-contact", "form", allowed_redirects=("https://www.example.com/thanks",))
    assert hub and mau
    now = datetime.now(UTC)

    def send(events: list[dict], secret: str = hub) -> int:
        body = json.dumps(events).encode()
        sig = qualdesk_signature(secret.encode(), body, int(time.time()))
        status, answer = post(f"{base}/intake/hubspot", body, {
            "Content-Type": "application/json", "X-QualDesk-Signature": sig})
        return status

    dana = {"first_name": "Dana", "last_name": "O'Neil", "company": "Brick & Mortar Retail",
            "email": "dana.oneil@brick.example", "phone": "+12125550100", "title": "VP Marketing"}
    at = lambda minutes: (now - timedelta(minutes=minutes)).isoformat()  # noqa: E731
    send([
        {"event_id": "d1", "lead": dana, "activity": {"kind": "email_open", "at": at(2900),
                                                      "details": {"subject": "Speed-to-Lead guide"}}},
        {"event_id": "d2", "lead": dana, "activity": {"kind": "page_hit", "at": at(1500),
                                                      "details": {"url": "https://www.example.com/blog/one-hour-rule"}}},
        {"event_id": "d3", "lead": dana, "activity": {"kind": "email_open", "at": at(300),
                                                      "details": {"subject": "Webinar: the first five minutes"}}},
        {"event_id": "d4", "lead": dana, "activity": {"kind": "points_change", "at": at(62),
                                                      "details": {"old_points": 70, "new_points": 85}}},
        {"event_id": "d5", "lead": dana, "activity": {"kind": "page_hit", "at": at(41),
                                                      "details": {"url": "https://www.example.com/pricing"}}},
        {"event_id": "d6", "lead": dana, "activity": {"kind": "download", "at": at(25),
                                                      "details": {"asset": "ROI calculator.xlsx"}}},
        {"event_id": "d7", "lead": dana, "hand_raise": {"kind": "demo_request", "at": at(12),
                                                        "details": "Demo for 40 seats"}},
    ])
    people = (("Marco", "Silva", "Globex"), ("Priya", "Nair", "Initech"),
              ("Lukas", "Weber", "Hooli GmbH"), ("Sofia", "Rossi", "Vandelay"))
    for i, (first, last, co) in enumerate(people):
        send([{"event_id": f"p{i}", "lead": {"first_name": first, "last_name": last,
                                             "company": co,
                                             "email": f"{first.lower()}@{co.split()[0].lower()}.example",
                                             "phone": f"+1212555{2000 + i}"},
               "hand_raise": {"kind": "contact_form", "at": at(5 + i * 7)}}])
    send([{"lead": {"email": "x@y.example"}}], secret="an-old-secret-nobody-rotated")
    body = b'{"lead": {"email": "=HYPERLINK(\\"http://bad.example\\")"}}'
    post(f"{base}/intake/mautic", body, {"Content-Type": "application/json",
                                         "Webhook-Signature": mautic_signature(b"wrong", body)})
    post(f"{base}/intake/hubspot", b"first_name=Al", {"Content-Type": "text/plain"})
    post(f"{base}/intake/hubspot", b'{"lead": ', {
        "Content-Type": "application/json",
        "X-QualDesk-Signature": qualdesk_signature(hub.encode(), b'{"lead": ', int(time.time()))})
    from qualdesk.services.leads import LeadFilter, list_leads

    dana_id = list_leads(db, LeadFilter(search="dana.oneil"))[0].id
    db.dispose()
    return {"dana": dana_id}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "docs"))
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--dark", action="store_true")
    ap.add_argument("--suffix", default="")
    args = ap.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    tmp = Path(tempfile.mkdtemp(prefix="qd-intake-shots-"))
    os.environ["QUALDESK_DATA_DIR"] = str(tmp / "data")
    os.environ["QUALDESK_CONFIG_DIR"] = str(tmp / "config")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from qualdesk.db.engine import Database
    from qualdesk.db.migrate import upgrade
    from tests.ui.intake_helpers import running_receiver

    db_url = f"sqlite:///{tmp / 'shots.sqlite3'}"
    upgrade(Database(db_url))
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    if args.dark:
        app.setPalette(dark_palette())
    from qualdesk.services.users import get_user
    from ui.context import AppContext
    from ui.main_window import MainWindow

    with running_receiver(db_url) as base:
        ids = seed(db_url, base)
        db = Database(db_url)
        from qualdesk.services import team_settings

        team_settings.set_value(db, "intake.public_url", base)
        ctx = AppContext(db, get_user(db, "Lee Lead"))

        def settle(ms: int = 400) -> None:
            end = time.monotonic() + ms / 1000
            while time.monotonic() < end:
                app.processEvents()
                ctx.runner.wait(50)
                time.sleep(0.02)
            app.processEvents()

        w = MainWindow(ctx, lambda _url: True)
        w.resize(width, height)
        w.show()
        page = w.features.pages["intake"]
        w.pages.setCurrentWidget(page)
        settle()
        page.select("hubspot")
        settle()
        page.send_test()
        for _ in range(100):
            settle(100)
            if page.message.text()[:1] in "✓✗":
                break
        from qualdesk.services.intake.live.sources import rotate_secret

        new = rotate_secret(db, "mautic")
        page.select("hubspot")
        page.secret_panel.show_secret("mautic", new.secret or "")
        settle()
        suffix = args.suffix + ("-dark" if args.dark else "")
        save(w, out / f"screenshot-intake{suffix}.png")
        page.secret_panel.clear()
        page.tabs.setCurrentWidget(page.rules)
        settle()
        save(w, out / f"screenshot-intake-rules{suffix}.png")
        w.pages.setCurrentIndex(0)
        w.lead_panel.set_lead(int(ids["dana"]))  # type: ignore[call-overload]
        w.lead_panel.lead_tabs.setCurrentWidget(w.features.activity)
        settle()
        save(w, out / f"screenshot-intake-activity{suffix}.png")
        print(f"wrote {out}/screenshot-intake*{suffix}.png ({page.message.text()})")
        w.close()
        ctx.runner.wait()
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
