"""The lead's history as lists: digital body language (hand raises and their details),
attempts, emails with their status, callbacks and past notes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from qualdesk.domain.countdown import age_text
from qualdesk.domain.records import LeadDetail
from ui import labels


def _when(at: datetime | None, tz: str) -> str:
    if at is None:
        return "—"
    try:
        zone = ZoneInfo(tz)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    local = at.astimezone(zone)
    return f"{local:%a %d %b %H:%M}"


class RecordList(QTreeWidget):
    """A flat, read-only list with headers; rows are tuples of text."""

    def __init__(self, object_name: str, headers: Sequence[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setHeaderLabels(list(headers))
        self.setRootIsDecorated(False)
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(False)
        self.setWordWrap(True)
        self.header().setStretchLastSection(True)
        self.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

    def set_rows(self, rows: Sequence[Sequence[str]], tips: Sequence[str] | None = None) -> None:
        self.clear()
        items = []
        for i, r in enumerate(rows):
            item = QTreeWidgetItem([str(c) for c in r])
            if tips:
                for c in range(len(r)):
                    item.setToolTip(c, tips[i])
            items.append(item)
        self.addTopLevelItems(items)
        for c in range(self.columnCount() - 1):
            self.resizeColumnToContents(c)


class TimelineView(RecordList):
    """Digital body language: each hand raise, how strong, what it said, when followed up."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("lead_timeline", ["When (team)", "Ago", "Hand raise", "Strength",
                                           "Followed up", "Details"], parent)

    def set_detail(self, detail: LeadDetail | None, now: datetime, team_tz: str) -> None:
        if detail is None:
            self.set_rows([])
            return
        rows, tips = [], []
        for h in detail.hand_raises:
            done = h.followed_up_at
            if done is not None:
                mins = int((done - h.raised_at).total_seconds() // 60)
                status = f"yes, after {mins} min"
            else:
                parts = [p for p, v in (("called", h.first_call_at), ("emailed", h.first_email_at)) if v]
                status = ("only " + " and ".join(parts)) if parts else "not yet"
            rows.append((_when(h.raised_at, team_tz), age_text(h.raised_at, now),
                         labels.hand_raise(h.kind), str(h.strength), status,
                         (h.details or "") + (f" (via {h.source})" if h.source else "")))
            tips.append(f"deadline {_when(h.deadline_at, team_tz)}")
        self.set_rows(rows, tips)


class AttemptHistory(RecordList):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("lead_attempts", ["When (team)", "Rep", "Outcome", "Length", "Notes"],
                         parent)

    def set_detail(self, detail: LeadDetail | None, team_tz: str) -> None:
        rows = []
        for a in detail.attempts if detail else ():
            secs = int((a.ended_at - a.started_at).total_seconds()) if a.ended_at else 0
            rows.append((_when(a.started_at, team_tz), a.rep or "—",
                         labels.disposition(a.disposition), f"{secs // 60}:{secs % 60:02d}",
                         (a.notes or "").replace("\n", " ")))
        self.set_rows(rows)


class EmailList(RecordList):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("lead_emails", ["Created (team)", "Status", "Sent", "Subject"], parent)

    def set_detail(self, detail: LeadDetail | None, team_tz: str) -> None:
        rows, tips = [], []
        for e in detail.emails if detail else ():
            rows.append((_when(e.created_at, team_tz),
                         labels.EMAIL_STATUS.get(e.status, labels.humanize(e.status)),
                         _when(e.sent_at, team_tz),
                         e.subject))
            tips.append(f"to {e.to_addr}" + (f" — {labels.mail_problem(e.last_error)}"
                                              if e.last_error else ""))
        self.set_rows(rows, tips)


class CallbackList(RecordList):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("lead_callbacks", ["Due (lead)", "Due (team)", "For", "Done", "Note"],
                         parent)

    def set_detail(self, detail: LeadDetail | None, team_tz: str) -> None:
        rows = []
        for c in detail.callbacks if detail else ():
            lead_tz = c.lead_tz or team_tz
            rows.append((f"{_when(c.due_at, lead_tz)} ({lead_tz.rsplit('/', 1)[-1]})",
                         _when(c.due_at, team_tz),
                         c.rep if c.scope == "mine" and c.rep else "anyone",
                         _when(c.done_at, team_tz) if c.done_at else "open", c.note or ""))
        self.set_rows(rows)


class NoteHistory(RecordList):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("lead_note_history", ["When (team)", "By", "Note"], parent)

    def set_detail(self, detail: LeadDetail | None, team_tz: str,
                   skip_note: int | None = None) -> None:
        rows = [(_when(n.updated_at, team_tz), n.author or "—", n.body)
                for n in (detail.notes if detail else ()) if n.id != skip_note]
        self.set_rows(rows)
