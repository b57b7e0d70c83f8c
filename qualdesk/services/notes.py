"""Notes typed during a call, saved as typed so a crash loses nothing.

Two layers: a local draft file per rep and lead (written atomically: temp file +
``os.replace``, so a crash mid-write leaves the old draft intact), and the note row in
the database (``upsert_note``). The draft is cleared once the note is attached to the
attempt that ended the call.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Lead, Note
from qualdesk.domain.records import Changes
from qualdesk.errors import NotAllowed, NotFound
from qualdesk.paths import data_dir
from qualdesk.services import audit, retry_keys
from qualdesk.services.holds import check_not_held_by_other
from qualdesk.services.users import user_by_name


@dataclass(frozen=True)
class NoteDraft:
    lead_id: int
    rep: str
    body: str
    note_id: int | None
    saved_at: datetime


def drafts_dir() -> Path:
    d = data_dir() / "drafts"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _draft_path(rep: str, lead_id: int) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", rep.strip().lower()) or "_"
    return drafts_dir() / f"{safe}-lead-{int(lead_id)}.json"


def save_note_draft(rep: str, lead_id: int, body: str, note_id: int | None = None) -> NoteDraft:
    """Write the draft atomically; returns what was written."""
    draft = NoteDraft(lead_id, rep, body, note_id, clock.now())
    path = _draft_path(rep, lead_id)
    payload = json.dumps({"lead_id": lead_id, "rep": rep, "body": body, "note_id": note_id,
                          "saved_at": draft.saved_at.isoformat()}, ensure_ascii=False)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return draft


def load_note_draft(rep: str, lead_id: int) -> NoteDraft | None:
    path = _draft_path(rep, lead_id)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return None  # an unreadable draft must never block opening the lead
    return NoteDraft(int(data["lead_id"]), str(data.get("rep", rep)), str(data.get("body", "")),
                     data.get("note_id"), datetime.fromisoformat(data["saved_at"]))


def clear_note_draft(rep: str, lead_id: int) -> None:
    _draft_path(rep, lead_id).unlink(missing_ok=True)


@dataclass(frozen=True)
class SavedNote:
    note_id: int | None  # None: an empty body deleted (or never created) the note
    changes: Changes


# A note is saved every few seconds while it is typed; the audit log gets one entry for
# the typing, not one per save: when the note is added, when it is emptied, and when it
# is changed after it sat untouched this long (someone came back to it).
TYPING_SESSION = timedelta(minutes=10)
_EXCERPT = 120


def _excerpt(body: str) -> str:
    one_line = " ".join(body.split())
    return one_line if len(one_line) <= _EXCERPT else one_line[:_EXCERPT - 1] + "…"


def upsert_note(db: Database, lead_id: int, rep: str, body: str,
                note_id: int | None = None, idempotency_key: str | None = None) -> SavedNote:
    """Create the note, or update the one being typed; an emptied note is blanked.
    ``idempotency_key``: a retry finds the note it already saved (``retry_keys``)."""
    key = retry_keys.check_key(idempotency_key)
    with db.session() as s:
        author = user_by_name(s, rep)
        lead = s.get(Lead, lead_id)
        if lead is None:
            raise NotFound(f"no lead with id {lead_id}")
        prior = retry_keys.done(s, key, "note", lead_id)
        if prior is not None:
            return SavedNote(prior.row_id, Changes(leads=(lead_id,), notes=True))
        check_not_held_by_other(s, lead, author.id, what="note")
        note = upsert_note_in(s, lead_id, author.id, body, note_id)
        retry_keys.remember(s, key, "note", lead_id, author.id, note.id if note else None)
        return SavedNote(note.id if note is not None else None,
                         Changes(leads=(lead_id,), notes=True))


def upsert_note_in(s: Session, lead_id: int, author_id: int, body: str,
                   note_id: int | None = None) -> Note | None:
    """``upsert_note`` inside the caller's transaction (a disposition writes its call and
    its note together); the same audit either way. None: the body was empty."""
    now = clock.now()
    note = s.get(Note, note_id) if note_id is not None else None
    # A note deleted meanwhile: start a new one rather than lose the text.
    if note is not None and (note.lead_id != lead_id or note.author_id != author_id):
        raise NotAllowed(f"note {note_id} belongs to another lead or author")
    if not body.strip():
        if note is not None and note.body:
            # Blanked, not deleted: a rep's database login has no DELETE (roles are
            # enforced by grants), and readers skip blank notes.
            audit.record(s, lead_id, author_id, "note", f"note {note.id}", _excerpt(note.body), None)
            note.body = ""
            note.updated_at = now
        return None
    if note is None:
        note = Note(lead_id=lead_id, author_id=author_id, body=body, created_at=now,
                    updated_at=now)
        s.add(note)
        s.flush()
        audit.record(s, lead_id, author_id, "note", f"note {note.id}", None, _excerpt(body))
    elif body != note.body:
        came_back = not note.body or now - note.updated_at >= TYPING_SESSION
        if came_back:
            audit.record(s, lead_id, author_id, "note", f"note {note.id}",
                         _excerpt(note.body) or None, _excerpt(body))
        else:
            audit.bump(s, "note", lead_id)
        note.body = body
        note.updated_at = now
    return note
