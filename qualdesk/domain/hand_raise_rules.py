"""When activity becomes a hand raise ("define hand raised"): the team's rules, as data.

Pure: the rules and a lead's recent activity go in, the hand raise (if any) and the
rule that raised it come out. The settings that hold the rules are ``intake.key_pages``
(comma-separated shell-style URL patterns), ``intake.opens_count`` email opens within
``intake.opens_days`` days, and ``intake.points_threshold`` (0 turns it off).

- a page hit whose URL (or its path) matches a key page -> ``page_visits``;
- the N-th email open within D days -> ``email_opens``, once per window: opens after
  that hand raise count towards the next one only once D days have passed since it;
- points crossing the threshold upwards -> ``points_threshold``;
- an asset download -> ``asset_download`` (the kind exists for exactly this).
Everything else stays activity (digital body language) and raises nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import urlsplit

PAGE_HIT = "page_hit"
EMAIL_OPEN = "email_open"
POINTS_CHANGE = "points_change"
DOWNLOAD = "download"


@dataclass(frozen=True)
class HandRaiseRules:
    key_pages: tuple[str, ...] = ()
    opens_count: int = 3
    opens_days: int = 7
    points_threshold: int = 0  # 0: no points rule

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> HandRaiseRules:
        pages = str(settings.get("intake.key_pages") or "")
        return cls(key_pages=tuple(p.strip() for p in pages.split(",") if p.strip()),
                   opens_count=int(settings.get("intake.opens_count") or 3),
                   opens_days=int(settings.get("intake.opens_days") or 7),
                   points_threshold=int(settings.get("intake.points_threshold") or 0))


@dataclass(frozen=True)
class Activity:
    """One piece of activity: ``kind`` one of the constants above (others are allowed
    and never raise a hand); ``raised`` is the hand-raise kind it raised, if any."""

    kind: str
    at: datetime
    url: str | None = None
    old_points: int | None = None
    new_points: int | None = None
    raised: str | None = None


@dataclass(frozen=True)
class RuleHit:
    kind: str  # the hand-raise kind
    rule: str  # the rule in words, for the lead's timeline


def key_page(url: str, patterns: Iterable[str]) -> str | None:
    """The first pattern the URL matches (case-insensitive), tried against the whole URL
    and against its path, so both ``*/pricing*`` and ``/pricing*`` work."""
    low = url.strip().lower()
    try:
        path = urlsplit(low).path or "/"
    except ValueError:
        path = low
    for pattern in patterns:
        p = pattern.strip().lower()
        if p and (fnmatchcase(low, p) or fnmatchcase(path, p)):
            return pattern.strip()
    return None


def judge(event: Activity, history: Iterable[Activity], rules: HandRaiseRules) -> RuleHit | None:
    """Whether ``event`` raises a hand, given the lead's earlier ``history``."""
    if event.kind == PAGE_HIT and event.url:
        pattern = key_page(event.url, rules.key_pages)
        if pattern is not None:
            return RuleHit("page_visits", f"key page {pattern}")
        return None
    if event.kind == EMAIL_OPEN:
        return _opens(event, list(history), rules)
    if event.kind == POINTS_CHANGE and rules.points_threshold > 0 \
            and event.new_points is not None:
        old = event.old_points if event.old_points is not None else 0
        if old < rules.points_threshold <= event.new_points:
            return RuleHit("points_threshold", f"points reached {rules.points_threshold}")
        return None
    if event.kind == DOWNLOAD:
        return RuleHit("asset_download", "asset download")
    return None


def _opens(event: Activity, history: list[Activity], rules: HandRaiseRules) -> RuleHit | None:
    window = timedelta(days=rules.opens_days)
    start = event.at - window
    # The window starts again after the last opens hand raise inside it.
    for a in history:
        if a.raised == "email_opens" and start < a.at <= event.at:
            start = a.at
    opens = 1 + sum(1 for a in history
                    if a.kind == EMAIL_OPEN and start < a.at <= event.at
                    and a.raised != "email_opens")
    if opens >= rules.opens_count:
        return RuleHit("email_opens",
                       f"{rules.opens_count} email opens in {rules.opens_days} days")
    return None
