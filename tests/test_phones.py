"""Phone parsing: E.164, extensions, regions, time zones, country names."""

from __future__ import annotations

import pytest

from qualdesk.domain.phones import PhoneError, parse_phone, region_for_country


@pytest.mark.parametrize(("raw", "region", "e164", "ext", "got_region", "zones"), [
    ("886-2-25474189", "TW", "+886225474189", None, "TW", ("Asia/Taipei",)),
    ("33562156600", "FR", "+33562156600", None, "FR", ("Europe/Paris",)),
    ("(033) 452-1299", "JP", "+81334521299", None, "JP", ("Asia/Tokyo",)),
    ("(610) 265-9100", "US", "+16102659100", None, "US", ("America/New_York",)),
    ("917-584-0243x4606", "US", "+19175840243", "4606", "US", ("America/New_York",)),
    ("(408) 326-9000 ext. 12", "US", "+14083269000", "12", "US", ("America/Los_Angeles",)),
    ("+44 20 7946 0958", "US", "+442079460958", None, "GB", ("Europe/London",)),
    ("030 901820", "DE", "+4930901820", None, "DE", ("Europe/Berlin",)),
    ("+61 2 9374 4000", None, "+61293744000", None, "AU", ("Australia/Sydney",)),
])
def test_parse_valid(raw: str, region: str | None, e164: str, ext: str | None,
                     got_region: str, zones: tuple[str, ...]) -> None:
    p = parse_phone(raw, region)
    assert (p.e164, p.ext, p.region, p.time_zones) == (e164, ext, got_region, zones)


def test_canadian_number_with_us_default_gets_its_own_region() -> None:
    p = parse_phone("416-979-1234", "US")
    assert p.e164 == "+14169791234"
    assert p.region == "CA"
    assert p.time_zones == ("America/Toronto",)


@pytest.mark.parametrize(("raw", "region", "reason"), [
    ("6372325543", "US", "not a valid phone number for region US"),  # no such area code
    ("001-626-768-1851x296", "US", "not a valid phone number for region US"),
    ("+1-555-555-1234", "US", "not a valid phone number"),
    ("call me", "US", "not a phone number"),
    ("12", "US", "not a valid phone number for region US"),
    ("2125550100", None, "no country code and no region to assume"),
])
def test_parse_invalid(raw: str, region: str | None, reason: str) -> None:
    with pytest.raises(PhoneError) as exc:
        parse_phone(raw, region)
    assert str(exc.value) == reason


def test_unknown_zone_placeholder_is_dropped() -> None:
    # A toll-free number has no geography: phonenumbers says Etc/Unknown... or the
    # whole NANP list; either way the placeholder never reaches the lead.
    p = parse_phone("+1 800 225 5288")
    assert "Etc/Unknown" not in p.time_zones


@pytest.mark.parametrize(("value", "code"), [
    ("USA", "US"), ("United States", "US"), ("us", "US"), ("Taiwan", "TW"), ("UK", "GB"),
    ("United Kingdom", "GB"), ("Germany", "DE"), ("de", "DE"), ("Japan", "JP"),
    ("France", "FR"), ("Australia", "AU"), (" u.s.a. ", "US"), ("Narnia", None), ("", None),
    ("ZZ", None),
])
def test_region_for_country(value: str, code: str | None) -> None:
    assert region_for_country(value) == code
