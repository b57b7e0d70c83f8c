"""The bulk write path of a lead import: exactly the rows the ORM path would hold, on both
engines; ids that later inserts do not collide with; progress between chunks."""

from __future__ import annotations

import gc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from qualdesk.db.engine import Database
from qualdesk.db.models import AuditEntry, Campaign, DesignationChange, HandRaise, Lead, Note
from qualdesk.services.intake import bulk
from qualdesk.services.intake.import_leads import import_leads
from qualdesk.services.intake.outcome import ImportCancelled
from tests.conftest import FrozenClock

CSV = (
    "First Name,Last Name,Company,Email,Phone,Mobile Phone,Do Not Call,Notes,hand_raise,"
    "hand_raised_at\n"
    "Ann,Lee,Acme,Ann@Acme.test,(212) 555-0100,646.555.0101,,met at expo,demo request,"
    "2026-11-23T14:00:00Z\n"
    "Bob,Ray,Acme,bob@acme.test,+44 20 7946 0958,,yes,,,\n"
    "ann,,,ann@acme.test,,,,,chat,2026-11-23T14:30:00-05:00\n"
)


def write_csv(tmp_path: Path, text: str = CSV) -> Path:
    p = tmp_path / "leads.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_rows_written_in_bulk(db: Database, tmp_path: Path, frozen: FrozenClock) -> None:
    now = frozen.t
    result = import_leads(db, write_csv(tmp_path))
    assert (result.imported, result.merged, result.hand_raises) == (2, 1, 2)
    with db.session(write=False) as s:
        default = s.scalars(select(Campaign).where(Campaign.is_default)).one()
        ann, bob = s.scalars(select(Lead).order_by(Lead.id)).all()
        assert result.lead_ids == (ann.id, bob.id) and bob.id == ann.id + 1
        assert (ann.first_name, ann.email, ann.email_norm, ann.phone, ann.phone_region,
                ann.time_zones, ann.mobile) == (
            "Ann", "Ann@Acme.test", "ann@acme.test", "+12125550100", "US",
            ["America/New_York"], "+16465550101")
        assert (ann.designation, ann.do_not_call, ann.email_opt_out, ann.campaign_id,
                ann.version, ann.created_at) == ("warm", False, False, default.id, 1, now)
        # The merged row's hand raise (19:30 UTC) is the later one.
        assert ann.last_hand_raise_at == datetime(2026, 11, 23, 19, 30, tzinfo=UTC)
        assert (bob.phone, bob.phone_region, bob.time_zones, bob.designation,
                bob.do_not_call, bob.last_hand_raise_at) == (
            "+442079460958", "GB", ["Europe/London"], "do_not_call", True, None)

        raises = s.execute(select(HandRaise.lead_id, HandRaise.kind, HandRaise.raised_at,
                                  HandRaise.deadline_at, HandRaise.source,
                                  HandRaise.created_at).order_by(HandRaise.raised_at)).all()
        first = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
        second = datetime(2026, 11, 23, 19, 30, tzinfo=UTC)
        assert [tuple(r) for r in raises] == [
            (ann.id, "demo_request", first, first + timedelta(hours=1), "import", now),
            (ann.id, "chat", second, second + timedelta(hours=1), "import", now)]

        history = s.execute(select(DesignationChange.lead_id, DesignationChange.from_designation,
                                   DesignationChange.to_designation, DesignationChange.at,
                                   DesignationChange.reason).order_by(DesignationChange.id)).all()
        assert [tuple(r) for r in history] == [
            (ann.id, "cold", "warm", now, "hand raise: demo_request"),
            (bob.id, "cold", "do_not_call", now, "imported as do-not-call")]

        audits = s.execute(select(AuditEntry.lead_id, AuditEntry.action, AuditEntry.old,
                                  AuditEntry.new, AuditEntry.at)).all()
        assert sorted(tuple(r) for r in audits) == sorted([
            (ann.id, "designation", "cold", "warm", now),
            (bob.id, "designation", "cold", "do_not_call", now),
            (ann.id, "import", None, "leads.csv", now),
            (bob.id, "import", None, "leads.csv", now)])
        notes = s.execute(select(Note.lead_id, Note.body, Note.created_at)).all()
        assert [tuple(r) for r in notes] == [(ann.id, "met at expo", now)]


def test_later_inserts_get_fresh_ids(db: Database, tmp_path: Path, frozen: FrozenClock) -> None:
    ids = import_leads(db, write_csv(tmp_path)).lead_ids
    with db.session() as s:
        camp = s.scalars(select(Campaign)).first()
        assert camp is not None
        lead = Lead(first_name="Cy", campaign_id=camp.id, created_at=frozen.t,
                    updated_at=frozen.t)
        s.add(lead)
        s.flush()
        assert lead.id == max(ids) + 1
    again = write_csv(tmp_path, "First Name,Email\nDee,dee@x.test\nEd,ed@x.test\n")
    assert import_leads(db, again).lead_ids == (max(ids) + 2, max(ids) + 3)


