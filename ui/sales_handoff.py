"""The hand-off as sales reads it: who, BANT as a short table, the rep's notes, the
digital body language and the attempts, with dates and times in the app's format, in
the team's time zone (as the floor shows them)."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ui import labels
from ui.labels import answer_key, bant_parts, plain


def _asked(question: str) -> str:
    return question if question.endswith("?") else question + ":"


DATE_TIME = "%a %d %b %Y %H:%M %Z"  # the app's words, as the floor and the queue write them
DATE_FORMAT = "ddd dd MMM yyyy"  # the same day as a QDateEdit shows it


def team_time_text(iso: str | datetime | None, tz: str = "UTC") -> str:
    """A stored UTC stamp in the team's time zone, in the app's format
    (``Tue 01 Dec 2026 19:08 EST``), as the floor shows team time."""
    if not iso:
        return ""
    try:
        t = iso if isinstance(iso, datetime) else datetime.fromisoformat(str(iso))
    except ValueError:
        return str(iso)
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)  # stored stamps are UTC
    try:
        zone = ZoneInfo(tz)
    except (ValueError, ZoneInfoNotFoundError):
        zone = ZoneInfo("UTC")
    return t.astimezone(zone).strftime(DATE_TIME)


def handoff_html(snap: dict[str, Any], tz: str = "UTC") -> str:
    """What travelled with the lead; every time in the team's zone (``tz``)."""
    e = html.escape
    lead = snap.get("lead", {})
    name = " ".join(p for p in (lead.get("first_name"), lead.get("last_name")) if p) or "(no name)"
    parts = [f"<h3>{e(name)}</h3>",
             f"<p>{e(lead.get('title') or '')}{' at ' if lead.get('title') else ''}"
             f"<b>{e(lead.get('company') or '(no company)')}</b><br>"
             f"Email {e(lead.get('email') or '–')} · Phone {e(lead.get('phone') or '–')}<br>"
             f"Campaign {e(snap.get('campaign', {}).get('name') or '–')} · marketing generated · "
             f"Level I {'met' if snap.get('level1_met') else '<b>not met</b>'}</p>"]
    rows = "".join(f"<tr><th align='left'>{e(part)}</th><td>{e(text or '–')}</td></tr>"
                   for part, text in bant_parts(snap.get("bant", {})))
    parts.append("<h4>BANT</h4>" + (f"<table cellpadding='3' border='1' cellspacing='0'>{rows}</table>"
                                    if rows else "<p>–</p>"))
    answers = snap.get("answers", {})
    if answers:
        questions = snap.get("questions") or {}
        parts.append("<h4>Answers</h4><ul>" + "".join(
            f"<li>{e(_asked(answer_key(k, questions)))} <b>{e(plain(v))}</b></li>"
            for k, v in answers.items()) + "</ul>")
    notes = snap.get("notes", [])
    parts.append(f"<h4>Notes ({len(notes)})</h4>" + ("<ul>" + "".join(
        f"<li><i>{e(team_time_text(n.get('at'), tz))} {e(n.get('author') or '')}</i>: "
        f"{e(n.get('body', ''))}</li>" for n in notes) + "</ul>" if notes else "<p>–</p>"))
    body = snap.get("body_language", [])
    parts.append("<h4>Digital body language</h4>" + ("<ul>" + "".join(
        f"<li>{e(team_time_text(h.get('at'), tz))} — "
        f"{e(h.get('label') or labels.hand_raise(h.get('kind')))}"
        + (f": {e(plain(h['details']))}" if h.get("details") else "") + "</li>" for h in body)
        + "</ul>" if body else "<p>–</p>"))
    a = snap.get("attempts", {})
    att = [f"{a.get('count', 0)} call attempt{'s' if a.get('count', 0) != 1 else ''}"]
    if a.get("last_disposition"):
        att.append("last: " + (a.get("last_disposition_label")
                               or labels.disposition(a["last_disposition"])))
    if a.get("first_touch_at"):
        att.append(f"first call {team_time_text(a['first_touch_at'], tz)}")
    parts.append("<h4>Attempts</h4><p>" + e(", ".join(att)) + "</p>")
    handoff = snap.get("handoff")
    if handoff:
        line = (f"Turned over {team_time_text(handoff.get('at'), tz)} by {handoff.get('by') or '–'} "
                f"to {handoff.get('to')}")
        parts.append(f"<p><i>{e(line)}</i></p>")
        if handoff.get("override_reason"):
            parts.append(f"<p>Override: {e(handoff['override_reason'])}</p>")
        if handoff.get("note"):
            parts.append(f"<p>Hand-off note: {e(handoff['note'])}</p>")
    return "\n".join(parts)
