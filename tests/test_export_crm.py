"""CRM export files: headers, required fields, lengths with warnings, formula injection
neutralised while E.164 phones stay, de-duplication, marks and ``--all``. Both engines."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from qualdesk.db.engine import Database
from qualdesk.services.turnover import turn_over
from qualdesk.services.verdicts import accept
from tests.cli_helpers import run
from tests.test_turnover import add_people, make_lead, qualify

SF_HEADER = ["FirstName", "LastName", "Company", "Title", "Email", "Phone", "MobilePhone", "City",
             "Country", "Website", "Industry", "LeadSource", "Status", "Rating", "DoNotCall",
             "HasOptedOutOfEmail", "Description"]
HS_HEADER = ["email", "firstname", "lastname", "company", "jobtitle", "phone", "mobilephone",
             "city", "country", "website", "industry", "lifecyclestage", "hs_lead_status",
             "hubspot_owner_id", "message"]


def read(path: Path, bom: bool = False) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == bom
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def header(path: Path) -> list[str]:
    return next(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def setup_two(db: Database) -> tuple[int, int]:
    add_people(db)
    good = make_lead(db)
    qualify(db, good)
    turn_over(db, good, "Sam", by="Rita", note="Call her Tuesday")
    nasty = make_lead(db, first="@SUM(A1)", last=None, company="=HYPERLINK(\"http://x\")",
                      email="-bob@evil.example", phone="+14155550123", title="+cmd|' /C calc'!A0",
                      kind="called_in", details="=1+1", city="C" * 45, note="-2+3")
    turn_over(db, nasty, "Sue", override="exec sponsor")
    return good, nasty


def test_salesforce_file_follows_the_field_rules(db_url: str, frozen, tmp_path: Path) -> None:
    db = Database(db_url)
    try:
        good, nasty = setup_two(db)
        out = tmp_path / "sf.csv"
        r = run(db_url, "export", "turned-over", "--format", "salesforce", "--out", str(out),
                "--json")
        assert r.code == 0, r.err
        res = r.json()
        assert res["exported"] == 2 and res["format"] == "salesforce"
        assert res["file"] == str(out.resolve())
        assert header(out) == SF_HEADER
        rows = read(out)
        a, b = rows
        assert (a["FirstName"], a["LastName"], a["Company"], a["Title"]) == \
            ("Ada", "Lovelace", "Analytical Ltd", "CTO")
        assert a["Phone"] == "+12125550100" and b["Phone"] == "+14155550123"
        assert (a["Status"], a["Rating"], a["LeadSource"]) == ("Working - Contacted", "Hot", "Web")
        assert (b["Rating"], b["LeadSource"]) == ("Warm", "Phone Inquiry")
        assert a["DoNotCall"] == "0" and a["HasOptedOutOfEmail"] == "0"
        desc = a["Description"]
        assert desc.startswith("Marketing generated lead")
        assert "to Sam" in desc and "Hand-off note: Call her Tuesday" in desc
        assert "BANT (what the qualifying rep learned):\n- Budget: 50k approved\n" \
               "- Authority: decides\n- Need: SSO for 400 staff\n- Timeframe: Q1" in desc
        assert "Demo request: asked for a demo on /pricing" in desc
        assert "1 call attempt, last: Connected" in desc and "connected" not in desc
        assert "wants SSO" in desc
        # Required LastName filled, with a warning naming the lead.
        assert b["LastName"] == "[not provided]"
        assert any(f"lead {nasty}" in w and "LastName" in w for w in res["warnings"])
        # Formula-like free text neutralised; the phone is not.
        assert b["FirstName"] == "'@SUM(A1)"
        assert b["Company"] == "'=HYPERLINK(\"http://x\")"
        assert b["Title"] == "'+cmd|' /C calc'!A0"
        assert b["Email"] == "'-bob@evil.example"
        # City is 40 characters at most, cut with a warning naming lead and field.
        assert b["City"] == "C" * 40
        assert any(f"lead {nasty}" in w and "City cut from 45 to 40" in w for w in res["warnings"])
        assert "City" in r.err  # warnings also on stderr
        assert not any(f"lead {good} " in w for w in res["warnings"])
    finally:
        db.dispose()


def test_lengths_are_respected_for_every_limited_column(sqlite_db: Database, frozen,
                                                        tmp_path: Path) -> None:
    from qualdesk.services.export_crm import export_turned_over
    from qualdesk.services.export_crm.salesforce import COLUMNS

    add_people(sqlite_db)
    lead = make_lead(sqlite_db, first="F" * 80, last="L" * 80, company="C" * 255,
                     title="T" * 128, email=("e" * 90) + "@x.example", note="n" * 33000)
    qualify(sqlite_db, lead)
    turn_over(sqlite_db, lead, "Sam")
    res = export_turned_over(sqlite_db, "salesforce", tmp_path / "sf.csv")
    row = read(tmp_path / "sf.csv")[0]
    for col, limit in COLUMNS:
        if limit is not None:
            assert len(row[col]) <= limit, col
    assert len(row["FirstName"]) == 40 and len(row["Email"]) == 80
    assert len(row["Description"]) == 32000
    cut = sorted(w.split(": ")[2].split(" ")[0] for w in res.warnings)
    assert cut == ["Description", "Email", "FirstName"]


def test_marks_stop_re_export_and_all_sends_again(db_url: str, frozen, tmp_path: Path) -> None:
    db = Database(db_url)
    try:
        setup_two(db)
        first = run(db_url, "export", "turned-over", "--format", "salesforce",
                    "--out", str(tmp_path / "1.csv"), "--json").json()
        assert first["exported"] == 2
        again = run(db_url, "export", "turned-over", "--format", "salesforce",
                    "--out", str(tmp_path / "2.csv"), "--json")
        assert again.code == 0 and again.json()["exported"] == 0
        assert "header-only" in again.err
        assert (tmp_path / "2.csv").read_text(encoding="utf-8").splitlines() == [",".join(SF_HEADER)]
        # Marks are per format: HubSpot has not had them yet.
        hs = run(db_url, "export", "turned-over", "--format", "hubspot",
                 "--out", str(tmp_path / "h.csv"), "--json").json()
        assert hs["exported"] == 2
        again = run(db_url, "export", "turned-over", "--format", "salesforce", "--all",
                    "--out", str(tmp_path / "3.csv"), "--json").json()
        assert again["exported"] == 2 and len(read(tmp_path / "3.csv")) == 2
        # A lead turned over later is news.
        frozen.advance(days=1)
        new = make_lead(db, first="Nia", email="nia@x.example")
        qualify(db, new)
        turn_over(db, new, "Sam")
        r = run(db_url, "export", "turned-over", "--format", "salesforce",
                "--out", str(tmp_path / "4.csv"), "--json").json()
        assert r["exported"] == 1 and read(tmp_path / "4.csv")[0]["FirstName"] == "Nia"
        r = run(db_url, "export", "turned-over", "--format", "csv", "--since", "2026-11-24",
                "--out", str(tmp_path / "5.csv"), "--json").json()
        assert r["exported"] == 1
    finally:
        db.dispose()


def test_hubspot_file_dedups_on_email_and_maps_stages(db: Database, frozen, tmp_path: Path) -> None:
    from qualdesk.services.export_crm import export_turned_over

    good, nasty = setup_two(db)
    accept(db, good, weighting=40)
    res = export_turned_over(db, "hubspot", tmp_path / "hs.csv")
    assert header(tmp_path / "hs.csv") == HS_HEADER
    assert res.exported == 2
    by_first = {r["firstname"]: r for r in read(tmp_path / "hs.csv")}
    ada = by_first["Ada"]
    assert (ada["lifecyclestage"], ada["hs_lead_status"]) == ("opportunity", "OPEN_DEAL")
    assert ada["hubspot_owner_id"] == "sam@corp.example"
    assert ada["phone"] == "+12125550100" and ada["email"] == "ada@analytical.example"
    n = by_first["'@SUM(A1)"]
    assert (n["lifecyclestage"], n["hs_lead_status"]) == ("salesqualifiedlead", "CONNECTED")
    assert n["hubspot_owner_id"] == ""  # Sue has no email
    assert n["company"].startswith("'=") and n["phone"] == "+14155550123"
    assert "Digital body language:" in n["message"]

    # A second lead with Ada's address (another case): HubSpot keeps one contact per email.
    frozen.advance(minutes=5)
    twin = make_lead(db, first="Ada2", email="ADA@analytical.example", disposition="no_answer")
    qualify(db, twin)
    turn_over(db, twin, "Sam")
    res = export_turned_over(db, "hubspot", tmp_path / "hs2.csv", all_=True)
    rows = read(tmp_path / "hs2.csv")
    assert res.exported == 2
    assert sorted(r["firstname"] for r in rows) == ["'@SUM(A1)", "Ada2"]
    assert any(f"lead {good}" in w and "same email" in w for w in res.warnings)
    ada2 = next(r for r in rows if r["firstname"] == "Ada2")
    assert (ada2["lifecyclestage"], ada2["hs_lead_status"]) == ("salesqualifiedlead", "OPEN")
    # The folded-away older lead counts as sent: it must not overwrite the newer contact.
    assert export_turned_over(db, "hubspot", tmp_path / "hs3.csv").exported == 0


def test_plain_csv_has_everything_with_a_bom(db: Database, frozen, tmp_path: Path) -> None:
    from qualdesk.services.export_crm import export_turned_over

    good, nasty = setup_two(db)
    accept(db, good, weighting=40, reason="good fit")
    res = export_turned_over(db, "csv", tmp_path / "all.csv")
    assert res.exported == 2
    rows = {int(r["lead_id"]): r for r in read(tmp_path / "all.csv", bom=True)}
    a = rows[good]
    assert a["bant_budget"] == "50k approved" and a["bant_timeframe"] == "Q1"
    assert a["answers"] == '{"current_tool": "spreadsheets"}'
    assert (a["sales_owner"], a["turned_over_by"], a["handoff_note"]) == ("Sam", "Rita",
                                                                       "Call her Tuesday")
    assert (a["designation"], a["verdict"], a["weighting"], a["verdict_reason"]) == \
        ("accepted", "accepted", "40", "good fit")
    assert a["marketing_generated"] == "true" and a["level1_met"] == "true"
    assert a["hand_raises"] == "1" and a["attempts"] == "1" and a["last_disposition"] == "connected"
    assert a["notes"].endswith("Rita: wants SSO")
    b = rows[nasty]
    assert b["override_reason"] == "exec sponsor" and b["level1_met"] == "false"
    assert b["phone"] == "+14155550123" and b["notes"].startswith("2026")
    assert b["company"].startswith("'=")


def test_zero_leads_writes_a_header_only_file(db_url: str, tmp_path: Path) -> None:
    for fmt, head in (("salesforce", SF_HEADER), ("hubspot", HS_HEADER)):
        out = tmp_path / f"{fmt}.csv"
        r = run(db_url, "export", "turned-over", "--format", fmt, "--out", str(out), "--json")
        assert r.code == 0, r.err
        assert r.json() == {"exported": 0, "format": fmt, "file": str(out.resolve()),
                            "warnings": []}
        assert "no turned-over leads" in r.err
        assert header(out) == head and len(out.read_text().splitlines()) == 1
    r = run(db_url, "export", "turned-over", "--format", "marketo", "--out", str(tmp_path / "m"))
    assert r.code != 0
    (tmp_path / "a-file").write_text("x")
    r = run(db_url, "export", "turned-over", "--format", "csv",
            "--out", str(tmp_path / "a-file" / "x.csv"))
    assert r.code == 1 and r.err.startswith("qualdesk: cannot write") and r.out == ""
