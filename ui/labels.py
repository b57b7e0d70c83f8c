"""Every code shown to a person, in words: one home, so no screen shows ``turned_over``,
``q_works:`` or ``low=40000`` (and no problem tells a rep which command to type).

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
    "page_visits": "Key page visits", "chat": "Chat",
}

EMAIL_STATUS: dict[str, str] = {"queued": "waiting in the outbox", "sent": "sent",
                                "failed": "failed", "sending": "sending"}


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


def answer_key(key: str, questions: dict[str, str] | None = None) -> str:
    """A script answer's key (``q_works``) as its question, or at least as words."""
    if questions and key in questions:
        return questions[key]
    return humanize(key.removeprefix("q_"))


def bant_summary(bant: dict[str, Any] | None) -> str:
    """``Budget: 40,000–60,000; Authority: …`` from the stored BANT, only parts asked."""
    try:
        b = Bant.from_json(bant or {})
        described = b.describe()
    except (KeyError, TypeError, ValueError, AttributeError):  # hand-edited data: as it is
        return "; ".join(f"{humanize(k)}: {v}" for k, v in (bant or {}).items())
    return "; ".join(f"{part.capitalize()}: {described[part]}" for part in PARTS
                     if getattr(b, part) is not None)


# Technical reasons an email waits or fails, said as what to do and who can do it.
_MAIL_PROBLEMS = (
    ("smtp.host is not set", "the team's mail server is not set up yet. Ask your team lead "
                             "to set it up; the email goes out by itself once it is."),
    ("connection refused", "the mail server does not answer. It is retried automatically; "
                           "tell your team lead if it keeps waiting."),
    ("authentication", "the mail server refused the team's sign-in. Ask your team lead to "
                       "check the mail server's user and password."),
)


def mail_problem(error: str | None) -> str:
    if not error:
        return "it is retried automatically."
    low = error.lower()
    for needle, text in _MAIL_PROBLEMS:
        if needle in low:
            return text
    return f"{error}. It is retried automatically; tell your team lead if it keeps failing."
