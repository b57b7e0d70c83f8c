"""Lead designations and the one table of legal transitions."""

from __future__ import annotations

from enum import StrEnum

from qualdesk.errors import NotAllowed


class Designation(StrEnum):
    COLD = "cold"
    WARM = "warm"
    HOT = "hot"
    TURNED_OVER = "turned_over"
    ACCEPTED = "accepted"
    INCUBATING = "incubating"
    DISQUALIFIED = "disqualified"
    DO_NOT_CALL = "do_not_call"


D = Designation

# from -> the designations it may move to. A lead stays "turned over" until sales
# decides; "accepted" and "do not call" are final.
TRANSITIONS: dict[Designation, frozenset[Designation]] = {
    D.COLD: frozenset({D.WARM, D.HOT, D.INCUBATING, D.DISQUALIFIED, D.DO_NOT_CALL, D.TURNED_OVER}),
    D.WARM: frozenset({D.COLD, D.HOT, D.TURNED_OVER, D.INCUBATING, D.DISQUALIFIED, D.DO_NOT_CALL}),
    D.HOT: frozenset({D.WARM, D.TURNED_OVER, D.INCUBATING, D.DISQUALIFIED, D.DO_NOT_CALL}),
    D.TURNED_OVER: frozenset({D.ACCEPTED, D.INCUBATING, D.DO_NOT_CALL}),
    D.INCUBATING: frozenset({D.WARM, D.HOT, D.TURNED_OVER, D.DISQUALIFIED, D.DO_NOT_CALL}),
    D.DISQUALIFIED: frozenset({D.WARM, D.DO_NOT_CALL}),
    D.ACCEPTED: frozenset(),
    D.DO_NOT_CALL: frozenset(),
}

# Designations a qualifying rep works (the queue draws from these).
OPEN = frozenset({D.COLD, D.WARM, D.HOT, D.INCUBATING})
CLOSED = frozenset({D.ACCEPTED, D.DISQUALIFIED, D.DO_NOT_CALL})

LABELS: dict[Designation, str] = {
    D.COLD: "Cold",
    D.WARM: "Warm",
    D.HOT: "Hot",
    D.TURNED_OVER: "Turned over",
    D.ACCEPTED: "Accepted",
    D.INCUBATING: "Incubating",
    D.DISQUALIFIED: "Disqualified",
    D.DO_NOT_CALL: "Do not call",
}


def parse(value: str) -> Designation:
    key = value.strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return Designation(key)
    except ValueError:
        known = ", ".join(d.value for d in Designation)
        raise NotAllowed(f"unknown designation {value!r} (known: {known})") from None


def can_move(src: Designation, dst: Designation) -> bool:
    return src == dst or dst in TRANSITIONS[src]


def check_move(src: Designation, dst: Designation) -> None:
    """Raise ``NotAllowed`` with the reason when ``src -> dst`` is not in the table."""
    if can_move(src, dst):
        return
    def said(d: Designation) -> str:  # in words: a person reads this (issue 17, trap 10)
        return LABELS[d].lower()

    allowed = ", ".join(sorted(said(d) for d in TRANSITIONS[src]))
    article = "an" if said(src)[:1] in "aeiou" else "a"
    raise NotAllowed(f"{article} {said(src)} lead cannot become {said(dst)}; "
                     + (f"it may become: {allowed}" if allowed else f"{said(src)} is final"))


def after_hand_raise(current: Designation) -> Designation:
    """A new hand raise warms a cold, incubating or disqualified lead; others keep theirs."""
    if current in (D.COLD, D.INCUBATING, D.DISQUALIFIED):
        return D.WARM
    return current
