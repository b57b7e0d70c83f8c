"""A qualification script as the fields of a form, and back to its TOML text.

The app's script editor is a form (title, opening, one question at a time with its kind,
options, branches and BANT part, the close), but the script's one true shape is the
TOML file ``qualdesk script check`` reads. So the form holds a ``ScriptDraft``, writes it
out with ``draft_to_source`` and hands that text to the strict checker — the same one the
CLI uses — and ``problem_field`` names the form field each of its problems concerns.

``draft_from_source`` refuses (``InvalidInput``) a text the form could not hold without
changing it (not TOML, or keys and values of shapes the form has no field for): the
editor then stays on the source view.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from qualdesk.domain.codes import normalise_code
from qualdesk.domain.level1_rule import CRITERIA, All, Any_, Call, parse_rule
from qualdesk.errors import InvalidInput
from qualdesk.services.script_library import (
    QUESTION_KEYS,
    RESERVED,
    STEP_BANT,
    STEP_CLOSE,
    TOP_KEYS,
)
from qualdesk.services.template_check import Problem

OTHERWISE = "*"  # the branch taken when no answer's own branch applies
FieldKey = tuple[Any, ...]  # ("title",), ("opening",), ("bant", "need"), ("q", 2, "next")
GENERAL: FieldKey = ("general",)
QUESTIONS: FieldKey = ("questions",)
# The parser reads these next-table keys as "otherwise": a choice may not be keyed so.
_OTHERWISE_WORDS = ("*", "other", "default")


@dataclass
class ChoiceDraft:
    key: str
    label: str
    follows_label: bool = field(default=False, compare=False)  # new: its key follows its words


@dataclass
class QuestionDraft:
    id: str
    text: str = ""
    kind: str = "text"
    hint: str = ""
    bant: str = ""  # the BANT part the answer fills ("" = none)
    choices: list[ChoiceDraft] = field(default_factory=list)
    next: dict[str, str] = field(default_factory=dict)  # answer key or OTHERWISE -> step
    follows_text: bool = field(default=False, compare=False)  # new: its id follows its words

    def answer_keys(self) -> list[str]:
        if self.kind == "yesno":
            return ["yes", "no"]
        return [c.key for c in self.choices] if self.kind == "choice" else []


@dataclass
class ScriptDraft:
    title: str = ""
    description: str = ""
    level1: str | list[str] = ""
    opening: list[str] = field(default_factory=list)
    close: list[str] = field(default_factory=list)
    questions: list[QuestionDraft] = field(default_factory=list)
    bant: dict[str, str] = field(default_factory=dict)
    header: str = ""  # the file's leading comment lines, kept as they were
    inner_comments: int = field(default=0, compare=False)  # comment lines the form drops

    def index_of(self, qid: str) -> int | None:
        return next((i for i, q in enumerate(self.questions) if q.id == qid), None)


@dataclass(frozen=True)
class Rendered:
    text: str
    lines: dict[int, FieldKey]  # 1-based line -> the field it was written from


# --- from the text ---------------------------------------------------------------------


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{what} is {type(value).__name__}, not text")
    return value


def _lines(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise InvalidInput(f"{what} is {type(value).__name__}, not a list of lines")
    return [_text(v, f"{what} line {i + 1}") for i, v in enumerate(value)]


def _choice(raw: Any, what: str) -> ChoiceDraft:
    if isinstance(raw, str):
        return ChoiceDraft(normalise_code(raw), raw)
    if isinstance(raw, dict) and set(raw) <= {"key", "label"}:
        return ChoiceDraft(normalise_code(_text(raw.get("key"), f"{what} key")),
                           _text(raw.get("label"), f"{what} label"))
    raise InvalidInput(f"{what} is neither text nor {{ key, label }}")


def _next(raw: Any, what: str) -> dict[str, str]:
    if raw is None:
        return {}
    if isinstance(raw, str):
        return {OTHERWISE: raw}
    if not isinstance(raw, dict):
        raise InvalidInput(f"{what} is {type(raw).__name__}, not a step or a table of steps")
    return {(OTHERWISE if k in _OTHERWISE_WORDS else normalise_code(str(k))):
            _text(v, f"{what} {k}") for k, v in raw.items()}


def _question(raw: Any, index: int) -> QuestionDraft:
    what = f"question {index + 1}"
    if not isinstance(raw, dict):
        raise InvalidInput(f"{what} is not a table")
    if extra := sorted(set(raw) - QUESTION_KEYS):
        raise InvalidInput(f"{what} has keys the form has no field for: {', '.join(extra)}")
    choices = raw.get("choices") or []
    if not isinstance(choices, list):
        raise InvalidInput(f"{what}: choices is not a list")
    return QuestionDraft(
        id=_text(raw.get("id", ""), f"{what} id"), text=_text(raw.get("text", ""), f"{what} text"),
        kind=_text(raw.get("kind", "text"), f"{what} kind"),
        hint=_text(raw.get("hint", ""), f"{what} hint"),
        bant=_text(raw.get("bant", ""), f"{what} bant"),
        choices=[_choice(c, f"{what} choice {i + 1}") for i, c in enumerate(choices)],
        next=_next(raw.get("next"), f"{what} next"))


def draft_from_source(source: str) -> ScriptDraft:
    """The script's text as form fields, or ``InvalidInput`` saying why the form can't."""
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"not valid TOML: {exc}") from None
    if extra := sorted(set(data) - TOP_KEYS):
        raise InvalidInput(f"keys the form has no field for: {', '.join(extra)}")
    level1 = data.get("level1", "")
    if isinstance(level1, list):
        level1 = _lines(level1, "level1")
    raw_qs, raw_bant = data.get("questions") or [], data.get("bant") or {}
    if not isinstance(raw_qs, list) or not isinstance(raw_bant, dict):
        raise InvalidInput("questions must be [[questions]] tables and bant a [bant] table")
    lines = source.splitlines()
    header = []
    for line in lines:
        if not line.startswith("#"):
            break
        header.append(line)
    inner = sum(1 for line in lines[len(header):] if line.lstrip().startswith("#"))
    return ScriptDraft(
        title=_text(data.get("title", ""), "title"),
        description=_text(data.get("description", ""), "description"),
        level1=level1 if isinstance(level1, list) else _text(level1, "level1"),
        opening=_lines(data.get("opening"), "opening"), close=_lines(data.get("close"), "close"),
        questions=[_question(q, i) for i, q in enumerate(raw_qs)],
        bant={k: _text(v, f"bant.{k}") for k, v in raw_bant.items()},
        header="\n".join(header), inner_comments=inner)


# --- back to the text --------------------------------------------------------------------


def toml_string(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, except DEL, which TOML escapes too."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_string(key)


class _Writer:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.lines: dict[int, FieldKey] = {}

    def put(self, line: str, key: FieldKey = GENERAL) -> None:
        self.out.append(line)
        self.lines[len(self.out)] = key

    def array(self, name: str, values: list[str], key: FieldKey) -> None:
        self.put(f"{name} = [", key)
        for v in values:
            self.put(f"  {toml_string(v)},", key)
        self.put("]", key)


def _write_question(w: _Writer, i: int, q: QuestionDraft) -> None:
    w.put("")
    w.put("[[questions]]", ("q", i, "id"))
    w.put(f"id = {toml_string(q.id)}", ("q", i, "id"))
    w.put(f"text = {toml_string(q.text)}", ("q", i, "text"))
    if q.hint:
        w.put(f"hint = {toml_string(q.hint)}", ("q", i, "hint"))
    if q.kind != "text":
        w.put(f"kind = {toml_string(q.kind)}", ("q", i, "kind"))
    if q.bant:
        w.put(f"bant = {toml_string(q.bant)}", ("q", i, "bant"))
    if q.kind == "choice":
        w.put("choices = [", ("q", i, "choices"))
        for c in q.choices:
            w.put(f"  {{ key = {toml_string(c.key)}, label = {toml_string(c.label)} }},",
                  ("q", i, "choices"))
        w.put("]", ("q", i, "choices"))
    used = set(q.answer_keys()) | {OTHERWISE}  # a removed option's branch goes with it
    branches = {k: v for k, v in q.next.items() if k in used}
    if list(branches) == [OTHERWISE]:
        w.put(f"next = {toml_string(branches[OTHERWISE])}", ("q", i, "next"))
    elif branches:
        table = ", ".join(f"{_key(k)} = {toml_string(v)}" for k, v in branches.items())
        w.put(f"next = {{ {table} }}", ("q", i, "next"))


def draft_to_source(draft: ScriptDraft) -> Rendered:
    """The draft as the script's TOML text, each line remembering its form field."""
    w = _Writer()
    for line in draft.header.splitlines():
        w.put(line)
    w.put(f"title = {toml_string(draft.title)}", ("title",))
    if draft.description:
        w.put(f"description = {toml_string(draft.description)}", ("description",))
    if isinstance(draft.level1, list):
        w.array("level1", draft.level1, ("level1",))
    elif draft.level1.strip():
        w.put(f"level1 = {toml_string(draft.level1)}", ("level1",))
    w.array("opening", draft.opening, ("opening",))
    w.array("close", draft.close, ("close",))
    for i, q in enumerate(draft.questions):
        _write_question(w, i, q)
    w.put("")
    w.put("[bant]", ("bant",))
    for part, prompt in draft.bant.items():
        w.put(f"{_key(part)} = {toml_string(prompt)}", ("bant", part))
    return Rendered("\n".join(w.out) + "\n", w.lines)


