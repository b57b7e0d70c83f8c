"""``qualdesk lead add`` / ``lead edit`` (DESIGN "Contract, second part"): a person who
calls in becomes a lead (or finds theirs), and the contact card is corrected as an import
row would be read, refused whole, audited old -> new."""

from __future__ import annotations

from sqlalchemy import select

from qualdesk.db.engine import Database
from qualdesk.db.models import AuditEntry, HandRaise, Lead
from qualdesk.services.users import add_user
from tests.cli_helpers import run


def _lead(db: Database, lead_id: int) -> Lead:
    with db.session(write=False) as s:
        row = s.get(Lead, lead_id)
        assert row is not None
        s.expunge(row)
        return row


def test_lead_add_creates_then_finds_by_email_and_phone(db_url: str, frozen) -> None:
    db = Database(db_url)
    add_user(db, "ana", "rep", email="ana@example.com")
    r = run(db_url, "lead", "add", "--first-name", "Pat", "--last-name", "Lee", "--company",
            "Acme", "--email", "Pat@Acme.test", "--phone", "+1 212 555 0199", "--title", "CTO",
            "--rep", "ana", "--json")
    assert r.code == 0, r.err
    first = r.json()
    assert first["created"] is True and first["hand_raise"]
    lead = _lead(db, first["lead"])
    assert (lead.phone, lead.time_zones, lead.title) == ("+12125550199", ["America/New_York"],
                                                        "CTO")
    frozen.advance(minutes=5)  # (the same kind at the same moment is one hand raise)
    again = run(db_url, "lead", "add", "--first-name", "Pat", "--last-name", "Lee", "--email",
                "pat@acme.test", "--rep", "ana", "--json").json()
    assert (again["lead"], again["created"]) == (first["lead"], False)
    frozen.advance(minutes=5)
    by_phone = run(db_url, "lead", "add", "--first-name", "Pat", "--last-name", "Lee",
                   "--phone", "+12125550199", "--rep", "ana", "--json").json()
    assert (by_phone["lead"], by_phone["created"]) == (first["lead"], False)
    with db.session(write=False) as s:
        kinds = list(s.scalars(select(HandRaise.kind).where(HandRaise.lead_id == first["lead"])))
    assert kinds == ["called_in"] * 3
    assert _lead(db, first["lead"]).designation == "warm"


def test_lead_add_refuses_a_bad_phone_naming_it(db_url: str) -> None:
    add_user(Database(db_url), "ana", "rep")
    r = run(db_url, "lead", "add", "--first-name", "Pat", "--last-name", "Lee", "--phone",
            "12", "--rep", "ana")
    assert r.code != 0 and "phone" in r.err and "'12'" in r.err


def test_lead_edit_validates_refuses_whole_and_audits(db_url: str, frozen) -> None:
    db = Database(db_url)
    add_user(db, "ana", "rep")
    lead = run(db_url, "lead", "add", "--first-name", "Pat", "--last-name", "Lee", "--email",
               "pat@acme.test", "--phone", "+12125550199", "--rep", "ana", "--json").json()["lead"]
    run(db_url, "lead", "add", "--first-name", "Kim", "--last-name", "Ko", "--email",
        "kim@acme.test", "--rep", "ana")
    bad = run(db_url, "lead", "edit", str(lead), "--title", "VP", "--phone", "12",
              "--time-zone", "Mars/Base", "--by", "ana")
    assert bad.code != 0 and "'12'" in bad.err and "Mars/Base" in bad.err
    taken = run(db_url, "lead", "edit", str(lead), "--email", "KIM@acme.test", "--by", "ana")
    assert taken.code != 0 and "already has this email" in taken.err
    assert _lead(db, lead).title is None  # nothing half-applied

    ok = run(db_url, "lead", "edit", str(lead), "--phone", "+49 30 1234567", "--company",
             "Acme GmbH", "--by", "ana", "--json")
    assert ok.code == 0, ok.err
    changed = ok.json()["changed"]
    assert changed["phone"] == {"old": "+12125550199", "new": "+49301234567"}
    assert changed["time_zones"]["new"] == ["Europe/Berlin"]
    row = _lead(db, lead)
    assert (row.phone_region, row.company) == ("DE", "Acme GmbH")
    tz = run(db_url, "lead", "edit", str(lead), "--time-zone", "Europe/Vienna", "--by", "ana",
             "--json")
    assert tz.code == 0 and _lead(db, lead).time_zones == ["Europe/Vienna"]
    with db.session(write=False) as s:
        audits = [(e.field, e.old, e.new) for e in s.scalars(
            select(AuditEntry).where(AuditEntry.lead_id == lead, AuditEntry.action == "edit")
            .order_by(AuditEntry.id))]
    assert ("phone", "+12125550199", "+49301234567") in audits
    assert ("company", None, "Acme GmbH") in audits
    assert ("time_zones", "Europe/Berlin", "Europe/Vienna") in audits


def test_lead_edit_of_one_field_judges_the_whole_card(db_url: str) -> None:
    """A title edit keeps the lead's email and phone: it is not refused for lacking them;
    clearing the only way to reach the lead is."""
    db = Database(db_url)
    add_user(db, "ana", "rep")
    lead = run(db_url, "lead", "add", "--first-name", "Pat", "--last-name", "Lee", "--email",
               "pat@acme.test", "--phone", "+12125550199", "--rep", "ana", "--json").json()["lead"]
    ok = run(db_url, "lead", "edit", str(lead), "--title", "CTO", "--by", "ana", "--json")
    assert ok.code == 0, ok.err
    assert ok.json()["changed"] == {"title": {"old": None, "new": "CTO"}}
    assert run(db_url, "lead", "edit", str(lead), "--phone", "", "--by", "ana").code == 0
    gone = run(db_url, "lead", "edit", str(lead), "--email", "", "--by", "ana")
    assert gone.code != 0 and "phone number or an email" in gone.err
    row = _lead(db, lead)
    assert (row.title, row.email, row.phone) == ("CTO", "pat@acme.test", None)
