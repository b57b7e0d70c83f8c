"""Render the script stepper and the follow-up preview offscreen and save screenshots.

    QT_QPA_PLATFORM=offscreen python tools/screenshot_scripts.py [OUT_DIR]

Uses a throwaway SQLite database and user folders; writes
docs/screenshot-script-stepper.png and docs/screenshot-followup-preview.png.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshot_common import save  # noqa: E402 (after the path)


def main() -> int:
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="qd-shots-"))
    os.environ["QUALDESK_DATA_DIR"] = str(tmp / "data")
    os.environ["QUALDESK_CONFIG_DIR"] = str(tmp / "config")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtWidgets import QApplication
    from sqlalchemy import select

    from qualdesk import clock
    from qualdesk.db.engine import Database
    from qualdesk.db.migrate import upgrade
    from qualdesk.db.models import Campaign, Lead
    from qualdesk.domain.bant import Authority, Bant, Need
    from qualdesk.services import qualification
    from qualdesk.services.hand_raises import add_hand_raise, kind_strengths
    from qualdesk.services.users import add_user
    from ui.context import AppContext
    from ui.followup_dialog import FollowUpDialog
    from ui.ops import SyncRunner
    from ui.script_stepper import ScriptStepper

    now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    clock.set_clock(lambda: now)
    db = Database(f"sqlite:///{tmp / 'shots.sqlite3'}")
    upgrade(db)
    rep = add_user(db, "Sam Rivera", "rep", email="sam.rivera@qualdesk.example",
                   phone="+1 646 555 0199")
    with db.session() as s:
        camp = s.scalar(select(Campaign).where(Campaign.is_default.is_(True)))
        assert camp is not None
        camp.name, camp.script, camp.templates = "Whitepaper: Speed to Lead", "whitepaper", \
            "whitepaper"
        lead = Lead(first_name="Dana", last_name="O'Neil", company="Brick & Mortar Retail",
                    title="VP Marketing", email="dana.oneil@brick.example", phone="+12125550100",
                    phone_region="US", time_zones=["America/New_York"], campaign_id=camp.id,
                    designation="cold", created_at=now, updated_at=now)
        s.add(lead)
        s.flush()
        add_hand_raise(s, lead, camp, "asset_download", kind_strengths(s)["asset_download"],
                       now - timedelta(minutes=12), details="Speed-to-Lead guide")
        lead_id = lead.id
    qualification.save(db, lead_id, rep.name,
                       answers={"q_interest": "The one-hour follow-up numbers",
                                "q_response_time": "3", "q_gap": "Reps batch calls after lunch",
                                "q_works": "Good CRM hygiene", "q_nothing": "Lose deals to faster rivals",
                                "q_project": "yes"},
                       bant=Bant(authority=Authority("VP Marketing", "committee"),
                                 need=Need("Leads wait a day for a first call", "high")))

    app = QApplication.instance() or QApplication([])
    ctx = AppContext(db, rep, SyncRunner())
    stepper = ScriptStepper(ctx)
    stepper.resize(760, 640)
    stepper.show()
    stepper.set_lead(lead_id)
    while stepper.step != "bant":
        stepper.next()
    app.processEvents()
    save(stepper, out_dir / "screenshot-script-stepper.png")

    dlg = FollowUpDialog(ctx, lead_id)
    dlg.resize(780, 820)
    dlg.open()
    app.processEvents()
    save(dlg, out_dir / "screenshot-followup-preview.png")
    print(f"wrote {out_dir / 'screenshot-script-stepper.png'}")
    print(f"wrote {out_dir / 'screenshot-followup-preview.png'}")
    dlg.close()
    stepper.close()
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
