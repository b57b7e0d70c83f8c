"""Codes in the words a person reads: the core's half of the one home for labels.

``ui/labels.py`` is where every screen gets its words; what the core itself writes for
people (the CRM export's description, what travels to sales, refusals) needs the same
words without Qt, so they are defined here and ``ui.labels`` re-exports them.
Configurable codes (dispositions, hand-raise kinds) carry their own label in the
database; these are the shipped ones, for places that only hold the code.
"""

from __future__ import annotations

from typing import Any

from qualdesk.domain.bant import PARTS, Bant
from qualdesk.domain.designation import LABELS as _DESIGNATIONS
from qualdesk.domain.designation import Designation

DISPOSITIONS: dict[str, str] = {
    "connected": "Connected", "no_answer": "No answer", "busy": "Busy",
    "left_voicemail": "Left voicemail", "wrong_number": "Wrong number",
    "bad_number": "Bad number", "callback": "Call back later",
    "not_interested": "Not interested", "dnc_request": "Do-not-call request",
}

HAND_RAISES: dict[str, str] = {
    "called_in": "Called in", "contact_form": "Contact form", "demo_request": "Demo request",
    "asset_download": "Asset download", "email_opens": "Repeated email opens",
    "page_visits": "Key page visits", "chat": "Chat", "points_threshold": "Lead score reached",
}

ROLES: dict[str, str] = {"rep": "Qualifying rep", "lead": "Team lead", "sales": "Sales",
                         "admin": "Admin"}

VERDICTS: dict[str, str] = {"accepted": "accepted", "rejected": "rejected"}

BANT_PARTS: dict[str, str] = {"budget": "Budget", "authority": "Authority", "need": "Need",
                              "timeframe": "Timeframe"}


def humanize(code: str | None) -> str:
    """An unknown code, readable: ``budget_owner`` -> ``Budget owner``."""
    text = (code or "").strip().replace("_", " ").replace("-", " ")
    return text[:1].upper() + text[1:]


def designation(code: str | None) -> str:
    try:
        return _DESIGNATIONS[Designation(code or "")]
    except ValueError:
        return humanize(code)


def disposition(code: str | None) -> str:
    return DISPOSITIONS.get(code or "", humanize(code))


def hand_raise(kind: str | None) -> str:
    return HAND_RAISES.get(kind or "", humanize(kind))


def role(code: str | None) -> str:
    return ROLES.get(code or "", humanize(code))


def verdict(code: str | None) -> str:
    return VERDICTS.get(code or "", humanize(code).lower())


def answer_key(key: str, questions: dict[str, str] | None = None) -> str:
    """A script answer's key (``q_works``) as its question, or at least as words."""
    if questions and key in questions:
        return questions[key]
    return humanize(key.removeprefix("q_"))


def plain(value: Any) -> str:
    """Any stored value as text: lists joined, a mapping as ``Key: value`` pairs."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(plain(x) for x in value)
    if isinstance(value, dict):
        return "; ".join(f"{humanize(str(k))}: {plain(x)}" for k, x in value.items()
                         if plain(x))
    return " ".join(str(value).split())


def bant_words(bant: dict[str, Any] | None) -> dict[str, str]:
    """Each BANT part asked, in words, by its key: ``{"budget": "40,000–60,000 USD"}``.

    The stored JSON goes through ``Bant`` (so a budget reads as an amount, an authority
    as "decision maker"); hand-edited or imported text is kept as it is."""
    data = bant or {}
    try:
        b = Bant.from_json(data)
        described = b.describe()
    except (KeyError, TypeError, ValueError, AttributeError):  # free text: as it is
        order = [k for k in PARTS if k in data] + sorted(k for k in data if k not in PARTS)
        return {k: plain(data[k]) for k in order if plain(data[k])}
    return {p: described[p] for p in PARTS if getattr(b, p) is not None}


def bant_parts(bant: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(part, words) for each BANT part asked: ``("Budget", "40,000–60,000 USD")``."""
    return [(BANT_PARTS.get(k, humanize(k)), v) for k, v in bant_words(bant).items()]


def bant_summary(bant: dict[str, Any] | None) -> str:
    """``Budget: 40,000–60,000; Authority: …`` from the stored BANT, only parts asked."""
    return "; ".join(f"{part}: {words}" for part, words in bant_parts(bant))