# --- problems to fields ----------------------------------------------------------------------

_QUESTION_FIELD = (  # a question's problem, by how the checker words it -> its field
    (("text", "missing 'text'"), "text"), (("hint",), "hint"), (("kind",), "kind"),
    (("bant",), "bant"),
    (("choice", "a choice question", "at most 9", "'choices'"), "choices"),
    (("next", "a text question", "a number question", "the questions loop"), "next"),
)


def _question_field(message: str) -> str:
    for starts, name in _QUESTION_FIELD:
        if message.startswith(starts):
            return name
    return "id"


def problem_field(p: Problem, draft: ScriptDraft, rendered: Rendered) -> FieldKey:
    """The form field a checker problem concerns."""
    msg = p.problem
    if p.question and (i := draft.index_of(p.question)) is not None:
        return ("q", i, _question_field(msg))
    if m := re.match(r"question (\d+): id", msg):
        return ("q", int(m.group(1)) - 1, "id")
    if msg.startswith(("missing [[questions]]", "each [[questions]]")):
        return QUESTIONS
    if m := re.match(r"(?:bant\.|\[bant\] needs a prompt for ')(\w+)", msg):
        return ("bant", m.group(1))
    for name in ("title", "opening", "close", "bant"):
        if msg.startswith((f"missing '{name}'", f"'{name}'", f"{name} line", f"missing [{name}]")):
            return (name,)
    if p.line is not None and p.line in rendered.lines:
        return rendered.lines[p.line]
    return GENERAL


