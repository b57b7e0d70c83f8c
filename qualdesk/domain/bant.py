"""BANT as structured fields: budget, authority, need, timeframe.

Pure: parsing what a rep types (CLI or form) into typed parts, and back to the JSON the
``Qualification.bant`` column keeps. Every part may be "unknown" (the rep asked and the
lead could not say) or simply not asked yet (``None`` in ``Bant``).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from qualdesk.errors import InvalidInput

UNKNOWN_WORDS = frozenset({"unknown", "?", "n/a", "na", "not sure", "dont know", "don't know"})
DECISIONS = ("yes", "no", "committee", "unknown")
PRIORITIES = ("low", "medium", "high", "critical")

_DECISION_ALIASES = {
    "yes": "yes", "y": "yes", "decision maker": "yes", "dm": "yes", "signs": "yes",
    "no": "no", "n": "no", "influencer": "no", "not decision maker": "no",
    "committee": "committee", "part of committee": "committee", "buying committee": "committee",
    "unknown": "unknown", "?": "unknown",
}
_PRIORITY_ALIASES = {"low": "low", "medium": "medium", "med": "medium", "normal": "medium",
                     "high": "high", "urgent": "critical", "critical": "critical", "top": "critical"}
_SUFFIX = {"k": 1_000, "m": 1_000_000}
_AMOUNT = re.compile(r"^(\d+(?:[.,]\d+)*)\s*([km]?)$", re.IGNORECASE)
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}


@dataclass(frozen=True)
class Budget:
    """An amount or a range in whole currency units, or unknown."""

    low: int | None = None
    high: int | None = None
    currency: str | None = None

    @property
    def known(self) -> bool:
        return self.low is not None

    def __str__(self) -> str:
        if not self.known:
            return "unknown"
        amount = f"{self.low:,}" if self.high in (None, self.low) else f"{self.low:,}–{self.high:,}"
        return f"{amount} {self.currency or ''}".strip()


@dataclass(frozen=True)
class Authority:
    role: str | None = None
    decision: str = "unknown"  # yes | no | committee | unknown

    @property
    def known(self) -> bool:
        return bool(self.role) or self.decision != "unknown"

    @property
    def confirmed(self) -> bool:
        """The person decides, or sits on the committee that does."""
        return self.decision in ("yes", "committee")

    def __str__(self) -> str:
        label = {"yes": "decision maker", "no": "not the decision maker",
                 "committee": "part of the buying committee", "unknown": "decision role unknown"}
        return f"{self.role or 'role unknown'}; {label[self.decision]}"


@dataclass(frozen=True)
class Need:
    pain: str | None = None
    priority: str | None = None  # low | medium | high | critical

    @property
    def known(self) -> bool:
        return bool(self.pain and self.pain.strip())

    def __str__(self) -> str:
        return f"{self.pain or 'pain unknown'}; priority {self.priority or 'unknown'}"


@dataclass(frozen=True)
class Timeframe:
    """A date or a quarter ("2027-Q1") or a month ("2027-03"), or unknown."""

    text: str | None = None

    @property
    def known(self) -> bool:
        return self.text is not None

    def latest(self) -> date | None:
        """The last day the timeframe covers (a quarter ends with its last day)."""
        return None if self.text is None else _timeframe_end(self.text)

    def __str__(self) -> str:
        return self.text or "unknown"


@dataclass(frozen=True)
class Bant:
    budget: Budget | None = None
    authority: Authority | None = None
    need: Need | None = None
    timeframe: Timeframe | None = None

    def merged(self, other: Bant) -> Bant:
        """``other``'s parts replace ours where given."""
        return replace(self, **{k: getattr(other, k) for k in PARTS if getattr(other, k) is not None})

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.budget is not None:
            out["budget"] = ({"low": self.budget.low, "high": self.budget.high,
                              "currency": self.budget.currency} if self.budget.known
                             else {"unknown": True})
        if self.authority is not None:
            out["authority"] = {"role": self.authority.role, "decision": self.authority.decision}
        if self.need is not None:
            out["need"] = {"pain": self.need.pain, "priority": self.need.priority}
        if self.timeframe is not None:
            out["timeframe"] = ({"when": self.timeframe.text} if self.timeframe.known
                                else {"unknown": True})
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Bant:
        data = data or {}
        b = data.get("budget")
        a = data.get("authority")
        n = data.get("need")
        t = data.get("timeframe")
        return cls(
            budget=None if b is None else Budget(b.get("low"), b.get("high"), b.get("currency")),
            authority=None if a is None else Authority(a.get("role"), a.get("decision") or "unknown"),
            need=None if n is None else Need(n.get("pain"), n.get("priority")),
            timeframe=None if t is None else Timeframe(t.get("when")),
        )

    def describe(self) -> dict[str, str]:
        return {k: ("not asked" if getattr(self, k) is None else str(getattr(self, k)))
                for k in PARTS}


