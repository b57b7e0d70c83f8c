"""``phones_fast.number_type`` and the zone cache answer exactly as ``phonenumbers``."""

from __future__ import annotations

import random

import phonenumbers
from phonenumbers import PhoneNumber, PhoneNumberType
from phonenumbers import phonenumberutil as pn_util
from phonenumbers import timezone as pn_timezone
from phonenumbers.phonemetadata import PhoneMetadata

from qualdesk.domain import phones_fast


def _numbers(rnd: random.Random) -> list[tuple[str, PhoneNumber]]:
    """Every region's example numbers of every type, plus random digits of the region's
    lengths (mostly invalid or of surprising types)."""
    out: list[tuple[str, PhoneNumber]] = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        cc = phonenumbers.country_code_for_region(region)
        for ntype in range(12):
            ex = phonenumbers.example_number_for_type(region, ntype)
            if ex is not None:
                out.append((region, ex))
        meta = PhoneMetadata.metadata_for_region(region)
        assert meta is not None
        for length in meta.general_desc.possible_length or (8,):
            for _ in range(12):
                digits = str(rnd.randint(1, 9)) + "".join(
                    str(rnd.randint(0, 9)) for _ in range(length - 1))
                out.append((region, PhoneNumber(country_code=cc, national_number=int(digits))))
    return out


def test_number_type_is_the_library_helper() -> None:
    rnd = random.Random(11)
    kinds: set[int] = set()
    for region, num in _numbers(rnd):
        meta = PhoneMetadata.metadata_for_region(region)
        nsn = pn_util.national_significant_number(num)
        expected = pn_util._number_type_helper(nsn, meta)  # noqa: SLF001
        assert phones_fast.number_type(nsn, meta) == expected, (region, nsn)
        kinds.add(expected)
    # The comparison covered every outcome, not just the common one.
    assert kinds >= {PhoneNumberType.UNKNOWN, PhoneNumberType.FIXED_LINE,
                     PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE,
                     PhoneNumberType.TOLL_FREE, PhoneNumberType.PREMIUM_RATE,
                     PhoneNumberType.VOIP, PhoneNumberType.PAGER, PhoneNumberType.UAN,
                     PhoneNumberType.SHARED_COST, PhoneNumberType.PERSONAL_NUMBER,
                     PhoneNumberType.VOICEMAIL}


def test_zones_are_the_library_zones() -> None:
    rnd = random.Random(12)
    checked = 0
    # Twice: the second pass answers from the cache.
    for _ in range(2):
        for region, num in _numbers(random.Random(13)) + _numbers(rnd):
            if not phonenumbers.is_valid_number(num):
                continue
            ntype = phonenumbers.number_type(num)
            assert phones_fast.zones_of_type(num, ntype) == tuple(
                pn_timezone.time_zones_for_number(num)), (region, num)
            checked += 1
    assert checked > 2000
    # A hand-checked pair: same area code, same zone; different area codes, different zones.
    ny = phonenumbers.parse("+1 212 555 0100")
    la = phonenumbers.parse("+1 213 555 0100")
    assert phones_fast.zones_of_type(ny, phonenumbers.number_type(ny)) == ("America/New_York",)
    assert phones_fast.zones_of_type(la, phonenumbers.number_type(la)) == (
        "America/Los_Angeles",)
