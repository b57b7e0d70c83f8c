"""Checks on values people type into settings, with messages that name field and value."""

from __future__ import annotations

from typing import Any

from qualdesk.errors import InvalidInput


def whole_number(field: str, value: Any, low: int, high: int, unit: str = "") -> int:
    """``value`` (int or text) as an int within ``low..high``, or ``InvalidInput``."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInput(f"{field}: {value!r} is not a whole number")
    try:
        n = int(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{field}: {value!r} is not a whole number") from None
    if not low <= n <= high:
        suffix = f" {unit}" if unit else ""
        raise InvalidInput(f"{field}: {value!r} must be between {low} and {high}{suffix}")
    return n