# --- editing helpers -------------------------------------------------------------------------


def fresh_id(draft: ScriptDraft, text: str = "") -> str:
    """A question id nobody uses yet, from its words when it has some (q_budget_range)."""
    words = [w for w in normalise_code(text).split("_") if w][:3]
    base = "q_" + "_".join(words) if words else "q_new"
    base = re.sub(r"[^a-z0-9_]", "", base)[:40] or "q_new"
    taken = {q.id for q in draft.questions} | set(RESERVED)
    n, qid = 1, base
    while qid in taken:
        n += 1
        qid = f"{base}_{n}"
    return qid


def fresh_choice_key(q: QuestionDraft, label: str) -> str:
    base = normalise_code(label) or "option"
    base = re.sub(r"[^a-z0-9_]", "", base) or "option"
    if base in _OTHERWISE_WORDS:
        base = f"{base}_answer"  # "other" as a key would read as the otherwise branch
    taken = {c.key for c in q.choices}
    n, key = 1, base
    while key in taken:
        n += 1
        key = f"{base}_{n}"
    return key


def rename_question(draft: ScriptDraft, old: str, new: str) -> None:
    """Give a question a new id, and every branch that named it the new one too."""
    for q in draft.questions:
        if q.id == old:
            q.id = new
        q.next = {k: (new if v == old else v) for k, v in q.next.items()}


