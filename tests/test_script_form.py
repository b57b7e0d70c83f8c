"""The script as form fields and back (qualdesk.services.script_form): every shipped script
comes back with the same meaning, and the checker's problems land on the right field."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualdesk.errors import InvalidInput
from qualdesk.paths import scripts_library_dir
from qualdesk.services.script_form import (
    OTHERWISE,
    ChoiceDraft,
    QuestionDraft,
    draft_from_source,
    draft_to_source,
    fresh_choice_key,
    fresh_id,
    plain_words,
    problem_field,
    rename_question,
    toml_string,
)
from qualdesk.services.script_library import parse_script
from qualdesk.services.template_drafts import check_script_draft

SHIPPED = sorted(scripts_library_dir().glob("*.toml"))


def meaning(script: object) -> tuple[object, ...]:
    s = script
    return (s.title, s.description, s.level1, s.opening, s.close, s.bant,  # type: ignore[attr-defined]
            tuple((q.id, q.text, q.kind, q.choices, dict(q.next), q.hint, q.bant)
                  for q in s.questions))  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_script_round_trips_with_its_meaning(path: Path, tmp_path: Path) -> None:
    original, problems = parse_script(path)
    assert original is not None and problems == []
    text = draft_to_source(draft_from_source(path.read_text(encoding="utf-8"))).text
    again = tmp_path / path.name
    again.write_text(text, encoding="utf-8")
    written, problems = parse_script(again)
    assert problems == [] and written is not None
    assert meaning(written) == meaning(original)
    assert text.splitlines()[0] == path.read_text(encoding="utf-8").splitlines()[0]  # its comment
    # and once more: the written text is a fixed point
    assert draft_to_source(draft_from_source(text)).text == text


def test_strings_the_form_writes_read_back_exactly() -> None:
    import tomllib

    for value in ('say "hi"', "back\\slash", "tab\tand\nnewline", "del\x7f", "ünïcode — ✓",
                  "{{ lead.first_name or 'there' }}"):
        assert tomllib.loads(f"v = {toml_string(value)}")["v"] == value


def test_what_the_form_cannot_hold_is_refused_in_words() -> None:
    with pytest.raises(InvalidInput, match="not valid TOML"):
        draft_from_source("title = ")
    with pytest.raises(InvalidInput, match="no field for: colour"):
        draft_from_source('title = "x"\ncolour = "red"\n')
    with pytest.raises(InvalidInput, match="question 1 has keys the form has no field for: mood"):
        draft_from_source('[[questions]]\nid = "q_a"\nmood = "x"\n')


def _problems(draft: object) -> list[tuple[object, str]]:
    rendered = draft_to_source(draft)  # type: ignore[arg-type]
    _, problems = check_script_draft("x", rendered.text)
    return [(problem_field(p, draft, rendered), plain_words(p.problem))  # type: ignore[arg-type]
            for p in problems]


def test_problems_land_on_their_field() -> None:
    draft = draft_from_source((SHIPPED[0]).read_text(encoding="utf-8"))
    draft.title = ""
    draft.opening = ["Hi {{ lead.nickname }}"]
    draft.close = []
    draft.bant.pop("need")
    q5 = draft.index_of("q_evaluating")
    assert q5 is not None
    del draft.questions[draft.index_of("q_later")]  # type: ignore[arg-type]
    role = draft.questions[draft.index_of("q_role")]  # type: ignore[index]
    role.choices = role.choices[:1]
    draft.questions[0].text = "  "
    found = _problems(draft)
    fields = {f for f, _ in found}
    assert ("title",) in fields and ("opening",) in fields and ("close",) in fields
    assert ("bant", "need") in fields
    assert ("q", q5, "next") in fields and ("q", 0, "text") in fields
    assert ("q", draft.index_of("q_role"), "choices") in fields
    said = dict((f, w) for f, w in found)
    assert said[("q", q5, "next")].startswith("goes to a question that is not there (q_later)")
    assert said[("title",)].startswith("give the script a title")
    assert said[("q", 0, "text")] == "write what the rep asks"
    assert "nickname" in said[("opening",)]


def test_ids_and_keys_for_new_questions_and_options() -> None:
    draft = draft_from_source(SHIPPED[0].read_text(encoding="utf-8"))
    assert fresh_id(draft, "What is your budget range?") == "q_what_is_your"
    assert fresh_id(draft, "") == "q_new"
    draft.questions.append(QuestionDraft("q_new"))
    assert fresh_id(draft, "") == "q_new_2"
    assert fresh_id(draft, "Reason?") == "q_reason_2"  # q_reason is taken
    q = QuestionDraft("q_x", kind="choice", choices=[ChoiceDraft("yes_please", "Yes please")])
    assert fresh_choice_key(q, "Yes, please!") == "yes_please_2"
    assert fresh_choice_key(q, "Other") == "other_answer"  # 'other' would read as otherwise
    rename_question(draft, "q_later", "q_come_back")
    assert draft.questions[draft.index_of("q_evaluating")].next == {"no": "q_come_back"}  # type: ignore[index]


def test_a_question_fills_a_bant_part_and_a_wrong_part_is_refused(tmp_path: Path) -> None:
    draft = draft_from_source(SHIPPED[0].read_text(encoding="utf-8"))
    draft.questions[2].bant = "need"
    text = draft_to_source(draft).text
    assert 'bant = "need"' in text
    script, problems = check_script_draft("x", text)
    assert problems == [] and script.questions[2].bant == "need"  # type: ignore[attr-defined]
    draft.questions[2].bant = "mood"
    assert [f for f, _ in _problems(draft)] == [("q", 2, "bant")]


def test_branches_follow_the_kind() -> None:
    """A removed option's branch goes with it; a text question keeps only 'then'."""
    q = QuestionDraft("q_a", "A?", kind="choice",
                      choices=[ChoiceDraft("x", "X"), ChoiceDraft("y", "Y")],
                      next={"x": "close", "gone": "bant", OTHERWISE: "bant"})
    draft = draft_from_source(SHIPPED[0].read_text(encoding="utf-8"))
    draft.questions.insert(0, q)
    assert 'next = { x = "close", "*" = "bant" }' in draft_to_source(draft).text
    q.kind, q.choices = "text", []
    assert 'next = "bant"' in draft_to_source(draft).text


def test_comments_inside_are_counted_the_opening_ones_kept() -> None:
    text = SHIPPED[0].read_text(encoding="utf-8")
    assert draft_from_source(text).inner_comments == 0
    draft = draft_from_source(text.replace("[bant]", "# the four prompts\n[bant]"))
    assert draft.inner_comments == 1
    assert draft_to_source(draft).text.startswith("# Default Level I script")


def test_questions_no_answer_leads_to() -> None:
    from qualdesk.services.script_form import unreached

    for path in SHIPPED:
        assert unreached(draft_from_source(path.read_text(encoding="utf-8"))) == set(), path
    draft = draft_from_source(SHIPPED[0].read_text(encoding="utf-8"))
    ev = draft.questions[draft.index_of("q_evaluating")]  # type: ignore[index]
    ev.next = {"no": "close"}
    assert unreached(draft) == {draft.index_of("q_later")}  # q_role goes on to the BANT step
    ev.next = {"yes": "q_later"}  # 'no' falls through to q_role; 'yes' reaches q_later again
    assert unreached(draft) == set()
