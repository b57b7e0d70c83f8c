"""Turn-over to sales: Level I or an override, a named sales owner, the snapshot that
travels, and the lead leaving the qualifying queue. Both engines."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Campaign, Lead, Note, Qualification, TurnOver
from qualdesk.errors import NotAllowed, NotFound
from qualdesk.services.calls import record_attempt
from qualdesk.services.hand_raises import add_hand_raise, kind_strengths, stamp_email
from qualdesk.services.queue import rep_queue
from qualdesk.services.turnover import turn_over
from qualdesk.services.users import add_user
from tests.cli_helpers import run

# --- helpers shared by this feature's test files ----------------------------------


def add_people(db: Database) -> None:
    add_user(db, "Rita", "rep", email="rita@qual.example")
    add_user(db, "Sam", "sales", email="sam@corp.example")
    add_user(db, "Sue", "sales")
    add_user(db, "Tom", "lead", email="tom@qual.example")


def make_lead(db: Database, *, first: str | None = "Ada", last: str | None = "Lovelace",
              company: str | None = "Analytical Ltd", email: str | None = "ada@analytical.example",
              phone: str | None = "+12125550100", title: str | None = "CTO",
              kind: str = "demo_request", details: str | None = "asked for a demo on /pricing",
              owner: str | None = "Rita", raised_ago_min: int = 30, followed_up: bool = True,
              disposition: str = "connected", note: str | None = "wants SSO",
              **extra: Any) -> int:
    """A warm lead with a hand raise; ``followed_up``: called (and emailed) already."""
    from qualdesk.services.users import user_by_name

    now = clock.now()
    with db.session() as s:
        camp = s.scalar(select(Campaign).where(Campaign.is_default.is_(True)))
        assert camp is not None
        owner_id = user_by_name(s, owner).id if owner else None
        lead = Lead(first_name=first, last_name=last, company=company, email=email,
                    email_norm=email.lower() if email else None, phone=phone, title=title,
                    phone_region="US" if phone else None, time_zones=["America/New_York"],
                    campaign_id=camp.id, owner_id=owner_id, designation="cold",
                    created_at=now - timedelta(days=1), updated_at=now, **extra)
        s.add(lead)
        s.flush()
        raised = now - timedelta(minutes=raised_ago_min)
        add_hand_raise(s, lead, camp, kind, kind_strengths(s).get(kind, 40), raised,
                       details=details, source="web")
        if followed_up:
            record_attempt(s, lead, owner_id, disposition, started_at=raised + timedelta(minutes=5),
                           notes=note)
            stamp_email(s, lead.id, raised + timedelta(minutes=6))
        return lead.id


def qualify(db: Database, lead_id: int, met: bool = True, bant: dict | None = None,
            answers: dict | None = None) -> None:
    """Write the Qualification row the qualification service would keep."""
    with db.session() as s:
        q = s.scalar(select(Qualification).where(Qualification.lead_id == lead_id))
        if q is None:
            q = Qualification(lead_id=lead_id, updated_at=clock.now())
            s.add(q)
        q.level1_met = met
        q.bant = bant if bant is not None else {"budget": "50k approved", "authority": "decides",
                                                "need": "SSO for 400 staff", "timeframe": "Q1"}
        q.answers = answers if answers is not None else {"current_tool": "spreadsheets"}
        q.updated_at = clock.now()


def designation(db: Database, lead_id: int) -> str:
    with db.session(write=False) as s:
        lead = s.get(Lead, lead_id)
        assert lead is not None
        return lead.designation


def queue_ids(db: Database, rep: str = "Rita", now: datetime | None = None) -> list[int]:
    return [e.lead_id for e in rep_queue(db, rep, now).entries]


def held_ids(db: Database, rep: str = "Rita") -> list[int]:
    return [h.lead_id for h in rep_queue(db, rep).held]


# --- tests -------------------------------------------------------------------------


def test_qualified_lead_turns_over_with_its_snapshot_and_leaves_the_queue(db: Database, frozen) -> None:
    add_people(db)
    lead = make_lead(db, followed_up=False)
    qualify(db, lead)
    assert lead in queue_ids(db)  # in its clock, not yet followed up

    r = turn_over(db, lead, "sam", by="Rita", note="Call her Tuesday")

    assert (r.to_owner, r.by, r.level1_met, r.override_reason) == ("Sam", "Rita", True, None)
    assert designation(db, lead) == "turned_over"
    assert lead not in queue_ids(db) and lead not in held_ids(db)
    assert lead not in [e.lead_id for e in rep_queue(db, None).entries]
    with db.session(write=False) as s:
        t = s.scalar(select(TurnOver).where(TurnOver.lead_id == lead))
        assert t is not None
        snap = t.snapshot
        assert (t.to_owner, t.note, t.at) == ("Sam", "Call her Tuesday", frozen.t)
    assert snap["lead"]["email"] == "ada@analytical.example"
    assert snap["lead"]["phone"] == "+12125550100"
    assert snap["lead"]["title"] == "CTO"
    assert snap["bant"]["budget"] == "50k approved"
    assert snap["answers"] == {"current_tool": "spreadsheets"}
    assert snap["campaign"]["name"] == "Default"
    assert snap["marketing_generated"] is True
    assert snap["level1_met"] is True
    assert snap["body_language"] == [{
        "kind": "demo_request", "label": "Demo request", "strength": 90,
        "at": (frozen.t - timedelta(minutes=30)).isoformat(),
        "details": "asked for a demo on /pricing", "source": "web"}]
    assert snap["attempts"]["count"] == 0
    assert snap["handoff"]["to"] == "Sam" and snap["handoff"]["note"] == "Call her Tuesday"


def test_snapshot_carries_attempts_and_notes(db: Database, frozen) -> None:
    add_people(db)
    lead = make_lead(db, note="budget signed off")
    qualify(db, lead)
    with db.session() as s:
        s.add(Note(lead_id=lead, author_id=None, body="second note", created_at=frozen.t,
                   updated_at=frozen.t))
    turn_over(db, lead, "Sam")
    with db.session(write=False) as s:
        snap = s.scalar(select(TurnOver.snapshot).where(TurnOver.lead_id == lead))
    assert snap["attempts"] == {
        "count": 1, "last_disposition": "connected", "last_disposition_label": "Connected",
        "last_at": (frozen.t - timedelta(minutes=25)).isoformat(),
        "first_touch_at": (frozen.t - timedelta(minutes=25)).isoformat(), "connected": True}
    assert [n["body"] for n in snap["notes"]] == ["budget signed off", "second note"]
    assert snap["notes"][0]["author"] == "Rita"
    # No --by: the lead's owner handed it over.
    assert snap["handoff"]["by"] == "Rita"


def test_unqualified_lead_needs_an_override_which_is_recorded(db: Database, frozen) -> None:
    add_people(db)
    lead = make_lead(db)
    with pytest.raises(NotAllowed, match="not Level I qualified.*override reason") as refused:
        turn_over(db, lead, "Sam")
    # The app's message names no flag; the command line's advice travels beside it.
    assert "--" not in str(refused.value) and refused.value.cli == "--override REASON"
    assert designation(db, lead) == "warm"
    qualify(db, lead, met=False)
    with pytest.raises(NotAllowed):
        turn_over(db, lead, "Sam")

    r = turn_over(db, lead, "Sam", override="CEO asked for it personally")
    assert r.override_reason == "CEO asked for it personally" and r.level1_met is False
    assert designation(db, lead) == "turned_over"
    with db.session(write=False) as s:
        t = s.scalar(select(TurnOver).where(TurnOver.lead_id == lead))
        assert t is not None and t.override_reason == "CEO asked for it personally"


def test_unknown_or_non_sales_owner_is_refused_with_the_list(db: Database, frozen) -> None:
    add_people(db)
    lead = make_lead(db)
    qualify(db, lead)
    with pytest.raises(NotFound, match=r"unknown sales owner 'Zed' \(sales owners: Sam, Sue\)"):
        turn_over(db, lead, "Zed")
    with pytest.raises(NotFound, match="sales owners: Sam, Sue"):
        turn_over(db, lead, "Rita")  # a rep, not sales
    assert designation(db, lead) == "warm"


def test_closed_or_already_turned_over_lead_is_refused(db: Database, frozen) -> None:
    add_people(db)
    lead = make_lead(db)
    qualify(db, lead)
    turn_over(db, lead, "Sam")
    with pytest.raises(NotAllowed, match="it is turned over, and only a cold") as refused:
        turn_over(db, lead, "Sue", override="again")
    assert "turned_over" not in str(refused.value)
    with db.session(write=False) as s:
        assert len(list(s.scalars(select(TurnOver).where(TurnOver.lead_id == lead)))) == 1


def test_cli_turn_over(db_url: str, frozen) -> None:
    db = Database(db_url)
    try:
        add_people(db)
        lead = make_lead(db)
        r = run(db_url, "turn-over", str(lead), "--to", "Sam", "--json")
        assert r.code == 1 and "not Level I qualified" in r.err and r.out == ""
        r = run(db_url, "turn-over", str(lead), "--to", "Nobody", "--override", "x", "--json")
        assert r.code == 1 and "sales owners: Sam, Sue" in r.err
        r = run(db_url, "turn-over", str(lead), "--to", "Sam", "--override", "exec sponsor",
                "--note", "hot one", "--by", "Rita", "--json")
        assert r.code == 0, r.err
        out = r.json()
        assert out["lead"] == lead and out["to"] == "Sam" and out["designation"] == "turned_over"
        assert out["override_reason"] == "exec sponsor" and out["level1_met"] is False
        assert out["note"] == "hot one" and out["by"] == "Rita"
        leads = run(db_url, "leads", "--json").json()
        assert [x["designation"] for x in leads if x["id"] == lead] == ["turned_over"]
    finally:
        db.dispose()
