"""Notes saved as typed: the atomic local draft and the note row."""

from __future__ import annotations

import json
import os

import pytest

from qualdesk.db.engine import Database
from qualdesk.errors import NotAllowed, NotFound
from qualdesk.services import notes as notes_svc
from qualdesk.services.calls import log_call
from qualdesk.services.leads import lead_detail
from qualdesk.services.users import add_user
from tests.ui.conftest import seed_workspace


def test_draft_round_trip_is_atomic_and_per_rep(tmp_path, frozen) -> None:
    d = notes_svc.save_note_draft("Ana Rep", 7, "first words")
    assert notes_svc.load_note_draft("Ana Rep", 7) == d
    assert notes_svc.load_note_draft("Ben Rep", 7) is None
    notes_svc.save_note_draft("Ana Rep", 7, "more words", note_id=3)
    again = notes_svc.load_note_draft("Ana Rep", 7)
    assert again is not None and (again.body, again.note_id) == ("more words", 3)
    # Only the draft itself in the folder: no temp files left behind.
    assert sorted(os.listdir(notes_svc.drafts_dir())) == ["ana_rep-lead-7.json"]
    raw = json.loads((notes_svc.drafts_dir() / "ana_rep-lead-7.json").read_text("utf-8"))
    assert raw["saved_at"] == frozen.t.isoformat()
    notes_svc.clear_note_draft("Ana Rep", 7)
    assert notes_svc.load_note_draft("Ana Rep", 7) is None
    notes_svc.clear_note_draft("Ana Rep", 7)  # clearing twice is fine


def test_a_corrupt_draft_never_blocks_the_lead(frozen) -> None:
    (notes_svc.drafts_dir() / "ana_rep-lead-9.json").write_text("{half a draft", "utf-8")
    assert notes_svc.load_note_draft("Ana Rep", 9) is None


def test_upsert_creates_updates_and_deletes(db: Database, frozen) -> None:
    seeded = seed_workspace(db, frozen.t)
    alice = seeded.leads["Alice"]
    first = notes_svc.upsert_note(db, alice, "Ana Rep", "Budget")
    assert first.note_id is not None and first.changes.notes
    frozen.advance(seconds=30)
    second = notes_svc.upsert_note(db, alice, "Ana Rep", "Budget: 20k", first.note_id)
    assert second.note_id == first.note_id
    [note] = lead_detail(db, alice).notes
    assert (note.body, note.author, note.updated_at) == ("Budget: 20k", "Ana Rep", frozen.t)
    gone = notes_svc.upsert_note(db, alice, "Ana Rep", "   ", first.note_id)
    assert gone.note_id is None
    assert lead_detail(db, alice).notes == ()


def test_upsert_refuses_someone_elses_note(db: Database, frozen) -> None:
    seeded = seed_workspace(db, frozen.t)
    saved = notes_svc.upsert_note(db, seeded.leads["Alice"], "Ana Rep", "mine")
    with pytest.raises(NotAllowed):
        notes_svc.upsert_note(db, seeded.leads["Alice"], "Ben Rep", "overwrite", saved.note_id)
    with pytest.raises(NotAllowed):
        notes_svc.upsert_note(db, seeded.leads["Bob"], "Ana Rep", "wrong lead", saved.note_id)
    with pytest.raises(NotFound):
        notes_svc.upsert_note(db, 999_999, "Ana Rep", "no such lead")


def test_the_note_typed_during_the_call_becomes_the_attempts(db: Database, frozen) -> None:
    """The disposition names the note typed during the call (as the lead panel does): the
    attempt carries it, and it stays one note."""
    seeded = seed_workspace(db, frozen.t)
    add_user(db, "Cy Lead", "lead")
    alice = seeded.leads["Alice"]
    saved = notes_svc.upsert_note(db, alice, "Ana Rep", "Wants a demo Tuesday")
    assert saved.note_id is not None
    log_call(db, alice, "Ana Rep", "connected", notes="Wants a demo Tuesday",
             note_id=saved.note_id)
    detail = lead_detail(db, alice)
    assert [a.notes for a in detail.attempts] == ["Wants a demo Tuesday"]
    assert len(detail.notes) == 1  # attached, not copied


def test_the_audit_log_gets_the_note_once_per_typing_not_per_save(db: Database, frozen) -> None:
    from datetime import timedelta

    from qualdesk.services.audit_query import audit_entries

    lead = seed_workspace(db, frozen.t).leads["Alice"]
    saved = notes_svc.upsert_note(db, lead, "Ana Rep", "Inter")
    for text in ("Interested in", "Interested in a demo"):  # saves while typing
        frozen.advance(seconds=3)
        notes_svc.upsert_note(db, lead, "Ana Rep", text, saved.note_id)

    def notes_audit() -> list[tuple[str | None, str | None, str | None]]:
        return [(e.field, e.old, e.new) for e in audit_entries(db, lead) if e.action == "note"]

    field = f"note {saved.note_id}"
    assert notes_audit() == [(field, None, "Inter")]
    frozen.advance(minutes=30)  # back to it later: that change is recorded, old -> new
    notes_svc.upsert_note(db, lead, "Ana Rep", "Interested in a demo next week", saved.note_id)
    frozen.advance(seconds=5)
    notes_svc.upsert_note(db, lead, "Ana Rep", "", saved.note_id)  # emptied
    assert notes_audit() == [
        (field, None, "Inter"),
        (field, "Interested in a demo", "Interested in a demo next week"),
        (field, "Interested in a demo next week", None),
    ]
    assert all(e.user == "Ana Rep" for e in audit_entries(db, lead) if e.action == "note")
    assert timedelta(minutes=10) == notes_svc.TYPING_SESSION
