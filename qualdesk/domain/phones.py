"""Phone numbers: parse what people type into E.164, its extension, region and time zones.

Pure (no I/O beyond ``phonenumbers``' bundled metadata). Parsing is the dominant cost of
a big import, so results are cached per (text, default region): CRM exports repeat
switchboard numbers a lot.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType
from phonenumbers import phonenumberutil as pn_util
from phonenumbers import timezone as pn_timezone
from phonenumbers.phonemetadata import PhoneMetadata

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
    _speed_up_phonenumbers()
    try:
        num = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        raise PhoneError(_PARSE_REASONS.get(exc.error_type, "not a phone number")) from None
    known = _in_main_region(num, region)
    if known is not None:
        found: str | None = region
        zones_all = _zones_of_type(num, known)
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


# Working out a number's type is most of the cost of a phone (an import of 100,000 rows
# spends seconds on it): ``is_valid_number_for_region``, ``region_code_for_number`` and
# ``time_zones_for_number`` each work it out again. The shortcut below works it out once,
# for the usual case; anything unusual takes the public calls, which give the same answer.
_type_helper = getattr(pn_util, "_number_type_helper", None)


def _in_main_region(num: phonenumbers.PhoneNumber, region: str | None) -> int | None:
    """The number's type when it is valid for ``region`` and ``region`` is what
    ``region_code_for_number`` would answer (the calling code's main region, which needs
    no leading-digits test); None otherwise, the caller then asks the public API."""
    if not region or _type_helper is None:
        return None
    regions = pn_util.COUNTRY_CODE_TO_REGION_CODE.get(num.country_code)
    if not regions or regions[0] != region:
        return None
    meta = PhoneMetadata.metadata_for_region(region, None)
    if meta is None or (len(regions) > 1 and meta.leading_digits is not None):
        return None
    ntype: int = _type_helper(pn_util.national_significant_number(num), meta)
    return None if ntype == PhoneNumberType.UNKNOWN else ntype


def _zones_of_type(num: phonenumbers.PhoneNumber, ntype: int) -> tuple[str, ...]:
    if pn_util.is_number_type_geographical(ntype, num.country_code):
        return tuple(pn_timezone.time_zones_for_geographical_number(num))
    return tuple(pn_timezone.time_zones_for_number(num))


@lru_cache(maxsize=1)
def _speed_up_phonenumbers() -> None:
    """Two process-wide settings that change no answer, only the time it takes."""
    # phonenumbers otherwise calls re.compile (and its small cache) ~17 times a number.
    phonenumbers.enable_pattern_cache()
    # It also normalises digits one character at a time through unicodedata, twice a
    # number (a quarter of a parse). For ASCII text the digits are exactly 0-9, so one
    # str.translate gives the same string; anything else still takes the original.
    original = pn_util.normalize_digits_only
    if getattr(original, "qualdesk_fast", False):
        return

    def normalize_digits_only(number: str, keep_non_digits: bool = False) -> str:
        if not keep_non_digits and type(number) is str and number.isascii():
            return number.translate(_NON_DIGITS)
        return original(number, keep_non_digits)  # type: ignore[no-any-return]

    normalize_digits_only.qualdesk_fast = True  # type: ignore[attr-defined]
    pn_util.normalize_digits_only = normalize_digits_only


_NON_DIGITS = {c: None for c in range(128) if not chr(c).isdigit()}


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
    return _names().get(_norm_name(text))
