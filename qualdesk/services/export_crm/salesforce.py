"""Salesforce Lead import (Data Import Wizard / Data Loader), API field names as headers.

- ``LastName`` and ``Company`` are required: a missing one gets "[not provided]" and a
  warning. Lengths are the Lead object's (Field Reference); a longer value is cut, with a
  warning naming the lead and the field.
- ``Status``: "Working - Contacted" once a rep has called, else "Open - Not Contacted"
  (the Developer-Edition defaults); ``Rating``: Hot when Level I qualified, Warm with any
  hand raise, else Cold; ``LeadSource`` from the campaign's configured source, else the
  lead's own when it is a stock value, else from the first hand raise (called in ->
  Phone Inquiry, web events -> Web).
- No owner column: ``OwnerId`` wants a Salesforce user id we do not have; the sales owner
  is named in ``Description`` with notes, BANT and the digital body language.
- UTF-8 without a byte-order mark (the wizard's "UTF-8" choice; Data Loader would read a
  BOM into the first header's name). Booleans as 1/0.
"""

from __future__ import annotations

from qualdesk.services.export_crm.common import (
    ExportItem,
    Warn,
    description,
    first_kind,
    fit,
    flag,
    required,
)

NAME = "salesforce"
BOM = False
PHONE_COLUMNS = frozenset({"Phone", "MobilePhone"})

# (API name, max length or None)
COLUMNS: tuple[tuple[str, int | None], ...] = (
    ("FirstName", 40), ("LastName", 80), ("Company", 255), ("Title", 128), ("Email", 80),
    ("Phone", 40), ("MobilePhone", 40), ("City", 40), ("Country", 80), ("Website", 255),
    ("Industry", 40), ("LeadSource", 40), ("Status", 40), ("Rating", 40), ("DoNotCall", None),
    ("HasOptedOutOfEmail", None), ("Description", 32000),
)
HEADER = [c for c, _ in COLUMNS]
STOCK_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
WEB_KINDS = frozenset({"contact_form", "demo_request", "asset_download", "email_opens",
                       "page_visits", "chat", "points_threshold"})


def lead_source(item: ExportItem) -> str:
    snap = item.snapshot
    configured = snap.get("campaign", {}).get("lead_source")
    if configured:
        return configured
    own = (item.lead.get("lead_source") or "").strip()
    for stock in STOCK_SOURCES:
        if own.lower() == stock.lower():
            return stock
    kind = first_kind(snap)
    if kind == "called_in":
        return "Phone Inquiry"
    return "Web" if kind in WEB_KINDS else "Other"


def status(item: ExportItem) -> str:
    called = item.snapshot.get("attempts", {}).get("count", 0) > 0
    return "Working - Contacted" if called else "Open - Not Contacted"


def rating(item: ExportItem) -> str:
    if item.snapshot.get("level1_met"):
        return "Hot"
    return "Warm" if item.snapshot.get("body_language") else "Cold"


def row(item: ExportItem, warnings: Warn) -> dict[str, str]:
    lead = item.lead
    values: dict[str, str | None] = {
        "FirstName": lead.get("first_name"),
        "LastName": required(item, "LastName", lead.get("last_name"), warnings, fmt=NAME),
        "Company": required(item, "Company", lead.get("company"), warnings, fmt=NAME),
        "Title": lead.get("title"), "Email": lead.get("email"), "Phone": lead.get("phone"),
        "MobilePhone": lead.get("mobile"), "City": lead.get("city"),
        "Country": lead.get("country"), "Website": lead.get("website"),
        "Industry": lead.get("industry"), "LeadSource": lead_source(item),
        "Status": status(item), "Rating": rating(item),
        "DoNotCall": flag(lead.get("do_not_call")),
        "HasOptedOutOfEmail": flag(lead.get("email_opt_out")),
        "Description": description(item),
    }
    return {c: fit(item, c, values[c], limit, warnings, fmt=NAME) for c, limit in COLUMNS}


def prepare(items: list[ExportItem], warnings: Warn) -> list[ExportItem]:
    return items
