"""The qualification script editor: a campaign's Level I script (opening, questions with
their kinds, choices and branches, the BANT prompts, the close, the Level I rule),
written in the app.

The script is its TOML file, as the library ships it; buttons insert a question, a
choice question or a branch, so nobody has to remember the syntax. Every pause in typing
checks the draft with ``qualdesk script check``'s parser and shows the script as the rep
will walk it — rendered for a real lead — with each branch spelled out. A draft with a
problem can't be saved.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from qualdesk.domain.level1_rule import CRITERIA, All, Any_, Call, parse_rule
from qualdesk.errors import InvalidInput
from qualdesk.services import template_drafts as drafts
from qualdesk.services.script_library import list_scripts, render_script
from ui.checked_editor import CheckedEditor

KIND_WORDS = {"text": "answer in words", "choice": "pick one", "yesno": "yes or no",
              "number": "a number"}
SNIPPETS = {
    "question": '\n[[questions]]\nid = "q_new"\ntext = "Your question?"\nhint = "What to listen for."\n',
    "choice": ('\n[[questions]]\nid = "q_pick"\ntext = "Which fits best?"\nkind = "choice"\n'
               'choices = [\n  { key = "a", label = "First" },\n  { key = "b", label = "Second" },\n]\n'
               'next = { b = "bant" }\n'),
    "yesno": '\n[[questions]]\nid = "q_yes"\ntext = "Is that so?"\nkind = "yesno"\nnext = { no = "close" }\n',
}


def _check(db: Any, name: str, source: str, lead_id: int | None,
           rep: str | None) -> tuple[list[Any], Any]:
    script, problems = drafts.check_script_draft(name, source)
    if problems or script is None:
        return problems, None
    return [], render_script(script, drafts.preview_context(db, lead_id, rep))


def rule_words(rule: Any) -> str:
    try:
        node = parse_rule(rule)
    except InvalidInput as exc:
        return str(exc)

    def say(n: Any) -> str:
        if isinstance(n, Call):
            return CRITERIA[n.name].describe(*n.args)
        joiner = " and " if isinstance(n, All) else " or "
        inner = joiner.join(say(i) for i in n.items)
        return f"({inner})" if isinstance(n, Any_) else inner

    return say(node)


def outline_html(script: Any) -> str:
    """The script as the rep walks it: every step, its kind, its choices and branches."""
    e = html.escape
    out = [f"<h2>{e(script.title)}</h2>"]
    if script.description:
        out.append(f"<p><i>{e(script.description)}</i></p>")
    out.append("<h3>Opening</h3>" + "".join(f"<p>{e(p)}</p>" for p in script.opening))
    out.append("<h3>Questions</h3><ol>")
    for q in script.questions:
        parts = [f"<b>{e(q.text)}</b> <small>({e(KIND_WORDS.get(q.kind, q.kind))}, {e(q.id)})</small>"]
        if q.choices:
            parts.append("<br>" + " · ".join(e(c.label) for c in q.choices))
        for answer, target in q.next:
            where = {"bant": "the BANT step", "close": "the close"}.get(target, target)
            when = "otherwise" if answer == "*" else f"if “{answer}”"
            parts.append(f"<br>→ {e(when)}: go to {e(where)}")
        if q.hint:
            parts.append(f"<br><small>Hint: {e(q.hint)}</small>")
        out.append(f"<li>{''.join(parts)}</li>")
    out.append("</ol><h3>BANT</h3><ul>")
    for part, prompt in script.bant.items():
        out.append(f"<li><b>{e(part.capitalize())}</b>: {e(prompt)}</li>")
    out.append("</ul><h3>Close</h3>" + "".join(f"<p>{e(p)}</p>" for p in script.close))
    out.append(f"<h3>Level I</h3><p>Turn over once the rep knows: {e(rule_words(script.level1))}.</p>")
    return "\n".join(out)


class ScriptEditor(CheckedEditor):
    def __init__(self, db: Any, runner: Any, rep: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(db, runner, rep, prefix="script", title="Qualification scripts",
                         save_text="&Save script", pause_ms=300, parent=parent)
        self.script_name = QComboBox()
        self.script_name.setObjectName("script_name")
        self.script_name.addItems(list_scripts())
        self.save_as = QLineEdit()
        self.save_as.setObjectName("script_save_as")
        self.save_as.setPlaceholderText("save as (a new script's name, e.g. webinar_q1)")
        inserts = QHBoxLayout()
        inserts.addWidget(QLabel("Insert:"))
        for key, text in (("question", "&Question"), ("choice", "&Choice with a branch"),
                          ("yesno", "&Yes/no with a branch")):
            b = QPushButton(text)
            b.setObjectName(f"script_insert_{key}")
            b.clicked.connect(partial(self.insert, key))
            inserts.addWidget(b)
        inserts.addStretch(1)
        self.script_name.currentIndexChanged.connect(self.load)
        top = QHBoxLayout()
        for label, w in (("Script", self.script_name), ("", self.save_as),
                         ("Preview for", self.lead)):
            if label:
                top.addWidget(QLabel(label))
            top.addWidget(w, 1)
        self.lay_out(top, above_source=inserts)

    def target_name(self) -> str:
        return self.save_as.text().strip() or self.script_name.currentText()

    def load(self) -> None:
        self.runner.run(partial(drafts.load_script_source, self.script_name.currentText()),
                        self._loaded, self._failed)

    def insert(self, key: str) -> None:
        cursor = self.source.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(SNIPPETS[key])
        self.source.setTextCursor(cursor)
        self.source.setFocus()

    def check_call(self) -> Callable[[], tuple[list[Any], Any]]:
        return partial(_check, self.db, self.target_name(), self.source.toPlainText(),
                       self.lead.currentData(), self.rep)

    def problem_text(self, p: Any) -> str:
        where = f"line {p.line}: " if p.line else ""
        q = f"[{p.question}] " if p.question else ""
        return f"{where}{q}{p.problem}"

    def show_result(self, script: Any) -> None:
        self.status.setText(f"✓ no problems: {len(script.questions)} questions")
        self.preview.setHtml(outline_html(script))

    def save_draft(self) -> None:
        name = self.target_name()

        def done(_: Any) -> None:
            self.status.setText(f"Saved {name} — reps get it with the next lead they open.")
            if self.script_name.findText(name) < 0:
                self.script_name.blockSignals(True)
                self.script_name.addItem(name)
                self.script_name.setCurrentText(name)
                self.script_name.blockSignals(False)

        self.runner.run(partial(drafts.save_script_draft, name, self.source.toPlainText()), done,
                        self._failed)