PARTS = ("budget", "authority", "need", "timeframe")


def _is_unknown(text: str) -> bool:
    return text.strip().lower() in UNKNOWN_WORDS


def _amount(raw: str) -> int:
    m = _AMOUNT.match(raw.strip().replace(" ", ""))
    if not m:
        raise InvalidInput(f"budget: {raw!r} is not an amount (e.g. 50000, 50k, 1.5m)")
    digits, suffix = m.group(1), m.group(2).lower()
    if suffix:
        value = float(digits.replace(",", ".")) * _SUFFIX[suffix]
    else:
        value = float(digits.replace(",", "").replace(".", "")) if _thousands(digits) \
            else float(digits.replace(",", "."))
    return round(value)


def _thousands(digits: str) -> bool:
    """'50,000' and '50.000' are thousands separators; '12.5' is a decimal."""
    return bool(re.fullmatch(r"\d{1,3}([.,]\d{3})+", digits))


def parse_budget(text: str) -> Budget:
    """'50000 EUR', 'EUR 50k', '$40k-60k', '40,000 - 60,000 USD', 'unknown'."""
    raw = text.strip()
    if not raw or _is_unknown(raw):
        return Budget()
    currency = None
    for sym, code in _SYMBOLS.items():
        if sym in raw:
            currency, raw = code, raw.replace(sym, "")
    words = raw.replace("–", "-").split()
    rest = []
    for w in words:
        if _CURRENCY.match(w.upper()) and w.isalpha():
            currency = w.upper()
        else:
            rest.append(w)
    body = "".join(rest)
    if not body:
        raise InvalidInput(f"budget: {text!r} has no amount (e.g. '50000 EUR' or 'unknown')")
    parts = body.split("-")
    if len(parts) > 2 or not all(parts):
        raise InvalidInput(f"budget: {text!r} is not an amount or a range like '40k-60k USD'")
    low = _amount(parts[0])
    high = _amount(parts[1]) if len(parts) == 2 else low
    if high < low:
        raise InvalidInput(f"budget: range {text!r} runs backwards ({low:,} > {high:,})")
    return Budget(low, high, currency)


def parse_authority(text: str) -> Authority:
    """'VP Marketing; yes', 'CFO; committee', 'Head of Ops', 'unknown'."""
    role, decision = None, "unknown"
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        low = part.lower()
        if low.startswith("decision="):
            key = low.removeprefix("decision=").strip()
            if key not in _DECISION_ALIASES:
                raise InvalidInput(
                    f"authority: decision {key!r} must be one of {', '.join(DECISIONS)}")
            decision = _DECISION_ALIASES[key]
        elif low in _DECISION_ALIASES:
            decision = _DECISION_ALIASES[low]
        elif low.startswith("role="):
            role = part[5:].strip()
        else:
            role = part
    return Authority(role or None, decision)


def parse_need(text: str) -> Need:
    """'slow lead follow-up loses deals; high' (pain; priority)."""
    pain, priority = None, None
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        key = part.lower().removeprefix("priority=").strip()
        if key in _PRIORITY_ALIASES:
            priority = _PRIORITY_ALIASES[key]
        elif part.lower().startswith("priority="):
            raise InvalidInput(f"need: priority {key!r} must be one of {', '.join(PRIORITIES)}")
        elif not _is_unknown(part):
            pain = part.removeprefix("pain=").strip()
    return Need(pain, priority)


def parse_timeframe(text: str) -> Timeframe:
    raw = text.strip().upper().replace(" ", "")
    if not raw or _is_unknown(text):
        return Timeframe()
    try:
        _timeframe_end(raw)
    except InvalidInput:
        raise InvalidInput(f"timeframe: {text.strip()!r} is not a date (2027-02-15), "
                           "a month (2027-02) or a quarter (2027-Q1)") from None
    return Timeframe(raw)


_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _timeframe_end(text: str) -> date:
    if m := _QUARTER.match(text):
        year, q = int(m.group(1)), int(m.group(2))
        month = q * 3
        return date(year, month, calendar.monthrange(year, month)[1])
    if m := _MONTH.match(text):
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            return date(year, month, calendar.monthrange(year, month)[1])
    else:
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise InvalidInput(
        f"timeframe: {text!r} is not a date (2027-02-15), a month (2027-02) or a quarter (2027-Q1)")


def add_months(d: date, months: int) -> date:
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))
