"""The designation transition table, case by case."""

from __future__ import annotations

import pytest

from qualdesk.domain import designation as dz
from qualdesk.domain.designation import Designation as D
from qualdesk.errors import NotAllowed

LEGAL = [
    (D.COLD, D.WARM), (D.WARM, D.HOT), (D.HOT, D.TURNED_OVER), (D.TURNED_OVER, D.ACCEPTED),
    (D.TURNED_OVER, D.INCUBATING), (D.INCUBATING, D.WARM), (D.WARM, D.DO_NOT_CALL),
    (D.DISQUALIFIED, D.WARM),
]
ILLEGAL = [
    (D.ACCEPTED, D.WARM), (D.DO_NOT_CALL, D.WARM), (D.COLD, D.ACCEPTED), (D.HOT, D.ACCEPTED),
    (D.TURNED_OVER, D.HOT), (D.DISQUALIFIED, D.TURNED_OVER),
]


@pytest.mark.parametrize(("src", "dst"), LEGAL)
def test_legal_moves(src: D, dst: D) -> None:
    dz.check_move(src, dst)


@pytest.mark.parametrize(("src", "dst"), ILLEGAL)
def test_illegal_moves_name_the_reason(src: D, dst: D) -> None:
    said = {d: dz.LABELS[d].lower() for d in D}  # in words, not codes
    with pytest.raises(NotAllowed, match=f"an? {said[src]} lead cannot become {said[dst]}") \
            as refused:
        dz.check_move(src, dst)
    assert "_" not in str(refused.value)


def test_every_designation_has_a_row_and_final_ones_are_empty() -> None:
    assert set(dz.TRANSITIONS) == set(D)
    assert dz.TRANSITIONS[D.ACCEPTED] == frozenset()
    assert dz.TRANSITIONS[D.DO_NOT_CALL] == frozenset()


def test_hand_raise_warms_cold_and_incubating_only() -> None:
    assert dz.after_hand_raise(D.COLD) == D.WARM
    assert dz.after_hand_raise(D.INCUBATING) == D.WARM
    assert dz.after_hand_raise(D.HOT) == D.HOT
    assert dz.after_hand_raise(D.TURNED_OVER) == D.TURNED_OVER


def test_parse_is_lenient_about_case_and_separators() -> None:
    assert dz.parse("Turned Over") == D.TURNED_OVER
    assert dz.parse("do-not-call") == D.DO_NOT_CALL
    with pytest.raises(NotAllowed, match="unknown designation 'lukewarm'"):
        dz.parse("lukewarm")
