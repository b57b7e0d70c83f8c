"""Shortcuts that make ``phones.parse_phone`` fast without changing one answer.

Parsing phones is most of a big import (100,000 rows, 140,000 numbers). ``phonenumbers``
is exact but slow in three places, each handled here with the same result:

- it works out a number's type (ten pattern tests, each through three Python calls) up
  to three times per number: ``type_in_main_region`` does it once for the usual case,
  with the ten tests as one alternation (``number_type``), and time zones are looked
  up once per distinct prefix (``zones_of_type``);
- it normalises digits one character at a time through ``unicodedata`` and recompiles
  patterns through ``re``'s small cache: ``speed_up_phonenumbers`` swaps in a
  ``str.translate`` for ASCII text and turns on the library's own pattern cache;
- parsing a plain US number walks a dozen generic steps: ``parse_us_shape`` reads the
  shapes US CRM exports are full of (``(212) 555-1234``, ``212.555.1234``,
  ``+1 212 555 1234``, ``1-212-555-1234``) directly, after checking on first use that
  it agrees with ``phonenumbers.parse`` (otherwise it stays off).

Anything unusual takes the public ``phonenumbers`` calls.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumber, PhoneNumberType
from phonenumbers import phonenumberutil as pn_util
from phonenumbers import timezone as pn_timezone
from phonenumbers.phonemetadata import PhoneMetadata

# Private helpers of phonenumbers; without them every number takes the public calls.
_type_helper = getattr(pn_util, "_number_type_helper", None)
_matching_desc = getattr(pn_util, "_is_number_matching_desc", None)
TIMEZONE_LONGEST_PREFIX: int = pn_timezone.TIMEZONE_LONGEST_PREFIX


def type_in_main_region(num: PhoneNumber, region: str | None) -> int | None:
    """The number's type when it is valid for ``region`` and ``region`` is what
    ``region_code_for_number`` would answer (the calling code's main region, which needs
    no leading-digits test); None otherwise, and the caller asks the public API."""
    if not region or _type_helper is None or _matching_desc is None:
        return None
    regions = pn_util.COUNTRY_CODE_TO_REGION_CODE.get(num.country_code)
    if not regions or regions[0] != region:
        return None
    meta = PhoneMetadata.metadata_for_region(region, None)
    if meta is None or (len(regions) > 1 and meta.leading_digits is not None):
        return None
    ntype = number_type(pn_util.national_significant_number(num), meta)
    return None if ntype == PhoneNumberType.UNKNOWN else ntype


# The special types in the order ``_number_type_helper`` tests them; fixed line is last.
_TYPE_ORDER = (
    ("premium_rate", PhoneNumberType.PREMIUM_RATE), ("toll_free", PhoneNumberType.TOLL_FREE),
    ("shared_cost", PhoneNumberType.SHARED_COST), ("voip", PhoneNumberType.VOIP),
    ("personal_number", PhoneNumberType.PERSONAL_NUMBER), ("pager", PhoneNumberType.PAGER),
    ("uan", PhoneNumberType.UAN), ("voicemail", PhoneNumberType.VOICEMAIL),
    ("fixed_line", PhoneNumberType.FIXED_LINE),
)
class _Plan:
    """How to type numbers of one length in one region's metadata."""

    __slots__ = ("general", "combined", "types")

    def __init__(self, meta: PhoneMetadata, length: int) -> None:
        g = meta.general_desc
        fits = g is not None and bool(g.national_number_pattern) and (
            not g.possible_length or length in g.possible_length)
        # None: no number of this length is valid at all.
        self.general = re.compile(g.national_number_pattern) if fits else None
        parts: list[str] = []
        self.types: dict[str, int] = {}
        for name, ntype in _TYPE_ORDER:
            desc = getattr(meta, name)
            if desc is None or not desc.national_number_pattern:
                continue
            if desc.possible_length and length not in desc.possible_length:
                continue
            # Metadata patterns hold no back-references, so wrapping them in named groups
            # changes nothing they match.
            parts.append(f"(?P<{name}>{desc.national_number_pattern})")
            self.types[name] = ntype
        # The first alternative that matches the whole number wins, as in the helper's
        # chain of ifs.
        self.combined = re.compile("|".join(parts)) if parts else None


# Metadata objects live for the whole process, so id() is a stable key.
_plans: dict[tuple[int, int], _Plan] = {}


def _desc_matches(nsn: str, desc: object) -> bool:
    assert _matching_desc is not None
    return bool(_matching_desc(nsn, desc))


