"""Turn a lead over to sales: Level I status, the sales owner, the hand-off note, an
override reason when the lead is not qualified, and a preview of what travels.

Non-modal: the caller ``open()``s it; the turn-over runs through the op runner and the
dialog closes (accepted) only when it succeeded, otherwise it shows why and stays.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from qualdesk.domain.calling_window import zone
from qualdesk.domain.countdown import both_zones_text
from qualdesk.offline.resilient import new_key
from qualdesk.services import team_settings
from qualdesk.services.export_crm.common import attempts_text, body_language_lines
from qualdesk.services.turnover import TurnOverPreview, preview, turn_over_op
from ui.context import AppContext
from ui.dialog_buttons import action_buttons, column, ok_of
from ui.labels import answer_key, bant_summary, designation


def when_text(stamp: str | None, lead: dict[str, Any], team_tz: str) -> str:
    """A stored UTC stamp as the rep reads it: the lead's and the team's wall clock in
    the app's words (``Tue 24 Nov 09:30 EST (lead) = 15:30 CET (team)``)."""
    if not stamp:
        return "-"
    try:
        at = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)  # stored stamps are UTC
    zones = lead.get("time_zones") or []
    return both_zones_text(at, zones[0] if zones else None, team_tz)


_UTC_STAMP = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}) UTC")


def _utc_words(line: str, lead: dict[str, Any], team_tz: str) -> str:
    """A line the export writes with "2026-11-23 14:30 UTC" in it, in the rep's words."""
    return _UTC_STAMP.sub(lambda m: when_text(f"{m[1]}T{m[2]}", lead, team_tz), line)


def _day(stamp: str | None, team_tz: str) -> str:
    """A note's day in the team's zone, as the app writes days (``Mon 23 Nov``)."""
    try:
        at = datetime.fromisoformat(stamp or "")
    except ValueError:
        return (stamp or "")[:10]
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return f"{at.astimezone(zone(team_tz) or UTC):%a %d %b}"


def snapshot_text(snap: dict[str, Any], team_tz: str = "UTC") -> str:
    """What travels to sales, as the rep and sales read it (times in the lead's and the
    team's zone, never a raw UTC stamp)."""
    lead = snap.get("lead", {})
    name = " ".join(p for p in (lead.get("first_name"), lead.get("last_name")) if p)
    lines = [
        f"{name or '(no name)'} — {lead.get('title') or ''} at {lead.get('company') or '(no company)'}",
        f"Email: {lead.get('email') or '-'}   Phone: {lead.get('phone') or '-'}",
        f"Campaign: {snap.get('campaign', {}).get('name') or '-'}   Marketing generated: yes",
        f"Level I qualified: {'yes' if snap.get('level1_met') else 'no'}",
        f"BANT: {bant_summary(snap.get('bant', {})) or '-'}",
    ]
    questions = snap.get("questions") or {}
    for k, v in snap.get("answers", {}).items():
        lines.append(f"  {answer_key(k, questions)}: {v}")
    lines.append("Digital body language:")
    lines.extend(f"  {_utc_words(x, lead, team_tz)}"
                 for x in body_language_lines(snap) or ["(none)"])
    attempts = dict(snap.get("attempts") or {})
    first = attempts.pop("first_touch_at", None)
    lines.append(f"Attempts: {attempts_text({**snap, 'attempts': attempts})}"
                 + (f", first call {when_text(first, lead, team_tz)}" if first else ""))
    notes = snap.get("notes", [])
    lines.append(f"Notes ({len(notes)}):")
    lines.extend(f"  {_day(n.get('at'), team_tz)} {n.get('author') or ''}: {n.get('body', '')}"
                 for n in notes)
    handoff = snap.get("handoff")
    if handoff:
        lines.append(f"Turned over {when_text(handoff.get('at'), lead, team_tz)} by "
                     f"{handoff.get('by') or '-'} to {handoff.get('to')}")
        if handoff.get("override_reason"):
            lines.append(f"Override: {handoff['override_reason']}")
        if handoff.get("note"):
            lines.append(f"Hand-off note: {handoff['note']}")
    return "\n".join(lines)


