"""What every CRM export shares: the leads to send, the text rules, the file, the marks.

Each format module (``salesforce``, ``hubspot``, ``plain_csv``) declares its header, its
encoding and how one turned-over lead becomes one row; ``export_turned_over`` in
``__init__`` runs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from qualdesk.domain import words

Warn = list[str]

# Cells a spreadsheet would read as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_E164 = re.compile(r"^\+[1-9][0-9]{5,14}$")
PLACEHOLDER = "[not provided]"


@dataclass(frozen=True)
class ExportItem:
    """One turned-over lead as the exporters see it: the snapshot plus what sales decided."""

    lead_id: int
    designation: str  # now (turned_over or accepted)
    turnover_id: int
    turned_over_at: datetime
    to_owner: str
    to_owner_email: str | None
    by: str | None
    note: str | None
    override_reason: str | None
    verdict: str | None
    verdict_at: datetime | None
    verdict_reason: str | None
    outcome: str | None
    outcome_at: datetime | None
    weighting: int | None
    snapshot: dict[str, Any] = field(default_factory=dict)

    @property
    def lead(self) -> dict[str, Any]:
        return self.snapshot.get("lead", {})

    @property
    def label(self) -> str:
        name = " ".join(p for p in (self.lead.get("first_name"), self.lead.get("last_name")) if p)
        return f"lead {self.lead_id}" + (f" ({name})" if name else "")


def neutralise(value: str, *, phone: bool = False) -> str:
    """Prefix ``'`` to a cell a spreadsheet would run as a formula; E.164 phones pass."""
    if phone and _E164.match(value):
        return value
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value


def fit(item: ExportItem, column: str, value: str | None, limit: int | None, warnings: Warn,
        *, fmt: str) -> str:
    """The cell text cut to ``limit`` characters, with a warning naming lead and field."""
    text = "" if value is None else str(value)
    if limit is not None and len(text) > limit:
        warnings.append(f"{fmt}: {item.label}: {column} cut from {len(text)} to {limit} characters")
        text = text[:limit]
    return text


def required(item: ExportItem, column: str, value: str | None, warnings: Warn, *, fmt: str) -> str:
    if value and value.strip():
        return value
    warnings.append(f"{fmt}: {item.label}: {column} is required and missing; "
                    f"wrote {PLACEHOLDER!r}")
    return PLACEHOLDER


def flag(value: Any) -> str:
    return "1" if value else "0"


def bant_lines(bant: dict[str, Any]) -> list[str]:
    """BANT as a salesperson reads it in the CRM, one part a line:
    ``Budget: 40,000–60,000 USD``, ``Authority: VP Operations; decision maker``."""
    return [f"{part}: {text}" for part, text in words.bant_parts(bant)]


def bant_text(bant: dict[str, Any]) -> str:
    """The same on one line (``Budget: …; Authority: …``), where a cell has no lines."""
    return "; ".join(bant_lines(bant))


def _plain(v: Any) -> str:
    return words.plain(v)


def body_language_lines(snap: dict[str, Any]) -> list[str]:
    out = []
    for h in snap.get("body_language", []):
        line = (f"{h.get('at', '')[:16].replace('T', ' ')} UTC "
                f"{h.get('label') or words.hand_raise(h.get('kind'))}")
        if h.get("details"):
            line += f": {_plain(h['details'])}"
        out.append(line)
    return out


def attempts_text(snap: dict[str, Any]) -> str:
    """``2 call attempts, last: No answer, first call 2026-12-01 14:05 UTC``."""
    a = snap.get("attempts", {})
    n = a.get("count", 0)
    parts = [f"{n} call attempt{'' if n == 1 else 's'}"]
    if a.get("last_disposition"):
        parts.append("last: " + (a.get("last_disposition_label")
                                 or words.disposition(a["last_disposition"])))
    if a.get("first_touch_at"):
        parts.append(f"first call {a['first_touch_at'][:16].replace('T', ' ')} UTC")
    return ", ".join(parts)


def answer_lines(snap: dict[str, Any]) -> list[str]:
    """Each script answer under the question it answers (``q_works`` never reaches sales)."""
    questions = snap.get("questions") or {}
    out = []
    for key, value in snap.get("answers", {}).items():
        asked = words.answer_key(key, questions)
        out.append(f"{asked} {_plain(value)}" if asked.endswith("?")
                   else f"{asked}: {_plain(value)}")
    return out


def description(item: ExportItem) -> str:
    """The hand-off as one readable text: where CRMs have no field for BANT and the rest."""
    snap = item.snapshot
    lines = [
        f"Marketing generated lead (QualDesk {item.lead_id}), campaign "
        f"{snap.get('campaign', {}).get('name') or '-'}; turned over "
        f"{item.turned_over_at:%Y-%m-%d %H:%M} UTC by {item.by or '-'} to {item.to_owner}.",
    ]
    if item.override_reason:
        lines.append(f"Not Level I qualified; turned over by override: {_plain(item.override_reason)}")
    if item.note:
        lines.append(f"Hand-off note: {item.note}")
    if bant := bant_lines(snap.get("bant", {})):
        lines.append("BANT (what the qualifying rep learned):")
        lines.extend(f"- {x}" for x in bant)
    if answers := answer_lines(snap):
        lines.append("Qualification answers:")
        lines.extend(f"- {x}" for x in answers)
    if bl := body_language_lines(snap):
        lines.append("Digital body language:")
        lines.extend(f"- {x}" for x in bl)
    lines.append(f"Attempts: {attempts_text(snap)}")
    notes = snap.get("notes", [])
    if notes:
        lines.append("Notes:")
        lines.extend(f"- {n.get('at', '')[:10]} {n.get('author') or ''}: {n.get('body', '')}"
                     for n in notes)
    return "\n".join(lines)


def first_kind(snap: dict[str, Any]) -> str | None:
    hrs = snap.get("body_language", [])
    return hrs[0].get("kind") if hrs else None


@dataclass(frozen=True)
class ExportResult:
    exported: int
    format: str
    file: str
    warnings: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"exported": self.exported, "format": self.format, "file": self.file,
                "warnings": list(self.warnings)}