def steps_for(draft: ScriptDraft) -> list[str]:
    """Every step a branch may go to: the questions' ids, then the BANT step and the close."""
    return [q.id for q in draft.questions] + [STEP_BANT, STEP_CLOSE]



def rule_in_words(rule: str | list[str] | tuple[str, ...]) -> str:
    """The Level I rule as a rep reads it ("need (the pain, in their words) and …"), or
    the parser's own message when it does not parse."""
    try:
        node = parse_rule(rule if isinstance(rule, str) else list(rule))
    except InvalidInput as exc:
        return str(exc)

    def say(n: Any) -> str:
        if isinstance(n, Call):
            return CRITERIA[n.name].describe(*n.args)
        joiner = " and " if isinstance(n, All) else " or "
        inner = joiner.join(say(i) for i in n.items)
        return f"({inner})" if isinstance(n, Any_) else inner

    return say(node)


_PLAIN = (  # the checker's words -> the form's (the checker speaks of the file's keys)
    (r"next: no question '([^']*)'.*", r"goes to a question that is not there (\1): choose "
                                       r"another step for this answer"),
    (r"the questions loop back to '([^']*)'.*", r"the questions go round in a circle back "
                                                r"here: choose a step further on"),
    (r"a choice question needs 'choices'.*", "give the rep at least two options"),
    (r"at most 9 choices.*", "at most nine options (the rep picks them with the keys 1-9)"),
    (r"choice '([^']*)' appears twice", r"two options have the same words (\1)"),
    (r"'(opening|close)' must be a non-empty list of lines", r"the \1 is empty: write what "
                                                             r"the rep says"),
    (r"missing '(opening|close)'.*", r"the \1 is empty: write what the rep says"),
    (r"\[bant\] needs a prompt for '(\w+)'", r"the words for \1 are missing"),
    (r"missing 'text'.*", "write what the rep asks"),
    (r"missing 'title'.*", "give the script a title (reps see it above the script)"),
    (r"missing \[\[questions\]\].*", "add at least one question"),
)


def plain_words(message: str) -> str:
    """A checker problem as the form says it (the file's keys become the form's words)."""
    for pattern, words in _PLAIN:
        if re.fullmatch(pattern, message):
            return re.sub(pattern, words, message)
    return message


def unreached(draft: ScriptDraft) -> set[int]:
    """The questions no answer leads to (the rep would never see them): not a problem the
    checker refuses, but worth a word in the form."""
    ids = [q.id for q in draft.questions]
    seen: set[int] = set()
    todo = [0] if ids else []
    while todo:
        i = todo.pop()
        if i in seen:
            continue
        seen.add(i)
        q = draft.questions[i]
        branches = {k: v for k, v in q.next.items()
                    if k == OTHERWISE or k in q.answer_keys()}
        targets = [ids.index(t) for t in branches.values() if t in ids]
        answers = q.answer_keys()
        falls = OTHERWISE not in branches and (not answers or any(a not in branches
                                                                  for a in answers))
        if falls and i + 1 < len(ids):
            targets.append(i + 1)
        todo.extend(targets)
    return set(range(len(ids))) - seen
