"""The rep's stepper: an answer to a question that fills a BANT part (the script's
``bant = "need"``) is already in the BANT form when the rep gets there."""

from __future__ import annotations

from qualdesk.paths import user_scripts_dir
from tests.test_answer_fills import _script_with_fills
from ui.script_stepper import ScriptStepper


def test_an_answer_is_in_the_bant_form_at_the_bant_step(qtbot, ctx, seeded) -> None:  # type: ignore[no-untyped-def]
    user_scripts_dir().mkdir(parents=True)
    (user_scripts_dir() / "default.toml").write_text(_script_with_fills(), encoding="utf-8")
    w = ScriptStepper(ctx)
    qtbot.addWidget(w)
    w.show()
    w.set_lead(seeded.leads["Alice"])
    while w.step != "q_better":
        w.next()
    qtbot.keyClicks(w.answer, "Leads wait two days")
    w.next()
    assert w.bant_form.pain.text() == "Leads wait two days"
    assert "need" not in (w.state.status.missing_parts if w.state else ())