def number_type(nsn: str, meta: PhoneMetadata) -> int:
    """``phonenumberutil._number_type_helper(nsn, meta)``, with the special types and
    the fixed-line pattern tried as one regular expression."""
    key = (id(meta), len(nsn))
    plan = _plans.get(key)
    if plan is None:
        plan = _plans[key] = _Plan(meta, len(nsn))
    if plan.general is None or plan.general.fullmatch(nsn) is None:
        return PhoneNumberType.UNKNOWN
    m = plan.combined.fullmatch(nsn) if plan.combined is not None else None
    if m is not None:
        ntype = plan.types[m.lastgroup]  # type: ignore[index]
        if ntype != PhoneNumberType.FIXED_LINE:
            return ntype
        if meta.same_mobile_and_fixed_line_pattern or _desc_matches(nsn, meta.mobile):
            return PhoneNumberType.FIXED_LINE_OR_MOBILE
        return PhoneNumberType.FIXED_LINE
    if not meta.same_mobile_and_fixed_line_pattern and _desc_matches(nsn, meta.mobile):
        return PhoneNumberType.MOBILE
    return PhoneNumberType.UNKNOWN


# Time zones of geographical numbers, by the leading E.164 digits the table is keyed on.
_zones: dict[str, tuple[str, ...]] = {}


@lru_cache(maxsize=1)
def _prefix_digits() -> dict[str, int]:
    """For each first digit, the longest table key starting with it: the lookup (longest
    prefix first) never reads further, so numbers alike up to there share the answer
    (+1: seven digits, the area code and exchange)."""
    out: dict[str, int] = {}
    for key in pn_timezone.TIMEZONE_DATA:
        out[key[0]] = max(out.get(key[0], 0), len(key))
    return out


def zones_of_type(num: PhoneNumber, ntype: int) -> tuple[str, ...]:
    """``time_zones_for_number`` without working the type out again."""
    if not pn_util.is_number_type_geographical(ntype, num.country_code):
        return tuple(pn_timezone.time_zones_for_number(num))
    if num.italian_leading_zero:  # leading zeros: leave the digits to the library
        return tuple(pn_timezone.time_zones_for_geographical_number(num))
    digits = f"{num.country_code}{num.national_number}"
    key = digits[:_prefix_digits().get(digits[0], TIMEZONE_LONGEST_PREFIX)]
    zones = _zones.get(key)
    if zones is None:
        zones = _zones[key] = tuple(pn_timezone.time_zones_for_geographical_number(num))
    return zones


@lru_cache(maxsize=1)
def speed_up_phonenumbers() -> None:
    """Two process-wide settings that change no answer, only the time it takes."""
    phonenumbers.enable_pattern_cache()
    original = pn_util.normalize_digits_only
    if getattr(original, "qualdesk_fast", False):
        return

    def normalize_digits_only(number: str, keep_non_digits: bool = False) -> str:
        # For ASCII text the digits are exactly 0-9, so deleting the rest gives the
        # same string; anything else still takes the original, character by character.
        if not keep_non_digits and type(number) is str and number.isascii():
            return number.translate(_NON_DIGITS)
        return original(number, keep_non_digits)  # type: ignore[no-any-return]

    normalize_digits_only.qualdesk_fast = True  # type: ignore[attr-defined]
    pn_util.normalize_digits_only = normalize_digits_only


_NON_DIGITS = {c: None for c in range(128) if not chr(c).isdigit()}

# Ten digits, area code first digit 2-9 (so no national prefix or IDD can start it),
# optional +1 / 1 in front, area code optionally in brackets, single separators.
_US_SHAPE = re.compile(
    r"(?:\+?1[ .-]?)?(?:\(([2-9]\d\d)\)|([2-9]\d\d))[ .-]?(\d{3})[ .-]?(\d{4})")

# Checked against phonenumbers.parse before the shortcut is trusted: each shape, with
# valid and invalid exchanges and lines.
_SELF_CHECK = (
    "(212) 555-1234", "212-555-1234", "212.555.1234", "2125551234", "+1 212 555 1234",
    "+12125551234", "1-212-555-1234", "12125551234", "1 (617) 461-5874", "+1 (617) 461 5874",
    "617 055 0123", "(415)123-4567", "1-900-555-0100", "800.555.0199", "212 5551234",
    "1.305.555.0000", "+1-206-911-1234", "(999) 999-9999", "+1 200 200 2000",
)


def parse_us_shape(text: str, region: str | None) -> PhoneNumber | None:
    """``phonenumbers.parse(text, "US")`` for the plain US shapes; None for anything
    else (or when the shortcut failed its check), and the caller parses as usual."""
    if region != "US" or not _us_shape_agrees():
        return None
    return _us_shape(text)


def _us_shape(text: str) -> PhoneNumber | None:
    m = _US_SHAPE.fullmatch(text)
    if m is None:
        return None
    area = m[1] or m[2]
    return PhoneNumber(country_code=1, national_number=int(area + m[3] + m[4]))


@lru_cache(maxsize=1)
def _us_shape_agrees() -> bool:
    return all(_us_shape(text) == phonenumbers.parse(text, "US") for text in _SELF_CHECK)
