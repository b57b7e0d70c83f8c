"""Every code shown to a person, in words: one home, so no screen shows ``turned_over``,
``q_works:`` or ``low=40000`` (and no problem tells a rep which command to type).

The words the core also writes (the CRM export, what travels to sales) are defined in
``qualdesk.domain.words`` and re-exported here; report columns come from
``qualdesk.services.reports.labels`` (the PDF and the workbook use them too). Screens
import their words from this module only.
"""

from __future__ import annotations

import re
from typing import Any

from qualdesk.domain.words import (
    DISPOSITIONS,
    HAND_RAISES,
    ROLES,
    answer_key,
    bant_parts,
    bant_summary,
    designation,
    disposition,
    hand_raise,
    humanize,
    plain,
    role,
    verdict,
)
from qualdesk.services.reports.labels import column_label

__all__ = ["DISPOSITIONS", "HAND_RAISES", "ROLES", "EMAIL_STATUS", "answer_key", "bant_parts",
           "bant_summary", "designation", "disposition", "hand_raise", "humanize", "plain", "role",
           "verdict", "report_column", "sales_status",
           "time_zone", "mail_problem"]

EMAIL_STATUS: dict[str, str] = {"queued": "waiting in the outbox", "sent": "sent",
                                "failed": "failed", "sending": "sending"}


def report_column(key: str) -> str:
    """A report column's name in words: ``pct_within_1h`` -> ``Within 1 h (%)``."""
    return column_label(key)


def sales_status(designation_code: str, verdict_code: str | None,
                 reason: str | None) -> str:
    """Sales' list: "Turned over", "Incubating (rejected: no budget)"."""
    text = designation(designation_code)
    if verdict_code:
        text += f" ({verdict(verdict_code)}{': ' + reason if reason else ''})"
    return text


def time_zone(zone: str) -> str:
    """``America/New_York`` -> ``America/New York`` (the IANA name, readable)."""
    return zone.replace("_", " ")


# Technical reasons an email waits or fails, said as what to do and who can do it (the
# mail server is set up under Settings -> Team setup -> Email, by a team lead or admin).
_WHERE = "Settings → Team setup → Email"
_MAIL_PROBLEMS = (
    ("smtp.host is not set", "the team's mail server is not set up yet. Ask your team lead "
                             f"to set it up ({_WHERE}); the email goes out by itself once it is."),
    ("no smtp password", "the mail server's password is not stored on this computer. Ask your "
                         f"team lead to enter it ({_WHERE}); the email is retried by itself."),
    ("connection refused", "the mail server does not answer. It is retried automatically; "
                           "tell your team lead if it keeps waiting."),
    ("login refused", "the mail server refused the team's sign-in. Ask your team lead to "
                      f"check the mail server's user and password ({_WHERE})."),
    ("authentication", "the mail server refused the team's sign-in. Ask your team lead to "
                       f"check the mail server's user and password ({_WHERE})."),
    ("does not support", "the mail server does not accept the connection's security setting. "
                         f"Ask your team lead to check it ({_WHERE})."),
)
# Advice meant for the command line ("(qualdesk config set smtp.host HOST)") is no use in
# the app: it is cut from any reason shown here.
_CLI_ADVICE = re.compile(r"\s*\((?:qualdesk|check smtp)[^)]*\)|:?\s*check smtp\.\w+.*$")


def mail_problem(error: str | None) -> str:
    if not error:
        return "it is retried automatically."
    low = error.lower()
    for needle, text in _MAIL_PROBLEMS:
        if needle in low:
            return text
    reason = _CLI_ADVICE.sub("", error).strip() or error
    return f"{reason}. It is retried automatically; tell your team lead if it keeps failing."


def count(n: int, thing: str, things: str | None = None) -> str:
    """``1 row``, ``3 rows`` (no ``row(s)`` on a screen)."""
    return f"{n} {thing if n == 1 else things or thing + 's'}"


_ENCODINGS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16",
              "cp1252": "Windows-1252", "latin-1": "Latin-1"}
_DELIMITERS = {",": "comma-separated", ";": "semicolon-separated", "\t": "tab-separated",
               "|": "separated by |"}


def text_encoding(code: str) -> str:
    """A file's text encoding as people name it: ``utf-8-sig`` -> ``UTF-8``."""
    return _ENCODINGS.get(code.lower(), code.upper())


def delimiter(char: str) -> str:
    """``,`` -> ``comma-separated``."""
    return _DELIMITERS.get(char, f"separated by {char!r}")


# The lead's History tab: what the audit writer stores (``designation``, ``due_at``,
# ``claimed_by``) said as a team lead reads it.
AUDIT_ACTIONS = {"designation": "Designation changed", "claim": "Picked up",
                 "release": "Put back", "attempt": "Call logged", "note": "Note",
                 "callback": "Callback set", "reassign": "Reassigned", "turn_over": "Turned over",
                 "incubate": "Incubated", "intake": "Arrived", "edit": "Edited",
                 "outcome": "Sales outcome", "verdict": "Sales verdict",
                 "followup": "Follow-up email", "email": "Email", "qualification": "Qualification",
                 "hold override": "Hold overridden", "acts for": "Acted for"}
AUDIT_FIELDS = {"designation": "Designation", "due_at": "Due", "claimed_by": "Working on it",
                "source": "Source", "disposition": "Call result", "owner": "Owner",
                "to_owner": "Sales owner", "retouch_at": "Re-touch on", "status": "Status",
                "level1_met": "Level I met", "callable": "Phone number", "outcome": "Outcome",
                "verdict": "Verdict", "email": "Email"}


def audit_action(code: str | None) -> str:
    return AUDIT_ACTIONS.get(code or "", humanize(code))


def audit_field(code: str | None) -> str:
    if code and re.fullmatch(r"note \d+", code):
        return "Note"
    return AUDIT_FIELDS.get(code or "", humanize(code))


def audit_value(field: str | None, value: str | None, when: Any) -> str:
    """An old or new value in words; ``when`` turns a stored timestamp into team time."""
    if not value:
        return ""
    if field == "designation":
        return designation(value)
    if field == "disposition":
        return disposition(value)
    if field == "status":
        return EMAIL_STATUS.get(value, humanize(value))
    if field == "source":
        return hand_raise(value) if value in HAND_RAISES else value
    if value.lower() in ("true", "false"):
        return "yes" if value.lower() == "true" else "no"
    if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)?", value):
        return str(when(value))
    return value


def template_folder(name: str | None) -> str:
    """A template folder in words: ``demo_request`` -> ``Demo request``; ``default`` ->
    ``Standard``."""
    return "Standard" if name == "default" else humanize(name)
