"""Idempotency keys of the writes a client may retry after a lost commit.

When the connection drops during COMMIT ("server closed the connection unexpectedly")
the client cannot know whether the change was kept. A write that carries a key records
it in ``write_keys`` inside its own transaction: either both are committed or neither.
The retry (the offline outbox's replay, a script's ``--idempotency-key``) looks the key
up first and, when it is there, returns what was done instead of doing it again. Two
replays racing each other cannot both commit: the key is the table's primary key.

Calls and follow-ups with a voicemail carry their key on ``attempts.idempotency_key``
(the attempt is the row); every other retried write (a BANT save, a turn-over, a
callback, a note, a designation change, an e-mail-only follow-up) keeps it here. One key names one write: the same key on another
kind of write, or another lead, is refused rather than silently taken as done.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.models import WriteKey
from qualdesk.errors import InvalidInput


class KeyTaken(InvalidInput):
    """Another try with the same key committed first (two replays raced): this one is
    rolled back whole, so the change is in once."""


KINDS = ("qualification", "turn_over", "callback", "note", "designation", "followup")
MAX_LEN = 64


@dataclass(frozen=True)
class Done:
    """The write a key already names: its kind, lead and row (the callback, note or
    turn-over id; None where the write has no row of its own)."""

    key: str
    kind: str
    lead_id: int | None
    row_id: int | None


def check_key(key: str | None) -> str | None:
    """The key, stripped; None for none. Refuses a key the table cannot hold."""
    if key is None:
        return None
    key = key.strip()
    if not key:
        raise InvalidInput("an idempotency key cannot be empty")
    if len(key) > MAX_LEN:
        raise InvalidInput(f"idempotency key {key[:20]!r}…: at most {MAX_LEN} characters")
    return key


def done(s: Session, key: str | None, kind: str, lead_id: int | None) -> Done | None:
    """What ``key`` already did, if it was committed; None when it is new (or no key)."""
    if not key:
        return None
    row = s.get(WriteKey, key)
    if row is None:
        return None
    if row.kind != kind or (lead_id is not None and row.lead_id != lead_id):
        raise InvalidInput(f"idempotency key {key!r} was already used for a {row.kind} on "
                           f"lead {row.lead_id}: use a new key for a new change")
    return Done(row.key, row.kind, row.lead_id, row.row_id)


def remember(s: Session, key: str | None, kind: str, lead_id: int | None,
             user_id: int | None, row_id: int | None = None) -> None:
    """Record ``key`` in the caller's transaction (nothing without a key)."""
    if not key:
        return
    assert kind in KINDS, kind
    s.add(WriteKey(key=key, kind=kind, lead_id=lead_id, row_id=row_id, user_id=user_id,
                   at=clock.now()))
    try:
        s.flush()
    except IntegrityError as exc:
        if "write_keys" not in str(exc.orig):  # another row's problem: not ours to name
            raise
        # the caller's transaction rolls back whole as this propagates
        raise KeyTaken(f"idempotency key {key!r}: the same change was just made by another "
                       "try; nothing more was done") from None