class TurnOverDialog(QDialog):
    sig_turned_over = Signal(int)  # lead id

    def __init__(self, ctx: AppContext, lead_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("turnover_dialog")
        self.setWindowTitle("Turn over to sales")
        self.ctx, self.lead_id = ctx, lead_id
        self._preview: TurnOverPreview | None = None
        # One turn-over per dialog: pressing it again after a lost commit finds it (#21).
        self._retry_key = new_key()

        self.level1 = QLabel("Loading…", self)
        self.level1.setObjectName("turnover_level1")
        self.level1.setWordWrap(True)
        self.owner = QComboBox(self)
        self.owner.setObjectName("turnover_owner")
        self.owner.setToolTip("The sales owner who receives the lead (users with role 'sales')")
        # wide enough for "Priya Shah <priya.shah@example.com>" once the owners arrive
        self.owner.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.override = QLineEdit(self)
        self.override.setObjectName("turnover_override")
        self.override.setPlaceholderText("Why hand it over although it is not Level I qualified")
        self.note = QPlainTextEdit(self)
        self.note.setObjectName("turnover_note")
        self.note.setPlaceholderText("Hand-off note for sales: what to do next, what was promised")
        self.note.setTabChangesFocus(True)
        self.preview = QPlainTextEdit(self)
        self.preview.setObjectName("turnover_preview")
        self.preview.setReadOnly(True)
        self.preview.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Tab skips a read-only box
        self.error = QLabel("", self)
        self.error.setObjectName("turnover_error")
        self.error.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Level I", self.level1)
        form.addRow("Sales owner", self.owner)
        form.addRow("Override reason", self.override)
        form.addRow("Hand-off note", self.note)
        form.addRow("What travels", self.preview)
        self.buttons = action_buttons(self, "turnover", "Turn over", self._submit)
        column(self, form, self.error, self.buttons)
        # the override's hint uncut (it was 381 px wide at every resolution)
        self.setMinimumWidth(max(600, self.fontMetrics().horizontalAdvance(
            self.override.placeholderText()) * 3 // 2))
        self.team_tz = "UTC"
        self.owner.currentIndexChanged.connect(self._validate)
        self.override.textChanged.connect(self._validate)
        self._validate()
        db = ctx.db
        ctx.run_query(lambda: (preview(db, lead_id),
                               team_settings.get_all(db).get("team.timezone", "UTC")),
                      self._arrived,
                      key=f"turnover_preview_{id(self)}", on_error=self._failed)

    @property
    def ok_button(self) -> QPushButton:
        return ok_of(self.buttons)

    def _arrived(self, got: tuple[TurnOverPreview, str]) -> None:
        self.team_tz = got[1] or "UTC"
        self._loaded(got[0])

    def _loaded(self, p: TurnOverPreview) -> None:
        self._preview = p
        self.setWindowTitle(f"Turn over {p.lead_name} to sales")
        if not p.can_turn_over:
            self.level1.setText(f"✖ This lead is {designation(p.designation).lower()}: "
                                f"it cannot be turned over")
        elif p.level1_met:
            self.level1.setText("✔ Level I qualified")
        else:
            self.level1.setText("⚠ Not Level I qualified: an override reason is required "
                                "and will be recorded")
        self.override.setEnabled(not p.level1_met)
        self.owner.clear()
        for u in p.sales_owners:
            self.owner.addItem(u.name + (f" <{u.email}>" if u.email else ""), u.name)
        if not p.sales_owners:
            self.error.setText("Nobody in sales can receive it yet: ask your team lead or "
                               "admin to add a sales person to the team.")
        self.preview.setPlainText(snapshot_text(p.snapshot, self.team_tz))
        self._validate()
        (self.override if not p.level1_met else self.note).setFocus()

    def _failed(self, exc: BaseException) -> None:
        self.error.setText(str(exc))
        self._validate()

    def _validate(self) -> None:
        p = self._preview
        ok = (p is not None and p.can_turn_over and self.owner.currentData() is not None
              and (p.level1_met or bool(self.override.text().strip())))
        self.ok_button.setEnabled(ok)

    def _submit(self) -> None:
        if not self.ok_button.isEnabled():
            return
        owner = str(self.owner.currentData())
        override = self.override.text().strip() or None
        if self._preview is not None and self._preview.level1_met:
            override = None
        note = self.note.toPlainText().strip() or None
        by = self.ctx.rep_name
        db, lead_id = self.ctx.db, self.lead_id
        self.ok_button.setEnabled(False)
        key = self._retry_key
        self.ctx.run_op(lambda: turn_over_op(db, lead_id, owner, by=by, override=override,
                                             note=note, idempotency_key=key),
                        initiator=self, on_done=self._done, on_error=self._failed)

    def _done(self, _changes: object) -> None:
        self.sig_turned_over.emit(self.lead_id)
        self.accept()
