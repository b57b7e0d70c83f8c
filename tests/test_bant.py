"""BANT parsing and the Level I rule language (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from qualdesk.domain.bant import (
    Authority,
    Bant,
    Budget,
    Need,
    Timeframe,
    parse_authority,
    parse_budget,
    parse_need,
    parse_timeframe,
)
from qualdesk.domain.level1_rule import DEFAULT_RULE, evaluate, parse_rule, propose
from qualdesk.errors import InvalidInput

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(("text", "expected"), [
    ("50000 EUR", Budget(50000, 50000, "EUR")),
    ("EUR 50k", Budget(50000, 50000, "EUR")),
    ("$40k-60k", Budget(40000, 60000, "USD")),
    ("40,000 - 60,000 usd", Budget(40000, 60000, "USD")),
    ("1.5m GBP", Budget(1500000, 1500000, "GBP")),
    ("12.5k", Budget(12500, 12500, None)),
    ("unknown", Budget()),
])
def test_parse_budget(text: str, expected: Budget) -> None:
    assert parse_budget(text) == expected


@pytest.mark.parametrize("bad", ["lots", "60k-40k", "EUR", "1-2-3"])
def test_bad_budget_is_refused_with_the_value(bad: str) -> None:
    with pytest.raises(InvalidInput, match="budget"):
        parse_budget(bad)


def test_parse_authority_need_timeframe() -> None:
    assert parse_authority("VP Marketing; yes") == Authority("VP Marketing", "yes")
    assert parse_authority("CFO; part of committee") == Authority("CFO", "committee")
    assert parse_authority("decision=no") == Authority(None, "no")
    with pytest.raises(InvalidInput, match="decision 'maybe'"):
        parse_authority("decision=maybe")
    assert parse_need("leads wait two days; urgent") == Need("leads wait two days", "critical")
    assert parse_timeframe("2027-q1") == Timeframe("2027-Q1")
    assert parse_timeframe("2027-Q1").latest() == date(2027, 3, 31)
    assert parse_timeframe("2027-02").latest() == date(2027, 2, 28)
    assert parse_timeframe("2027-05-15").latest() == date(2027, 5, 15)
    assert parse_timeframe("unknown") == Timeframe()
    with pytest.raises(InvalidInput, match="'soon'"):
        parse_timeframe("soon")


def test_json_round_trip() -> None:
    b = Bant(Budget(1, 2, "EUR"), Authority("CMO", "yes"), Need("pain", "high"),
             Timeframe("2027-Q2"))
    assert Bant.from_json(b.to_json()) == b
    assert Bant.from_json({"budget": {"unknown": True}}).budget == Budget()
    assert Bant().merged(Bant(need=Need("x"))).need == Need("x")


def test_default_rule_missing_parts_then_met() -> None:
    st = evaluate(DEFAULT_RULE, Bant(), TODAY)
    assert not st.met
    assert st.missing_parts == ("need", "authority", "timeframe")
    b = Bant(need=Need("slow follow-up"), authority=Authority("CMO", "committee"),
             timeframe=Timeframe("2027-Q2"))  # ends 2027-06-30 > 2027-05-23
    st = evaluate(DEFAULT_RULE, b, TODAY)
    assert st.missing == ("timeframe within 6 months",)
    st = evaluate(DEFAULT_RULE, Bant(**{**b.__dict__, "timeframe": Timeframe("2027-05-23")}), TODAY)
    assert st.met and st.missing == ()


def test_or_and_parentheses_and_list_form() -> None:
    rule = "budget_at_least(10000) and (decision_maker or need_priority_at_least(high))"
    b = Bant(budget=Budget(8000, 12000, "USD"), authority=Authority("Ops", "no"),
             need=Need("x", "medium"))
    assert evaluate(rule, b, TODAY).missing == (
        "authority: talking to the decision maker or need with priority high or higher",)
    assert evaluate(rule, Bant(**{**b.__dict__, "need": Need("x", "critical")}), TODAY).met
    assert evaluate(["need_known", "budget_known"], Bant(need=Need("p")), TODAY).missing_parts \
        == ("budget",)


@pytest.mark.parametrize(("rule", "message"), [
    ("need_known and", "expected a criterion"),
    ("nonsense", "unknown criterion 'nonsense'"),
    ("__import__('os').system('x')", "unexpected"),
    ("timeframe_within_months(six)", "whole number"),
    ("need_priority_at_least(huge)", "priority 'huge'"),
    ("budget_known(3)", "takes 0 argument"),
    ("(need_known", "expected ')'"),
    ("", "empty"),
])
def test_rule_language_refuses_anything_else(rule: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_rule(rule)


def test_proposal() -> None:
    met = evaluate("need_known", Bant(need=Need("p")), TODAY)
    unmet = evaluate("need_known", Bant(), TODAY)
    assert propose(met, "warm", in_dialog=True) == "hot"
    assert propose(met, "hot", in_dialog=True) == "turned_over"
    assert propose(unmet, "hot", in_dialog=True) is None
    assert propose(unmet, "warm", in_dialog=False) is None
    assert propose(unmet, "warm", in_dialog=True) == "hot"
