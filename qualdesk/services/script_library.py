"""Qualification scripts: one TOML file per script, validated on load.

A team lead edits these by hand, so every problem is reported with the file, the line
and the question id (tomllib gives no line numbers: we find them by scanning the text
for the ``id = "..."`` line or the table header). Scripts ship in ``scripts_library/``
(the read-only defaults); the team's own, written in the app, are in the database
(``team_library``) and shadow them for every client at its next use. This machine's
folder (``paths.user_scripts_dir()``, where older versions saved and where a file may be
dropped by hand) sits between the two; ``library_import`` copies it into the database once.

Shape of a script::

    title = "…"
    level1 = "need_known and authority_confirmed and timeframe_within_months(6)"
    opening = ["Hi {{ lead.first_name }}, this is {{ rep.name }} …"]
    close = ["…book the consultant…"]

    [[questions]]
    id = "q_evaluating"
    text = "Are you looking at options right now?"
    kind = "yesno"                       # text | choice | yesno | number
    next = { yes = "q_budget", no = "close" }
    bant = "need"                        # optional: the BANT part its answer fills

    [bant]
    budget = "…" ; authority = "…" ; need = "…" ; timeframe = "…"

The flow: opening, questions in order (``next`` branches; the steps ``bant`` and
``close`` may be targets), then the BANT block, then the close.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import TemplateSyntaxError
from sqlalchemy.orm import Session

from qualdesk.domain.bant import PARTS
from qualdesk.domain.codes import normalise_code
from qualdesk.domain.level1_rule import DEFAULT_RULE, parse_rule
from qualdesk.errors import InvalidInput, KnownError, NotFound
from qualdesk.paths import scripts_library_dir, user_scripts_dir
from qualdesk.services.template_check import Problem, blank_context, static_problems
from qualdesk.services.templating import MergeContext, make_env, render_string, sample_context

KINDS = ("text", "choice", "yesno", "number")
STEP_BANT, STEP_CLOSE = "bant", "close"
RESERVED = (STEP_BANT, STEP_CLOSE, "opening")
TOP_KEYS = {"title", "description", "level1", "opening", "close", "questions", "bant"}
QUESTION_KEYS = {"id", "text", "kind", "choices", "next", "hint", "bant"}
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Choice:
    key: str
    label: str


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    kind: str = "text"
    choices: tuple[Choice, ...] = ()
    next: tuple[tuple[str, str], ...] = ()  # (answer key or "*", target)
    hint: str = ""
    bant: str = ""  # the BANT part this answer fills ("" = none)

    def branch(self, answer: str | None) -> str | None:
        table = dict(self.next)
        if answer is not None and answer in table:
            return table[answer]
        return table.get("*")

    def answer_keys(self) -> tuple[str, ...]:
        if self.kind == "yesno":
            return ("yes", "no")
        return tuple(c.key for c in self.choices)


@dataclass(frozen=True)
class Script:
    name: str
    title: str
    opening: tuple[str, ...]
    questions: tuple[Question, ...]
    bant: dict[str, str]
    close: tuple[str, ...]
    level1: str | tuple[str, ...] = DEFAULT_RULE
    description: str = ""
    source: str = ""

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        known = ", ".join(q.id for q in self.questions)
        raise InvalidInput(f"script {self.name!r} has no question {qid!r} (known: {known})")

    def next_step(self, qid: str, answer: str | None) -> str:
        """Where the flow goes after ``qid`` answered ``answer``: a question id, bant or close."""
        q = self.question(qid)
        target = q.branch(answer)
        if target is not None:
            return target
        ids = [x.id for x in self.questions]
        i = ids.index(qid)
        return ids[i + 1] if i + 1 < len(ids) else STEP_BANT

    def path(self, answers: dict[str, str]) -> list[str]:
        """The steps a lead's answers lead through, from the first question to the close."""
        steps: list[str] = []
        step = self.questions[0].id if self.questions else STEP_BANT
        while step not in (STEP_BANT, STEP_CLOSE) and step not in steps:
            steps.append(step)
            step = self.next_step(step, answers.get(step))
        if step == STEP_BANT:
            steps.append(STEP_BANT)
        steps.append(STEP_CLOSE)
        return steps


# --- locating lines --------------------------------------------------------------------


