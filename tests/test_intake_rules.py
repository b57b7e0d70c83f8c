"""The hand-raise rules alone (pure domain): key pages, N opens in D days, points."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from qualdesk.domain.hand_raise_rules import (
    DOWNLOAD,
    EMAIL_OPEN,
    PAGE_HIT,
    POINTS_CHANGE,
    Activity,
    HandRaiseRules,
    judge,
    key_page,
)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
RULES = HandRaiseRules(key_pages=("/pricing*", "*/demo"), opens_count=3, opens_days=7,
                       points_threshold=100)


def test_key_pages_match_the_path_or_the_whole_url_case_insensitively() -> None:
    assert key_page("https://example.com/Pricing/enterprise?x=1", RULES.key_pages) == "/pricing*"
    assert key_page("https://example.com/product/demo", RULES.key_pages) == "*/demo"
    assert key_page("https://example.com/blog/pricing", RULES.key_pages) is None
    assert key_page("https://example.com/", ()) is None


def test_a_hit_on_a_key_page_is_a_page_visits_hand_raise_naming_its_pattern() -> None:
    hit = judge(Activity(PAGE_HIT, T0, url="https://example.com/pricing"), [], RULES)
    assert hit is not None and hit.kind == "page_visits" and hit.rule == "key page /pricing*"
    assert judge(Activity(PAGE_HIT, T0, url="https://example.com/about"), [], RULES) is None


def test_the_third_open_within_seven_days_raises_once_per_window() -> None:
    opens = [Activity(EMAIL_OPEN, T0 + timedelta(days=d)) for d in (0, 2)]
    assert judge(Activity(EMAIL_OPEN, T0 + timedelta(days=1)), opens[:1], RULES) is None
    third = judge(Activity(EMAIL_OPEN, T0 + timedelta(days=5)), opens, RULES)
    assert third is not None and third.kind == "email_opens"
    assert third.rule == "3 email opens in 7 days"
    # The fourth open right after the hand raise does not raise another one.
    raised = opens + [Activity(EMAIL_OPEN, T0 + timedelta(days=5), raised="email_opens")]
    assert judge(Activity(EMAIL_OPEN, T0 + timedelta(days=6)), raised, RULES) is None


def test_opens_spread_wider_than_the_window_raise_nothing() -> None:
    opens = [Activity(EMAIL_OPEN, T0), Activity(EMAIL_OPEN, T0 + timedelta(days=4))]
    assert judge(Activity(EMAIL_OPEN, T0 + timedelta(days=8)), opens, RULES) is None


def test_points_raise_a_hand_only_when_they_cross_the_threshold_upwards() -> None:
    up = judge(Activity(POINTS_CHANGE, T0, old_points=90, new_points=105), [], RULES)
    assert up is not None and up.kind == "points_threshold" and "100" in up.rule
    assert judge(Activity(POINTS_CHANGE, T0, old_points=105, new_points=120), [], RULES) is None
    assert judge(Activity(POINTS_CHANGE, T0, old_points=120, new_points=90), [], RULES) is None
    off = HandRaiseRules(points_threshold=0)
    assert judge(Activity(POINTS_CHANGE, T0, old_points=0, new_points=10_000), [], off) is None


def test_downloads_raise_and_unknown_activity_does_not() -> None:
    hit = judge(Activity(DOWNLOAD, T0), [], RULES)
    assert hit is not None and hit.kind == "asset_download"
    assert judge(Activity("webinar_watch", T0), [], RULES) is None


def test_rules_from_team_settings() -> None:
    r = HandRaiseRules.from_settings({"intake.key_pages": " /pricing* , ,*/demo ",
                                      "intake.opens_count": 2, "intake.opens_days": 3,
                                      "intake.points_threshold": 50})
    assert r == HandRaiseRules(("/pricing*", "*/demo"), 2, 3, 50)
    assert HandRaiseRules.from_settings({}) == HandRaiseRules()


def test_every_kind_a_rule_raises_is_shipped_with_its_own_strength_and_words() -> None:
    """A rule's hand raise must not fall back to the default strength or show a code."""
    from qualdesk.domain.codes import DEFAULT_KIND_STRENGTH, HAND_RAISE_KINDS
    from qualdesk.domain.words import HAND_RAISES

    raised = {judge(a, [], RULES).kind for a in (  # type: ignore[union-attr]
        Activity(POINTS_CHANGE, T0, old_points=90, new_points=105), Activity(DOWNLOAD, T0),
        Activity(PAGE_HIT, T0, url="https://example.com/pricing"))}
    shipped = {k.code: k for k in HAND_RAISE_KINDS}
    assert raised <= set(shipped) and raised <= set(HAND_RAISES)
    assert shipped["points_threshold"].strength != DEFAULT_KIND_STRENGTH
