"""The last follow-up preview rendered per lead and rep, kept in memory.

The rep reads the voicemail script from the preview before sending; rendering it needs
the shared database (the lead, the campaign's templates, the rep). So that a follow-up
can still be made when the database has gone away with the lead on screen, the client
renders the preview when the lead is opened and keeps it here. The follow-up itself is
then queued in the outbox and rendered again, from the database, when it is replayed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime
from typing import NamedTuple

from qualdesk.services.followup import FollowUpPreview


class Cached(NamedTuple):
    preview: FollowUpPreview
    rendered_at: datetime


class PreviewCache:
    def __init__(self, capacity: int = 64) -> None:
        self._capacity = capacity
        self._items: OrderedDict[tuple[int, str], Cached] = OrderedDict()
        self._lock = threading.Lock()  # filled from worker threads, read on the GUI's

    @staticmethod
    def _key(lead_id: int, rep: str) -> tuple[int, str]:
        return lead_id, rep.strip().lower()

    def remember(self, preview: FollowUpPreview, rep: str, at: datetime) -> None:
        key = self._key(preview.lead_id, rep)
        with self._lock:
            self._items[key] = Cached(preview, at)
            self._items.move_to_end(key)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)

    def get(self, lead_id: int, rep: str) -> Cached | None:
        with self._lock:
            return self._items.get(self._key(lead_id, rep))

    def forget(self, lead_id: int) -> None:
        """The lead can no longer be followed up as previewed (a refusal came back)."""
        with self._lock:
            for key in [k for k in self._items if k[0] == lead_id]:
                del self._items[key]