@dataclass
class _Lines:
    text: list[str] = field(default_factory=list)

    def find(self, pattern: str, nth: int = 0) -> int | None:
        rx = re.compile(pattern)
        seen = 0
        for i, line in enumerate(self.text, 1):
            if rx.search(line):
                if seen == nth:
                    return i
                seen += 1
        return None

    def key(self, key: str) -> int | None:
        return self.find(rf"^\s*{re.escape(key)}\s*=")

    def question(self, qid: str | None, index: int) -> int | None:
        if qid:
            line = self.find(rf"""^\s*id\s*=\s*["']{re.escape(qid)}["']""")
            if line:
                return line
        return self.find(r"^\s*\[\[\s*questions\s*\]\]", nth=index)

    def table(self, name: str) -> int | None:
        return self.find(rf"^\s*\[\s*{re.escape(name)}\s*\]")


# --- parsing and validation ----------------------------------------------------------


class _Checker:
    def __init__(self, label: str, text: str) -> None:
        self.label = label
        self.lines = _Lines(text.splitlines())
        self.problems: list[Problem] = []
        self.env = make_env()

    def add(self, line: int | None, msg: str, question: str | None = None) -> None:
        self.problems.append(Problem(self.label, line, msg, question))

    def merge_text(self, value: Any, what: str, line: int | None,
                   question: str | None = None) -> str:
        if not isinstance(value, str):
            self.add(line, f"{what} must be text, not {type(value).__name__}", question)
            return ""
        try:
            found = static_problems(self.env, value)
        except TemplateSyntaxError as exc:
            self.add(line, f"{what}: merge-field syntax error: {exc.message}", question)
            return value
        for _, msg in found:
            self.add(line, f"{what}: {msg}", question)
        if not found:
            for ctx in (sample_context(), blank_context()):
                try:
                    render_string(self.env, value, ctx, what)
                except KnownError as exc:
                    self.add(line, f"{what}: {exc}", question)
                    break
                except Exception as exc:  # RenderError carries the message
                    self.add(line, f"{what}: {getattr(exc, 'message', exc)}", question)
                    break
        return value

    def lines_list(self, data: dict[str, Any], key: str) -> tuple[str, ...]:
        line = self.lines.key(key)
        value = data.get(key)
        if value is None:
            self.add(None, f"missing {key!r} (a list of lines the rep reads)")
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            self.add(line, f"{key!r} must be a non-empty list of lines")
            return ()
        return tuple(self.merge_text(v, f"{key} line {i + 1}", line) for i, v in enumerate(value))

    def question(self, raw: Any, index: int) -> Question | None:
        if not isinstance(raw, dict):
            self.add(self.lines.question(None, index), "each [[questions]] entry must be a table")
            return None
        qid = raw.get("id")
        line = self.lines.question(qid if isinstance(qid, str) else None, index)
        if not isinstance(qid, str) or not _ID.match(qid):
            self.add(line, f"question {index + 1}: id {qid!r} must be lower_snake_case "
                           f"(e.g. \"q_budget\")")
            return None
        if qid in RESERVED:
            self.add(line, f"id {qid!r} is reserved for a step of the flow", qid)
        for key in sorted(set(raw) - QUESTION_KEYS):
            self.add(line, f"unknown key {key!r} (allowed: {', '.join(sorted(QUESTION_KEYS))})", qid)
        kind = raw.get("kind", "text")
        if kind not in KINDS:
            self.add(line, f"kind {kind!r} must be one of {', '.join(KINDS)}", qid)
            kind = "text"
        if "text" not in raw or (isinstance(raw["text"], str) and not raw["text"].strip()):
            self.add(line, "missing 'text' (what the rep asks)", qid)
        text = self.merge_text(raw.get("text", ""), "text", line, qid)
        hint = self.merge_text(raw.get("hint", ""), "hint", line, qid)
        choices: list[Choice] = []
        raw_choices = raw.get("choices")
        if kind == "choice":
            if not isinstance(raw_choices, list) or len(raw_choices) < 2:
                self.add(line, "a choice question needs 'choices' (at least two)", qid)
            else:
                for c in raw_choices:
                    if isinstance(c, str):
                        choices.append(Choice(normalise_code(c), c))
                    elif isinstance(c, dict) and isinstance(c.get("key"), str) \
                            and isinstance(c.get("label"), str):
                        choices.append(Choice(normalise_code(c["key"]), c["label"]))
                    else:
                        self.add(line, f"choice {c!r} must be text or {{ key = …, label = … }}", qid)
                keys = [c.key for c in choices]
                for dup in sorted({k for k in keys if keys.count(k) > 1}):
                    self.add(line, f"choice {dup!r} appears twice", qid)
                if len(choices) > 9:
                    self.add(line, "at most 9 choices (number keys 1-9 pick them)", qid)
        elif raw_choices is not None:
            self.add(line, f"'choices' only applies to kind = \"choice\", not {kind!r}", qid)
        part = raw.get("bant", "")
        if part and part not in PARTS:
            self.add(line, f"bant {part!r} must be one of {', '.join(PARTS)}", qid)
            part = ""
        q = Question(qid, text, kind, tuple(choices), (), hint)
        return Question(qid, text, kind, tuple(choices), self.next_table(raw.get("next"), q, line),
                        hint, part if isinstance(part, str) else "")

    def next_table(self, raw: Any, q: Question, line: int | None) -> tuple[tuple[str, str], ...]:
        if raw is None:
            return ()
        if isinstance(raw, str):
            return (("*", raw),)
        if not isinstance(raw, dict):
            self.add(line, "'next' must be a question id or a table like "
                           "{ yes = \"q_budget\", no = \"close\" }", q.id)
            return ()
        if q.kind in ("text", "number"):
            self.add(line, f"a {q.kind} question cannot branch on its answer: use next = \"id\"", q.id)
            return ()
        keys = set(q.answer_keys())
        out = []
        for k, v in raw.items():
            key = "*" if k in ("*", "other", "default") else normalise_code(str(k))
            if key != "*" and key not in keys:
                self.add(line, f"next: {k!r} is not an answer of this question "
                               f"(answers: {', '.join(sorted(keys))})", q.id)
            if not isinstance(v, str):
                self.add(line, f"next: the target of {k!r} must be a question id", q.id)
                continue
            out.append((key, v))
        return tuple(out)

    def check_flow(self, script: Script) -> None:
        ids = {q.id for q in script.questions}
        for dup in sorted({q.id for q in script.questions
                           if [x.id for x in script.questions].count(q.id) > 1}):
            self.add(self.lines.question(dup, 0), f"question id {dup!r} is used twice", dup)
        for i, q in enumerate(script.questions):
            for _, target in q.next:
                if target not in ids and target not in (STEP_BANT, STEP_CLOSE):
                    self.add(self.lines.question(q.id, i),
                             f"next: no question {target!r} (steps: question ids, "
                             f"\"{STEP_BANT}\", \"{STEP_CLOSE}\")", q.id)
        # A loop would keep a rep (and the stepper) going round forever.
        order = [q.id for q in script.questions]
        edges: dict[str, set[str]] = {}
        for i, q in enumerate(script.questions):
            targets = {t for _, t in q.next}
            if not q.next or "*" not in dict(q.next) or q.kind in ("choice", "yesno"):
                targets.add(order[i + 1] if i + 1 < len(order) else STEP_BANT)
            edges[q.id] = {t for t in targets if t in ids}
        state: dict[str, int] = {}

        def visit(n: str) -> str | None:
            state[n] = 1
            for m in sorted(edges.get(n, ())):
                if state.get(m) == 1:
                    return m
                if m not in state and (hit := visit(m)):
                    return hit
            state[n] = 2
            return None

        for qid in order:
            if qid not in state and (hit := visit(qid)):
                self.add(self.lines.question(hit, order.index(hit)),
                         f"the questions loop back to {hit!r}: the flow would never end", hit)
                break


