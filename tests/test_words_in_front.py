"""Trap 10 (issue 17): no internal words in front of people.

Codes reach people in words (the CRM export a salesperson reads, the turn-over refusals),
and a problem says what to do in the app and who can do it: command-line advice travels
beside the message (``KnownError.cli``), printed by the command line only. The scans
read every user-facing string of ui/ and every refusal the services raise.
"""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from qualdesk.db.engine import Database
from qualdesk.errors import NotAllowed
from qualdesk.services.export_crm import export_turned_over
from qualdesk.services.export_crm.common import ExportItem, description
from qualdesk.services.turnover import turn_over
from tests.cli_helpers import run
from tests.test_export_crm import read
from tests.test_turnover import add_people, make_lead, qualify

ROOT = Path(__file__).resolve().parents[1]
# A command to type, shown as advice: "qualdesk config set …", "--map COLUMN=field".
ADVICE = re.compile(r"\bqualdesk [a-z][a-z-]* |config set|--[a-z][a-z-]+ [A-Z]")
# Refusals in files another engineer is rewriting this session (left to them; named here
# so they are not forgotten, and so a fixed one must leave the list).
KNOWN_ADVICE: set[str] = set()
STRUCTURED_BANT = {"budget": {"low": 40000, "high": 60000, "currency": "USD"},
                   "authority": {"role": "VP Operations", "decision": "yes"},
                   "need": {"pain": "reports take two days", "priority": "high"},
                   "timeframe": {"when": "2027-Q1"}}


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) \
                and ast.get_docstring(n, clean=False) is not None:
            out.add(id(n.body[0].value))  # type: ignore[attr-defined]
    return out


def _advice_in_ui() -> list[str]:
    found = []
    for path in sorted((ROOT / "ui").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for n in ast.walk(tree):
            if (isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs
                    and ADVICE.search(n.value) and "objectName" not in n.value):
                found.append(f"{path.relative_to(ROOT)}:{n.lineno}: {n.value[:70]!r}")
    return found


def _advice_in_refusals() -> dict[str, list[str]]:
    """Strings inside ``raise SomeError(...)``'s message (not its ``cli=`` hint); a mail
    error is a stored technical reason the screens translate (``labels.mail_problem``)."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "qualdesk" / "services").rglob("*.py")):
        for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(n, ast.Raise) and isinstance(n.exc, ast.Call)):
                continue
            name = getattr(n.exc.func, "id", getattr(n.exc.func, "attr", ""))
            if name == "MailError":
                continue
            for arg in n.exc.args:
                for s in ast.walk(arg):
                    if isinstance(s, ast.Constant) and isinstance(s.value, str) \
                            and ADVICE.search(s.value):
                        found.setdefault(str(path.relative_to(ROOT)), []).append(
                            f"{n.lineno}: {s.value[:70]!r}")
    return found


def test_no_screen_tells_a_person_which_command_to_type() -> None:
    assert _advice_in_ui() == []


def test_no_refusal_names_a_command_only_its_cli_hint_does() -> None:
    found = _advice_in_refusals()
    assert sorted(set(found) - KNOWN_ADVICE) == [], found
    assert sorted(KNOWN_ADVICE - set(found)) == [], "fixed: take it off KNOWN_ADVICE"


def test_the_scans_can_fail() -> None:
    assert ADVICE.search("smtp.host is not set (qualdesk config set smtp.host HOST)")
    assert ADVICE.search("turn it over with --override REASON")
    assert ADVICE.search("run `qualdesk db upgrade`")
    assert not ADVICE.search("Ask your team lead to set it up (Settings → Team setup → Email)")


def test_turn_over_refusals_speak_words_and_the_cli_adds_its_command(db: Database,
                                                                     frozen) -> None:
    add_people(db)
    lead = make_lead(db)
    with pytest.raises(NotAllowed) as refused:
        turn_over(db, lead, "Sam")
    assert "override reason" in str(refused.value) and "--" not in str(refused.value)
    qualify(db, lead)
    turn_over(db, lead, "Sam")
    with pytest.raises(NotAllowed) as again:
        turn_over(db, lead, "Sue", override="again")
    assert "it is turned over" in str(again.value) and "_" not in str(again.value)


def test_the_command_line_prints_the_hint_beside_the_message(db_url: str, frozen) -> None:
    db = Database(db_url)
    try:
        add_people(db)
        lead = make_lead(db)
    finally:
        db.dispose()
    r = run(db_url, "turn-over", str(lead), "--to", "Sam")
    assert r.code == 1
    assert "give an override reason" in r.err and "(--override REASON)" in r.err


def _item(snapshot: dict) -> ExportItem:
    at = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    return ExportItem(lead_id=7, designation="turned_over", turnover_id=1, turned_over_at=at,
                      to_owner="Sam", to_owner_email=None, by="Rita", note=None,
                      override_reason=None, verdict=None, verdict_at=None, verdict_reason=None,
                      outcome=None, outcome_at=None, weighting=None, snapshot=snapshot)


def test_the_crm_description_reads_as_a_salesperson_reads_it() -> None:
    text = description(_item({
        "bant": STRUCTURED_BANT, "answers": {"q_works": "Spreadsheets", "q_pain_now": "slow"},
        "questions": {"q_works": "How do you handle this today?"},
        "attempts": {"count": 2, "last_disposition": "no_answer"},
        "body_language": [{"kind": "demo_request", "at": "2026-12-01T14:00:00+00:00",
                           "details": {"page_url": "/pricing"}}]}))
    assert ("BANT (what the qualifying rep learned):\n"
            "- Budget: 40,000–60,000 USD\n"
            "- Authority: VP Operations; decision maker\n"
            "- Need: reports take two days; priority high\n"
            "- Timeframe: 2027-Q1") in text
    assert "- How do you handle this today? Spreadsheets" in text
    assert "- Pain now: slow" in text
    assert "2 call attempts, last: No answer" in text
    assert "Demo request: Page url: /pricing" in text
    for code in ("low=", "high=", "q_works", "no_answer", "demo_request", "{'"):
        assert code not in text


def test_the_crm_files_carry_bant_in_words(sqlite_db: Database, frozen, tmp_path: Path) -> None:
    add_people(sqlite_db)
    lead = make_lead(sqlite_db, disposition="left_voicemail")
    qualify(sqlite_db, lead, bant=STRUCTURED_BANT, answers={"q_works": "Spreadsheets"})
    turn_over(sqlite_db, lead, "Sam")
    export_turned_over(sqlite_db, "salesforce", tmp_path / "sf.csv")
    [sf] = read(tmp_path / "sf.csv")
    assert "- Budget: 40,000–60,000 USD" in sf["Description"]
    # The shipped script's question, not its key; the call's outcome by its label.
    assert "How do you handle this today — what works well? Spreadsheets" in sf["Description"]
    assert "last: Left voicemail" in sf["Description"]
    export_turned_over(sqlite_db, "csv", tmp_path / "all.csv")
    [row] = read(tmp_path / "all.csv", bom=True)
    assert row["bant_budget"] == "40,000–60,000 USD"
    assert row["bant_authority"] == "VP Operations; decision maker"
    assert row["bant"].startswith("Budget: 40,000–60,000 USD; Authority: VP Operations")
