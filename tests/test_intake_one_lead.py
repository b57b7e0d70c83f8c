"""One lead arrives (``one_lead.find_or_create_lead``): the CSV import's matching rules,
one lead at a time, on both engines."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from qualdesk.db.engine import Database
from qualdesk.db.models import HandRaise, Lead
from qualdesk.services.intake.live.one_lead import LeadRefused, find_or_create_lead

AT = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def _arrive(db: Database, fields: dict, kind: str | None = "contact form",
            at: datetime = AT, **kw: object) -> tuple[int, bool, int | None]:
    with db.session() as s:
        return find_or_create_lead(s, fields, hand_raise=(kind, at, {"x": 1}) if kind else None,
                                   source="test", campaign=kw.pop("campaign", None),  # type: ignore[arg-type]
                                   by_id=None, **kw)  # type: ignore[arg-type]


def test_email_matches_case_insensitively_and_blanks_are_filled_never_overwritten(
        db: Database) -> None:
    lead_id, created, hr1 = _arrive(db, {"First Name": "Ann", "Email": "Ann@Example.com"})
    assert created and hr1 is not None
    again, created2, hr2 = _arrive(db, {"first_name": "Anna", "company": "Acme",
                                        "email": "ann@example.COM"}, kind="demo request")
    assert (again, created2) == (lead_id, False) and hr2 is not None
    with db.session(write=False) as s:
        lead = s.get(Lead, lead_id)
        assert lead is not None and (lead.first_name, lead.company) == ("Ann", "Acme")
        assert sorted(h.kind for h in s.scalars(select(HandRaise))) == ["contact_form",
                                                                        "demo_request"]


def test_the_same_hand_raise_is_kept_once(db: Database) -> None:
    first = _arrive(db, {"first_name": "Bo", "email": "bo@example.com"})
    second = _arrive(db, {"first_name": "Bo", "email": "bo@example.com"})
    assert second == (first[0], False, None)


def test_phone_rules_a_shared_switchboard_is_two_people(db: Database) -> None:
    a, _, _ = _arrive(db, {"first_name": "Cy", "email": "cy@example.com",
                           "phone": "+1 212 555 0100"})
    b, created, _ = _arrive(db, {"first_name": "Di", "email": "di@example.com",
                                 "phone": "(212) 555-0100"})
    assert created and b != a  # same phone, another email: another person
    c, created, _ = _arrive(db, {"first_name": "Cy", "phone": "212-555-0100"},
                            at=datetime(2026, 11, 24, tzinfo=UTC))
    assert not created and c == a  # no email: the E.164 phone finds the first lead


def test_bad_fields_are_refused_naming_field_and_value(db: Database) -> None:
    with pytest.raises(LeadRefused) as err:
        _arrive(db, {"first_name": "Ed", "email": "ed-at-example"})
    assert "ed-at-example" in str(err.value) and "email" in str(err.value).lower()
    with pytest.raises(LeadRefused, match="name or a company"):
        _arrive(db, {"email": "nobody@example.com"})
    with pytest.raises(LeadRefused, match="phone number or an email"):
        _arrive(db, {"first_name": "Fay"})
    with db.session(write=False) as s:
        assert s.scalars(select(Lead)).first() is None


def test_live_intake_takes_an_email_alone_and_drops_a_bad_phone(db: Database) -> None:
    lead_id, created, hr = _arrive(db, {"email": "gil@example.com", "mobile": "12"},
                                   require_name=False)
    assert created and hr is not None
    with db.session(write=False) as s:
        lead = s.get(Lead, lead_id)
        assert lead is not None and lead.mobile is None and lead.designation == "warm"
