"""The follow-up SLA report on a hand-built data set, on SQLite and PostgreSQL.

Team zone America/New_York (EST, UTC-5, in late November 2026). Period 2026-11-20 ..
2026-11-22 local = [2026-11-20 05:00 UTC, 2026-11-23 05:00 UTC).

  HR  campaign kind            raised (UTC)      first call (rep)         first email        follow-up - raise
  1   Webinar  demo_request    11-20 14:00       14:10 alice (10 min)     14:20              20 min, same NY day
  2   Webinar  contact_form    11-21 04:30       05:20 bob   (50 min)     05:00              50 min; 23:30 NY -> 00:20 NY next day
  3   Default  contact_form    11-21 15:00       15:03 alice (3 min)      11-22 13:00        22 h (a call at 14:00, before the raise, does not count)
  4   Default  demo_request    11-22 14:00       14:05 bob   (5 min)      -                  never
  5   Webinar  chat            11-22 16:00       16:30 alice (30 min)     17:00              exactly 1 h, same NY day
  6   Default  asset_download  11-22 18:00       -                        -                  never
  8   Default  page_visits     11-23 04:59       11-24 04:59 bob (1440)   11-25 05:00        48 h 01 min (23:59 NY, still in period)
  7   Default  contact_form    11-19 12:00       (outside the period)
  9   Default  contact_form    11-23 05:30       (00:30 NY on 11-23: outside the period)
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from qualdesk.db.engine import Database
from qualdesk.db.models import HandRaise
from qualdesk.domain.sla import HandRaiseTiming
from qualdesk.domain.sla import sla_report as reference
from qualdesk.services.reports.periods import make_period
from qualdesk.services.reports.sla import sla_report
from tests import report_seed as rs
from tests.cli_helpers import run

NY = "America/New_York"


def seed(db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    frozen.t = rs.utc(2026, 11, 26, 12)
    rs.user(db, "alice")
    rs.user(db, "bob")
    l1 = rs.lead(db, "One", "Webinar")
    rs.hand_raise(db, l1, "demo_request", rs.utc(2026, 11, 20, 14, 0))
    rs.call(db, l1, "alice", rs.utc(2026, 11, 20, 14, 10))
    rs.email(db, l1, "alice", rs.utc(2026, 11, 20, 14, 20))
    l2 = rs.lead(db, "Two", "Webinar")
    rs.hand_raise(db, l2, "contact form", rs.utc(2026, 11, 21, 4, 30))
    rs.email(db, l2, "bob", rs.utc(2026, 11, 21, 5, 0))
    rs.call(db, l2, "bob", rs.utc(2026, 11, 21, 5, 20), "left_voicemail")
    l3 = rs.lead(db, "Three")
    rs.call(db, l3, "bob", rs.utc(2026, 11, 21, 14, 0))  # before the raise: not its touch
    rs.hand_raise(db, l3, "contact_form", rs.utc(2026, 11, 21, 15, 0))
    rs.call(db, l3, "alice", rs.utc(2026, 11, 21, 15, 3), "connected")
    rs.email(db, l3, "alice", rs.utc(2026, 11, 22, 13, 0))
    l4 = rs.lead(db, "Four")
    rs.hand_raise(db, l4, "demo_request", rs.utc(2026, 11, 22, 14, 0))
    rs.call(db, l4, "bob", rs.utc(2026, 11, 22, 14, 5))
    l5 = rs.lead(db, "Five", "Webinar")
    rs.hand_raise(db, l5, "chat", rs.utc(2026, 11, 22, 16, 0))
    rs.call(db, l5, "alice", rs.utc(2026, 11, 22, 16, 30))
    rs.email(db, l5, "alice", rs.utc(2026, 11, 22, 17, 0))
    l6 = rs.lead(db, "Six")
    rs.hand_raise(db, l6, "asset_download", rs.utc(2026, 11, 22, 18, 0))
    l8 = rs.lead(db, "Eight")
    rs.hand_raise(db, l8, "page_visits", rs.utc(2026, 11, 23, 4, 59))
    rs.call(db, l8, "bob", rs.utc(2026, 11, 24, 4, 59))
    rs.email(db, l8, "bob", rs.utc(2026, 11, 25, 5, 0))
    l7 = rs.lead(db, "Seven")
    rs.hand_raise(db, l7, "contact_form", rs.utc(2026, 11, 19, 12, 0))
    rs.call(db, l7, "alice", rs.utc(2026, 11, 19, 12, 1))
    rs.email(db, l7, "alice", rs.utc(2026, 11, 19, 12, 2))
    l9 = rs.lead(db, "Nine")
    rs.hand_raise(db, l9, "contact_form", rs.utc(2026, 11, 23, 5, 30))


EXPECTED = {
    "hand_raises": 7,          # HR 1-6 and 8
    "within_1h": 3,            # HR1 (20 min), HR2 (50 min), HR5 (exactly 60 min)
    "same_day": 2,             # HR1, HR5 (HR2 crosses NY midnight, HR3 is next day)
    "within_24h": 4,           # + HR3 (22 h)
    "within_48h": 4,           # HR8 is 48 h 01 min
    "within_72h": 5,           # + HR8
    "never": 2,                # HR4 (no email), HR6 (nothing)
    "pct_within_1h": 42.9,     # 3/7 = 42.857
    "pct_same_day": 28.6,      # 2/7 = 28.571
    "pct_within_24h": 57.1,    # 4/7 = 57.142
    "pct_within_48h": 57.1,
    "pct_within_72h": 71.4,    # 5/7 = 71.428
    "pct_never": 28.6,
    # first touches (min): 3, 5, 10, 30, 50, 1440 -> median (10+30)/2 = 20;
    # p90 at rank 0.9*5 = 4.5 -> 50 + (1440-50)*0.5 = 745
    "first_touch_median_min": 20.0,
    "first_touch_p90_min": 745.0,
    "pct_first_touch_5min": 28.6,  # HR3 (3 min) and HR4 (exactly 5 min): 2/7
}


def test_sla_totals(db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    seed(db, frozen)
    r = run(db.url, "report", "sla", "--from", "2026-11-20", "--to", "2026-11-22", "--tz", NY, "--json")
    assert r.code == 0, r.err
    assert r.json() == EXPECTED


def test_sla_by_rep(db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    seed(db, frozen)
    r = run(db.url, "report", "sla", "--from", "2026-11-20", "--to", "2026-11-22", "--tz", NY,
            "--by", "rep", "--json")
    assert r.code == 0, r.err
    got = {g["group"]: g for g in r.json()}
    assert list(got) == ["alice", "bob", None]
    # alice first-touched HR1, HR3, HR5: 1h HR1+HR5; same day HR1+HR5; 24h all three
    a = got["alice"]
    assert (a["hand_raises"], a["within_1h"], a["same_day"], a["within_24h"], a["within_72h"],
            a["never"]) == (3, 2, 2, 3, 3, 0)
    assert (a["pct_within_1h"], a["pct_within_24h"]) == (66.7, 100.0)
    # touches 3, 10, 30: median 10; p90 rank 1.8 -> 10 + 20*0.8 = 26
    assert (a["first_touch_median_min"], a["first_touch_p90_min"], a["pct_first_touch_5min"]) == (10.0, 26.0, 33.3)
    # bob: HR2 (50 min), HR4 (never), HR8 (48 h 01)
    b = got["bob"]
    assert (b["hand_raises"], b["within_1h"], b["same_day"], b["within_48h"], b["within_72h"],
            b["never"]) == (3, 1, 0, 1, 2, 1)
    # touches 5, 50, 1440: median 50; p90 rank 1.8 -> 50 + 1390*0.8 = 1162
    assert (b["first_touch_median_min"], b["first_touch_p90_min"]) == (50.0, 1162.0)
    n = got[None]  # HR6, never touched
    assert (n["hand_raises"], n["never"], n["pct_never"], n["first_touch_median_min"]) == (1, 1, 100.0, None)


def test_sla_by_campaign_and_kind(db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    seed(db, frozen)
    p = make_period(db, "2026-11-20", "2026-11-22", NY)
    camp = {g["group"]: g for g in sla_report(db, p, "campaign").data}
    # Webinar: HR1, HR2, HR5 all within 1 h; same day HR1, HR5
    assert [camp["Webinar"][k] for k in ("hand_raises", "within_1h", "same_day", "within_72h", "never")] == [3, 3, 2, 3, 0]
    # Default: HR3 (22 h), HR4 (never), HR6 (never), HR8 (48 h 01)
    assert [camp["Default"][k] for k in ("hand_raises", "within_1h", "within_24h", "within_72h", "never")] == [4, 0, 1, 2, 2]
    kinds = {g["group"]: (g["hand_raises"], g["within_1h"], g["never"]) for g in sla_report(db, p, "hand_raise").data}
    assert kinds == {"asset_download": (1, 0, 1), "chat": (1, 1, 0), "contact_form": (2, 1, 0),
                     "demo_request": (2, 1, 1), "page_visits": (1, 0, 0)}


@pytest.mark.parametrize("tz", [NY, "UTC", "Asia/Kolkata"])
def test_sql_agrees_with_reference(db: Database, frozen, tz: str) -> None:  # type: ignore[no-untyped-def]
    seed(db, frozen)
    with db.session(write=False) as s:
        timings = [HandRaiseTiming(r.raised_at, r.first_call_at, r.first_email_at)
                   for r in s.scalars(select(HandRaise))]
    want = reference(timings, ZoneInfo(tz))
    got = sla_report(db, make_period(db, None, None, tz)).data
    assert {k: got[k] for k in want} == want
    assert got["hand_raises"] == 9


def test_default_zone_is_team_setting(db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    seed(db, frozen)
    assert run(db.url, "config", "set", "team.timezone", NY).code == 0
    r = run(db.url, "report", "sla", "--from", "2026-11-20", "--to", "2026-11-22", "--json")
    assert r.json() == EXPECTED


def test_empty_period_and_bad_input(db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    seed(db, frozen)
    r = run(db.url, "report", "sla", "--from", "2025-01-01", "--to", "2025-01-31", "--json")
    assert r.code == 0
    assert r.json()["hand_raises"] == 0 and r.json()["pct_within_1h"] == 0.0
    assert r.json()["first_touch_median_min"] is None
    r = run(db.url, "report", "sla", "--from", "2026-11-22", "--to", "2026-11-20")
    assert r.code == 1 and "--from 2026-11-22 is after --to 2026-11-20" in r.err
    r = run(db.url, "report", "sla", "--by", "region")
    assert r.code == 1 and "allowed: campaign, rep, hand_raise" in r.err
    r = run(db.url, "report", "sla", "--tz", "Mars/Olympus")
    assert r.code == 1 and "unknown time zone 'Mars/Olympus'" in r.err
    r = run(db.url, "report", "sla", "--from", "yesterday")
    assert r.code == 1 and "--from 'yesterday' is not a date" in r.err


def test_csv_and_xlsx(db: Database, frozen, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import csv

    import openpyxl

    seed(db, frozen)
    out_csv, out_xlsx = tmp_path / "sla.csv", tmp_path / "sla.xlsx"
    r = run(db.url, "report", "sla", "--from", "2026-11-20", "--to", "2026-11-22", "--tz", NY,
            "--by", "campaign", "--csv", str(out_csv), "--xlsx", str(out_xlsx))
    assert r.code == 0, r.err
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert [(x["group"], x["hand_raises"], x["within_1h"]) for x in rows] == [
        ("Default", "4", "0"), ("Webinar", "3", "3")]
    ws = openpyxl.load_workbook(out_xlsx).active
    assert ws.cell(1, 1).value == "Group" and ws.cell(3, 1).value == "Webinar"
    assert ws.cell(3, 3).value == 3  # numbers stay numbers in the workbook
    heads = [c.value for c in ws[1]]
    assert "Within 1 h (%)" in heads and "pct_within_1h" not in heads  # words, not keys
    pct_1h = ws.cell(3, heads.index("Within 1 h (%)") + 1)
    assert pct_1h.value == 1.0 and pct_1h.number_format == "0.0%"  # Webinar: 100 %
    assert ws.freeze_panes == "A2" and ws.cell(1, 1).font.bold


def test_same_day_and_period_across_the_dst_change(db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    """New York leaves DST on 2026-11-01 (EDT UTC-4 -> EST UTC-5); the local day is
    [2026-11-01 04:00 UTC, 2026-11-02 05:00 UTC), 25 hours long."""
    frozen.t = rs.utc(2026, 11, 3)
    rs.user(db, "alice")
    a, b, c = rs.lead(db, "A"), rs.lead(db, "B"), rs.lead(db, "C")
    # 03:30 UTC = 23:30 EDT on 10-31: outside the day
    rs.hand_raise(db, a, "chat", rs.utc(2026, 11, 1, 3, 30))
    # 04:30 UTC = 00:30 EDT on 11-01; follow-up 05:20 UTC = 01:20 EDT, same local day
    rs.hand_raise(db, b, "chat", rs.utc(2026, 11, 1, 4, 30))
    rs.call(db, b, "alice", rs.utc(2026, 11, 1, 5, 20))
    rs.email(db, b, "alice", rs.utc(2026, 11, 1, 5, 20))
    # 04:30 UTC on 11-02 = 23:30 EST on 11-01 (a fixed EDT offset would say 00:30 on 11-02);
    # follow-up 04:50 UTC = 23:50 EST: same day
    rs.hand_raise(db, c, "chat", rs.utc(2026, 11, 2, 4, 30))
    rs.call(db, c, "alice", rs.utc(2026, 11, 2, 4, 40))
    rs.email(db, c, "alice", rs.utc(2026, 11, 2, 4, 50))
    got = sla_report(db, make_period(db, "2026-11-01", "2026-11-01", NY)).data
    # B and C are in the day; both within 1 h and on the same local day
    assert (got["hand_raises"], got["within_1h"], got["same_day"], got["never"]) == (2, 2, 2, 0)
