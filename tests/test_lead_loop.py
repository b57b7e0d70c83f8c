"""One lead around the whole loop, through the command line: hand raise -> qualified ->
turned over -> exported -> rejected by a verdict file -> incubating -> back in the queue
on its date -> turned over again -> accepted (a marketing-generated opportunity).
Both engines."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from qualdesk.db.engine import Database
from qualdesk.db.models import Opportunity
from qualdesk.services.hand_raises import stamp_email
from tests.cli_helpers import run
from tests.test_turnover import add_people, make_lead, qualify


def sf_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def queue(db_url: str) -> list[int]:
    return [e["lead"] for e in run(db_url, "queue", "--rep", "Rita", "--json").json()]


def test_the_closed_loop(db_url: str, frozen, tmp_path: Path) -> None:
    db = Database(db_url)
    try:
        add_people(db)
        lead = make_lead(db, title="=cmd()", followed_up=False)  # hand raised 30 min ago
        assert queue(db_url) == [lead]
        r = run(db_url, "log-call", str(lead), "--rep", "Rita", "--disposition", "connected",
                "--notes", "=evil()", "--json")
        assert r.code == 0, r.err
        frozen.advance(minutes=2)
        with db.session() as s:  # the follow-up email went out
            stamp_email(s, lead, frozen.t)
        qualify(db, lead)

        r = run(db_url, "turn-over", str(lead), "--to", "Sam", "--by", "Rita",
                "--note", "Wants a demo Tuesday", "--json")
        assert r.code == 0, r.err
        assert lead not in queue(db_url)

        sf = tmp_path / "sf.csv"
        out = run(db_url, "export", "turned-over", "--format", "salesforce", "--out", str(sf),
                  "--json").json()
        assert out["exported"] == 1
        row = sf_rows(sf)[0]
        assert (row["LastName"], row["Company"], row["Phone"]) == \
            ("Lovelace", "Analytical Ltd", "+12125550100")
        assert row["Title"] == "'=cmd()" and "Wants a demo Tuesday" in row["Description"]
        assert "Rita: =evil()" in row["Description"]
        again = run(db_url, "export", "turned-over", "--format", "salesforce",
                    "--out", str(tmp_path / "sf2.csv"), "--json").json()
        assert again["exported"] == 0
        assert run(db_url, "export", "turned-over", "--format", "salesforce", "--all",
                   "--out", str(tmp_path / "sf3.csv"), "--json").json()["exported"] == 1

        frozen.advance(days=2)
        verdicts = tmp_path / "v1.csv"
        verdicts.write_text("lead_email,verdict,reason\nada@analytical.example,rejected,"
                            "not ready\n", encoding="utf-8")
        r = run(db_url, "import", "verdicts", str(verdicts), "--json")
        assert r.code == 0 and r.json()["imported"] == 1, r.err
        leads = {x["id"]: x for x in run(db_url, "leads", "--json").json()}
        assert leads[lead]["designation"] == "incubating" and leads[lead]["owner"] == "Rita"
        # Rejected on 2026-11-25: "not ready" rests 30 days, back on 2026-12-25.
        frozen.t = datetime(2026, 12, 24, 15, 0, tzinfo=UTC)
        assert lead not in queue(db_url)
        frozen.t = datetime(2026, 12, 25, 15, 0, tzinfo=UTC)
        assert lead in queue(db_url)

        r = run(db_url, "turn-over", str(lead), "--to", "Sam", "--by", "Rita", "--json")
        assert r.code == 0, r.err
        # The second turn-over is news for the CRM.
        assert run(db_url, "export", "turned-over", "--format", "salesforce",
                   "--out", str(tmp_path / "sf4.csv"), "--json").json()["exported"] == 1

        frozen.advance(days=1)
        verdicts = tmp_path / "v2.csv"
        verdicts.write_text(f"lead_id,verdict,reason,weighting\n{lead},accepted,budget now,60\n",
                            encoding="utf-8")
        r = run(db_url, "import", "verdicts", str(verdicts), "--json")
        assert r.code == 0 and r.json()["imported"] == 1, r.err
        with db.session(write=False) as s:
            opp = s.scalar(select(Opportunity).where(Opportunity.lead_id == lead))
            assert opp is not None
            assert (opp.weighting, opp.marketing_generated, opp.note) == \
                (60, True, "marketing generated: budget now")

        t = run(db_url, "timeline", str(lead), "--json").json()
        assert t["designation"] == "accepted" and t["verdict"] == "accepted"
        assert t["hand_raised_at"] == "2026-11-23T14:30:00+00:00"
        assert t["first_touch_at"] == "2026-11-23T15:00:00+00:00"
        assert t["followed_up_at"] == "2026-11-23T15:02:00+00:00"
        assert t["turned_over_at"] == "2026-12-25T15:00:00+00:00"
        assert t["verdict_at"] == "2026-12-26T15:00:00+00:00"
        kinds = [e["kind"] for e in t["events"] if e["kind"] != "designation"]
        assert kinds == ["hand_raise", "first_touch", "follow_up", "turn_over", "verdict",
                         "turn_over", "verdict"]
        # Accepted is final: a later rejection is refused.
        verdicts.write_text(f"lead_id,verdict\n{lead},rejected\n", encoding="utf-8")
        r = run(db_url, "import", "verdicts", str(verdicts), "--json")
        assert r.code == 1 and "already accepted" in r.json()["rejected"][0]["reason"]
    finally:
        db.dispose()
