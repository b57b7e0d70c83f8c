"""Team settings written several at once: all or nothing, on both engines."""

from __future__ import annotations

import pytest

from qualdesk.db.engine import Database
from qualdesk.errors import InvalidInput
from qualdesk.services import team_settings
from qualdesk.services.sync import current_position


def test_set_values_writes_all_in_one_change(db: Database) -> None:
    before = current_position(db)
    team_settings.set_values(db, {"calling.window_start": "07:30", "claim.lease_minutes": "20"})
    assert team_settings.get_value(db, "calling.window_start") == "07:30"
    assert team_settings.get_value(db, "claim.lease_minutes") == 20
    assert current_position(db) == before + 1  # one change for live sync, not one per key


def test_set_values_refuses_the_whole_set_on_one_bad_value(db: Database) -> None:
    with pytest.raises(InvalidInput, match="claim.lease_minutes"):
        team_settings.set_values(db, {"calling.window_start": "07:30",
                                      "claim.lease_minutes": "soon"})
    assert team_settings.get_value(db, "calling.window_start") == "08:00"  # nothing half-kept


def test_set_value_still_returns_the_parsed_value(db: Database) -> None:
    assert team_settings.set_value(db, "claim.lease_minutes", "25") == 25


@pytest.mark.parametrize(("key", "value", "words"), [
    ("smtp.port", "abc", "expected a whole number (digits only)"),
    ("claim.lease_minutes", "0", "at least 1"),
    ("calling.window_start", "9h", "expected a time of day as HH:MM (e.g. 09:00)"),
])
def test_a_bad_value_is_refused_in_words(db: Database, key: str, value: str, words: str) -> None:
    """What the team lead reads in the app and the CLI prints: never Python's own
    wording ("invalid literal for int() with base 10")."""
    with pytest.raises(InvalidInput) as exc:
        team_settings.set_value(db, key, value)
    assert words in str(exc.value) and "literal" not in str(exc.value)
    assert "isoformat" not in str(exc.value) and key in str(exc.value)
