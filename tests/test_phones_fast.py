"""The phone shortcuts give exactly the answers of the plain ``phonenumbers`` calls."""

from __future__ import annotations

import random
import unicodedata

import phonenumbers
import pytest
from phonenumbers import NumberParseException, PhoneNumberFormat
from phonenumbers import phonenumberutil as pn_util
from phonenumbers import timezone as pn_timezone

from qualdesk.domain import phones_fast
from qualdesk.domain.phones import Phone, PhoneError, parse_phone


def reference(text: str, region: str | None) -> tuple[object, ...]:
    """What ``parse_phone`` answered before the shortcuts, public calls only."""
    try:
        num = phonenumbers.parse(text, region)
    except NumberParseException:
        return ("error",)
    if region and num.country_code == phonenumbers.country_code_for_region(region) and \
            phonenumbers.is_valid_number_for_region(num, region):
        found = region
    elif phonenumbers.is_valid_number(num):
        found = phonenumbers.region_code_for_number(num)
    else:
        return ("invalid",)
    zones = tuple(z for z in pn_timezone.time_zones_for_number(num) if z != "Etc/Unknown")
    return (phonenumbers.format_number(num, PhoneNumberFormat.E164), num.extension or None,
            found, zones)


def ours(text: str, region: str | None) -> tuple[object, ...]:
    try:
        p = parse_phone(text, region)
    except PhoneError as exc:
        return ("invalid",) if str(exc).startswith("not a valid") else ("error",)
    return (p.e164, p.ext, p.region, p.time_zones)


# Numbers whose region is not the calling code's main one, shared codes, extensions,
# non-ASCII digits, toll-free and mobile numbers, and text that is no number at all.
CASES = [
    ("(212) 555-1234", "US"), ("+1 212 555 1234", None), ("212-555-1234 x77", "US"),
    ("212.555.1234 ext. 9", "US"), ("1-800-555-0199", "US"), ("(416) 555-0199", "US"),
    ("(416) 555-0199", "CA"), ("+1 787 555 0123", "US"), ("787-555-0123", "PR"),
    ("+1 268 464 1234", "US"), ("+44 20 7946 0958", "US"), ("020 7946 0958", "GB"),
    ("01534 456789", "GB"), ("01534 456789", "JE"), ("+44 1624 756789", "IM"),
    ("07700 900123", "GB"), ("+7 701 123 4567", "RU"), ("+7 701 123 4567", "KZ"),
    ("8 (495) 123-45-67", "RU"), ("+358 18 123456", "FI"), ("018 123456", "AX"),
    ("+49 30 1234567", None), ("030 1234567", "DE"), ("06 12 34 56 78", "FR"),
    ("+61 2 9876 5432", "US"), ("（２１２）５５５－１２３４", "US"), ("٠٢٠ ٧٩٤٦ ٠٩٥٨", "GB"),
    ("555-1234", "US"), ("12", "US"), ("not a phone", "US"), ("+999 123", None),
    ("(999) 999-9999", "US"), ("1-212-055-1234", "US"), ("2125551234", None),
]


@pytest.mark.parametrize(("text", "region"), CASES)
def test_same_answer_as_the_public_calls(text: str, region: str | None) -> None:
    assert ours(text, region) == reference(text, region)


def test_a_known_answer() -> None:
    assert parse_phone("1-212-555-0123 x45", "us") == Phone(
        "+12125550123", "45", "US", ("America/New_York",))
    assert parse_phone("+1 416 555 0199", "US").region == "CA"


def test_us_shapes_parse_like_phonenumbers() -> None:
    assert phones_fast._us_shape_agrees()  # the shortcut is on
    rnd = random.Random(20261123)
    seen = 0
    for _ in range(4000):
        area = str(rnd.randint(200, 999))
        text = (rnd.choice(["", "+1", "1", "+1 ", "1-", "1 ", "+1-"])
                + (f"({area})" if rnd.random() < 0.4 else area) + rnd.choice(["", " ", "-", "."])
                + f"{rnd.randint(0, 999):03d}" + rnd.choice(["", " ", "-", "."])
                + f"{rnd.randint(0, 9999):04d}")
        fast = phones_fast.parse_us_shape(text, "US")
        assert fast is not None, text
        assert fast == phonenumbers.parse(text, "US"), text
        assert ours(text, "US") == reference(text, "US"), text
        seen += 1
    assert seen == 4000
    # Other shapes and regions are left to phonenumbers.
    for text, region in [("212-555-1234 x1", "US"), ("(212 555-1234", "US"),
                         ("212--555-1234", "US"), ("212-555-1234", "CA"),
                         ("112-555-1234", "US"), ("212-555-1234", None)]:
        assert phones_fast.parse_us_shape(text, region) is None, (text, region)


def test_fast_digit_normalising_is_the_original() -> None:
    parse_phone("212-555-0100", "US")  # installs it
    fast = pn_util.normalize_digits_only
    assert getattr(fast, "qualdesk_fast", False)

    def slow(text: str, keep: bool = False) -> str:  # the library's definition
        out = ""
        for ch in text:
            d = unicodedata.digit(ch, -1)
            if d != -1:
                out += str(d)
            elif keep:
                out += ch
        return out

    for text in ["(212) 555-1234", "+1.212.555.1234 x9", "", "abc", "١٢٣-45", "１２３",
                 "tel:+44-20", "²³"]:
        assert fast(text) == slow(text), text
        assert fast(text, True) == slow(text, True), text
