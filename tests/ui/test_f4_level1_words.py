"""The Level I builder ends in words, not the rule's expression (W10 #17); the budget
amount reads 10,000 (no team currency is set anywhere yet)."""

from __future__ import annotations

from ui.level1_rule_builder import Level1RuleBuilder


def test_the_rule_shows_in_words_and_the_expression_only_in_a_tooltip(qtbot) -> None:  # type: ignore[no-untyped-def]
    b = Level1RuleBuilder("authority_confirmed and need_known and budget_at_least(10000)")
    qtbot.addWidget(b)
    b.show()
    qtbot.waitExposed(b)
    shown = [w.text() for w in b.findChildren(type(b.words)) if w.isVisible()]
    assert not any("authority_confirmed" in t or "Rule:" in t for t in shown), shown
    assert "budget of at least 10,000" in b.words.text()
    assert b.words.toolTip() == ("As the campaign stores it: budget_at_least(10000) and "
                                 "authority_confirmed and need_known")
    assert b.amount.text() == "10,000"
    assert Level1RuleBuilder("", currency="EUR").amount.text() == "10,000 EUR"
