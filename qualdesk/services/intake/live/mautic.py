"""Mautic's webhook envelope into normalised events.

A delivery is ``{"mautic.form_on_submit": [payload, …], "mautic.page_on_hit": […], …}``
(several event types, several events each, when Mautic queues and batches), each payload
as Mautic's WebhookBundle builds it (samples in tests/data/mautic, from Mautic's own
``Assets/WebhookPayload`` files). The contact sits under ``submission.lead``,
``hit.lead``, ``stat.lead`` or ``contact``; its fields under ``fields.core.NAME.value``.

Form submits are hand raises (the source's kind, default ``contact_form``); page hits,
email opens and points changes are activity for the team's rules. Contact saves only
fill a known lead's blanks. Other event types are acknowledged and ignored.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from qualdesk.domain import hand_raise_rules as rules
from qualdesk.services.intake.live.events import (
    MAX_EVENTS,
    ActivityIn,
    EventError,
    HandRaiseIn,
    NormalEvent,
    loads,
    when,
)

FORM_SUBMIT = "mautic.form_on_submit"
PAGE_HIT = "mautic.page_on_hit"
EMAIL_OPEN = "mautic.email_on_open"
POINTS = "mautic.lead_points_change"
CONTACT_NEW = "mautic.lead_post_save_new"
CONTACT_UPDATE = "mautic.lead_post_save_update"

# Mautic's core contact fields -> ours.
_FIELDS = {"firstname": "first_name", "lastname": "last_name", "company": "company",
           "position": "title", "email": "email", "phone": "phone", "mobile": "mobile",
           "city": "city", "country": "country", "website": "website"}


def _contact_fields(contact: Any) -> dict[str, Any]:
    if not isinstance(contact, dict):
        return {}
    fields = contact.get("fields")
    out: dict[str, Any] = {}
    if isinstance(fields, dict):
        core = fields.get("core") if isinstance(fields.get("core"), dict) else fields
        for name, ours in _FIELDS.items():
            f = core.get(name)
            value = f.get("value") if isinstance(f, dict) else f
            if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
                out[ours] = str(value).strip()
    return out


def _contact_id(contact: Any) -> str | None:
    if isinstance(contact, dict) and isinstance(contact.get("id"), int | str) \
            and str(contact["id"]).strip():
        return str(contact["id"]).strip()[:64]
    return None


def parse_mautic(body: bytes, tz: ZoneInfo, now: datetime) -> tuple[list[NormalEvent], int]:
    """(events, how many events of types we do not use were ignored)."""
    data = loads(body)
    if not isinstance(data, dict):
        raise EventError("a Mautic delivery is an object of event types "
                         '({"mautic.form_on_submit": [...], ...})')
    events: list[NormalEvent] = []
    ignored = 0
    for etype, items in data.items():
        if etype == "timestamp":
            continue
        if not isinstance(items, list):
            items = [items]  # a single payload, as Mautic's test sender posts
        for i, item in enumerate(items):
            ref = f"{etype}[{i}]"
            if not isinstance(item, dict):
                raise EventError(f"{ref}: expected an object")
            ev = _event(etype, ref, item, tz, now)
            if ev is None:
                ignored += 1
            else:
                events.append(ev)
            if len(events) > MAX_EVENTS:
                raise EventError(f"more than {MAX_EVENTS} events in one delivery")
    return events, ignored


def _at(item: dict[str, Any], keys: tuple[str, ...], tz: ZoneInfo, ref: str,
        now: datetime) -> datetime:
    for key in keys:
        if item.get(key):
            return when(item[key], tz, f"{ref}: {key}")
    return now


def _event(etype: str, ref: str, item: dict[str, Any], tz: ZoneInfo,
           now: datetime) -> NormalEvent | None:
    if etype == FORM_SUBMIT:
        sub = item.get("submission")
        if not isinstance(sub, dict):
            raise EventError(f"{ref}: no submission object")
        contact = sub.get("lead")
        lead = _contact_fields(contact)
        results = sub.get("results") if isinstance(sub.get("results"), dict) else {}
        for k, v in results.items():  # the form's own fields fill what the contact lacks
            if isinstance(v, str | int) and not isinstance(v, bool):
                lead.setdefault(k, str(v))
        at = _at(sub, ("dateSubmitted",), tz, ref, now) if sub.get("dateSubmitted") else \
            _at(item, ("timestamp",), tz, ref, now)
        form = sub.get("form") if isinstance(sub.get("form"), dict) else {}
        details = {k: v for k, v in (("form", form.get("name")), ("referer", sub.get("referer")),
                                     ("results", results or None)) if v}
        return NormalEvent(ref, lead, None, _contact_id(contact),
                           HandRaiseIn(None, at, details or None),
                           ActivityIn("form_submit", at, details))
    if etype == PAGE_HIT:
        hit = item.get("hit")
        if not isinstance(hit, dict):
            raise EventError(f"{ref}: no hit object")
        at = _at(hit, ("dateHit",), tz, ref, now)
        page = hit.get("page") if isinstance(hit.get("page"), dict) else {}
        details = {k: v for k, v in (("url", hit.get("url")), ("title", hit.get("urlTitle")
                                                               or page.get("title")),
                                     ("referer", hit.get("referer"))) if v}
        return NormalEvent(ref, _contact_fields(hit.get("lead")), None,
                           _contact_id(hit.get("lead")), None,
                           ActivityIn(rules.PAGE_HIT, at, details))
    if etype == EMAIL_OPEN:
        stat = item.get("stat")
        if not isinstance(stat, dict):
            raise EventError(f"{ref}: no stat object")
        at = _at(stat, ("dateRead", "lastOpened"), tz, ref, now)
        email = stat.get("email") if isinstance(stat.get("email"), dict) else {}
        details = {k: v for k, v in (("subject", email.get("subject")),
                                     ("email", email.get("name"))) if v}
        lead = _contact_fields(stat.get("lead"))
        if "email" not in lead and isinstance(stat.get("emailAddress"), str):
            lead["email"] = stat["emailAddress"]
        return NormalEvent(ref, lead, None, _contact_id(stat.get("lead")), None,
                           ActivityIn(rules.EMAIL_OPEN, at, details))
    if etype == POINTS:
        contact = item.get("contact") or item.get("lead")
        points = item.get("points") if isinstance(item.get("points"), dict) else {}
        new = points.get("new_points", contact.get("points") if isinstance(contact, dict)
                         else None)
        old = points.get("old_points")
        details = {k: v for k, v in (("old_points", old), ("new_points", new))
                   if isinstance(v, int)}
        return NormalEvent(ref, _contact_fields(contact), None, _contact_id(contact), None,
                           ActivityIn(rules.POINTS_CHANGE, _at(item, ("timestamp",), tz, ref,
                                                               now), details))
    if etype in (CONTACT_NEW, CONTACT_UPDATE):
        contact = item.get("contact") or item.get("lead")
        return NormalEvent(ref, _contact_fields(contact), None, _contact_id(contact))
    return None


def php_json(value: Any) -> bytes:
    """JSON as PHP's ``json_encode`` writes it (what Mautic signs): no spaces, ``/`` as
    ``\\/``, non-ASCII as ``\\uXXXX``."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True).replace(
        "/", "\\/").encode()


def sample_form_submit(lead: dict[str, str], at: datetime) -> bytes:
    """A form-submit delivery in Mautic's shape, for the app's test event."""
    core = {m: {"alias": m, "value": lead.get(ours)} for m, ours in _FIELDS.items()}
    payload = {"submission": {"id": 0, "form": {"id": 0, "name": "QualDesk intake test"},
                              "lead": {"id": None, "fields": {"core": core}},
                              "dateSubmitted": at.isoformat(), "results": {}},
               "timestamp": at.isoformat()}
    return php_json({FORM_SUBMIT: [payload]})
