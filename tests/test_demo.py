"""``qualdesk demo``: a realistic data set through the services, idempotent."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from qualdesk.db.engine import Database
from qualdesk.db.models import Attempt, Callback, Email, HandRaise, Lead, TurnOver, User
from qualdesk.domain.phones import parse_phone
from tests.cli_helpers import run
from tests.conftest import FrozenClock


def test_demo_loads_once(db: Database, db_url: str, frozen: FrozenClock) -> None:
    r = run(db_url, "demo", "--json")
    assert r.code == 0, r.err
    first = r.json()
    assert (first["users_added"], first["campaigns_added"], first["leads_added"]) == (8, 3, 70)
    assert first["already_loaded"] is False
    second = run(db_url, "demo", "--json").json()
    assert second["already_loaded"] is True
    assert (second["users_added"], second["campaigns_added"], second["leads_added"]) == (0, 0, 0)
    assert "nothing added" in run(db_url, "demo").out

    assert run(db_url, "config", "get", "team.timezone").out.strip().endswith("America/New_York")
    users = {u["name"]: u["role"] for u in run(db_url, "users", "--json").json()}
    assert users == {"Alex Rivera": "rep", "Bea Novak": "rep", "Chen Wu": "rep",
                     "Dana Okafor": "rep", "Tara Quinn": "lead", "Sam Porter": "sales",
                     "Priya Shah": "sales", "Admin": "admin"}
    leads = run(db_url, "leads", "--json").json()
    assert len(leads) == 70
    by_designation: dict[str, int] = {}
    for x in leads:
        by_designation[x["designation"]] = by_designation.get(x["designation"], 0) + 1
        if x["phone"]:
            assert parse_phone(x["phone"]).e164 == x["phone"]  # valid, stored E.164
            assert x["time_zones"]
    assert by_designation["turned_over"] == 2 and by_designation["hot"] == 4
    assert by_designation["incubating"] == 1 and by_designation["do_not_call"] == 1
    assert by_designation["cold"] == 7
    assert sum(1 for x in leads if x["phone"] is None) == 1
    zones = {z for x in leads for z in x["time_zones"]}
    assert {"America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London",
            "Europe/Berlin", "Australia/Sydney", "Asia/Tokyo"} <= zones
    campaigns = {x["campaign"] for x in leads}
    assert campaigns == {"Default", "Demo Request", "Whitepaper: Speed to Lead", "Inbound Calls"}

    now = frozen.t
    with db.session(write=False) as s:
        ages = [now - at for at in s.scalars(select(HandRaise.raised_at))]
        kinds = set(s.scalars(select(HandRaise.kind)))
        assert sum(timedelta(minutes=45) <= a <= timedelta(minutes=58) for a in ages) == 8
        assert sum(a <= timedelta(minutes=15) for a in ages) >= 10
        assert sum(timedelta(hours=2) <= a <= timedelta(hours=5) for a in ages) == 8
        assert kinds == {"called_in", "contact_form", "demo_request", "asset_download",
                         "email_opens", "page_visits", "chat"}
        assert s.scalar(select(func.count()).select_from(Attempt)
                        .where(Attempt.disposition == "left_voicemail")) == 16
        assert s.scalar(select(func.count()).select_from(Email)
                        .where(Email.status == "sent")) == 27
        due = s.scalar(select(func.count()).select_from(Callback)
                       .where(Callback.done_at.is_(None), Callback.due_at <= now))
        # At 15:00 UTC only Chloe Young's promise is due (London 14:57); Felix Stewart's
        # "10 min ago" would be 06:50 in Los Angeles, outside the calling window, so the
        # demo promises it for 08:30 his time instead (16:30 UTC, not yet due).
        assert due == 1
        assert set(s.scalars(select(TurnOver.to_owner))) == {"Sam Porter"}
        inc = s.scalar(select(Lead).where(Lead.designation == "incubating"))
        assert inc is not None and inc.retouch_at is not None and inc.retouch_at < now
        followed = s.scalar(select(func.count()).select_from(HandRaise).where(
            HandRaise.first_call_at.is_not(None), HandRaise.first_email_at.is_not(None)))
        assert followed == 27  # 16 followed + 4 callbacks + 4 hot + 2 turned over + 1 incubating
    # Some lead is callable in the queue right now (15:00 UTC: the Americas and Europe).
    # The due callback heads the queue of the rep who promised it.
    with db.session(write=False) as s:
        promiser = s.scalar(select(User.name).join(Callback, Callback.rep_id == User.id)
                            .where(Callback.done_at.is_(None), Callback.due_at <= now))
    q = run(db_url, "queue", "--rep", promiser, "--json").json()
    assert q and q[0]["reason"].startswith("callback due")
