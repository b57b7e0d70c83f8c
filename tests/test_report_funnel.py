"""The funnel on a hand-built data set (zone UTC; clock 2026-11-23 15:00 UTC).

  lead  campaign created    hand raises                 moves                               now
  L1    Default  10-05      10-05 10:00                 hot 10-06, turned_over 10-07,        accepted (won 11-02)
                                                        accepted 10-20
  L2    Default  10-10      10-10 12:00                 turned_over 11-03                    turned_over
  L3    Default  11-01      11-01 08:00                 hot 11-02                            hot     (last raise 22 d ago)
  L4    Default  11-23      11-23 14:30                 -                                    warm    (30 min ago)
  L5    Default  11-10      -                           -                                    cold    (no hand raise)
  L6    Webinar  11-20      11-20 10:00, 11-22 12:00    -                                    warm    (27 h ago)
  L7    Webinar  11-23      11-23 02:00                 -                                    warm    (13 h ago)
"""

from __future__ import annotations

import pytest

from qualdesk.db.engine import Database
from tests import report_seed as rs
from tests.cli_helpers import run


def seed(db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    rs.user(db, "alice")

    def lead(name: str, camp: str, created) -> int:  # type: ignore[no-untyped-def]
        frozen.t = created
        return rs.lead(db, name, camp)

    u = rs.utc
    l1 = lead("L1", "Default", u(2026, 10, 5, 9))
    rs.hand_raise(db, l1, "demo_request", u(2026, 10, 5, 10))
    rs.move(db, frozen, l1, "hot", "alice", u(2026, 10, 6))
    rs.move(db, frozen, l1, "turned_over", "alice", u(2026, 10, 7))
    rs.turnover(db, l1, u(2026, 10, 7), "accepted", u(2026, 10, 20), "won", u(2026, 11, 2))
    rs.move(db, frozen, l1, "accepted", None, u(2026, 10, 20))
    l2 = lead("L2", "Default", u(2026, 10, 10, 11))
    rs.hand_raise(db, l2, "contact_form", u(2026, 10, 10, 12))
    rs.move(db, frozen, l2, "turned_over", "alice", u(2026, 11, 3))
    rs.turnover(db, l2, u(2026, 11, 3))
    l3 = lead("L3", "Default", u(2026, 11, 1, 7))
    rs.hand_raise(db, l3, "chat", u(2026, 11, 1, 8))
    rs.move(db, frozen, l3, "hot", "alice", u(2026, 11, 2))
    l4 = lead("L4", "Default", u(2026, 11, 23, 14))
    rs.hand_raise(db, l4, "chat", u(2026, 11, 23, 14, 30))
    lead("L5", "Default", u(2026, 11, 10))
    l6 = lead("L6", "Webinar", u(2026, 11, 20, 9))
    rs.hand_raise(db, l6, "chat", u(2026, 11, 20, 10))
    rs.hand_raise(db, l6, "chat", u(2026, 11, 22, 12))
    l7 = lead("L7", "Webinar", u(2026, 11, 23, 1))
    rs.hand_raise(db, l7, "chat", u(2026, 11, 23, 2))
    frozen.t = u(2026, 11, 23, 15)


def test_funnel_all_time(db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    seed(db, frozen)
    r = run(db.url, "report", "funnel", "--tz", "UTC", "--json")
    assert r.code == 0, r.err
    f = r.json()
    assert f["designations"] == {"cold": 1, "warm": 3, "hot": 1, "turned_over": 1, "accepted": 1,
                                 "incubating": 0, "disqualified": 0, "do_not_call": 0}
    # open leads by time since their last hand raise: L4 30 min, L7 13 h, L6 27 h, L3 22 d, L5 none
    assert f["open_age"] == {"lt_1h": 1, "1h_24h": 1, "1d_7d": 1, "gt_7d": 1, "no_hand_raise": 1}
    oct_, nov = f["monthly"]
    assert (oct_["month"], oct_["hand_raises"], oct_["turned_over"], oct_["accepted"]) == ("2026-10", 2, 1, 1)
    # November: L3, L4, L6 twice, L7 = 5 raises (+3 = +150 %); L2 turned over (+0); none accepted (-1)
    assert (nov["month"], nov["hand_raises"], nov["turned_over"], nov["accepted"]) == ("2026-11", 5, 1, 0)
    assert (nov["hand_raises_change"], nov["hand_raises_change_pct"]) == (3, 150.0)
    assert (nov["turned_over_change"], nov["accepted_change"], nov["accepted_change_pct"]) == (0, -1, -100.0)
    assert oct_["hand_raises_change"] is None
    assert f["campaigns"] == [
        {"campaign": "Default", "hand_raises": 4, "turned_over": 2, "accepted": 1, "won": 1},
        {"campaign": "Webinar", "hand_raises": 3, "turned_over": 0, "accepted": 0, "won": 0},
    ]
    # 7 leads; warm or later: all but L5 = 6 (6/7 = 85.7 %); hot or later: L1, L2, L3 = 3 (50 %);
    # turned over or later: L1, L2 = 2 (2/3 = 66.7 %)
    assert f["conversion"] == [
        {"stage": "cold", "leads": 7, "from_previous_pct": None},
        {"stage": "warm", "leads": 6, "from_previous_pct": 85.7},
        {"stage": "hot", "leads": 3, "from_previous_pct": 50.0},
        {"stage": "turned_over", "leads": 2, "from_previous_pct": 66.7},
    ]


def test_funnel_november(db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    seed(db, frozen)
    r = run(db.url, "report", "funnel", "--from", "2026-11-01", "--to", "2026-11-30", "--tz", "UTC", "--json")
    f = r.json()
    assert [(m["month"], m["hand_raises"], m["turned_over"], m["accepted"], m["hand_raises_change"])
            for m in f["monthly"]] == [("2026-11", 5, 1, 0, None)]
    # Default: raises L3, L4; L2 turned over 11-03; L1's win is dated 11-02
    assert f["campaigns"][0] == {"campaign": "Default", "hand_raises": 2, "turned_over": 1,
                                 "accepted": 0, "won": 1}
    # cohort created in November: L3, L4, L5, L6, L7 = 5; warm+ 4 (80 %); hot+ L3 (25 %); none turned over
    assert [(c["leads"], c["from_previous_pct"]) for c in f["conversion"]] == [
        (5, None), (4, 80.0), (1, 25.0), (0, 0.0)]


def test_funnel_xlsx_has_a_sheet_per_section(db: Database, frozen, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    seed(db, frozen)
    out = tmp_path / "funnel.xlsx"
    assert run(db.url, "report", "funnel", "--xlsx", str(out)).code == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Outcomes per campaign", "Stage conversion", "Conversion per campaign",
                             "Conversion by campaign, month", "Designations now",
                             "Month over month", "Age of open leads"]
    # for people: column names and designations in words, header row frozen
    assert [c.value for c in wb["Designations now"][1]] == ["Designation", "Leads"]
    assert [c.value for c in wb["Designations now"][4]] == ["Hot", 1]
    assert wb["Designations now"].freeze_panes == "A2"
    conv = wb["Stage conversion"]
    assert [c.value for c in conv[1]] == ["Stage", "Leads", "Of the stage before (%)"]
    assert conv.cell(3, 3).value == pytest.approx(0.857) and conv.cell(3, 3).number_format == "0.0%"
