"""Phone numbers: parse what people type into E.164, its extension, region and time zones.

Pure (no I/O beyond ``phonenumbers``' bundled metadata). Parsing is the dominant cost of
a big import, so results are cached per (text, default region) (CRM exports repeat
switchboard numbers a lot), and ``phones_fast`` takes the same answers by shorter roads.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat
from phonenumbers import timezone as pn_timezone

from qualdesk.domain import phones_fast as fast

UNKNOWN_ZONE = "Etc/Unknown"


@dataclass(frozen=True)
class Phone:
    e164: str
    ext: str | None
    region: str | None
    time_zones: tuple[str, ...]


class PhoneError(ValueError):
    """The text is not a valid phone number; ``str(exc)`` says why, for a row problem."""


_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: "no country code and no region to assume",
    NumberParseException.NOT_A_NUMBER: "not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_LONG: "too long",
}


def parse_phone(raw: str, default_region: str | None = None) -> Phone:
    """``raw`` as typed (any punctuation, ``x123`` / ``ext. 123`` extensions).

    ``default_region`` (ISO 3166 alpha-2) is used when the number has no ``+`` prefix.
    Raises ``PhoneError`` for text that is not a valid number in any plan.
    """
    return _parse_cached(raw.strip(), (default_region or "").upper() or None)


@lru_cache(maxsize=65536)
def _parse_cached(text: str, region: str | None) -> Phone:
    if not text:
        raise PhoneError("empty")
    fast.speed_up_phonenumbers()
    num = fast.parse_us_shape(text, region)
    if num is None:
        try:
            num = phonenumbers.parse(text, region)
        except NumberParseException as exc:
            raise PhoneError(_PARSE_REASONS.get(exc.error_type, "not a phone number")) from None
    known = fast.type_in_main_region(num, region)
    if known is not None:
        found: str | None = region
        zones_all = fast.zones_of_type(num, known)
    # Checking the expected region first: finding the region of a +1 number otherwise
    # tries every NANP country in turn.
    elif region and num.country_code == phonenumbers.country_code_for_region(region) and \
            phonenumbers.is_valid_number_for_region(num, region):
        found = region
        zones_all = pn_timezone.time_zones_for_number(num)
    elif phonenumbers.is_valid_number(num):
        found = phonenumbers.region_code_for_number(num)
        zones_all = pn_timezone.time_zones_for_number(num)
    else:
        where = f" for region {region}" if region and not text.startswith("+") else ""
        raise PhoneError(f"not a valid phone number{where}")
    return Phone(
        e164=phonenumbers.format_number(num, PhoneNumberFormat.E164),
        ext=num.extension or None,
        region=found,
        time_zones=tuple(z for z in zones_all if z != UNKNOWN_ZONE),
    )


def is_region(code: str) -> bool:
    return code.upper() in phonenumbers.SUPPORTED_REGIONS


# Everyday English names that are not the ISO short names phonenumbers knows.
_COUNTRY_ALIASES = {
    "usa": "US", "us": "US", "u s": "US", "u s a": "US", "america": "US",
    "united states of america": "US", "the united states": "US",
    "uk": "GB", "u k": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northern ireland": "GB", "great britain": "GB", "britain": "GB",
    "south korea": "KR", "korea": "KR", "republic of korea": "KR",
    "russia": "RU", "czech republic": "CZ", "czechia": "CZ", "holland": "NL",
    "the netherlands": "NL", "uae": "AE", "vietnam": "VN", "hong kong sar": "HK",
    "republic of ireland": "IE", "deutschland": "DE", "espana": "ES",
    "united states": "US", "united kingdom": "GB", "canada": "CA",
}


def _norm_name(value: str) -> str:
    return " ".join(value.lower().replace(".", " ").replace(",", " ").split())


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    from phonenumbers.geodata.locale import LOCALE_DATA

    out: dict[str, str] = {}
    for code, names in LOCALE_DATA.items():
        en = names.get("en", "")
        while en.startswith("*"):  # the table points to another language's identical name
            en = names.get(en[1:], "")
        if en:
            out[_norm_name(en)] = code
    out.update(_COUNTRY_ALIASES)
    return out


@lru_cache(maxsize=1024)
def region_for_country(value: str | None) -> str | None:
    """An ISO 3166 alpha-2 code for a ``Country`` cell ("DE", "USA", "United Kingdom"), or None."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if len(text) == 2 and text.isalpha():
        code = text.upper()
        if code == "UK":
            return "GB"
        return code if is_region(code) else None
    name = _norm_name(text)
    # The aliases win over the locale table anyway; answering them first spares a
    # one-off load of every locale's country names (a good part of a second).
    return _COUNTRY_ALIASES.get(name) or _names().get(name)
