"""Column names in words, for people: the screen, the PDF and the workbook.

CSV and JSON keep the keys (scripts and the acceptance tests read them); everything a
person reads goes through ``column_label``. One table of words, so "Within 1 h (%)"
is written once.
"""

from __future__ import annotations

import re

LABELS: dict[str, str] = {
    "group": "Group",
    "campaign": "Campaign",
    "rep": "Rep",
    "hand_raise": "Hand raise",
    "month": "Month",
    "day": "Day",
    "stage": "Stage",
    "designation": "Designation",
    "age": "Age",
    "leads": "Leads",
    "hand_raises": "Hand raises",
    "within_1h": "Within 1 h",
    "same_day": "Same day",
    "within_24h": "Within 24 h",
    "within_48h": "Within 48 h",
    "within_72h": "Within 72 h",
    "never": "Never followed up",
    "first_touch_median_min": "First call, median (min)",
    "first_touch_p90_min": "First call, 90th percentile (min)",
    "pct_first_touch_5min": "First call within 5 min (%)",
    "attempts": "Attempts",
    "connects": "Connects",
    "connect_rate": "Connect rate (%)",
    "turned_over": "Turned over",
    "accepted": "Accepted",
    "rejected": "Rejected",
    "won": "Won",
    "touched": "Called",
    "followed_up": "Followed up",
    "verdicts": "Sales verdicts",
    "hr_to_touch_min": "Hand raise to first call, median (min)",
    "touch_to_followup_min": "First call to follow-up, median (min)",
    "followup_to_turnover_h": "Follow-up to turn-over, median (h)",
    "turnover_to_verdict_h": "Turn-over to verdict, median (h)",
    "from_previous_pct": "Of the stage before (%)",
    "cold": "New leads",
    "warm": "Warm",
    "hot": "Hot",
    "incubating": "Incubating",
    "disqualified": "Disqualified",
    "do_not_call": "Do not call",
    "warm_pct": "Warm of new (%)",
    "hot_of_warm_pct": "Hot of warm (%)",
    "turned_over_of_hot_pct": "Turned over of hot (%)",
    "accepted_of_turned_over_pct": "Accepted of turned over (%)",
    "cold_per_turned_over": "New leads per turn-over",
    "cold_per_accepted": "New leads per acceptance",
    "lt_1h": "Under 1 h",
    "1h_24h": "1 h to 24 h",
    "1d_7d": "1 to 7 days",
    "gt_7d": "Over 7 days",
    "no_hand_raise": "No hand raise",
}
_SUFFIXES = (("_change_pct", " change (%)"), ("_change", " change"))


def humanize(key: str) -> str:
    """'no_answer' -> 'No answer': the fallback for codes the table does not know."""
    text = re.sub(r"_+", " ", key).strip()
    return text[:1].upper() + text[1:]


def column_label(key: str) -> str:
    """'pct_within_1h' -> 'Within 1 h (%)', 'hand_raises_change' -> 'Hand raises change'."""
    if key in LABELS:
        return LABELS[key]
    if key.startswith("pct_"):
        return f"{column_label(key[4:])} (%)"
    for suffix, words in _SUFFIXES:
        if key.endswith(suffix):
            return column_label(key[: -len(suffix)]) + words
    return humanize(key)


VALUES: dict[str, str] = {
    "cold": "Cold", "warm": "Warm", "hot": "Hot", "turned_over": "Turned over",
    "accepted": "Accepted", "incubating": "Incubating", "disqualified": "Disqualified",
    "do_not_call": "Do not call",
    "lt_1h": "Under 1 h", "1h_24h": "1 h to 24 h", "1d_7d": "1 to 7 days",
    "gt_7d": "Over 7 days", "no_hand_raise": "No hand raise",
}


def value_label(value: object) -> str:
    """A code shown as a value (a designation, an age bucket) in words; names, months
    and numbers stay as they are."""
    if value is None:
        return ""
    text = str(value)
    return VALUES.get(text, text)


def is_percent(key: str) -> bool:
    """Columns holding a percentage (0-100, one decimal)."""
    return key.startswith("pct_") or key.endswith("_pct") or key == "connect_rate"
