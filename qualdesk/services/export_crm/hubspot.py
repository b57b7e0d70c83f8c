"""HubSpot contact import, with internal property names as headers (HubSpot maps them
automatically, and they do not change with the portal's language).

- One row per email (HubSpot de-duplicates contacts on email): when two turned-over leads
  share an address, the most recent turn-over wins and a warning names the other. A row
  without email is kept (HubSpot creates a contact from the name) with a warning.
- ``lifecyclestage``: ``salesqualifiedlead`` when turned over, ``opportunity`` once sales
  accepted. ``hs_lead_status``: ``OPEN_DEAL`` when accepted, ``CONNECTED`` when a rep
  spoke with the lead, else ``OPEN``.
- ``hubspot_owner_id`` carries the sales owner's email (HubSpot's import resolves an
  owner by email; blank when the owner has none — a blank never overwrites).
- The hand-off (notes, BANT, digital body language) goes to ``message``, a textarea
  property of every portal (65,536 characters).
- UTF-8 without a byte-order mark.
"""

from __future__ import annotations

from qualdesk.services.export_crm.common import ExportItem, Warn, description, fit

NAME = "hubspot"
BOM = False
PHONE_COLUMNS = frozenset({"phone", "mobilephone"})
TEXTAREA = 65536
TEXT = 65536

COLUMNS: tuple[tuple[str, int | None], ...] = (
    ("email", TEXT), ("firstname", TEXT), ("lastname", TEXT), ("company", TEXT),
    ("jobtitle", TEXT), ("phone", TEXT), ("mobilephone", TEXT), ("city", TEXT),
    ("country", TEXT), ("website", TEXT), ("industry", TEXT), ("lifecyclestage", None),
    ("hs_lead_status", None), ("hubspot_owner_id", None), ("message", TEXTAREA),
)
HEADER = [c for c, _ in COLUMNS]


def lifecycle(item: ExportItem) -> str:
    return "opportunity" if item.designation == "accepted" else "salesqualifiedlead"


def lead_status(item: ExportItem) -> str:
    if item.designation == "accepted":
        return "OPEN_DEAL"
    return "CONNECTED" if item.snapshot.get("attempts", {}).get("connected") else "OPEN"


def prepare(items: list[ExportItem], warnings: Warn) -> list[ExportItem]:
    """De-duplicate on email (case-insensitive), keeping the latest turn-over."""
    by_email: dict[str, ExportItem] = {}
    out: list[ExportItem] = []
    for item in sorted(items, key=lambda i: (i.turned_over_at, i.turnover_id), reverse=True):
        email = (item.lead.get("email") or "").strip().lower()
        if not email:
            warnings.append(f"{NAME}: {item.label}: no email; HubSpot will create a new "
                            f"contact from the name on every import")
            out.append(item)
        elif email in by_email:
            warnings.append(f"{NAME}: {item.label}: same email as lead "
                            f"{by_email[email].lead_id} ({email}); only the latest turn-over "
                            f"is exported")
        else:
            by_email[email] = item
            out.append(item)
    return sorted(out, key=lambda i: (i.turned_over_at, i.turnover_id))


def row(item: ExportItem, warnings: Warn) -> dict[str, str]:
    lead = item.lead
    values: dict[str, str | None] = {
        "email": lead.get("email"), "firstname": lead.get("first_name"),
        "lastname": lead.get("last_name"), "company": lead.get("company"),
        "jobtitle": lead.get("title"), "phone": lead.get("phone"),
        "mobilephone": lead.get("mobile"), "city": lead.get("city"),
        "country": lead.get("country"), "website": lead.get("website"),
        "industry": lead.get("industry"), "lifecyclestage": lifecycle(item),
        "hs_lead_status": lead_status(item), "hubspot_owner_id": item.to_owner_email,
        "message": description(item),
    }
    return {c: fit(item, c, values[c], limit, warnings, fmt=NAME) for c, limit in COLUMNS}
