"""What a delivery carries, as normalised events, whatever the sender's format.

``parse_json`` reads our documented format (DESIGN.md "Contract, second part"),
``parse_form`` a web form post (Salesforce Web-to-Lead names or ours), and
``mautic.parse_mautic`` Mautic's webhook envelope. Each either returns every event or
raises ``EventError`` naming the event and field at fault: a delivery is taken whole
or refused whole (400), never half.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from qualdesk.services.intake.dates import DateError, parse_when

MAX_EVENTS = 500  # per delivery: a bigger batch is a sender's bug, refused with 400
MAX_DEPTH = 20
_EVENT_ID_MAX = 200


class EventError(ValueError):
    """A bad event: the message names the event and the field (shown to the sender)."""


@dataclass(frozen=True)
class HandRaiseIn:
    kind: str | None  # None: the source's default kind
    at: datetime
    details: Any = None


@dataclass(frozen=True)
class ActivityIn:
    kind: str
    at: datetime
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NormalEvent:
    ref: str  # "event 2 (event_id abc)", "mautic.page_on_hit[0]": for messages
    lead: dict[str, Any]
    event_id: str | None = None
    contact_id: str | None = None  # the sender's own id for the person (Mautic)
    hand_raise: HandRaiseIn | None = None
    activity: ActivityIn | None = None
    campaign: str | None = None
    test: bool = False


def loads(body: bytes) -> Any:
    """JSON from raw bytes: UTF-8 (a BOM allowed), nesting bounded, a clear message."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EventError(f"the body is not UTF-8 (byte {exc.start})") from None
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise EventError(f"the body nests deeper than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError as exc:
        raise EventError(f"the body is not JSON: {exc.msg} at line {exc.lineno} "
                         f"column {exc.colno}") from None
    if _depth(data) > MAX_DEPTH:
        raise EventError(f"the body nests deeper than {MAX_DEPTH} levels")
    return data


def _no_constant(name: str) -> Any:
    raise EventError(f"the body has {name}, which JSON does not allow")


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def when(raw: Any, tz: ZoneInfo, where: str) -> datetime:
    if not isinstance(raw, str):
        raise EventError(f"{where}: expected an ISO 8601 date-time text, got {_kind(raw)}")
    try:
        return parse_when(raw, tz)[0]
    except DateError as exc:
        raise EventError(f"{where}={raw[:60]!r}: {exc}") from None


def _kind(v: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false",
            type(None): "null"}.get(type(v), "a number")


def parse_json(body: bytes, tz: ZoneInfo, now: datetime) -> list[NormalEvent]:
    data = loads(body)
    items = data if isinstance(data, list) else [data]
    if not items:
        raise EventError("the body is an empty list: no events")
    if len(items) > MAX_EVENTS:
        raise EventError(f"{len(items)} events in one delivery (at most {MAX_EVENTS})")
    return [_json_event(i, item, tz, now) for i, item in enumerate(items, 1)]


def _json_event(n: int, item: Any, tz: ZoneInfo, now: datetime) -> NormalEvent:
    ref = f"event {n}"
    if not isinstance(item, dict):
        raise EventError(f"{ref}: expected an object, got {_kind(item)}")
    event_id = item.get("event_id")
    if event_id is not None:
        if not isinstance(event_id, str | int) or isinstance(event_id, bool) \
                or not str(event_id).strip() or len(str(event_id)) > _EVENT_ID_MAX:
            raise EventError(f"{ref}: event_id must be a text of 1-{_EVENT_ID_MAX} characters")
        event_id = str(event_id).strip()
        ref = f"event {n} (event_id {event_id[:60]})"
    lead = item.get("lead")
    if not isinstance(lead, dict):
        raise EventError(f"{ref}: lead must be an object of lead columns, got {_kind(lead)}")
    for k, v in lead.items():
        if isinstance(v, dict | list):
            raise EventError(f"{ref}: lead.{k}: expected text, got {_kind(v)}")
    hand_raise = activity = None
    if item.get("hand_raise") is not None:
        hr = item["hand_raise"]
        if not isinstance(hr, dict):
            raise EventError(f"{ref}: hand_raise must be an object, got {_kind(hr)}")
        kind = hr.get("kind")
        if kind is not None and not isinstance(kind, str):
            raise EventError(f"{ref}: hand_raise.kind: expected text, got {_kind(kind)}")
        at = when(hr["at"], tz, f"{ref}: hand_raise.at") if hr.get("at") is not None else now
        hand_raise = HandRaiseIn(kind or None, at, hr.get("details"))
    if item.get("activity") is not None:
        act = item["activity"]
        if not isinstance(act, dict):
            raise EventError(f"{ref}: activity must be an object, got {_kind(act)}")
        kind = act.get("kind")
        if not isinstance(kind, str) or not kind.strip():
            raise EventError(f"{ref}: activity.kind is required (page_hit, email_open, "
                             "points_change, download, ...)")
        details = act.get("details") or {}
        if not isinstance(details, dict):
            raise EventError(f"{ref}: activity.details must be an object, got {_kind(details)}")
        at = when(act["at"], tz, f"{ref}: activity.at") if act.get("at") is not None else now
        activity = ActivityIn(kind.strip().lower(), at, details)
    campaign = item.get("campaign")
    if campaign is not None and not isinstance(campaign, str):
        raise EventError(f"{ref}: campaign: expected text, got {_kind(campaign)}")
    return NormalEvent(ref, lead, event_id, None, hand_raise, activity, campaign or None,
                       test=bool(item.get("qualdesk_test")))


# --- web forms ---------------------------------------------------------------------

# Salesforce Web-to-Lead's own fields that are not lead data.
FORM_CONTROL = frozenset({"oid", "orgid", "returl", "encoding", "debug", "debugemail",
                          "captcha_settings", "g-recaptcha-response", "submit"})
HONEYPOTS = ("qd_hp", "honeypot")


def honeypot_filled(fields: dict[str, str]) -> bool:
    """A bot fills every field, including the one people never see (hidden by CSS)."""
    return any(fields.get(name, "").strip() for name in HONEYPOTS)


def parse_form(fields: dict[str, str], now: datetime) -> NormalEvent:
    lead = {k: v for k, v in fields.items()
            if k.lower() not in FORM_CONTROL and k not in HONEYPOTS}
    details = {k: v for k, v in (("description", fields.get("description")),
                                 ("lead_source", fields.get("lead_source")),
                                 ("page", fields.get("retURL"))) if v}
    kind = fields.get("hand_raise") or None
    campaign = fields.get("campaign") or fields.get("Campaign_ID") or None
    return NormalEvent("form", lead, None, None, HandRaiseIn(kind, now, details or None),
                       None, campaign)
