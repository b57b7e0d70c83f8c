"""What an import keeps to report: new lead ids as runs, warnings with the rows shown."""

from __future__ import annotations

import pytest

from qualdesk.domain.records import Changes
from qualdesk.services.intake.outcome import LeadIds, Warnings


def test_lead_ids_are_runs_that_behave_as_the_ids() -> None:
    ids = [*range(5, 9), 12, *range(20, 23)]
    got = LeadIds()
    got.extend(ids[:3])
    got.extend(ids[3:])
    assert len(got) == 8 and list(got) == ids and got == tuple(ids) and got != ids[:-1]
    assert [got[i] for i in range(8)] == ids and got[-1] == 22 and got[2:4] == (7, 8)
    assert 12 in got and 9 not in got and 22 in got and 23 not in got
    assert repr(got) == "LeadIds(5..8, 12..12, 20..22)"
    with pytest.raises(IndexError):
        got[8]
    big = LeadIds(range(1, 1_000_001))
    assert repr(big) == "LeadIds(1..1000000)" and 999_999 in big  # one run, a million ids
    assert (Changes(leads=(3,)) | Changes(leads=got)).leads == (3, *ids)
    assert hash(LeadIds([1, 2])) == hash(LeadIds([1, 2]))
    assert not LeadIds() and LeadIds() == ()


def test_warnings_keep_the_rows_they_show_and_a_count() -> None:
    w = Warnings()
    for row in range(2, 100_002):
        w.add("naive-date", "no UTC offset", row)
    w.add("one", "once", 7)
    w.add("file", "read as Windows-1252")
    assert w.lines() == ("rows 2, 3, 4, 5, 6, 7, 8, 9 and 99992 more: no UTC offset",
                         "row 7: once", "read as Windows-1252")
