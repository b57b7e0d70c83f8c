"""The Level I rule: when a lead is qualified enough to hand to sales.

A deliberately tiny language — named criteria with literal arguments, joined by
``and`` / ``or`` and parentheses — parsed here by hand, never ``eval``'d and never
given to Jinja, so a rule in a hand-edited file cannot run code:

    need_known and authority_confirmed and timeframe_within_months(6)
    budget_at_least(10000) and (decision_maker or authority_confirmed)

A rule may also be a list of criteria (all must hold). Evaluation says which parts are
still missing, in words a rep can ask about.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from qualdesk.domain.bant import PRIORITIES, Bant, add_months
from qualdesk.errors import InvalidInput

DEFAULT_RULE = "need_known and authority_confirmed and timeframe_within_months(6)"

Arg = int | str


@dataclass(frozen=True)
class Criterion:
    name: str
    params: tuple[type, ...]
    check: Callable[..., bool]
    describe: Callable[..., str]
    part: str  # the BANT part a rep fills to satisfy it


def _budget_known(b: Bant, today: date) -> bool:
    return b.budget is not None and b.budget.known


def _budget_at_least(b: Bant, today: date, amount: int) -> bool:
    return b.budget is not None and b.budget.known and (b.budget.high or 0) >= amount


def _authority_known(b: Bant, today: date) -> bool:
    return b.authority is not None and b.authority.known


def _authority_confirmed(b: Bant, today: date) -> bool:
    return b.authority is not None and b.authority.confirmed


def _decision_maker(b: Bant, today: date) -> bool:
    return b.authority is not None and b.authority.decision == "yes"


def _need_known(b: Bant, today: date) -> bool:
    return b.need is not None and b.need.known


def _need_priority_at_least(b: Bant, today: date, level: str) -> bool:
    p = b.need.priority if b.need is not None else None
    return p is not None and PRIORITIES.index(p) >= PRIORITIES.index(level)


def _timeframe_known(b: Bant, today: date) -> bool:
    return b.timeframe is not None and b.timeframe.known


def _timeframe_within_months(b: Bant, today: date, months: int) -> bool:
    end = b.timeframe.latest() if b.timeframe is not None else None
    return end is not None and end <= add_months(today, months)


CRITERIA: dict[str, Criterion] = {c.name: c for c in (
    Criterion("budget_known", (), _budget_known, lambda: "budget (amount or range)", "budget"),
    Criterion("budget_at_least", (int,), _budget_at_least,
              lambda n: f"budget of at least {n:,}", "budget"),
    Criterion("authority_known", (), _authority_known, lambda: "authority (role)", "authority"),
    Criterion("authority_confirmed", (), _authority_confirmed,
              lambda: "authority: decision maker or part of the buying committee", "authority"),
    Criterion("decision_maker", (), _decision_maker,
              lambda: "authority: talking to the decision maker", "authority"),
    Criterion("need_known", (), _need_known, lambda: "need (the pain, in their words)", "need"),
    Criterion("need_priority_at_least", (str,), _need_priority_at_least,
              lambda p: f"need with priority {p} or higher", "need"),
    Criterion("timeframe_known", (), _timeframe_known, lambda: "timeframe", "timeframe"),
    Criterion("timeframe_within_months", (int,), _timeframe_within_months,
              lambda n: f"timeframe within {n} months", "timeframe"),
)}


# --- syntax tree -----------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Arg, ...]

    def text(self) -> str:
        return self.name + (f"({', '.join(str(a) for a in self.args)})" if self.args else "")


@dataclass(frozen=True)
class All:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Any_:
    items: tuple[Node, ...]


Node = Call | All | Any_

_TOKEN = re.compile(r"\s*(?:(\d+)|([A-Za-z_][A-Za-z0-9_]*)|(\(|\)|,)|(\S))")


def _tokens(text: str) -> list[str]:
    out = []
    for m in _TOKEN.finditer(text):
        if m.group(4):
            raise InvalidInput(f"level1 rule: unexpected {m.group(4)!r} in {text!r}")
        tok = m.group(1) or m.group(2) or m.group(3)
        if tok:
            out.append(tok)
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            want = repr(expected) if expected else "a criterion"
            got = repr(tok) if tok else "the end"
            raise InvalidInput(f"level1 rule: expected {want}, found {got} in {self.text!r}")
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.or_expr()
        if self.peek() is not None:
            raise InvalidInput(f"level1 rule: unexpected {self.peek()!r} in {self.text!r}")
        return node

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self.peek() == "or":
            self.take()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Any_(tuple(items))

    def and_expr(self) -> Node:
        items = [self.atom()]
        while self.peek() == "and":
            self.take()
            items.append(self.atom())
        return items[0] if len(items) == 1 else All(tuple(items))

    def atom(self) -> Node:
        if self.peek() == "(":
            self.take("(")
            node = self.or_expr()
            self.take(")")
            return node
        name = self.take()
        if name not in CRITERIA:
            known = ", ".join(sorted(CRITERIA))
            raise InvalidInput(f"level1 rule: unknown criterion {name!r} (known: {known})")
        args: list[str] = []
        if self.peek() == "(":
            self.take("(")
            while self.peek() != ")":
                args.append(self.take())
                if self.peek() == ",":
                    self.take(",")
            self.take(")")
        return Call(name, _typed_args(CRITERIA[name], args))


def _typed_args(c: Criterion, raw: list[str]) -> tuple[Arg, ...]:
    if len(raw) != len(c.params):
        raise InvalidInput(f"level1 rule: {c.name} takes {len(c.params)} argument(s), got {len(raw)}")
    out: list[Arg] = []
    for value, kind in zip(raw, c.params, strict=True):
        if kind is int:
            if not value.isdigit():
                raise InvalidInput(f"level1 rule: {c.name} needs a whole number, not {value!r}")
            out.append(int(value))
        else:
            if c.name == "need_priority_at_least" and value not in PRIORITIES:
                raise InvalidInput(f"level1 rule: priority {value!r} must be one of "
                                   f"{', '.join(PRIORITIES)}")
            out.append(value)
    return tuple(out)


def parse_rule(rule: str | list[str] | tuple[str, ...]) -> Node:
    """Parse a rule (text or a list of criteria that must all hold); raises ``InvalidInput``."""
    if isinstance(rule, list | tuple):
        if not rule:
            raise InvalidInput("level1 rule: an empty list would qualify every lead")
        return All(tuple(parse_rule(str(r)) for r in rule))
    if not str(rule).strip():
        raise InvalidInput("level1 rule is empty")
    return _Parser(str(rule)).parse()


# --- evaluation ------------------------------------------------------------------


@dataclass(frozen=True)
class Level1Status:
    met: bool
    missing: tuple[str, ...]  # what a rep still has to find out, in words
    missing_parts: tuple[str, ...]  # the BANT parts concerned: budget, authority, ...
    rule: str

    def as_dict(self) -> dict[str, object]:
        return {"level1_met": self.met, "missing": list(self.missing),
                "missing_parts": list(self.missing_parts), "rule": self.rule}


def _unmet(node: Node, b: Bant, today: date) -> list[tuple[str, str]]:
    """(description, part) of every unmet criterion that must change for ``node`` to hold."""
    if isinstance(node, Call):
        c = CRITERIA[node.name]
        return [] if c.check(b, today, *node.args) else [(c.describe(*node.args), c.part)]
    if isinstance(node, All):
        return [u for item in node.items for u in _unmet(item, b, today)]
    branches = [_unmet(item, b, today) for item in node.items]
    if any(not br for br in branches):
        return []
    return [(" or ".join(" and ".join(d for d, _ in br) for br in branches),
             branches[0][0][1])]


def evaluate(rule: str | list[str] | tuple[str, ...], bant: Bant, today: date) -> Level1Status:
    node = parse_rule(rule)
    unmet = _unmet(node, bant, today)
    parts = tuple(dict.fromkeys(p for _, p in unmet))
    text = rule if isinstance(rule, str) else " and ".join(rule)
    return Level1Status(met=not unmet, missing=tuple(d for d, _ in unmet),
                        missing_parts=parts, rule=text)


def propose(status: Level1Status, designation: str, in_dialog: bool) -> str | None:
    """The designation to suggest; moving stays the rep's choice.

    Met on a hot lead: ready to turn over. Met, or simply in dialog, on a warm/cold
    lead: hot.
    """
    if designation == "hot":
        return "turned_over" if status.met else None
    if designation in ("cold", "warm", "incubating") and (status.met or in_dialog):
        return "hot"
    return None
