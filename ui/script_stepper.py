"""The guided Level I script: one step at a time (or the whole script), by keyboard.

Keys (shown in tooltips): Enter = next step, Alt+Left = back, 1-9 = pick a choice,
F7 = one step / whole script, F9 = mark hot. Answers and BANT are saved as typed,
debounced, through the op runner; the summary shows what the Level I rule still misses
and the proposed designation.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from qualdesk.domain.bant import Bant
from qualdesk.domain.records import Changes
from qualdesk.services import qualification as qsvc
from qualdesk.services.qualification import QualificationState
from qualdesk.services.script_library import STEP_BANT, STEP_CLOSE, Question
from ui import keymap
from ui.bant_form import BantForm
from ui.context import AppContext
from ui.labels import designation

STEP_OPENING = "opening"
SAVE_DELAY_MS = 600
PROPOSED_LABEL = {"hot": "Hot — in dialog", "turned_over": "Ready to turn over"}


class ScriptStepper(QWidget):
    sig_step_changed = Signal(str)  # the step id now shown
    sig_state_changed = Signal(object)  # QualificationState after a load or a save

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("script_stepper")
        self.ctx = ctx
        self.lead_id: int | None = None
        self.state: QualificationState | None = None
        self.step = STEP_OPENING
        self._history: list[str] = []
        self._answers: dict[str, str] = {}
        self._pending_answers: dict[str, str] = {}
        self._pending_bant = Bant()
        self._choice_group = QButtonGroup(self)
        self._build()
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.flush)
        ctx.sig_operation_executed.connect(self._on_operation)
        self._show_empty()

    # --- layout -----------------------------------------------------------------------

    def _build(self) -> None:
        head = self._head()
        self._step_fields()
        step_page = self._step_page()
        self.browser = QTextBrowser(objectName="stepper_whole_view")
        self.pages = QStackedWidget(objectName="stepper_pages")
        self.pages.addWidget(step_page)
        self.pages.addWidget(self.browser)
        summary = self._summary()

        outer = QVBoxLayout(self)
        outer.addLayout(head)
        outer.addWidget(self.pages, 1)
        outer.addWidget(self.error)
        outer.addLayout(summary)
        for w in self.findChildren(QWidget):
            w.installEventFilter(self)

    def _head(self) -> QHBoxLayout:
        """The script's title and the whole-script toggle (F7)."""
        self.title = QLabel(objectName="stepper_title")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.whole = QCheckBox("&Whole script (F7)", objectName="stepper_whole_toggle")
        self.whole.setToolTip("Show the whole script instead of one step at a time (F7)")
        self.whole.toggled.connect(self._on_whole_toggled)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.whole)
        return head

    def _step_fields(self) -> None:
        """What one step shows: progress, question, hint, and the answer's three forms."""
        self.progress = QLabel(objectName="stepper_progress")
        self.step_text = QLabel(objectName="stepper_step_text")
        self.step_text.setWordWrap(True)
        self.step_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.step_text.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.step_text.setFont(font)
        self.hint = QLabel(objectName="stepper_hint")
        self.hint.setWordWrap(True)
        self.hint.setEnabled(False)
        self.answer = QLineEdit(objectName="stepper_answer")
        self.answer.setPlaceholderText("Their answer, in their words — Enter for the next step")
        self.answer.textEdited.connect(self._on_answer_typed)
        self.choices = QWidget(objectName="stepper_choices")
        self.choices_layout = QVBoxLayout(self.choices)
        self.choices_layout.setContentsMargins(0, 0, 0, 0)
        self._choice_group.idClicked.connect(self._on_choice)
        self.bant_form = BantForm(self)
        self.bant_form.sig_bant_edited.connect(self._on_bant_edited)

    def _step_page(self) -> QWidget:
        """The step in a scroll area, with Back and Next under it."""
        # The step scrolls inside its page: a long question or the BANT form never
        # grows the window past a 1280x720 screen (it used to reach 857 px).
        body = QWidget(objectName="stepper_step_body")
        bl = QVBoxLayout(body)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(self.progress)
        bl.addWidget(self.step_text)
        bl.addWidget(self.hint)
        bl.addWidget(self.answer)
        bl.addWidget(self.choices)
        bl.addWidget(self.bant_form)
        bl.addStretch(1)
        self.scroll = QScrollArea(objectName="stepper_scroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(body)
        step_page = QWidget(objectName="stepper_step_page")
        sl = QVBoxLayout(step_page)
        sl.addWidget(self.scroll, 1)
        nav = QHBoxLayout()
        self.back_btn = QPushButton("◀ Back (Alt+Left)", objectName="stepper_back")
        self.back_btn.setToolTip("Previous step (Alt+Left)")
        self.back_btn.clicked.connect(self.back)
        self.next_btn = QPushButton("Next (Enter) ▶", objectName="stepper_next")
        self.next_btn.setToolTip("Save and go to the next step (Enter)")
        self.next_btn.clicked.connect(self.next)
        nav.addWidget(self.back_btn)
        nav.addStretch(1)
        nav.addWidget(self.next_btn)
        sl.addLayout(nav)
        return step_page

    def _summary(self) -> QHBoxLayout:
        """What is still missing, the proposed designation, Mark hot; the error line."""
        self.missing = QLabel(objectName="stepper_missing")
        self.missing.setWordWrap(True)
        self.proposed = QLabel(objectName="stepper_proposed")
        self.hot_btn = QPushButton("Mark &hot (F9)", objectName="stepper_mark_hot")
        self.hot_btn.setToolTip("Move this lead to hot: in dialog, not yet ready (F9)")
        self.hot_btn.clicked.connect(self.mark_hot)
        self.error = QLabel(objectName="stepper_error")
        self.error.setWordWrap(True)
        self.error.hide()
        summary = QHBoxLayout()
        col = QVBoxLayout()
        col.addWidget(self.missing)
        col.addWidget(self.proposed)
        summary.addLayout(col, 1)
        summary.addWidget(self.hot_btn)
        return summary

    # --- loading ------------------------------------------------------------------------

    def set_lead(self, lead_id: int | None) -> None:
        if self.lead_id is not None and lead_id != self.lead_id:
            self.flush()
        self.lead_id = lead_id
        self.state = None
        self._history.clear()
        self._pending_answers.clear()
        self._pending_bant = Bant()
        if lead_id is None:
            self._show_empty()
            return
        self.step = STEP_OPENING
        self.reload()

    def reload(self) -> None:
        if self.lead_id is None:
            return
        lead_id, rep = self.lead_id, self.ctx.rep_name
        self.ctx.run_query(lambda: qsvc.load_state(self.ctx.db, lead_id, rep),
                           self._on_loaded, key=f"stepper-{id(self)}", on_error=self._on_error)

    def _on_loaded(self, state: QualificationState) -> None:
        if state.lead_id != self.lead_id:
            return  # the rep moved on to another lead meanwhile
        first = self.state is None
        self.state = state
        self._answers = dict(state.answers) | self._pending_answers
        self._show_error(None)
        self.title.setText(f"{state.lead_name} — {state.script.title}")
        self._update_summary(state)
        if first:
            self.bant_form.set_prompts(state.script.bant)
            self.bant_form.set_bant(state.bant)
            self._show_step(self.step)
        self.sig_state_changed.emit(state)

    def _show_empty(self) -> None:
        self.title.setText("No lead selected")
        self.step_text.setText("")
        self.progress.setText("")
        for w in (self.answer, self.choices, self.bant_form, self.hint):
            w.hide()
        self.missing.setText("")
        self.proposed.setText("")
        for w in (self.hot_btn, self.next_btn, self.back_btn):
            w.setEnabled(False)

    # --- steps ----------------------------------------------------------------------------

    def steps(self) -> list[str]:
        assert self.state is not None
        return [STEP_OPENING, *self.state.script.path(self._answers)]

    def _question(self, step: str) -> Question | None:
        if self.state is None or step in (STEP_OPENING, STEP_BANT, STEP_CLOSE):
            return None
        return self.state.script.question(step)

    def _focus(self, widget: QWidget) -> None:
        """Take focus only while the script is on screen: a new lead arriving must leave
        the rep's focus on the call keys, not pull it into a hidden tab."""
        if self.isVisible():
            widget.setFocus()
            self.scroll.ensureWidgetVisible(widget)

    def _show_step(self, step: str) -> None:
        assert self.state is not None
        self.step = step
        script = self.state.script
        q = self._question(step)
        steps = self.steps()
        pos = steps.index(step) + 1 if step in steps else len(self._history) + 1
        label = {STEP_OPENING: "Opening", STEP_BANT: "BANT", STEP_CLOSE: "Close"}.get(step, "")
        self.progress.setText(f"Step {pos} of {len(steps)}" + (f" · {label}" if label else ""))
        self.answer.hide()
        self.choices.hide()
        self.bant_form.hide()
        self.hint.setVisible(bool(q and q.hint))
        self.back_btn.setEnabled(bool(self._history))
        self.next_btn.setEnabled(step != STEP_CLOSE)
        if step == STEP_OPENING:
            self.step_text.setText("\n\n".join(script.opening))
            self._focus(self.next_btn)
        elif step == STEP_BANT:
            self.step_text.setText("Qualify: budget, authority, need, timeframe.")
            self.bant_form.show()
            self._focus(self.bant_form.budget)
        elif step == STEP_CLOSE:
            self.step_text.setText("\n\n".join(script.close))
            self._focus(self.hot_btn if self.hot_btn.isEnabled() else self.back_btn)
        elif q is not None:
            self.step_text.setText(q.text)
            self.hint.setText(q.hint)
            if q.kind in ("choice", "yesno"):
                self._fill_choices(q)
            else:
                self.answer.setText(self._answers.get(q.id, ""))
                self.answer.show()
                self._focus(self.answer)
        self.sig_step_changed.emit(step)
        if self.whole.isChecked():
            self._render_whole()

    def _fill_choices(self, q: Question) -> None:
        for b in self._choice_group.buttons():
            self._choice_group.removeButton(b)
            b.deleteLater()
        options = [("yes", "Yes"), ("no", "No")] if q.kind == "yesno" else \
            [(c.key, c.label) for c in q.choices]
        current = self._answers.get(q.id)
        for i, (key, label) in enumerate(options, 1):
            rb = QRadioButton(f"&{i}  {label}", objectName=f"stepper_choice_{i}")
            rb.setProperty("answer_key", key)
            rb.setToolTip(f"Press {i}")
            rb.setChecked(key == current)
            rb.installEventFilter(self)
            self._choice_group.addButton(rb, i)
            self.choices_layout.addWidget(rb)
        self.choices.show()
        buttons = self._choice_group.buttons()
        self._focus(self._choice_group.checkedButton() or buttons[0])

    def next(self) -> None:
        if self.state is None or self.step == STEP_CLOSE:
            return
        if self.step == STEP_OPENING:
            target = self.state.script.path(self._answers)[0]
        elif self.step == STEP_BANT:
            target = STEP_CLOSE
        else:
            target = self.state.script.next_step(self.step, self._answers.get(self.step))
        self.flush()
        self._history.append(self.step)
        self._show_step(target)

    def take_focus(self) -> None:
        """The rep asked for the script (F3): the cursor goes where the current step
        wants it (the answer, the first choice, the budget…)."""
        keymap.bring_into_view(self)
        if self.state is not None:
            self.flush()
            self._show_step(self.step)

    def back(self) -> None:
        if self.state is None or not self._history:
            return
        self.flush()
        self._show_step(self._history.pop())

    def choose(self, number: int) -> None:
        """Pick choice ``number`` (1-based) of the current question, as the 1-9 keys do."""
        button = self._choice_group.button(number)
        if button is not None:
            button.setChecked(True)
            button.setFocus()
            self._on_choice(number)

    # --- saving ---------------------------------------------------------------------------

    def _on_answer_typed(self, text: str) -> None:
        if self._question(self.step) is None:
            return
        self._answers[self.step] = text
        self._pending_answers[self.step] = text
        self._save_timer.start()

    def _on_choice(self, number: int) -> None:
        button: QAbstractButton | None = self._choice_group.button(number)
        if button is None or self._question(self.step) is None:
            return
        key = str(button.property("answer_key"))
        self._answers[self.step] = key
        self._pending_answers[self.step] = key
        self._save_timer.start()

    def _on_bant_edited(self, part: Bant) -> None:
        self._pending_bant = self._pending_bant.merged(part)
        self._save_timer.start()

    def flush(self) -> None:
        """Save what is pending now (on step changes, and when the debounce fires)."""
        self._save_timer.stop()
        if self.lead_id is None or (not self._pending_answers and not self._pending_bant.to_json()):
            return
        lead_id, rep = self.lead_id, self.ctx.rep_name
        answers, bant = dict(self._pending_answers), self._pending_bant
        self._pending_answers.clear()
        self._pending_bant = Bant()
        # Through the outbox (#21): saved now, or queued while the database is away and
        # replayed once by its key (a save whose commit was lost is found, not doubled).
        ops = self.ctx.resilient
        self.ctx.run_op(lambda: ops.save_qualification(lead_id, rep, answers, bant.to_json()),
                        self, self._on_outcome, self._on_error)

    def _on_outcome(self, outcome: Any) -> None:
        if outcome.result is not None:  # applied now; a queued one shows when replayed
            self._on_saved(outcome.result)

    def _on_saved(self, state: QualificationState) -> None:
        if state.lead_id != self.lead_id:
            return
        self.state = state
        self._show_error(None)
        if self.step != STEP_BANT and not self._pending_bant.to_json():
            self.bant_form.set_bant(state.bant)  # parts an answer filled (a script's bant = …)
        self._update_summary(state)
        self.sig_state_changed.emit(state)

    def mark_hot(self) -> None:
        if self.lead_id is None or not self.hot_btn.isEnabled():
            return
        self.flush()
        lead_id, rep = self.lead_id, self.ctx.rep_name
        self.ctx.run_op(lambda: qsvc.mark_hot(self.ctx.db, lead_id, rep), self,
                        on_done=self._after_hot, on_error=self._on_error)

    def _after_hot(self, _changes: Any) -> None:
        self.reload()

    def _on_operation(self, changes: Changes, initiator: object) -> None:
        if initiator is self or self.lead_id is None or self.lead_id not in changes.leads:
            return
        self.reload()

    def _on_error(self, exc: BaseException) -> None:
        from qualdesk.errors import KnownError

        if not isinstance(exc, KnownError):
            self.ctx.runner.report(exc)
            return
        self._show_error(str(exc))

    def _show_error(self, message: str | None) -> None:
        self.error.setText(f"⚠ {message}" if message else "")
        self.error.setVisible(bool(message))

    # --- summary and the whole-script view ---------------------------------------------------

    def _update_summary(self, state: QualificationState) -> None:
        st = state.status
        if st.met:
            self.missing.setText("✓ Level I met")
        else:
            # The parts' names keep it to one line at 1280x720 (the BANT step needs the
            # room); what each part still wants is in the tooltip.
            parts = ", ".join(st.missing_parts) or "; ".join(st.missing)
            self.missing.setText(f"Missing for Level I: {parts}")
        self.missing.setToolTip("\n".join([*st.missing, f"Rule: {st.rule}"]))
        self.bant_form.set_marks(st.missing_parts)
        label = PROPOSED_LABEL.get(state.proposed or "", "")
        self.proposed.setText(f"Proposed: {label}" if label else
                              f"Designation: {designation(state.designation)}")
        self.hot_btn.setEnabled(state.designation in ("cold", "warm", "incubating"))
        if self.whole.isChecked():
            self._render_whole()

    def _on_whole_toggled(self, on: bool) -> None:
        self.pages.setCurrentIndex(1 if on else 0)
        if on:
            self._render_whole()

    def _render_whole(self) -> None:
        if self.state is None:
            self.browser.clear()
            return
        s, e = self.state.script, html.escape
        parts = [f"<h3>{e(s.title)}</h3>", "<h4>Opening</h4>"]
        parts += [f"<p>{e(t)}</p>" for t in s.opening]
        path = set(s.path(self._answers))
        for q in s.questions:
            answer = self._answers.get(q.id, "")
            if q.kind in ("choice", "yesno") and answer:
                answer = {c.key: c.label for c in q.choices}.get(answer, answer)
            style = "" if q.id in path else " style='color: gray'"
            mark = "▶ " if q.id == self.step else ""
            parts.append(f"<p{style}><b>{mark}{e(q.text)}</b><br><i>{e(answer) or '—'}</i></p>")
        parts.append("<h4>BANT</h4><ul>")
        described = self.state.bant.describe()
        for part, prompt in s.bant.items():
            parts.append(f"<li><b>{e(part.capitalize())}</b>: {e(prompt)}<br>"
                         f"<i>{e(described.get(part, ''))}</i></li>")
        parts.append("</ul><h4>Close</h4>")
        parts += [f"<p>{e(t)}</p>" for t in s.close]
        self.browser.setHtml("".join(parts))

    # --- keys -------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            return self._handle_key(event)
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._handle_key(event):
            super().keyPressEvent(event)

    def _handle_key(self, event: QKeyEvent) -> bool:
        key, mods = event.key(), event.modifiers()
        alt = mods & Qt.KeyboardModifier.AltModifier
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not alt:
            if self.focusWidget() in (self.whole, self.hot_btn, self.back_btn):
                return False  # Enter on a button activates that button
            self.next()
            return True
        if key == Qt.Key.Key_Left and alt:
            self.back()
            return True
        if key == Qt.Key.Key_F9:
            self.mark_hot()
            return True
        if key == Qt.Key.Key_F7:
            self.whole.toggle()
            return True
        if Qt.Key.Key_1 <= key <= Qt.Key.Key_9 and not self.answer.hasFocus() \
                and self.choices.isVisible() and not isinstance(self.focusWidget(), QLineEdit):
            self.choose(key - Qt.Key.Key_0)
            return True
        return False
