"""A lead import read and written chunk by chunk (on PostgreSQL the writes of one chunk
run in a COPY thread while the next is read): the same rows whatever the chunk sizes,
rows naming leads of earlier chunks, a campaign created mid-stream, and all or nothing
when a bad row, a cancel or a failed write comes after chunks were already sent."""

from __future__ import annotations

import gc
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from qualdesk.db.engine import Database
from qualdesk.db.models import AuditEntry, Campaign, DesignationChange, HandRaise, Lead, Note
from qualdesk.errors import InvalidInput
from qualdesk.services.import_mapping import DETAILS_COLUMN, KEEP, apply_mapping
from qualdesk.services.intake import bulk
from qualdesk.services.intake import import_leads as il
from qualdesk.services.intake.csv_source import read_table
from qualdesk.services.intake.import_leads import LeadImportOptions, import_leads
from qualdesk.services.intake.lead_rows import LeadDraft
from qualdesk.services.intake.outcome import ImportCancelled
from qualdesk.services.pg_roles import grant_login
from qualdesk.services.users import add_user
from tests.conftest import FrozenClock, drop_pg, new_pg_url, pg_admin_url

HEAD = "First Name,Company,Email,Phone,Campaign,Do Not Call,Notes,hand_raise,hand_raised_at\n"
ROWS = [
    "Ann,Acme,ann@x.test,(212) 555-0100,,,,demo request,2026-11-23T14:00:00Z",   # row 2
    "Bob,Acme,bob@x.test,212-555-0101,,,,,",                                      # 3 cold
    "Cy,Solo,,646.555.0102,,,first call,chat,2026-11-23T13:00:00Z",               # 4
    "Dee,Dale,dee@x.test,,,yes,,,",                                               # 5 DNC
    "Eve,Eden,eve@x.test,,Spring,,,chat,2026-11-23T12:00:00Z",                    # 6 new campaign
    ",,ann@x.test,,,,,contact form,2026-11-23T14:30:00Z",                         # 7 -> Ann
    ",,,646 555 0102,,,,demo request,2026-11-23T14:45:00Z",                       # 8 -> Cy
    ",,nobody@x.test,,,,,,",                                                      # 9 bad
    "Fay,Fern,fay@x.test,,,,,demo request,2026-11-23T11:00:00Z",                  # 10 -> known
    "Gus,Gold,gus@x.test,+44 20 7946 0958,,,,,",                                  # 11
    "Ann,Other,ANN@X.TEST,,,,,demo request,2026-11-23T14:00:00Z",                 # 12 same raise
]


def write_csv(tmp_path: Path, rows: list[str], name: str = "leads.csv") -> Path:
    p = tmp_path / name
    p.write_text(HEAD + "".join(r + "\n" for r in rows), encoding="utf-8")
    return p


def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(il, "_READ_CHUNK", 3)
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 2)


def snapshot(db: Database) -> dict[str, object]:
    """Every row the import writes, with leads named by first name instead of ids."""
    with db.session(write=False) as s:
        name = {i: n for i, n in s.execute(select(Lead.id, Lead.first_name))}
        camp = {i: n for i, n in s.execute(select(Campaign.id, Campaign.name))}
        return {
            "leads": sorted(
                (r.first_name, r.email, r.phone, r.designation, r.do_not_call,
                 camp[r.campaign_id], r.last_hand_raise_at, tuple(r.time_zones))
                for r in s.scalars(select(Lead))),
            "raises": sorted((name[lead_id], kind, at, camp[c]) for lead_id, kind, at, c in
                             s.execute(select(HandRaise.lead_id, HandRaise.kind,
                                              HandRaise.raised_at, HandRaise.campaign_id))),
            "history": sorted((name[lead_id], a, b, why) for lead_id, a, b, why in s.execute(
                select(DesignationChange.lead_id, DesignationChange.from_designation,
                       DesignationChange.to_designation, DesignationChange.reason))),
            "audit": sorted((name[lead_id], action, old or "", new or "")
                            for lead_id, action, old, new in s.execute(
                                select(AuditEntry.lead_id, AuditEntry.action, AuditEntry.old,
                                       AuditEntry.new).where(AuditEntry.lead_id.is_not(None)))),
            "notes": sorted((name[lead_id], body) for lead_id, body in s.execute(
                select(Note.lead_id, Note.body))),
        }