def parse_script(path: Path, name: str | None = None) -> tuple[Script | None, list[Problem]]:
    """Read and validate one script file: the script (None if unusable) and its problems."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(str(path), None, f"cannot read: {exc}")]
    return parse_script_text(text, name or path.stem, str(path))


def parse_script_text(text: str, name: str, label: str | None = None) -> tuple[Script | None,
                                                                               list[Problem]]:
    """Validate one script's TOML source (``label`` names it in problems, a file path or
    ``NAME.toml``): the script (None if unusable) and its problems."""
    label = label or f"{name}.toml"
    c = _Checker(label, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        return None, [Problem(label, int(m.group(1)) if m else None, f"not valid TOML: {exc}")]
    for key in sorted(set(data) - TOP_KEYS):
        c.add(c.lines.key(key) or c.lines.table(key),
              f"unknown key {key!r} (allowed: {', '.join(sorted(TOP_KEYS))})")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        c.add(c.lines.key("title"), "missing 'title' (the script's name as reps see it)")
        title = name
    level1: Any = data.get("level1", DEFAULT_RULE)
    try:
        parse_rule(level1 if isinstance(level1, list) else str(level1))
    except InvalidInput as exc:
        c.add(c.lines.key("level1"), str(exc))
    opening = c.lines_list(data, "opening")
    close = c.lines_list(data, "close")
    raw_qs = data.get("questions")
    questions: list[Question] = []
    if not isinstance(raw_qs, list) or not raw_qs:
        c.add(None, "missing [[questions]]: a script needs at least one consultative question")
    else:
        questions = [q for i, raw in enumerate(raw_qs) if (q := c.question(raw, i)) is not None]
    bant: dict[str, str] = {}
    raw_bant = data.get("bant")
    bant_line = c.lines.table("bant")
    if not isinstance(raw_bant, dict):
        c.add(None, f"missing [bant] table with a prompt for each of {', '.join(PARTS)}")
    else:
        for part in PARTS:
            if part not in raw_bant:
                c.add(bant_line, f"[bant] needs a prompt for {part!r}")
            else:
                bant[part] = c.merge_text(raw_bant[part], f"bant.{part}", bant_line)
        for key in sorted(set(raw_bant) - set(PARTS)):
            c.add(bant_line, f"[bant] unknown key {key!r} (allowed: {', '.join(PARTS)})")
    script = Script(
        name=name, title=title, opening=opening, questions=tuple(questions),
        bant=bant, close=close,
        level1=tuple(str(x) for x in level1) if isinstance(level1, list) else str(level1),
        description=str(data.get("description", "")), source=label,
    )
    c.check_flow(script)
    return (script if not c.problems else None), c.problems


def script_dirs() -> list[Path]:
    return [user_scripts_dir(), scripts_library_dir()]


def find_script_file(name: str) -> Path:
    for d in script_dirs():
        p = d / f"{name}.toml"
        if p.is_file():
            return p
    raise NotFound(f"no script named {name!r} (looked in {', '.join(str(d) for d in script_dirs())})")


TEAM_COPY = "the team's copy"


def list_scripts(s: Session | None = None) -> list[str]:
    """Every script a campaign may use: the team's (with ``s``), this machine's, shipped."""
    names: set[str] = set()
    for d in script_dirs():
        if d.is_dir():
            names.update(p.stem for p in d.glob("*.toml"))
    if s is not None:
        from qualdesk.services import team_library

        names.update(team_library.scripts(s))
    return sorted(names)


def script_source(name: str, s: Session | None = None) -> tuple[str, str]:
    """(the TOML source, where it is from): the team's copy in the database when there is
    one (with ``s``), else this machine's file, else the shipped one."""
    if s is not None:
        from qualdesk.services import team_library

        text = team_library.script(s, name)
        if text is not None:
            return text, f"{name}.toml ({TEAM_COPY})"
    path = find_script_file(name)
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"script {name!r}: cannot read {path}: {exc}") from exc


def load_script(name: str, s: Session | None = None) -> Script:
    """The named script (the team's copy wins, with ``s``: see ``script_source``); a broken
    one is a known error listing its problems."""
    text, label = script_source(name, s)
    script, problems = parse_script_text(text, name, label)
    if script is None:
        shown = "; ".join(str(p) for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise InvalidInput(f"script {name!r} has problems: {shown}{more}")
    return script


def render_script(script: Script, ctx: MergeContext) -> Script:
    """The same script with every merge field filled for one lead and rep."""
    env = make_env()

    def r(text: str, label: str) -> str:
        return render_string(env, text, ctx, f"{script.name}: {label}") if text else text

    return Script(
        name=script.name, title=script.title,
        opening=tuple(r(t, "opening") for t in script.opening),
        questions=tuple(Question(q.id, r(q.text, q.id), q.kind, q.choices, q.next,
                                 r(q.hint, q.id), q.bant) for q in script.questions),
        bant={k: r(v, f"bant.{k}") for k, v in script.bant.items()},
        close=tuple(r(t, "close") for t in script.close),
        level1=script.level1, description=script.description, source=script.source,
    )
