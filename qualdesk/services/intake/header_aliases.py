"""One table from the column names CRMs export to our lead fields.

Headers are compared after dropping case, spaces and punctuation, so the Salesforce API
name (``FirstName``), the Salesforce/HubSpot label (``First Name``) and our snake_case
name (``first_name``) are one entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from qualdesk.errors import InvalidInput

IGNORE = "ignore"

# field -> the normalised header spellings that mean it.
_ALIASES: dict[str, tuple[str, ...]] = {
    "first_name": ("firstname", "givenname", "first", "forename"),
    "last_name": ("lastname", "surname", "familyname", "last"),
    "full_name": ("fullname", "name", "contactname", "leadname"),
    "company": ("company", "companyname", "account", "accountname", "organization",
                "organisation", "partnername", "employer"),
    "title": ("title", "jobtitle", "function", "jobposition", "position", "role"),
    "email": ("email", "emailaddress", "email1", "emailfrom", "primaryemail", "workemail",
              "businessemail"),
    "email_alt": ("email2", "secondaryemail", "otheremail", "alternateemail"),
    "phone": ("phone", "phonenumber", "phone1", "workphone", "businessphone", "phonework",
              "officephone", "telephone", "tel"),
    "mobile": ("mobilephone", "mobile", "phone2", "mobilephonenumber", "cellphone", "cell",
               "phonemobile", "mobilenumber", "cellphonenumber"),
    "country": ("country", "countrycode", "countryregion", "primaryaddresscountry",
                "countryname", "addresscountry"),
    "city": ("city", "primaryaddresscity", "addresscity", "town"),
    "website": ("website", "url", "web", "companywebsite", "websiteurl"),
    "industry": ("industry",),
    "lead_source": ("leadsource", "source", "originalsource"),
    "notes": ("notes", "note", "description", "comments", "comment"),
    "external_id": ("id", "leadid", "recordid", "externalid", "contactid", "crmid"),
    "owner": ("owner", "leadowner", "ownerid", "contactowner", "recordowner", "assignedto",
              "assigneduser", "hubspotownerid", "owneremail", "ownername"),
    "do_not_call": ("donotcall", "dnc"),
    "email_opt_out": ("hasoptedoutofemail", "emailoptout", "optedoutofemail", "unsubscribed",
                      "donotemail"),
    "hand_raised_at": ("handraisedat", "handraiseat", "raisedat", "handraisedate",
                       "handraisetime"),
    "hand_raise": ("handraise", "handraisekind", "handraisetype"),
    "details": ("details", "handraisedetails", "digitalbodylanguage"),
    "campaign": ("campaign", "campaignname"),
}

FIELDS: tuple[str, ...] = tuple(_ALIASES)

_LOOKUP: dict[str, str] = {alias: field for field, aliases in _ALIASES.items()
                           for alias in aliases}
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_header(header: str) -> str:
    return _NON_ALNUM.sub("", header.lower())


def field_for(header: str) -> str | None:
    return _LOOKUP.get(normalise_header(header))


@dataclass(frozen=True)
class HeaderMap:
    """Which column feeds which field; ``unknown`` columns are reported and ignored."""

    fields: dict[str, int]
    unknown: tuple[str, ...]
    mapped: tuple[tuple[str, str], ...]  # (header, field) in file order, for previews

    def has(self, field: str) -> bool:
        return field in self.fields


def parse_map_options(items: Iterable[str], fields: Iterable[str] = FIELDS) -> dict[str, str]:
    """``--map COLUMN=field`` options into {column: field}; bad ones are usage errors."""
    allowed = set(fields) | {IGNORE}
    out: dict[str, str] = {}
    for item in items:
        column, sep, field = item.rpartition("=")
        column, field = column.strip(), field.strip().lower()
        if not sep or not column or not field:
            raise InvalidInput(f"--map {item!r}: expected COLUMN=field, e.g. 'Phone 1=phone'")
        if field not in allowed:
            raise InvalidInput(f"--map {item!r}: unknown field {field!r} "
                               f"(known: {', '.join(sorted(allowed))})")
        out[column] = field
    return out


def map_headers(headers: Iterable[str], overrides: Mapping[str, str] | None = None,
                lookup: Mapping[str, str] | None = None) -> HeaderMap:
    """Resolve each header: an explicit ``--map`` first, then the alias table.

    The first column claiming a field wins; a later one for the same field is reported
    as unknown so nothing is silently merged.
    """
    table = _LOOKUP if lookup is None else lookup
    over = {k.strip().lower(): v for k, v in (overrides or {}).items()}
    headers = list(headers)
    missing = [k for k in over if k not in {h.lower() for h in headers}]
    if missing:
        raise InvalidInput(f"--map names column(s) not in the file: {', '.join(missing)} "
                           f"(columns: {', '.join(headers)})")
    fields: dict[str, int] = {}
    unknown: list[str] = []
    mapped: list[tuple[str, str]] = []
    for i, h in enumerate(headers):
        field = over.get(h.lower()) or table.get(normalise_header(h))
        if field == IGNORE:
            mapped.append((h, IGNORE))
            continue
        if field is None or field in fields:
            if h:
                unknown.append(h)
            continue
        fields[field] = i
        mapped.append((h, field))
    return HeaderMap(fields, tuple(unknown), tuple(mapped))
