"""``qualdesk import leads``: the shared CRM files, duplicates, hand raises, bad input."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qualdesk.db.engine import Database
from qualdesk.db.models import HandRaise, Lead, Note
from tests.cli_helpers import Result, run
from tests.conftest import SHARED_DATA, FrozenClock

SF = SHARED_DATA / "salesforce-demo-leads.csv"
DATABLIST = SHARED_DATA / "datablist-leads-10000.csv"
LEAD_KEYS = {"id", "first_name", "last_name", "company", "email", "phone", "phone_region",
             "time_zones", "designation", "owner", "campaign", "do_not_call", "hand_raises"}


def write(tmp_path: Path, text: str, name: str = "in.csv", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def imp(db_url: str, path: Path, *extra: str) -> Result:
    return run(db_url, "import", "leads", str(path), *extra, "--json")


def leads(db_url: str) -> list[dict]:
    r = run(db_url, "leads", "--json")
    assert r.code == 0, r.err
    return r.json()


def count(db: Database, model: type) -> int:
    with db.session(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_salesforce_demo_leads(db_url: str, frozen: FrozenClock) -> None:
    r = imp(db_url, SF)
    assert r.code == 0, r.err
    out = r.json()
    assert (out["imported"], out["merged"], out["rejected"], out["applied"]) == (22, 0, [], True)
    assert any("'Salutation'" in w for w in out["warnings"])  # unknown columns reported
    rows = leads(db_url)
    assert len(rows) == 22
    assert set(rows[0]) >= LEAD_KEYS
    by_email = {x["email"]: x for x in rows}
    jeff = by_email["jeffg@jackson.com"]
    assert (jeff["phone"], jeff["phone_region"], jeff["time_zones"]) == (
        "+886225474189", "TW", ["Asia/Taipei"])
    assert by_email["pat@pyramid.net"]["phone"] == "+33562156600"
    assert by_email["pat@pyramid.net"]["time_zones"] == ["Europe/Paris"]
    assert by_email["david@blues.com"]["phone"] == "+81334521299"
    betty = by_email["bblair@abankingco.com"]
    assert betty == betty | {"first_name": "Betty", "last_name": "Bair",
                             "company": "American Banking Corp.", "phone": "+16102659100",
                             "phone_region": "US", "time_zones": ["America/New_York"],
                             "designation": "cold", "owner": None, "campaign": "Default",
                             "do_not_call": False, "hand_raises": 0}
    assert by_email["shellyb@westerntelecom.com"]["time_zones"] == ["America/Los_Angeles"]
    assert all(x["phone"].startswith("+") for x in rows)
    # Importing the same file again: every row is that lead, nothing new.
    again = imp(db_url, SF).json()
    assert (again["imported"], again["merged"]) == (0, 22)
    assert len(leads(db_url)) == 22


def test_datablist_all_or_nothing_then_skip_bad(db: Database, db_url: str,
                                                tmp_path: Path) -> None:
    refused = imp(db_url, DATABLIST)
    assert refused.code == 1
    out = refused.json()
    assert out["applied"] is False and out["imported"] == 0
    assert {"row": 9, "field": "Phone 1", "value": "6372325543",
            "reason": "not a valid phone number for region US"} in out["rejected"]
    assert count(db, Lead) == 0  # nothing half-applied

    rejects = tmp_path / "rejects.csv"
    r = imp(db_url, DATABLIST, "--skip-bad", str(rejects))
    assert r.code == 0, r.err
    out = r.json()
    # Rule: a row is bad only when every phone it gives is invalid (counted by hand with
    # phonenumbers: 2,780 rows have neither Phone 1 nor Phone 2 valid).
    bad_rows = {p["row"] for p in out["rejected"]}
    assert len(bad_rows) == 2780
    assert out["imported"] == 7220 and out["merged"] == 0 and out["applied"] is True
    assert count(db, Lead) == 7220
    with rejects.open(encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.DictReader(fh))
    assert len(lines) == 2780
    first = lines[0]
    assert (first["Index"], first["source_row"]) == ("8", "9")
    assert "Phone 1: not a valid phone number for region US ('6372325543')" in \
        first["reject_reason"]
    with db.session(write=False) as s:
        def by(email: str) -> Lead:
            lead = s.scalar(select(Lead).where(Lead.email_norm == email))
            assert lead is not None
            return lead

        row2 = by("fstephens@shepherd.info")  # both valid: Phone 2 is the mobile
        assert (row2.phone, row2.mobile, row2.owner_id) == ("+19802005297", "+19175840243", None)
        assert (row2.first_name, row2.company, row2.lead_source) == ("Jaime", "Mays Inc",
                                                                    "LinkedIn Outreach")
        row5 = by("norman05@cummings-forbes.com")  # Phone 1 invalid: Phone 2 becomes the phone
        assert (row5.phone, row5.phone_ext, row5.mobile) == ("+17543868611", "687", None)
        assert row5.time_zones == ["America/New_York"]
        row10 = by("xstrickland@banks.com")
        assert (row10.phone, row10.time_zones) == ("+14052203723", ["America/Chicago"])
        assert s.scalar(select(func.count()).select_from(Note)) == 7220


def test_duplicates_within_file_and_against_db(db: Database, db_url: str, tmp_path: Path,
                                               frozen: FrozenClock) -> None:
    first = write(tmp_path, "first_name,last_name,company,email,phone,hand_raise,hand_raised_at\n"
                  "Ann,Lee,Acme,ann@acme.test,+1 212 555 0100,demo request,"
                  "2026-11-23T14:00:00Z\n"
                  "ANN,,,ANN@ACME.TEST,,contact form,2026-11-23T14:20:00+00:00\n"
                  "Bob,Ray,Acme,bob@acme.test,+1 212 555 0100,,\n"
                  "Cy,Fox,Solo,,+1 (646) 555-0101,,\n"
                  "Cy,Fox,Solo,,646.555.0101,,\n")
    out = imp(db_url, first).json()
    # Ann twice (email, any case) -> one lead; Bob shares Ann's switchboard but has his own
    # email -> new; Cy has no email -> merged on the E.164 phone.
    assert (out["imported"], out["merged"], out["hand_raises"]) == (3, 2, 2)
    rows = {x["first_name"]: x for x in leads(db_url)}
    assert set(rows) == {"Ann", "Bob", "Cy"}
    assert (rows["Ann"]["hand_raises"], rows["Ann"]["designation"]) == (2, "warm")
    assert (rows["Bob"]["hand_raises"], rows["Bob"]["designation"]) == (0, "cold")
    assert rows["Bob"]["phone"] == rows["Ann"]["phone"] == "+12125550100"

    frozen.advance(days=1)
    second = write(tmp_path, "Email,Phone Number,Lead Source,Hand Raise,Hand Raised At\n"
                   "ann@acme.test,,Web,asset download,2026-11-24T15:00:00Z\n"
                   "bob@acme.test,,Web,chat,2026-11-24T15:01:00Z\n"
                   ",+16465550101,,page visits,2026-11-24T15:02:00Z\n"
                   "ann@acme.test,,Web,demo request,2026-11-23T14:00:00Z\n", "b.csv")
    out = imp(db_url, second).json()
    assert (out["imported"], out["merged"], out["hand_raises"]) == (0, 4, 3)
    assert any("already on the lead" in w for w in out["warnings"])
    rows = {x["first_name"]: x for x in leads(db_url)}
    assert (rows["Ann"]["hand_raises"], rows["Bob"]["hand_raises"],
            rows["Cy"]["hand_raises"]) == (3, 1, 1)
    assert rows["Bob"]["designation"] == "warm"  # the re-raise warmed the cold lead
    assert rows["Ann"]["lead_source"] == "Web"  # blank filled, nothing overwritten
    with db.session(write=False) as s:
        raised = s.scalars(select(HandRaise.raised_at).join(Lead)
                           .where(Lead.email_norm == "bob@acme.test")).all()
    assert raised == [datetime(2026, 11, 24, 15, 1, tzinfo=UTC)]


def test_hand_raise_times_and_kinds(db: Database, db_url: str, tmp_path: Path,
                                    frozen: FrozenClock) -> None:
    assert run(db_url, "config", "set", "team.timezone", "America/New_York").code == 0
    f = write(tmp_path, "name,company,email,hand_raise,hand_raised_at,details\n"
              "Ann Lee,Acme,a@x.test,Contact-Form,2026-11-23 09:30,visited /pricing 3x\n"
              "Bo Ray,Acme,b@x.test,webinar attended,2026-11-23T14:00:00Z,\n"
              "Cy Fox,Acme,c@x.test,chat,,\n"
              "Di Wu,Acme,d@x.test,,,\n")
    out = imp(db_url, f).json()
    assert out["applied"] is True and out["imported"] == 4
    text = "\n".join(out["warnings"])
    assert "row 2: hand_raised_at has no UTC offset; read in the team time zone " \
           "America/New_York" in text
    assert "'webinar attended' is not a configured kind; imported at the default strength 40" \
        in text
    assert "row 4: hand_raise without hand_raised_at: raised at import time" in text
    with db.session(write=False) as s:
        got = {e: (k, st, at, det) for e, k, st, at, det in s.execute(
            select(Lead.email, HandRaise.kind, HandRaise.strength, HandRaise.raised_at,
                   HandRaise.details).join(HandRaise, HandRaise.lead_id == Lead.id))}
        designations = dict(s.execute(select(Lead.email, Lead.designation)).all())
    # 09:30 in New York on 23 Nov (EST, UTC-5) is 14:30 UTC.
    assert got["a@x.test"] == ("contact_form", 85, datetime(2026, 11, 23, 14, 30, tzinfo=UTC),
                               "visited /pricing 3x")
    assert got["b@x.test"][:3] == ("webinar_attended", 40,
                                   datetime(2026, 11, 23, 14, 0, tzinfo=UTC))
    assert got["c@x.test"][:3] == ("chat", 70, frozen.t)
    assert "d@x.test" not in got and designations["d@x.test"] == "cold"
    with db.session(write=False) as s:
        deadline = s.scalar(select(HandRaise.deadline_at).join(Lead)
                            .where(Lead.email == "a@x.test"))
    assert deadline == datetime(2026, 11, 23, 14, 30, tzinfo=UTC) + timedelta(hours=1)


def test_one_bad_row_refuses_all_and_lists_every_problem(db: Database, db_url: str,
                                                         tmp_path: Path) -> None:
    f = write(tmp_path, "First Name,Last Name,Company,Email,Phone,hand_raised_at\n"
              "Ann,Lee,Acme,ann@acme.test,212 555 0100,\n"
              ",,,nobody@x.test,,\n"
              "Bob,Ray,Acme,bob at acme,212 555 0101,\n"
              "Cy,Fox,Acme,,12345,\n"
              "Di,Wu,Acme,di@acme.test,,yesterday\n"
              "Ed,Oz,,,,\n")
    r = imp(db_url, f)
    assert r.code == 1
    out = r.json()
    assert out["applied"] is False and out["imported"] == 0
    assert out["rejected"] == [
        {"row": 3, "field": "name", "value": "", "reason": "a lead needs a name or a company"},
        {"row": 4, "field": "Email", "value": "bob at acme", "reason": "not an email address"},
        {"row": 5, "field": "Phone", "value": "12345",
         "reason": "not a valid phone number for region US"},
        {"row": 6, "field": "hand_raised_at", "value": "yesterday",
         "reason": "not an ISO 8601 date-time (e.g. 2026-11-23T14:05:00-05:00)"},
        {"row": 7, "field": "phone/email", "value": "",
         "reason": "a lead needs a phone number or an email address"},
    ]
    assert count(db, Lead) == 0
    assert "nothing imported" in r.err


def test_skip_bad_writes_rejects_with_original_columns(db: Database, db_url: str,
                                                       tmp_path: Path) -> None:
    f = write(tmp_path, "First Name,Company,Email,Phone\n"
              "Ann,Acme,ann@acme.test,212 555 0100\n"
              "Bob,Acme,bob at acme,212 555 0101\n")
    rejects = tmp_path / "out" / "rej.csv"
    rejects.parent.mkdir()
    r = imp(db_url, f, "--skip-bad", str(rejects))
    assert r.code == 0, r.err
    assert (r.json()["imported"], len(r.json()["rejected"])) == (1, 1)
    with rejects.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows == [["First Name", "Company", "Email", "Phone", "source_row", "reject_reason"],
                    ["Bob", "Acme", "bob at acme", "212 555 0101", "3",
                     "Email: not an email address ('bob at acme')"]]
    assert [x["first_name"] for x in leads(db_url)] == ["Ann"]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "the file is empty"),
    (b"\n\n", "the file is empty"),
    (b"First Name,Email\n", "a header but no lead rows"),
    (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 50, "Excel workbook"),
    (b"\x00\x01\x02binary\x00stuff", "binary data, not a CSV text file"),
    (b"Prospect ID,Lead Origin\n1,API\n", "no column names a lead"),
])
def test_file_refused_as_a_whole(db: Database, db_url: str, tmp_path: Path, data: bytes,
                                 message: str) -> None:
    p = tmp_path / "bad.csv"
    p.write_bytes(data)
    r = imp(db_url, p)
    assert r.code == 1
    assert message in r.err
    assert r.json()["applied"] is False
    assert message in r.json()["rejected"][0]["reason"]
    assert count(db, Lead) == 0


def test_encodings_and_delimiters(db_url: str, tmp_path: Path) -> None:
    cp = write(tmp_path, "First Name;Last Name;Company;Email\n"
               "José;Müller;Café Ltd;jose@cafe.test\n", "cp.csv", encoding="cp1252")
    bom = write(tmp_path, "\ufeffFirstName,LastName,Company,Email\n"
                "Zoë,Ångström,Ørsted,zoe@orsted.test\n", "bom.csv")
    tab = write(tmp_path, "first_name\tcompany\temail\nTab\tT&Co\ttab@t.test\n", "tab.csv")
    for p in (cp, bom, tab):
        r = imp(db_url, p)
        assert r.code == 0, r.err
        assert r.json()["imported"] == 1
    got = {x["email"]: (x["first_name"], x["last_name"], x["company"]) for x in leads(db_url)}
    assert got == {"jose@cafe.test": ("José", "Müller", "Café Ltd"),
                   "zoe@orsted.test": ("Zoë", "Ångström", "Ørsted"),
                   "tab@t.test": ("Tab", None, "T&Co")}


def test_map_campaign_owner_country_and_dnc(db: Database, db_url: str, tmp_path: Path) -> None:
    assert run(db_url, "user", "add", "Alex Rivera", "--role", "rep",
               "--email", "alex@example.com").code == 0
    f = write(tmp_path, "Contact,Firm,Work Email,Tel,Country,Contact owner,Do Not Call,Deal\n"
              "Ann Lee,Acme,ann@acme.test,030 901820,Germany,alex@example.com,0,x\n"
              "Bob Ray,Acme,bob@acme.test,020 7946 0958,UK,Ghost Person,1,y\n"
              "Cy Fox,Acme,cy@acme.test,(415) 555-0132,USA,,no,z\n")
    r = imp(db_url, f, "--map", "Contact=full_name", "--map", "Firm=company",
            "--map", "Tel=phone", "--map", "Deal=ignore", "--campaign", "Trade Show 2026")
    assert r.code == 0, r.err
    out = r.json()
    assert out["imported"] == 3
    text = "\n".join(out["warnings"])
    assert "campaign 'Trade Show 2026' did not exist; created" in text
    assert "row 3: Contact owner names no QualDesk user (e.g. 'Ghost Person')" in text
    assert "Deal" not in text  # mapped to ignore: not reported as unknown
    rows = {x["first_name"]: x for x in leads(db_url)}
    assert rows["Ann"] == rows["Ann"] | {
        "last_name": "Lee", "phone": "+4930901820", "phone_region": "DE",
        "time_zones": ["Europe/Berlin"], "owner": "Alex Rivera", "campaign": "Trade Show 2026"}
    assert rows["Bob"] == rows["Bob"] | {
        "phone": "+442079460958", "phone_region": "GB", "owner": None,
        "do_not_call": True, "designation": "do_not_call"}
    assert rows["Cy"]["phone"] == "+14155550132"
    assert rows["Cy"]["time_zones"] == ["America/Los_Angeles"]


def test_bad_options(db_url: str, tmp_path: Path) -> None:
    f = write(tmp_path, "Email\nann@acme.test\n")
    r = run(db_url, "import", "leads", str(f), "--map", "Email=nonsense")
    assert r.code == 1 and "unknown field 'nonsense'" in r.err
    r = run(db_url, "import", "leads", str(f), "--map", "Nope=email")
    assert r.code == 1 and "not in the file" in r.err
    r = run(db_url, "import", "leads", str(f), "--default-region", "XX")
    assert r.code == 1 and "not an ISO 3166 region" in r.err
    r = run(db_url, "import", "leads", str(tmp_path / "missing.csv"))
    assert r.code == 1 and "no such file" in r.err


def test_default_region_option(db_url: str, tmp_path: Path) -> None:
    f = write(tmp_path, "Company,Phone\nAcme GmbH,030 901820\n")
    assert imp(db_url, f).code == 1  # read as a US number it is not valid
    r = imp(db_url, f, "--default-region", "de")
    assert r.code == 0, r.err
    assert leads(db_url)[0]["phone"] == "+4930901820"
