"""Hand-raise kinds and disposition codes: normalised names and the shipped defaults.

Which kinds and codes exist is configuration (database tables seeded from these
defaults); matching is case-insensitive with spaces and hyphens read as underscores.
"""

from __future__ import annotations

from dataclasses import dataclass


def normalise_code(value: str) -> str:
    return "_".join(value.strip().lower().replace("-", " ").replace("_", " ").split())


@dataclass(frozen=True)
class KindDefault:
    code: str
    label: str
    strength: int


# Strength: how clearly the event says "talk to me now" (100 = called in).
HAND_RAISE_KINDS: tuple[KindDefault, ...] = (
    KindDefault("called_in", "Called in", 100),
    KindDefault("demo_request", "Demo request", 90),
    KindDefault("contact_form", "Contact-me form", 85),
    KindDefault("chat", "Chat", 70),
    KindDefault("points_threshold", "Lead score reached", 55),  # intake.points_threshold
    KindDefault("asset_download", "Asset download", 50),
    KindDefault("page_visits", "Key page visits", 40),
    KindDefault("email_opens", "Repeated email opens", 30),
)
DEFAULT_KIND_STRENGTH = 40


@dataclass(frozen=True)
class DispositionDefault:
    code: str
    label: str
    hotkey: str
    is_contact: bool


DISPOSITIONS: tuple[DispositionDefault, ...] = (
    DispositionDefault("connected", "Connected", "1", True),
    DispositionDefault("no_answer", "No answer", "2", False),
    DispositionDefault("busy", "Busy", "3", False),
    DispositionDefault("left_voicemail", "Left voicemail", "4", False),
    DispositionDefault("callback", "Call back later", "5", True),
    DispositionDefault("not_interested", "Not interested", "6", True),
    DispositionDefault("wrong_number", "Wrong number", "7", False),
    DispositionDefault("bad_number", "Bad number", "8", False),
    DispositionDefault("dnc_request", "Do-not-call request", "9", True),
)

VOICEMAIL = "left_voicemail"
# Dispositions that say the number itself is useless: no more live attempts on it.
DEAD_NUMBER = frozenset({"wrong_number", "bad_number"})