def test_progress_moves_during_the_writes_and_cancel_rolls_back(
        db: Database, tmp_path: Path, frozen: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 2)
    rows = "".join(f"P{i},p{i}@x.test,2026-11-23T14:00:00Z\n" for i in range(9))
    src = write_csv(tmp_path, "First Name,Email,hand_raised_at\n" + rows)
    seen: list[tuple[int, int]] = []
    import_leads(db, src, progress=lambda done, total: seen.append((done, total)))
    total = 18
    writes = [d for d, t in seen if t == total and total // 2 < d < total]
    # 9 leads + 3 x 9 rows of first hand raises + 9 import audits, in chunks of two.
    assert len(writes) >= 20 and writes == sorted(writes)
    assert seen[-1] == (total, total)

    # Cancelled in the middle of the writes: nothing of this import stays.
    before = _count_leads(db)
    later = write_csv(tmp_path, "First Name,Email\n" + "".join(
        f"Q{i},q{i}@x.test\n" for i in range(9)))
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 5  # past the row parsing (two ticks) into the bulk writes

    with pytest.raises(ImportCancelled):
        import_leads(db, later, cancel=cancel)
    assert _count_leads(db) == before


def _count_leads(db: Database) -> int:
    with db.session(write=False) as s:
        return len(s.scalars(select(Lead.id)).all())


def test_memo_keeps_equal_values_of_other_types_apart(db: Database, frozen: FrozenClock) -> None:
    """1 == True, but a JSON column stores them differently."""
    with db.session() as s:
        camp = s.scalars(select(Campaign)).first()
        assert camp is not None
        conn = s.connection()
        ids = bulk.reserve_ids(conn, Lead.__table__, 4)
        cols = ("id", "first_name", "campaign_id", "time_zones", "designation", "do_not_call",
                "email_opt_out", "created_at", "updated_at", "version")
        memo: bulk.Memo = {}
        later = frozen.t + timedelta(minutes=1)
        bulk.insert_rows(conn, Lead.__table__, cols, [
            (ids[0], "a", camp.id, 1, "cold", False, False, frozen.t, frozen.t, 1),
            (ids[1], "b", camp.id, True, "cold", True, False, frozen.t, later, 1),
        ], memo)
        bulk.insert_rows(conn, Lead.__table__, cols, [
            (ids[2], "c", camp.id, ["Europe/Paris"], "cold", False, True, later, frozen.t, 1),
            (ids[3], "d", camp.id, [1, True], "cold", False, False, later, later, 1),
        ], memo)
    with db.session(write=False) as s:
        got = s.execute(select(Lead.first_name, Lead.time_zones, Lead.do_not_call,
                               Lead.email_opt_out, Lead.created_at, Lead.updated_at)
                        .order_by(Lead.id)).all()
    assert [tuple(r) for r in got] == [
        ("a", 1, False, False, frozen.t, frozen.t),
        ("b", True, True, False, frozen.t, later),
        ("c", ["Europe/Paris"], False, True, later, frozen.t),
        ("d", [1, True], False, False, later, later)]
    assert type(got[0][1]) is int and type(got[1][1]) is bool


def test_missing_defaulted_column_is_refused(db: Database) -> None:
    with db.session() as s, pytest.raises(ValueError, match="version"):
        bulk.insert_rows(s.connection(), Lead.__table__, ("id", "designation", "time_zones",
                                                          "do_not_call", "email_opt_out"),
                         [(1, "cold", [], False, False)])


def test_gc_paused_and_restored() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), bulk.gc_paused():
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with bulk.gc_paused():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()


def test_a_whole_file_merging_changes_only_what_it_adds(db: Database, tmp_path: Path,
                                                        frozen: FrozenClock) -> None:
    rows = "".join(f"P{i},,p{i}@x.test,2026-11-23T1{i % 10}:00:00Z\n" for i in range(300))
    src = write_csv(tmp_path, "First Name,Title,Email,hand_raised_at\n" + rows)
    assert import_leads(db, src).imported == 300
    before = _leads_table(db)
    frozen.advance(hours=1)
    again = import_leads(db, src)  # the same hand raises: nothing to add
    assert (again.imported, again.merged, again.hand_raises) == (0, 300, 0)
    # A merged row marks its lead updated; nothing else changes.
    assert _leads_table(db) == [r[:-1] + (frozen.t,) for r in before]
    before = _leads_table(db)
    frozen.advance(hours=1)
    titled = write_csv(tmp_path, "Email,Title,hand_raised_at\n" + "".join(
        f"p{i}@x.test,CTO,2026-11-24T09:00:00Z\n" for i in range(0, 300, 3)))
    assert import_leads(db, titled).hand_raises == 100
    after = _leads_table(db)
    for i, (old, new) in enumerate(zip(before, after, strict=True)):
        if i % 3:  # not in the file
            assert new == old
        else:  # blank title filled, the later raise recorded, nothing else touched
            assert new[:2] == old[:2] and new[2] == "CTO"
            assert new[3:] == (datetime(2026, 11, 24, 9, 0, tzinfo=UTC), "warm", 1,
                               frozen.t)


def _leads_table(db: Database) -> list[tuple[object, ...]]:
    with db.session(write=False) as s:
        return [tuple(r) for r in s.execute(
            select(Lead.id, Lead.first_name, Lead.title, Lead.last_hand_raise_at,
                   Lead.designation, Lead.version, Lead.updated_at).order_by(Lead.id))]
