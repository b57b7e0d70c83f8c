"""The work, time and size budget of one render: a template may be expensive, never ruinous.

The sandbox stops templates reaching Python internals; this stops a template that is
merely costly (a nested ``range(99999)`` loop, a string doubled by ``~`` thirty times)
from hanging the rep's one-click follow-up or building a gigabyte string. The budget is
counted, not timed from outside: every loop step and every call ticks a counter and
checks the clock, every string that ``~``, ``+``, ``*``, ``%``, a filter or a method
builds is measured, and operations whose result size is known from their arguments
(``center``, ``join``, ``format`` widths, ...) are refused *before* they allocate.

One budget covers one top-level render, includes and macros included; a follow-up's
four files share one (``budget_scope``). A real follow-up uses well under 1 % of it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from jinja2 import TemplateRuntimeError

MAX_STEPS = 100_000  # loop iterations + calls + filters in one render
MAX_SECONDS = 1.0  # wall time of one render (or one follow-up's four files)
MAX_STRING = 100_000  # any one string or list a template builds
MAX_OUTPUT = 200_000  # characters one render produces (an e-mail is a few thousand)
_CLOCK_EVERY = 64  # steps between clock reads (a read costs about 50 ns; a step 1 µs)


class BudgetExceeded(TemplateRuntimeError):
    """The template would cost more than one render may: refused with the reason."""


@dataclass
class Budget:
    steps: int = 0
    output: int = 0
    deadline: float = field(default_factory=lambda: time.monotonic() + MAX_SECONDS)

    def tick(self, n: int = 1) -> None:
        before = self.steps
        self.steps += n
        if self.steps > MAX_STEPS:
            raise BudgetExceeded(f"more than {MAX_STEPS:,} loop steps and calls in one render")
        if before // _CLOCK_EVERY != self.steps // _CLOCK_EVERY \
                and time.monotonic() > self.deadline:
            raise BudgetExceeded(f"rendering took longer than {MAX_SECONDS:g} s")

    def emitted(self, chunk: str) -> None:
        self.output += len(chunk)
        if self.output > MAX_OUTPUT:
            raise BudgetExceeded(f"the text would be longer than {MAX_OUTPUT:,} characters")


_active: ContextVar[Budget | None] = ContextVar("qualdesk_template_budget", default=None)


@contextmanager
def budget_scope() -> Iterator[Budget]:
    """The active budget, or a fresh one for a top-level render (nested renders share it)."""
    current = _active.get()
    if current is not None:
        yield current
        return
    budget = Budget()
    token = _active.set(budget)
    try:
        yield budget
    finally:
        _active.reset(token)


def current() -> Budget:
    """The active budget; outside any scope (a template used directly) a throwaway one."""
    return _active.get() or Budget()


def check_size(value: Any, what: str = "a value") -> Any:
    if isinstance(value, str | list | tuple) and len(value) > MAX_STRING:
        raise BudgetExceeded(f"{what} would be longer than {MAX_STRING:,}")
    return value


def counted(iterable: Iterable[Any]) -> Iterator[Any]:
    """What every ``{% for %}`` iterates: one tick per step."""
    budget = current()
    for item in iterable:
        budget.tick()
        yield item


# --- calls whose result size is known from their arguments -----------------------------

_PERCENT_WIDTH = re.compile(r"%[#0\- +]*(?:\*|\d{6,})")
_FORMAT_WIDTH = re.compile(r"\{[^{}]*:[^{}]*(?:\d{6,}|\{)[^{}]*\}")
_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


def _big_int(args: Iterable[Any]) -> bool:
    return any(isinstance(a, int) and not isinstance(a, bool) and abs(a) > MAX_STRING for a in args)


def _join_size(items: Any, sep: Any) -> int:
    if not isinstance(items, list | tuple | str):
        return 0
    if len(items) > MAX_STRING:
        return len(items)
    sep_len = len(sep) if isinstance(sep, str) else 0
    return sum(len(x) if isinstance(x, str) else 20 for x in items) + sep_len * len(items)


def precheck_format(fmt: Any) -> None:
    if isinstance(fmt, str) and (_PERCENT_WIDTH.search(fmt) or _FORMAT_WIDTH.search(fmt)):
        raise BudgetExceeded("a format width that large (or computed) is not allowed")


def precheck_call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse a str method or global whose result would exceed the budget."""
    values = (*args, *kwargs.values())
    if _big_int(values):
        raise BudgetExceeded(f"a number over {MAX_STRING:,} is not allowed here")
    self_ = getattr(obj, "__self__", None)
    name = getattr(obj, "__name__", "")
    if isinstance(self_, str):
        if name in ("format", "format_map"):
            precheck_format(self_)
        elif name == "join" and args:
            if _join_size(args[0], self_) > MAX_STRING:
                raise BudgetExceeded(f"join would build a string longer than {MAX_STRING:,}")
        elif name == "replace" and len(args) >= 2 and isinstance(args[1], str) \
                and len(self_) + self_.count(str(args[0]) or " ") * len(args[1]) > MAX_STRING:
            raise BudgetExceeded(f"replace would build a string longer than {MAX_STRING:,}")


_FILTER_PRECHECKS: dict[str, Callable[[tuple[Any, ...], dict[str, Any]], bool]] = {
    # filter name -> "the result would be too large" from (value, *args), **kwargs
    "join": lambda a, k: _join_size(a[0], a[1] if len(a) > 1 else k.get("d", "")) > MAX_STRING,
    "indent": lambda a, k: isinstance(a[0], str) and (a[0].count("\n") + 1) * len(
        str(a[1] if len(a) > 1 else k.get("width", 4))) > MAX_STRING,
    "replace": lambda a, k: len(a) > 2 and isinstance(a[0], str) and len(a[0]) + a[0].count(
        str(a[1]) or " ") * len(str(a[2])) > MAX_STRING,
    "format": lambda a, k: (precheck_format(a[0]), False)[1],
    "pprint": lambda a, k: _join_size(a[0], "") > MAX_STRING,
    "tojson": lambda a, k: _join_size(a[0], "") > MAX_STRING,
    "sum": lambda a, k: isinstance(a[0], list | tuple) and _join_size(a[0], "") > MAX_STRING,
}


def budget_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that ticks, refuses huge arguments and measures its result."""
    pre = _FILTER_PRECHECKS.get(name)
    passes_first = getattr(func, "jinja_pass_arg", None) is not None

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        current().tick()
        own = args[1:] if passes_first else args  # drop the context/environment argument
        if _big_int((*own[1:], *kwargs.values())):
            raise BudgetExceeded(f"a number over {MAX_STRING:,} is not allowed in '{name}'")
        if pre is not None and own and pre(own, kwargs):
            raise BudgetExceeded(f"'{name}' would build a result longer than {MAX_STRING:,}")
        return check_size(func(*args, **kwargs), f"the result of '{name}'")

    return wrapper


def budget_range(*args: int) -> Iterator[int]:
    """``range`` for templates: the sandbox's size cap, and a tick per number."""
    from jinja2.sandbox import safe_range

    return counted(safe_range(*args))


def joined_output(chunks: Iterable[str]) -> str:
    """The render's text, measured chunk by chunk (a render that will not end is cut off)."""
    budget = current()
    out: list[str] = []
    for chunk in chunks:
        budget.emitted(chunk)
        out.append(chunk)
    return "".join(out)
