"""Qualification scripts: shipped ones are valid, broken ones are refused with file, line
and question id; answers, BANT and the Level I rule through the service and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from qualdesk.db.engine import Database
from qualdesk.db.models import AuditEntry, Campaign, Lead, Qualification
from qualdesk.domain.bant import Authority, Bant, Need, Timeframe
from qualdesk.errors import InvalidInput
from qualdesk.paths import scripts_library_dir, user_scripts_dir
from qualdesk.services import qualification as q
from qualdesk.services.script_library import list_scripts, load_script, parse_script, render_script
from qualdesk.services.templating import sample_context
from qualdesk.services.users import add_user
from tests.cli_helpers import run
from tests.factories import make_lead

SHIPPED = ("default", "demo_request", "whitepaper", "inbound_call")

GOOD = '''title = "T"
opening = ["Hi {{ lead.first_name }}"]
close = ["Book it"]

[[questions]]
id = "q_one"
text = "What works well?"

[[questions]]
id = "q_two"
text = "Evaluating?"
kind = "yesno"
next = { yes = "bant", no = "close" }

[bant]
budget = "b"
authority = "a"
need = "n"
timeframe = "t"
'''


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scripts_are_valid_and_render(name: str) -> None:
    script, problems = parse_script(scripts_library_dir() / f"{name}.toml")
    assert problems == []
    assert script is not None and script.questions and script.close
    r = render_script(script, sample_context())
    assert any("Dana" in t or "Sam Rivera" in t for t in r.opening)
    assert "{{" not in "".join(r.opening + r.close + tuple(x.text for x in r.questions))
    assert set(r.bant) == {"budget", "authority", "need", "timeframe"}
    assert r.path({})[-1] == "close"


def test_cli_script_check_shipped() -> None:
    res = run(None, "script", "check", str(scripts_library_dir()), "--json")
    assert res.code == 0, res.out
    assert len(res.json()["files"]) >= 4


def _check(tmp_path: Path, text: str) -> list[tuple[int | None, str | None, str]]:
    path = tmp_path / "s.toml"
    path.write_text(text)
    _, problems = parse_script(path)
    assert all(p.file == str(path) for p in problems)
    return [(p.line, p.question, p.problem) for p in problems]


def test_good_script_has_no_problems(tmp_path: Path) -> None:
    assert _check(tmp_path, GOOD) == []


@pytest.mark.parametrize(("change", "line", "qid", "message"), [
    (('text = "What works well?"', 'text = "What works {{ lead.nickname }}?"'), 6, "q_one",
     "unknown field lead.nickname"),
    (('text = "What works well?"', 'text = "{{ lead.__class__ }}"'), 6, "q_one", "not allowed"),
    (('no = "close"', 'no = "q_nowhere"'), 10, "q_two", "no question 'q_nowhere'"),
    (('no = "close"', 'maybe = "close"'), 10, "q_two", "'maybe' is not an answer"),
    (('kind = "yesno"', 'kind = "essay"'), 10, "q_two", "kind 'essay'"),
    (('id = "q_two"', 'id = "q_one"'), 6, "q_one", "used twice"),
    (('opening = ["Hi {{ lead.first_name }}"]', 'opening = ["Hi {{ lead.first_name "]'), 2, None,
     "syntax error"),
    (('title = "T"', 'title = "T"\nlevel1 = "need_known and eval(1)"'), 2, None,
     "unknown criterion 'eval'"),
    (('timeframe = "t"\n', ''), 15, None, "[bant] needs a prompt for 'timeframe'"),
    (('text = "What works well?"', 'text = "What works well?"\nnext = "q_one"'), 6, "q_one",
     "loop back"),
    (('id = "q_one"', 'id = "Q One"'), 6, None, "lower_snake_case"),
    (('title = "T"', 'title = "T"\ncolour = "red"'), 2, None, "unknown key 'colour'"),
])
def test_broken_scripts_name_line_and_question(tmp_path: Path, change: tuple[str, str],
                                               line: int, qid: str | None, message: str) -> None:
    text = GOOD.replace(*change)
    assert text != GOOD
    problems = _check(tmp_path, text)
    assert any(p_line == line and p_q == qid and message in p_msg
               for p_line, p_q, p_msg in problems), problems


def test_invalid_toml_reports_its_line(tmp_path: Path) -> None:
    ((line, _, msg),) = _check(tmp_path, GOOD.replace('id = "q_two"', 'id = q_two'))
    assert line == 10 and "not valid TOML" in msg


def test_cli_script_check_broken_exits_nonzero(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(GOOD.replace('no = "close"', 'no = "q_nowhere"'))
    res = run(None, "script", "check", str(path))
    assert res.code == 1
    assert f"{path}:10 [q_two]: next: no question 'q_nowhere'" in res.out


def test_user_folder_adds_and_shadows_scripts() -> None:
    user_scripts_dir().mkdir(parents=True)
    (user_scripts_dir() / "default.toml").write_text(GOOD.replace('title = "T"', 'title = "Mine"'))
    (user_scripts_dir() / "extra.toml").write_text(GOOD)
    assert load_script("default").title == "Mine"
    assert {"extra", *SHIPPED} <= set(list_scripts())
    (user_scripts_dir() / "broken.toml").write_text("title = ")
    with pytest.raises(InvalidInput, match="script 'broken' has problems"):
        load_script("broken")


# --- the qualification service (both engines) ------------------------------------------


def _setup(db: Database) -> int:
    add_user(db, "Sam", "rep", email="sam@reps.example")
    return make_lead(db, first="Dana")


def test_save_answers_and_bant_keeps_level1_met(db: Database, frozen) -> None:
    lead = _setup(db)
    st = q.load_state(db, lead, "Sam")
    assert st.script.name == "default" and st.script.opening[0].startswith("Hi Dana, this is Sam")
    assert not st.status.met and st.proposed is None
    st = q.save(db, lead, "Sam", answers={"q_evaluating": "Y", "q_role": "2"},
                bant=Bant(need=Need("slow follow-up", "high")))
    assert st.answers == {"q_evaluating": "yes", "q_role": "recommend"}
    assert st.status.missing_parts == ("authority", "timeframe") and st.proposed == "hot"
    st = q.save(db, lead, "Sam", bant=Bant(authority=Authority("CMO", "committee"),
                                           timeframe=Timeframe("2027-Q1")))
    assert st.status.met and st.changes.qualification and st.changes.leads == (lead,)
    with db.session(write=False) as s:
        row = s.scalar(select(Qualification).where(Qualification.lead_id == lead))
        assert row is not None and row.level1_met is True
        assert row.bant["need"] == {"pain": "slow follow-up", "priority": "high"}
        assert s.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.field == "level1_met")) == 1
    # An answer that is not a choice changes nothing.
    with pytest.raises(InvalidInput, match="q_role: 'boss' is not one of the choices"):
        q.save(db, lead, "Sam", answers={"q_role": "boss", "q_works": "fine"})
    assert "q_works" not in q.load_state(db, lead, "Sam").answers
    # The rep's choice: hot, then the proposal is turn-over.
    q.mark_hot(db, lead, "Sam")
    st = q.load_state(db, lead, "Sam")
    assert st.designation == "hot" and st.proposed == "turned_over"


def test_campaign_rule_overrides_script(db: Database, frozen) -> None:
    lead = _setup(db)
    with db.session() as s:
        c = s.scalar(select(Campaign).where(Campaign.is_default.is_(True)))
        assert c is not None
        c.level1_rule = "budget_known"
    st = q.save(db, lead, "Sam", bant=Bant(need=Need("x")))
    assert st.status.rule == "budget_known" and st.status.missing_parts == ("budget",)
    with db.session() as s:
        c = s.scalar(select(Campaign).where(Campaign.is_default.is_(True)))
        assert c is not None
        c.level1_rule = "budget_known and"
    with pytest.raises(InvalidInput, match="campaign 'Default': level1 rule"):
        q.load_state(db, lead, "Sam")


def test_cli_qualify(db_url: str, db: Database, frozen) -> None:
    lead = _setup(db)
    res = run(db_url, "qualify", str(lead), "--rep", "Sam", "--answer", "q_evaluating=yes",
              "--need", "leads wait days; high", "--authority", "VP Sales; yes",
              "--timeframe", "2027-03", "--budget", "20k-30k EUR", "--json")
    assert res.code == 0, res.err
    out = res.json()
    assert out["level1_met"] is True and out["missing"] == []
    assert out["bant"]["budget"] == {"low": 20000, "high": 30000, "currency": "EUR"}
    assert out["answers"] == {"q_evaluating": "yes"} and out["proposed"] == "hot"
    res = run(db_url, "qualify", str(lead), "--rep", "Sam", "--timeframe", "someday")
    assert res.code == 1 and "'someday'" in res.err
    res = run(db_url, "qualify", str(lead), "--rep", "Sam", "--answer", "q_nope=1")
    assert res.code == 1 and "no question 'q_nope'" in res.err
    res = run(db_url, "qualify", str(lead), "--rep", "Sam")
    assert res.code == 0 and "Level I: met" in res.out
    with db.session(write=False) as s:
        d = s.get(Lead, lead)
        assert d is not None and d.designation == "warm"  # hot stays the rep's choice
