"""Keeping a refused POST for the team lead's Intake page, without letting it grow forever.

Every refusal of a known source is kept: it is the team lead's only view of a sender
that is misconfigured. Posts to names that are no source are what scanners send, so
from one address only the first few in ten minutes are kept (the rest are counted in
the log). Refusals older than a month go, a few at a time as new ones come in, so the
table stays the size of a month of traffic.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete, func, select

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import IntakeRefusal, IntakeSource
from qualdesk.services import audit

EXCERPT_CHARS = 300
KEPT_FOR = timedelta(days=30)
UNKNOWN_NAMES_KEPT = 20  # per address per window: a scanner's noise stays bounded
UNKNOWN_NAMES_WINDOW = timedelta(minutes=10)
PRUNE_EVERY = 100  # refusals kept between two clean-ups of the old ones
log = logging.getLogger(__name__)


def excerpt(body: bytes) -> str:
    """The start of a refused body, safe to show: decoded with replacement characters,
    control characters dropped. Plain text for a plain-text widget, never HTML."""
    text = body[:EXCERPT_CHARS * 4].decode("utf-8", errors="replace")[:EXCERPT_CHARS]
    return "".join(ch if ch.isprintable() or ch in " \n\t" else "\ufffd" for ch in text)


def keep_refusal(db: Database, name: str, status: int, reason: str, remote: str | None,
                 body: bytes) -> None:
    """Best effort: a refusal while the database is away cannot be kept (503)."""
    try:
        kept = _keep(db, name, status, reason, remote, body)
    except Exception:  # noqa: BLE001 - a refusal must never turn into a 500
        log.warning("could not keep a refusal for %s (%s)", name, status)
        return
    if kept is not None and kept % PRUNE_EVERY == 0:
        prune(db)


def _keep(db: Database, name: str, status: int, reason: str, remote: str | None,
          body: bytes) -> int | None:
    """The refusal's id, or None when it is a scanner's noise not worth a row."""
    now = clock.now()
    with db.session() as s:
        src_id = s.scalar(select(IntakeSource.id).where(IntakeSource.name == name))
        if src_id is None and remote and s.scalar(
                select(func.count()).select_from(IntakeRefusal).where(
                    IntakeRefusal.source_id.is_(None), IntakeRefusal.remote == remote[:64],
                    IntakeRefusal.at >= now - UNKNOWN_NAMES_WINDOW)) >= UNKNOWN_NAMES_KEPT:
            log.info("not kept: %s posted to unknown source %r (%s)", remote, name, status)
            return None
        row = IntakeRefusal(source_id=src_id, source_name=name[:80], at=now, status=status,
                            reason=reason[:2000], remote=(remote or "")[:64] or None,
                            excerpt=excerpt(body))
        s.add(row)
        s.flush()
        audit.bump(s, "intake_refusal")
        return row.id


def prune(db: Database) -> int:
    """Drop the refusals older than ``KEPT_FOR``; how many went."""
    try:
        with db.session() as s:
            gone = s.execute(delete(IntakeRefusal).where(
                IntakeRefusal.at < clock.now() - KEPT_FOR))
            return int(gone.rowcount or 0)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - the next clean-up tries again
        log.warning("could not clean up old intake refusals")
        return 0
