"""A question's answer fills the BANT part the script names (``bant = "need"``), unless
the part is there already; through the qualification service on both engines."""

from __future__ import annotations

from qualdesk.db.engine import Database
from qualdesk.domain.bant import Authority, Bant, Need
from qualdesk.paths import scripts_library_dir, user_scripts_dir
from qualdesk.services import qualification as q
from qualdesk.services.answer_fills import filled
from qualdesk.services.script_form import draft_from_source, draft_to_source
from qualdesk.services.script_library import parse_script
from qualdesk.services.users import add_user
from tests.factories import make_lead


def _script_with_fills() -> str:
    """The shipped default, with q_better filling need, q_role authority, q_evaluating
    nothing, and a number question for the budget."""
    draft = draft_from_source((scripts_library_dir() / "default.toml").read_text("utf-8"))
    by_id = {x.id: x for x in draft.questions}
    by_id["q_better"].bant = "need"
    by_id["q_role"].bant = "authority"
    by_id["q_works"].bant = "timeframe"  # free words rarely read as a timeframe
    by_id["q_nothing"].kind, by_id["q_nothing"].bant = "number", "budget"
    return draft_to_source(draft).text


def test_answers_fill_their_parts_and_never_overwrite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "default.toml"
    path.write_text(_script_with_fills(), encoding="utf-8")
    script, problems = parse_script(path)
    assert script is not None and problems == []
    got = filled(script, {"q_better": "slow follow-up loses deals", "q_role": "committee",
                          "q_works": "pretty well", "q_nothing": "50000"}, Bant())
    assert got.need == Need("slow follow-up loses deals", None)
    assert got.authority == Authority(None, "committee")  # the option's key says it
    me = filled(script, {"q_role": "me"}, Bant()).authority
    assert me is not None and me.role == "I decide"  # else the option's words
    assert got.budget is not None and got.budget.low == 50000
    assert got.timeframe is None  # 'pretty well' is no timeframe: the rep fills it later
    kept = filled(script, {"q_better": "other words"}, Bant(need=Need("their own")))
    assert kept.need is None  # the part was there: nothing to fill


def test_the_service_fills_bant_from_answers(db: Database, frozen) -> None:
    user_scripts_dir().mkdir(parents=True)
    (user_scripts_dir() / "default.toml").write_text(_script_with_fills(), encoding="utf-8")
    add_user(db, "Sam", "rep", email="sam@reps.example")
    lead = make_lead(db, first="Dana")
    st = q.save(db, lead, "Sam", answers={"q_better": "Leads wait two days", "q_role": "2"})
    assert st.bant.need == Need("Leads wait two days", None)
    assert st.bant.authority is not None and "recommend" in (st.bant.authority.role or "")
    assert "need" not in st.status.missing_parts
    # the rep's own BANT entry wins, and a later answer does not overwrite it
    st = q.save(db, lead, "Sam", bant=Bant(need=Need("Slow follow-up", "high")))
    st = q.save(db, lead, "Sam", answers={"q_better": "Something else"})
    assert st.bant.need == Need("Slow follow-up", "high")
