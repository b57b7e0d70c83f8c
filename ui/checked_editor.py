"""What the script and template editors share: a source box checked at every pause in
typing (in the op runner), its problems by line (Enter jumps there), a preview rendered for
a lead chosen from the team's, and a Save that stays disabled while a problem remains.

A subclass names its widgets (``prefix``), lays out its own choices above the editor, and
says how to check (``check_call``), show (``show_result``), load and save its draft.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from qualdesk.errors import KnownError
from qualdesk.services import template_drafts as drafts


class CheckedEditor(QWidget):
    def __init__(self, db: Any, runner: Any, rep: str | None, *, prefix: str, title: str,
                 save_text: str, pause_ms: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{prefix}_editor")
        self.setWindowTitle(title)
        self.prefix = prefix
        self.db, self.runner, self.rep = db, runner, rep
        self.problems: list[Any] = []
        self.lead = QComboBox()
        self.lead.setObjectName(f"{prefix}_lead")
        self.lead.addItem("Sample lead (Dana O'Neil)", None)
        self.source = QPlainTextEdit()
        self.source.setObjectName(f"{prefix}_source")
        self.source.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.problem_list = QListWidget()
        self.problem_list.setObjectName(f"{prefix}_problems")
        self.problem_list.itemActivated.connect(self._go_to_problem)
        self.problem_list.setWordWrap(True)
        self.preview = QTextBrowser()
        self.preview.setObjectName(f"{prefix}_preview")
        self.status = QLabel("")
        self.status.setObjectName(f"{prefix}_status")
        self.status.setWordWrap(True)
        # whose text this is: the team's copy (version, who, when) or a default
        self.origin = QLabel("")
        self.origin.setObjectName(f"{prefix}_origin")
        self.save = QPushButton(save_text)
        self.save.setObjectName(f"{prefix}_save")
        self.save.clicked.connect(self.save_draft)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(pause_ms)
        self.timer.timeout.connect(self.check_now)
        self.source.textChanged.connect(self.timer.start)
        self.lead.currentIndexChanged.connect(self.check_now)

    def lay_out(self, top: QHBoxLayout, above_source: QHBoxLayout | None = None,
                note: QLabel | None = None, *, editor: QWidget | None = None,
                problems_words: str = "Problems (Enter jumps to the line)",
                sizes: tuple[int, int] | None = None) -> None:
        """The editor (the source box, or ``editor`` holding it) and its problems beside
        the preview, ``top`` above, Save below; then the team's leads are fetched and the
        draft loaded."""
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        if above_source is not None:
            ll.addLayout(above_source)
        ll.addWidget(self.source if editor is None else editor, 3)
        ll.addWidget(QLabel(problems_words))
        ll.addWidget(self.problem_list, 1)
        split = QSplitter()
        split.setObjectName(f"{self.prefix}_split")
        split.addWidget(left)
        split.addWidget(self.preview)
        if sizes is not None:  # a ratio: the splitter scales it to the window
            split.setSizes(list(sizes))
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.origin)
        bottom.addWidget(self.save)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        if note is not None:
            lay.addWidget(note)
        lay.addWidget(split, 1)
        lay.addLayout(bottom)
        self.runner.run(partial(drafts.lead_choices, self.db), self._leads, self._failed)
        self.load()

    # --- what a subclass says ---------------------------------------------------------

    def check_call(self) -> Callable[[], tuple[list[Any], Any]]:
        raise NotImplementedError

    def problem_text(self, p: Any) -> str:
        return f"line {p.line}: {p.problem}" if p.line else p.problem

    def show_result(self, result: Any) -> None:
        raise NotImplementedError

    def load(self) -> None:
        raise NotImplementedError

    def save_draft(self) -> None:
        raise NotImplementedError

    # --- shared ----------------------------------------------------------------------

    def _leads(self, rows: list[tuple[int, str]]) -> None:
        for lead_id, label in rows:
            self.lead.addItem(label, lead_id)
        if rows:
            self.lead.setCurrentIndex(1)  # a real lead, not the sample

    def show_origin(self, kind: str, name: str) -> None:
        """Say where the opened text comes from (``drafts.origin``), off the GUI thread."""
        self.runner.run(partial(drafts.origin, self.db, kind, name), self.origin.setText,
                        lambda _exc: self.origin.setText(""))

    def _loaded(self, text: str) -> None:
        self.source.setPlainText(text)  # -> textChanged -> a check shortly
        self.check_now()

    def check_now(self) -> None:
        self.timer.stop()
        self.runner.run(self.check_call(), self._checked, self._failed,
                        key=f"{self.prefix}-check-{id(self)}")

    def _checked(self, result: tuple[list[Any], Any]) -> None:
        self.problems, shown = result
        self.problem_list.clear()
        for p in self.problems:
            self.problem_list.addItem(self.problem_text(p))
        self.save.setEnabled(not self.problems)
        # the preview greys out while it shows the last version without problems
        self.preview.setEnabled(not self.problems)
        if self.problems:
            self.status.setText(f"✗ {len(self.problems)} problem"
                                f"{'s' if len(self.problems) != 1 else ''}: can't save yet")
            return
        self.show_result(shown)

    def _failed(self, exc: BaseException) -> None:
        self.save.setEnabled(False)
        self.status.setText(f"⚠ {exc}" if isinstance(exc, KnownError)
                            else f"⚠ {type(exc).__name__}: {exc}")

    def _go_to_problem(self) -> None:
        row = self.problem_list.currentRow()
        if 0 <= row < len(self.problems) and self.problems[row].line:
            block = self.source.document().findBlockByNumber(self.problems[row].line - 1)
            self.source.setTextCursor(QTextCursor(block))
            self.source.setFocus()
