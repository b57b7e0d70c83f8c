"""Arrival files for ``simulate --arrivals``: our at[,kind] format and the Technion day."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from qualdesk.errors import InvalidInput
from qualdesk.sim.arrivals import generate_day, read_arrivals
from qualdesk.sim.profile import load_profile
from tests.cli_helpers import run
from tests.conftest import SHARED_DATA

TECHNION = SHARED_DATA / "technion-calls-one-day.csv"


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "arrivals.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_simple_format(tmp_path: Path) -> None:
    p = write(tmp_path, "at,kind\n"
                        "10:15:30,Demo-Request\n"
                        "2026-11-23T10:30:00+01:00,contact form\n"
                        "09:05,\n")
    got = read_arrivals(p, load_profile(), random.Random(1))
    assert [a.at for a in got] == [
        datetime(2026, 11, 23, 9, 5, tzinfo=UTC),
        datetime(2026, 11, 23, 10, 30, tzinfo=timezone(timedelta(hours=1))),  # = 09:30 UTC
        datetime(2026, 11, 23, 10, 15, 30, tzinfo=UTC),
    ]
    assert [a.kind for a in got][1:] == ["contact_form", "demo_request"]
    assert got[0].kind in dict(load_profile().kind_mix)  # an empty kind is drawn from the mix


def test_bad_rows_are_all_named_and_nothing_is_read(tmp_path: Path) -> None:
    p = write(tmp_path, "at,kind\n09:00,chat\n25:00,chat\n2026-11-23T09:00:00,chat\n")
    with pytest.raises(InvalidInput) as exc:
        read_arrivals(p, load_profile(), random.Random(1))
    msg = str(exc.value)
    assert "2 bad row(s)" in msg
    assert "row 3, at='25:00'" in msg
    assert "row 4, at='2026-11-23T09:00:00': no UTC offset" in msg


def test_missing_at_column_and_empty_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no 'at' column"):
        read_arrivals(write(tmp_path, "time,kind\n09:00,chat\n"), load_profile(), random.Random(1))
    with pytest.raises(InvalidInput, match="has no hand raises"):
        read_arrivals(write(tmp_path, "at,kind\n"), load_profile(), random.Random(1))
    with pytest.raises(InvalidInput, match="not found"):
        read_arrivals(tmp_path / "nope.csv", load_profile(), random.Random(1))


def test_technion_file_is_recognised() -> None:
    got = read_arrivals(TECHNION, load_profile(), random.Random(1))
    # 2,375 calls, 18 of them PHANTOM.
    assert len(got) == 2357
    assert {a.kind for a in got} == {"called_in"}
    assert got[0].at == datetime(2010, 8, 1, 0, 10, 10, tzinfo=UTC)  # the first vru_entry
    assert all(a.at.date() == date(2010, 8, 1) for a in got)


def test_built_in_day_is_a_poisson_day_inside_the_shift() -> None:
    p = load_profile()
    a = generate_day(p, random.Random(1))
    b = generate_day(p, random.Random(1))
    assert a == b
    assert 150 <= len(a) <= 250
    assert all(p.at(p.shift_start) <= x.at < p.at(p.shift_end) for x in a)


def test_cli_with_our_format(tmp_path: Path) -> None:
    # Three hand raises and six reps: each is called at once; a connect is followed up
    # within minutes, two misses plus the combination within about 12 minutes.
    p = write(tmp_path, "at,kind\n09:00,demo_request\n09:01,chat\n2026-11-23T09:02:00+00:00,called_in\n")
    res = run(None, "simulate", "--arrivals", str(p), "--reps", "6", "--json")
    assert res.code == 0, res.err
    r = res.json()
    assert (r["hand_raises"], r["within_1h"], r["never"]) == (3, 3, 0)
    assert r["first_touch_median_min"] == 0.0


def test_cli_with_the_technion_day() -> None:
    res = run(None, "simulate", "--arrivals", str(TECHNION), "--reps", "1", "--json")
    assert res.code == 0, res.err
    r = res.json()
    assert r["hand_raises"] == 2357
    # One rep cannot follow up a call center's day: most hand raises are never followed up.
    assert r["never"] > 2000


def test_cli_bad_arrivals_file(tmp_path: Path) -> None:
    res = run(None, "simulate", "--arrivals", str(write(tmp_path, "at\nsoon\n")))
    assert res.code == 1
    assert "row 2, at='soon'" in res.err