def counts(db: Database) -> tuple[int, ...]:
    with db.session(write=False) as s:
        return tuple(int(s.scalar(select(func.count()).select_from(m)) or 0)
                     for m in (Lead, HandRaise, DesignationChange, AuditEntry, Note, Campaign))


@pytest.mark.parametrize("chunked", [False, True], ids=["one-chunk", "small-chunks"])
def test_chunks_write_the_same_rows(db: Database, tmp_path: Path, frozen: FrozenClock,
                                    monkeypatch: pytest.MonkeyPatch, chunked: bool) -> None:
    import_leads(db, write_csv(tmp_path, ["Fay,,fay@x.test,,,,,,"], "known.csv"))
    if chunked:
        small_chunks(monkeypatch)
    seen: list[tuple[int, int]] = []
    result = import_leads(db, write_csv(tmp_path, ROWS), LeadImportOptions(skip_bad=True),
                          progress=lambda done, total: seen.append((done, total)))
    assert (result.imported, result.merged, result.hand_raises) == (6, 4, 6)
    assert result.rejected_rows == (9,)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)  # the bar never goes back
    assert seen[-1] == (22, 22) and all(t == 22 for _, t in seen)
    assert len(seen) >= (6 if chunked else 3)

    got = snapshot(db)
    at = {m: datetime(2026, 11, 23, 11 + m // 60, m % 60, tzinfo=UTC) for m in range(0, 240, 15)}
    ny, la = ("America/New_York",), ("Europe/London",)
    assert got["leads"] == [
        ("Ann", "ann@x.test", "+12125550100", "warm", False, "Default", at[210], ny),
        ("Bob", "bob@x.test", "+12125550101", "cold", False, "Default", None, ny),
        ("Cy", None, "+16465550102", "warm", False, "Default", at[225], ny),
        ("Dee", "dee@x.test", None, "do_not_call", True, "Default", None, ()),
        ("Eve", "eve@x.test", None, "warm", False, "Spring", at[60], ()),
        ("Fay", "fay@x.test", None, "warm", False, "Default", at[0], ()),
        ("Gus", "gus@x.test", "+442079460958", "cold", False, "Default", None, la)]
    assert got["raises"] == [
        ("Ann", "contact_form", at[210], "Default"), ("Ann", "demo_request", at[180], "Default"),
        ("Cy", "chat", at[120], "Default"), ("Cy", "demo_request", at[225], "Default"),
        ("Eve", "chat", at[60], "Spring"), ("Fay", "demo_request", at[0], "Default")]
    assert got["history"] == [
        ("Ann", "cold", "warm", "hand raise: demo_request"),
        ("Cy", "cold", "warm", "hand raise: chat"),
        ("Dee", "cold", "do_not_call", "imported as do-not-call"),
        ("Eve", "cold", "warm", "hand raise: chat"),
        ("Fay", "cold", "warm", "hand raise: demo_request")]
    assert got["audit"] == sorted(
        [(n, "import", "", f) for n, f in [("Fay", "known.csv")] + [
            (n, "leads.csv") for n in ("Ann", "Bob", "Cy", "Dee", "Eve", "Gus")]]
        + [(n, "designation", "cold", "warm") for n in ("Ann", "Cy", "Eve", "Fay")]
        + [("Dee", "designation", "cold", "do_not_call")])
    assert got["notes"] == [("Cy", "first call")]


def test_refused_after_chunks_were_sent_leaves_nothing(
        db: Database, tmp_path: Path, frozen: FrozenClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import_leads(db, write_csv(tmp_path, ["Fay,,fay@x.test,,,,,,"], "known.csv"))
    before = counts(db)
    small_chunks(monkeypatch)
    rows = [r for i, r in enumerate(ROWS) if i != 7] + [",,nobody@x.test,,,,,,"]
    result = import_leads(db, write_csv(tmp_path, rows))
    assert not result.applied and result.imported == 0
    assert [(p.row, p.field) for p in result.rejected] == [(12, "name")]
    assert counts(db) == before
    # The database is usable and ids carry on without collisions.
    again = import_leads(db, write_csv(tmp_path, ROWS[:2], "ok.csv"))
    assert again.imported == 2 and len(set(again.lead_ids)) == 2
    assert counts(db)[0] == before[0] + 2


def test_cancel_in_the_middle_of_the_stream_leaves_nothing(
        db: Database, tmp_path: Path, frozen: FrozenClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    small_chunks(monkeypatch)
    rows = [f"P{i},Co,p{i}@x.test,,,,,chat,2026-11-23T14:00:00Z" for i in range(40)]
    src = write_csv(tmp_path, rows)
    calls = {"n": 0}
    ticks: list[int] = []

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 30

    with pytest.raises(ImportCancelled):
        import_leads(db, src, progress=lambda done, total: ticks.append(done), cancel=cancel)
    assert 6 < max(ticks) < 80  # cancelled after the first chunk's writes
    assert counts(db) == (0, 0, 0, 0, 0, 1)
    assert not [t for t in threading.enumerate() if t.name == "qualdesk-import-copy"]
    assert import_leads(db, src).imported == 40


def test_a_failed_copy_rolls_everything_back(tmp_path: Path, frozen: FrozenClock,
                                             monkeypatch: pytest.MonkeyPatch,
                                             pg_template: str) -> None:
    """The server refuses a row inside the COPY thread (here a check the test adds to the
    table): one clear error reaches the caller and nothing of the import stays."""
    url = new_pg_url(pg_template)
    db = Database(url)
    try:
        with db.session() as s:
            s.execute(text("ALTER TABLE leads ADD CONSTRAINT no_boom "
                           "CHECK (first_name <> 'Boom')"))
        small_chunks(monkeypatch)
        rows = [f"P{i},Co,p{i}@x.test,,,,,chat,2026-11-23T14:00:00Z" for i in range(20)]
        rows[14] = "Boom,Co,boom@x.test,,,,,,"
        with pytest.raises(InvalidInput, match=r"the database refused the import: .*no_boom"
                                                r".*COPY leads, line 1.*nothing was imported"):
            import_leads(db, write_csv(tmp_path, rows))
        assert counts(db) == (0, 0, 0, 0, 0, 1)
        assert not [t for t in threading.enumerate() if t.name == "qualdesk-import-copy"]
        assert import_leads(db, write_csv(tmp_path, rows[:3], "ok.csv")).imported == 3
    finally:
        db.dispose()
        drop_pg(url)


def test_a_value_longer_than_its_column_is_a_bad_row(db: Database, tmp_path: Path,
                                                     frozen: FrozenClock) -> None:
    long_name, long_kind = "X" * 81, "k" * 41
    result = import_leads(db, write_csv(tmp_path, [
        ROWS[0], f"{long_name},Co,long@x.test,,,,,,",
        f"Hal,Co,hal@x.test,,,,,{long_kind},2026-11-23T14:00:00Z", ROWS[1]]))
    assert not result.applied
    assert [(p.row, p.field, p.value, p.reason) for p in result.rejected] == [
        (3, "First Name", long_name, "longer than 80 characters"),
        (4, "hand_raise", long_kind, "longer than 40 characters")]
    assert counts(db)[0] == 0


def test_a_team_lead_login_imports_and_is_refused_cleanly(
        tmp_path: Path, frozen: FrozenClock, monkeypatch: pytest.MonkeyPatch,
        pg_template: str) -> None:
    """Under a team lead's own PostgreSQL login (its group's grants, no superuser): the
    second connection, the ids, the COPYs and a new campaign all work, and a refusal
    after chunks were sent still leaves nothing."""
    url = new_pg_url(pg_template)
    admin = Database(url)
    login = f"qdt_lead_{uuid.uuid4().hex[:8]}"
    try:
        add_user(admin, "Lena Lead", "lead")
        grant_login(admin, "Lena Lead", login, "pw-lead-1")
        as_lead = Database(make_url(url).set(username=login, password="pw-lead-1")
                           .render_as_string(hide_password=False))
        try:
            with as_lead.session(write=False) as s:
                assert s.scalar(text("SELECT current_user")) == login
                assert not s.scalar(text("SELECT rolsuper FROM pg_roles "
                                         "WHERE rolname = current_user"))
            small_chunks(monkeypatch)
            import_leads(as_lead, write_csv(tmp_path, ["Fay,,fay@x.test,,,,,,"], "k.csv"))
            result = import_leads(as_lead, write_csv(tmp_path, ROWS),
                                  LeadImportOptions(skip_bad=True))
            assert (result.imported, result.merged, result.hand_raises) == (6, 4, 6)
            before = counts(as_lead)
            refused = import_leads(as_lead, write_csv(tmp_path, ROWS, "again.csv"))
            assert not refused.applied and counts(as_lead) == before
        finally:
            as_lead.dispose()
    finally:
        admin.dispose()
        drop_pg(url)
        drop_role = Database(pg_admin_url())
        with drop_role.session() as s:
            s.execute(text(f'DROP ROLE IF EXISTS "{login}"'))
        drop_role.dispose()


def test_sqlite_page_cache_is_put_back(sqlite_db: Database, tmp_path: Path,
                                       frozen: FrozenClock) -> None:
    with sqlite_db.session(write=False) as s:
        before = s.connection().exec_driver_sql("PRAGMA cache_size").scalar_one()
    assert import_leads(sqlite_db, write_csv(tmp_path, ROWS[:3])).imported == 3
    with sqlite_db.session(write=False) as s:
        assert s.connection().exec_driver_sql("PRAGMA cache_size").scalar_one() == before
    assert before == -2000  # SQLite's default: 2 MiB


def test_rows_are_not_held_past_their_chunk(db: Database, tmp_path: Path, frozen: FrozenClock,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory flat in the row count: while 3,000 rows stream through in chunks of 200
    (some merging into leads of earlier chunks, some nameless updates of them), no more
    than about two chunks' rows are alive at any moment; the old writer held them all
    until the end."""
    monkeypatch.setattr(il, "_READ_CHUNK", 200)
    rows = []
    for i in range(3000):
        if i % 20 == 7 and i > 450:  # the lead of a row some chunks back: a merge into it
            rows.append(f",,p{i - 450}@x.test,,,,,chat,2026-11-23T15:00:00Z")
        else:
            rows.append(f"P{i},Co,p{i}@x.test,,,,,chat,2026-11-23T14:00:00Z")
    alive: list[int] = []

    calls = [0]

    def progress(done: int, total: int) -> None:
        calls[0] += 1
        if calls[0] % 4 == 0:  # a walk over every object: not at every report
            alive.append(sum(1 for o in gc.get_objects() if type(o) is LeadDraft))

    result = import_leads(db, write_csv(tmp_path, rows), progress=progress)
    merges = sum(1 for i in range(451, 3000) if i % 20 == 7)
    assert result.applied and (result.imported, result.merged) == (3000 - merges, merges)
    assert result.hand_raises == 3000 and len(result.lead_ids) == 3000 - merges
    assert len(alive) > 10 and 0 < max(alive) <= 3 * 200, alive


def test_kept_columns_are_folded_into_notes_as_the_rows_are_read(db: Database,
                                                                 tmp_path: Path) -> None:
    """The app's 'keep as lead details' changes each row as it streams from the file
    (it used to build the whole file again in memory)."""
    p = tmp_path / "kept.csv"
    p.write_text("First Name,Email,State\n" + "".join(
        f"P{i},p{i}@x.test,{'CA' if i % 2 else ''}\n" for i in range(6)), encoding="utf-8")
    table = read_table(p)
    mapped, overrides = apply_mapping(table, {"First Name": "first_name", "Email": "email",
                                              "State": KEEP})
    assert not isinstance(mapped.rows, tuple) and len(mapped) == 6
    assert mapped.headers[-1] == DETAILS_COLUMN and mapped.rows[1][-1] == "State: CA"
    assert [n for n, _ in mapped.numbered()] == [2, 3, 4, 5, 6, 7]
    result = import_leads(db, mapped, LeadImportOptions(mapping=overrides))
    assert result.imported == 6
    with db.session(write=False) as s:
        assert sorted(s.scalars(select(Note.body))) == ["State: CA"] * 3
