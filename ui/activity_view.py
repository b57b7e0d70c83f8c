"""The lead panel's "Activity" tab: the lead's digital body language, newest first —
page visits, email opens, downloads, points changes and form submits as the intake
sources reported them, and, where one of them raised the hand, which rule did.

Rows come from ``qualdesk.services.intake.live.activity.lead_activity`` (plain frozen
records) through the op runner; the tab reloads when a write touches its lead, when it
is shown, and when live sync reports another client's (or a receiver's) write.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import datetime
from enum import IntEnum
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from qualdesk import clock
from qualdesk.domain.countdown import age_text
from qualdesk.domain.records import Changes
from ui import labels
from ui.context import AppContext
from ui.rows_model import RowsModel

Index = QModelIndex | QPersistentModelIndex
SortRole = Qt.ItemDataRole.UserRole + 1

# Activity kinds in words; an unknown kind reads as its code with spaces.
KIND_LABELS = {
    "page_hit": "Page visit", "email_open": "Email opened", "points_change": "Points changed",
    "download": "Download", "form_submit": "Form submitted", "hand_raise": "Hand raise",
}
# Details worth naming first, in this order; the rest follow as "name: value". A
# detail called "details" is the sender's own free text: shown as it is.
_FIRST_DETAILS = ("url", "details", "title", "subject", "email", "form", "asset",
                  "old_points", "new_points", "points")
_UNLABELLED = ("url", "details")


class Col(IntEnum):
    # The lead panel is narrow: what happened and whether it raised the hand come first,
    # the full date last (the age says how recent it is).
    AGO = 0
    ACTIVITY = 1
    RAISED = 2
    DETAILS = 3
    SOURCE = 4
    AT = 5


HEADERS = {Col.AT: "When (team)", Col.AGO: "Ago", Col.ACTIVITY: "Activity",
           Col.DETAILS: "Details", Col.SOURCE: "From", Col.RAISED: "Raised the hand"}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, labels.humanize(kind))


def kind_words(code: str | None) -> str:
    return labels.humanize(code).lower()


def details_text(details: Mapping[str, Any] | None, skip: tuple[str, ...] = ()) -> str:
    """A record's details on one line: the telling ones first (the page, the email)."""
    if not details:
        return ""
    keys = [k for k in _FIRST_DETAILS if k in details] + sorted(
        k for k in details if k not in _FIRST_DETAILS)
    parts = []
    for k in keys:
        v = details[k]
        if k in skip or v is None or v == "" or isinstance(v, dict | list):
            continue
        parts.append(str(v) if k in _UNLABELLED else f"{k.replace('_', ' ')}: {v}")
    return " · ".join(parts)


def activity_text(r: Any) -> str:
    """The kind in words; a hand raise without its rule says which kind it was (with a
    rule, the next column says it: the lead panel is narrow)."""
    if r.kind == "hand_raise" and r.hand_raise and not r.raised_hand:
        return f"Hand raise: {kind_words(r.hand_raise)}"
    return kind_label(r.kind)


def raised_text(rule: str | None, kind: str | None = None) -> str:
    """Which rule raised the hand: "page visits — key page */pricing*"; a rule that
    already starts with its kind ("demo_request sent by web") reads as it is. Words, not
    a symbol: a hand-raise glyph is missing from many desktop fonts."""
    if not rule:
        return ""
    if kind and rule == kind_words(kind):
        return rule
    if kind and rule.startswith(kind):
        return f"{kind_words(kind)}{rule[len(kind):]}"
    return f"{kind_words(kind)} — {rule}" if kind else rule


class ActivityModel(RowsModel):
    """Thin: rows are ``ActivityRecord``s in the service's order (newest first)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__([HEADERS[c] for c in Col], parent)
        self._tz = ZoneInfo("UTC")
        self._now = clock.now()
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows_at(self, rows: list[Any], tz: str, now: datetime) -> None:
        try:
            self._tz = ZoneInfo(tz)
        except (KeyError, ValueError):
            self._tz = ZoneInfo("UTC")
        self._now = now
        self.set_rows(rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        r = self.at(index)
        if r is None:
            return None
        col = Col(index.column())
        if role == SortRole:
            return r.at.timestamp() if col in (Col.AT, Col.AGO) else self._text(r, col)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            # What a sender sent: escaped and marked rich, so markup shows as text.
            tip = ("\n".join(f"{k}: {v}" for k, v in (r.details or {}).items())
                   if col == Col.DETAILS else self._text(r, col))
            return f"<qt>{html.escape(tip).replace(chr(10), '<br>')}</qt>" if tip else None
        if role == Qt.ItemDataRole.FontRole and r.raised_hand:
            return self._bold  # a hand raise stands out by weight as well as by its mark
        return None

    def _text(self, r: Any, col: Col) -> str:
        if col == Col.AT:
            local = r.at.astimezone(self._tz)
            today = local.date() == self._now.astimezone(self._tz).date()
            return f"{local:%H:%M}" if today else f"{local:%a %d %b %H:%M}"
        if col == Col.AGO:
            return age_text(r.at, self._now)
        if col == Col.ACTIVITY:
            return activity_text(r)
        if col == Col.DETAILS:
            # A hand raise's kind is in the Activity column; its rule in the last one.
            return details_text(r.details, ("kind", "rule", "activity")
                                if r.raised_hand else ())
        if col == Col.SOURCE:
            return r.source or ""
        return raised_text(r.raised_hand, r.hand_raise)


def _load(db: Any, lead_id: int) -> tuple[list[Any], str]:
    from qualdesk.services import team_settings
    from qualdesk.services.intake.live.activity import lead_activity

    return lead_activity(db, lead_id), str(team_settings.get_value(db, "team.timezone"))


class ActivityView(QWidget):
    """``set_lead(lead_id)`` shows that lead's activity; ``refresh()`` reloads it."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("activity_view")
        self.ctx = ctx
        self.lead_id: int | None = None
        self.model = ActivityModel(self)
        self.summary = QLabel("", self)
        self.summary.setObjectName("activity_summary")
        self.summary.setWordWrap(True)
        self.table = QTableView(self)
        self.table.setObjectName("activity_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(int(Col.DETAILS), QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 1)
        ctx.sig_operation_executed.connect(self._on_changes)
        self._show(([], "UTC"))

    def set_lead(self, lead_id: int | None) -> None:
        self.lead_id = lead_id
        self.refresh()

    def refresh(self, *_: object) -> None:
        if self.lead_id is None:
            self._show(([], "UTC"))
            return
        lead_id, db = self.lead_id, self.ctx.db
        self.ctx.run_query(lambda: _load(db, lead_id), self._show, key=f"activity-{id(self)}")

    def refresh_if_shown(self, *_: object) -> None:
        """Live sync: reload only while the rep can see the tab (shown again, it reloads)."""
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if self.lead_id is not None and self.lead_id in changes.leads:
            self.refresh()

    def _show(self, loaded: tuple[list[Any], str]) -> None:
        rows, tz = loaded
        now = clock.now()
        self.model.set_rows_at(rows, tz, now)
        if self.lead_id is None:
            self.summary.setText("")
        elif not rows:
            self.summary.setText("No activity recorded yet. Page visits, email opens, downloads "
                                 "and points arrive here from the team's intake sources.")
        else:
            raised = sum(1 for r in rows if r.raised_hand)
            n = len(rows)
            self.summary.setText(
                f"{n} activit{'ies' if n != 1 else 'y'}, newest first · last {age_text(rows[0].at, now)}"
                + (f" · {raised} raised the hand (in bold)" if raised else ""))
