"""A plain CSV with everything that travelled, one column per fact (snake_case headers).

UTF-8 *with* a byte-order mark: this is the file people open in a spreadsheet, and Excel
reads accents right only with the BOM. Free text is neutralised against formulas like the
CRM formats; nothing is cut.
"""

from __future__ import annotations

import json

from qualdesk.domain import words
from qualdesk.services.export_crm.common import (
    ExportItem,
    Warn,
    attempts_text,
    bant_text,
    body_language_lines,
)

NAME = "csv"
BOM = True
PHONE_COLUMNS = frozenset({"phone", "mobile"})
BANT_KEYS = ("budget", "authority", "need", "timeframe")

HEADER = [
    "lead_id", "first_name", "last_name", "company", "title", "email", "phone", "phone_ext",
    "mobile", "city", "country", "website", "industry", "lead_source", "campaign",
    "designation", "qualifying_rep", "sales_owner", "turned_over_at", "turned_over_by",
    "level1_met", "override_reason", "handoff_note", *(f"bant_{k}" for k in BANT_KEYS),
    "bant", "answers", "hand_raises", "first_hand_raise_at", "last_hand_raise_at",
    "body_language", "attempts", "last_disposition", "first_touch_at", "attempt_summary",
    "notes", "marketing_generated", "verdict", "verdict_at", "verdict_reason", "weighting",
    "outcome", "outcome_at", "do_not_call", "email_opt_out",
]


def _iso(v: object) -> str:
    return v.isoformat() if hasattr(v, "isoformat") else ("" if v is None else str(v))


def prepare(items: list[ExportItem], warnings: Warn) -> list[ExportItem]:
    return items


def row(item: ExportItem, warnings: Warn) -> dict[str, str]:
    snap, lead = item.snapshot, item.lead
    bant = snap.get("bant", {})
    said = words.bant_words(bant)
    hrs = snap.get("body_language", [])
    att = snap.get("attempts", {})
    values: dict[str, object] = {
        "lead_id": item.lead_id, "first_name": lead.get("first_name"),
        "last_name": lead.get("last_name"), "company": lead.get("company"),
        "title": lead.get("title"), "email": lead.get("email"), "phone": lead.get("phone"),
        "phone_ext": lead.get("phone_ext"), "mobile": lead.get("mobile"),
        "city": lead.get("city"), "country": lead.get("country"),
        "website": lead.get("website"), "industry": lead.get("industry"),
        "lead_source": lead.get("lead_source"),
        "campaign": snap.get("campaign", {}).get("name"), "designation": item.designation,
        "qualifying_rep": snap.get("qualifying_rep"), "sales_owner": item.to_owner,
        "turned_over_at": item.turned_over_at, "turned_over_by": item.by,
        "level1_met": "true" if snap.get("level1_met") else "false",
        "override_reason": item.override_reason, "handoff_note": item.note,
        **{f"bant_{k}": said.get(k) for k in BANT_KEYS},  # in words, not {'low': …}
        "bant": bant_text(bant),
        "answers": json.dumps(snap.get("answers", {}), ensure_ascii=False) if snap.get("answers") else "",
        "hand_raises": len(hrs), "first_hand_raise_at": hrs[0].get("at") if hrs else None,
        "last_hand_raise_at": hrs[-1].get("at") if hrs else None,
        "body_language": "\n".join(body_language_lines(snap)),
        "attempts": att.get("count", 0), "last_disposition": att.get("last_disposition"),
        "first_touch_at": att.get("first_touch_at"), "attempt_summary": attempts_text(snap),
        "notes": "\n".join(f"{n.get('at', '')[:16]} {n.get('author') or ''}: {n.get('body', '')}"
                           for n in snap.get("notes", [])),
        "marketing_generated": "true", "verdict": item.verdict, "verdict_at": item.verdict_at,
        "verdict_reason": item.verdict_reason, "weighting": item.weighting,
        "outcome": item.outcome, "outcome_at": item.outcome_at,
        "do_not_call": "true" if lead.get("do_not_call") else "false",
        "email_opt_out": "true" if lead.get("email_opt_out") else "false",
    }
    return {c: _iso(values.get(c)) for c in HEADER}
