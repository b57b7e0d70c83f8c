"""A script question may say which BANT part its answer fills (``bant = "need"`` in the
script): the rep's answer then becomes that part of the lead's BANT, unless the part is
already there (the rep's own BANT entry always wins, and a later answer never overwrites
an earlier fill).

The answer is read the way the BANT form reads typed text (``qualdesk.domain.bant``): an
answer that does not read as that part ("soon" as a timeframe) fills nothing; the rep
fills it at the BANT step as before. A yes/no answer fills only authority (decides: yes
or no); a choice fills with its option's words, or for authority with the decision its
key names (an option keyed ``committee``: part of the buying committee).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qualdesk.domain.bant import (
    Authority,
    Bant,
    parse_authority,
    parse_budget,
    parse_need,
    parse_timeframe,
)
from qualdesk.errors import InvalidInput
from qualdesk.services.script_library import Question, Script

_READERS: dict[str, Callable[[str], Any]] = {
    "budget": parse_budget, "authority": parse_authority, "need": parse_need,
    "timeframe": parse_timeframe,
}


def _read(q: Question, answer: str) -> Any | None:
    if q.kind == "yesno":
        return Authority(None, answer) if q.bant == "authority" else None
    if q.kind == "choice" and q.bant == "authority":
        by_key = parse_authority(answer)  # an option keyed "committee", "dm", "yes"…
        if by_key.decision != "unknown" and by_key.role is None:
            return by_key
    words = {c.key: c.label for c in q.choices}.get(answer, answer) if q.kind == "choice" \
        else answer
    try:
        part = _READERS[q.bant](words)
    except InvalidInput:
        return None
    return part if getattr(part, "known", False) else None


def filled(script: Script, answers: dict[str, str], bant: Bant) -> Bant:
    """The BANT parts ``answers`` (stored forms, as ``normalise_answer`` gives them) fill
    where ``bant`` has none yet; the first question in the script wins a part."""
    out: dict[str, Any] = {}
    for q in script.questions:
        answer = answers.get(q.id, "")
        if not q.bant or not answer or getattr(bant, q.bant) is not None or q.bant in out:
            continue
        part = _read(q, answer)
        if part is not None:
            out[q.bant] = part
    return Bant(**out)
