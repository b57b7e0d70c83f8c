"""An e-mail address is one address: the single rule, used where addresses enter (user
add, the app's user screens, lead import, lead add/edit, live intake) and again where
they are used (the follow-up, the mailer), so a value that slipped in some other way
(a hand-edited row, an old database) is still refused before anything is written or sent.

One mailbox, ``local@domain``, nothing else: no display name (``Dana <d@x.com>``), no list
(``a@x.com, b@y.com``), no comment, no quotes, no spaces, no control characters (a CR/LF
would let a value add headers of its own). Deliverability stays the mail server's job;
this refuses what is not one address, or is more than one.
"""

from __future__ import annotations

import re

MAX_LOCAL = 64  # RFC 5321 limits
MAX_ADDRESS = 254

# The dot-atom of RFC 5322 (no quoted local parts: no mail system a lead uses needs them),
# with non-ASCII letters and digits allowed as RFC 6531 does.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\u00c0-\U0010ffff]+"
_LOCAL = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9\-\u00c0-\U0010ffff]{1,63}(?<!-)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")


class InvalidAddress(ValueError):
    """Not one e-mail address; the message says why, in words a person can act on."""


def address_problem(raw: str | None) -> str | None:
    """Why ``raw`` is not one e-mail address, or None when it is one."""
    if raw is None or not raw.strip():
        return "it is empty"
    if _CONTROL.search(raw):  # checked before stripping: a trailing CR/LF is refused too
        return "it holds a line break or another control character"
    value = raw.strip()
    if "," in value or ";" in value:
        return "it holds more than one address (a comma or semicolon): give one"
    if "<" in value or ">" in value or '"' in value or "(" in value:
        return "it holds a name or comment as well: give the bare address (name@example.com)"
    if any(c.isspace() for c in value):
        return "it holds a space"
    if value.count("@") != 1:
        return "an address has exactly one @" if "@" in value else "it has no @"
    if len(value) > MAX_ADDRESS:
        return f"it is longer than {MAX_ADDRESS} characters"
    local, domain = value.split("@")
    if not local or len(local) > MAX_LOCAL or not _LOCAL.match(local):
        return "the part before the @ is not a mailbox name"
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) \
            or labels[-1].isdigit():
        return "the part after the @ is not a domain (example.com)"
    return None


def parse_address(raw: str | None) -> str:
    """The address, stripped of surrounding spaces; ``InvalidAddress`` when it is not one."""
    problem = address_problem(raw)
    if problem is not None:
        raise InvalidAddress(f"{(raw or '')!r} is not one e-mail address: {problem}")
    assert raw is not None
    return raw.strip()


def row_reason(raw: str) -> str:
    """An import row's reason: the plain words for a cell that holds no address at all (a
    name or a phone by mistake), the specific problem for one that nearly is one."""
    problem = address_problem(raw)
    if problem is None:
        return ""
    return "not an email address" if "@" not in raw else f"not one email address: {problem}"


def is_address(raw: str | None) -> bool:
    return address_problem(raw) is None
