"""The team lead's hand-raise rules: when a lead's activity (page hits, email opens,
points) becomes a hand raise. Best practice #2, "define hand raised".

The rules are team settings (``intake.key_pages``, ``intake.opens_count``,
``intake.opens_days``, ``intake.points_threshold``) read and saved through the team
settings service, all four in one write so a half-saved rule set never reaches the
receivers. Each field says what it means in words, and a summary line reads the whole
rule set back as a sentence while it is typed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from qualdesk.domain.records import Changes
from qualdesk.errors import KnownError
from qualdesk.services import team_settings
from qualdesk.settings import parse_value
from ui.context import AppContext
from ui.what_changed import SETTINGS

KEY_PAGES = "intake.key_pages"
OPENS_COUNT = "intake.opens_count"
OPENS_DAYS = "intake.opens_days"
POINTS = "intake.points_threshold"
RULE_KEYS = (KEY_PAGES, OPENS_COUNT, OPENS_DAYS, POINTS)


def patterns_of(raw: str) -> list[str]:
    """The key-page patterns in a stored value or in the box (commas or lines)."""
    return [p.strip() for p in raw.replace("\n", ",").split(",") if p.strip()]


def rules_sentence(pages: list[str], opens: int, days: int, points: int) -> str:
    """The rule set read back in words."""
    parts = []
    if pages:
        shown = ", ".join(pages[:3]) + (f" (and {len(pages) - 3} more)" if len(pages) > 3 else "")
        parts.append(f"a visit to {shown}")
    parts.append(f"{opens} email open{'s' if opens != 1 else ''} within "
                 f"{days} day{'s' if days != 1 else ''}")
    if points > 0:
        parts.append(f"reaching {points} points")
    parts.append("an asset download")  # always: the kind exists for exactly this
    return f"Besides form submits, a hand is raised by {', '.join(parts[:-1])} or {parts[-1]}."


def _field(field: QWidget | QHBoxLayout, text: str, parent: QWidget) -> QVBoxLayout:
    """A form field with what it means written under it (wrapped, in the normal text
    colour: a greyed label is too faint to read on many themes)."""
    help_label = QLabel(text, parent)
    help_label.setWordWrap(True)
    font = help_label.font()
    font.setItalic(True)
    help_label.setFont(font)
    box = QVBoxLayout()
    box.setSpacing(2)
    if isinstance(field, QWidget):
        row = QHBoxLayout()
        row.addWidget(field)
        if not isinstance(field, QPlainTextEdit):
            row.addStretch(1)  # a number needs no full-width box
        box.addLayout(row)
    else:
        box.addLayout(field)
    box.addWidget(help_label)
    return box


class HandRaiseRulesEditor(QWidget):
    """``refresh()`` loads the rules; Save writes all four through the team settings."""

    sig_saved = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hand_raise_rules")
        self.ctx = ctx
        self._loaded: dict[str, Any] = {}
        self._build_fields()
        intro, form = self._rules_form()
        buttons = self._build_buttons()
        body = QWidget(self)
        # Explanations read best at a line length a person can follow, even full screen.
        body.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 70)
        inner = QVBoxLayout(body)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(intro)
        inner.addLayout(form)
        inner.addWidget(self.summary)
        lay = QVBoxLayout(self)
        lay.addWidget(body)
        inner.addLayout(buttons)
        inner.addWidget(self.message)
        lay.addStretch(1)

        self.key_pages.textChanged.connect(self._edited)
        for spin in (self.opens_count, self.opens_days, self.points):
            spin.valueChanged.connect(self._edited)
        ctx.sig_operation_executed.connect(self._on_operation)
        self._edited()

    def _build_fields(self) -> None:
        """Key pages (one pattern a line), email opens within days, points threshold."""
        self.key_pages = QPlainTextEdit(self)
        self.key_pages.setObjectName("rules_key_pages")
        self.key_pages.setPlaceholderText("*/pricing*\n*/demo*")
        self.key_pages.setTabChangesFocus(True)
        lines = self.key_pages.fontMetrics().lineSpacing()
        self.key_pages.setFixedHeight(lines * 4 + 12)
        self.opens_count = QSpinBox(self)
        self.opens_count.setObjectName("rules_opens_count")
        self.opens_count.setRange(1, 100)
        self.opens_count.setSuffix(" opens")
        self.opens_days = QSpinBox(self)
        self.opens_days.setObjectName("rules_opens_days")
        self.opens_days.setRange(1, 365)
        self.opens_days.setSuffix(" days")
        self.points = QSpinBox(self)
        self.points.setObjectName("rules_points_threshold")
        self.points.setRange(0, 1_000_000)
        self.points.setSpecialValueText("off")
        self.points.setSuffix(" points")
        self.points.setMinimumWidth(self.fontMetrics().horizontalAdvance("1000000 points") +
                                    self.fontMetrics().horizontalAdvance("MMM"))

    def _rules_form(self) -> tuple[QLabel, QFormLayout]:
        """What the rules are for, and each field with its explanation."""
        opens_row = QHBoxLayout()
        opens_row.addWidget(self.opens_count)
        opens_row.addWidget(QLabel("within", self))
        opens_row.addWidget(self.opens_days)
        opens_row.addStretch(1)
        intro = QLabel("When a lead's activity becomes a hand raise, with its clock: the "
                       "receivers judge every page visit, email open and points change "
                       "by these rules.", self)
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Key pages", _field(
            self.key_pages, "A visit to a page whose address matches one of these raises the "
            "hand (a key page visit). One pattern per line; * stands for any text, as in "
            "*/pricing*.", self))
        form.addRow("Email opens", _field(
            opens_row, "This many opens of the team's emails within that many days raise the "
            "hand (repeated email opens); the count starts again after each such hand raise.",
            self))
        form.addRow("Points threshold", _field(
            self.points, "A lead whose marketing score reaches this many points raises the "
            "hand. Off: points changes are only recorded.", self))
        return intro, form

    def _build_buttons(self) -> QHBoxLayout:
        """The summary, Save and Undo, and the save's message line."""
        self.summary = QLabel("", self)
        self.summary.setObjectName("rules_summary")
        self.summary.setWordWrap(True)
        self.save_button = QPushButton("&Save rules", self)
        self.save_button.setObjectName("rules_save")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Undo changes", self)
        self.revert_button.setObjectName("rules_revert")
        self.revert_button.clicked.connect(self._show_loaded)
        self.message = QLabel("", self)
        self.message.setObjectName("rules_message")
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addStretch(1)
        return buttons

    # --- loading --------------------------------------------------------------------

    def refresh(self) -> None:
        db = self.ctx.db
        # A failed read goes to the banner (database away), like every other view's.
        self.ctx.run_query(lambda: team_settings.get_all(db), self._on_loaded, key="rules_load")

    def _on_loaded(self, values: dict[str, Any]) -> None:
        self._loaded = {k: values.get(k) for k in RULE_KEYS}
        self._show_loaded()

    def _show_loaded(self) -> None:
        v = self._loaded
        if not v:
            return
        self.key_pages.setPlainText("\n".join(patterns_of(str(v.get(KEY_PAGES) or ""))))
        self.opens_count.setValue(max(1, int(v.get(OPENS_COUNT) or 1)))
        self.opens_days.setValue(max(1, int(v.get(OPENS_DAYS) or 1)))
        self.points.setValue(int(v.get(POINTS) or 0))
        self.message.setText("")
        self._edited()

    def _on_operation(self, changes: Changes, initiator: object) -> None:
        # Another client (or the command line) changed a setting: show it, unless the
        # team lead is in the middle of an edit here.
        if changes.settings and initiator is not self and not self.is_dirty():
            self.refresh()

    # --- editing --------------------------------------------------------------------

    def values(self) -> dict[str, str]:
        """The form as the settings' raw values."""
        return {KEY_PAGES: ",".join(patterns_of(self.key_pages.toPlainText())),
                OPENS_COUNT: str(self.opens_count.value()),
                OPENS_DAYS: str(self.opens_days.value()),
                POINTS: str(self.points.value())}

    def is_dirty(self) -> bool:
        if not self._loaded:
            return False
        stored = {KEY_PAGES: ",".join(patterns_of(str(self._loaded.get(KEY_PAGES) or ""))),
                  OPENS_COUNT: str(self._loaded.get(OPENS_COUNT)),
                  OPENS_DAYS: str(self._loaded.get(OPENS_DAYS)),
                  POINTS: str(self._loaded.get(POINTS))}
        return stored != self.values()

    def _edited(self, *_: object) -> None:
        self.summary.setText(rules_sentence(patterns_of(self.key_pages.toPlainText()),
                                            self.opens_count.value(), self.opens_days.value(),
                                            self.points.value()))
        dirty = self.is_dirty()
        self.revert_button.setEnabled(dirty)
        self.save_button.setEnabled(dirty)

    def save(self) -> None:
        values = self.values()
        try:  # the same checks the service makes, before anything is written
            for key, raw in values.items():
                parse_value(key, raw)
        except KnownError as exc:
            self.message.setText(f"Not saved: {exc}")
            return
        db = self.ctx.db

        def op() -> Changes:
            team_settings.set_values(db, values)
            return SETTINGS

        self.message.setText("Saving…")
        self.ctx.run_op(op, initiator=self, on_done=self._saved, on_error=self._failed)

    def _saved(self, _changes: object) -> None:
        self._loaded = {KEY_PAGES: self.values()[KEY_PAGES], OPENS_COUNT: self.opens_count.value(),
                        OPENS_DAYS: self.opens_days.value(), POINTS: self.points.value()}
        self._edited()
        self.message.setText("Saved. The receivers apply the new rules to the next event.")
        self.sig_saved.emit()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, KnownError):
            self.message.setText(f"Not saved: {exc}")
            return
        self.ctx.runner.report(exc)
