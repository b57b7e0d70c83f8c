"""The script editor's preview: a step as the rep's stepper shows it, and the whole script
as the rep walks it, each branch spelled out (HTML for the preview pane, from a script
already rendered for the chosen lead)."""

from __future__ import annotations

import html
from typing import Any

from qualdesk.services.script_form import rule_in_words

KIND_WORDS = {"text": "answer in words", "choice": "pick one", "yesno": "yes or no",
              "number": "a number"}


def step_html(script: Any, step: str) -> str:
    """One step as the rep's stepper shows it (its words large, the hint below, the
    options with their number keys, or the answer box), for the step chosen in the form."""
    e = html.escape
    labels = {"opening": "Opening", "bant": "BANT", "close": "Close"}
    if step in ("opening", "close"):
        body = "".join(f"<p style='font-size:large'>{e(t)}</p>"
                       for t in getattr(script, step))
    elif step == "bant":
        body = "<p style='font-size:large'>Qualify: budget, authority, need, timeframe.</p>" + \
            "".join(f"<p><b>{e(k.capitalize())}</b> — {e(v)}</p>" for k, v in script.bant.items())
    else:
        ids = [q.id for q in script.questions]
        if step not in ids:
            return ""
        q = script.questions[ids.index(step)]
        labels[step] = f"Question {ids.index(step) + 1} of {len(ids)}"
        body = f"<p style='font-size:large'>{e(q.text)}</p>"
        if q.hint:
            body += f"<p style='color:gray'>{e(q.hint)}</p>"
        options = [("yes", "Yes"), ("no", "No")] if q.kind == "yesno" else \
            [(c.key, c.label) for c in q.choices]
        if options:
            body += "".join(f"<p>○ <b>{i}</b>&nbsp;&nbsp;{e(label)}</p>"
                            for i, (_, label) in enumerate(options, 1))
        else:
            body += ("<p style='color:gray'>[ Their answer, in their words — Enter for the "
                     "next step ]</p>")
    return (f"<table width='100%' border='1' cellpadding='8' cellspacing='0'><tr><td>"
            f"<small>As the rep sees it · {e(labels[step])}</small>{body}</td></tr></table>")


def outline_html(script: Any, current: str | None = None) -> str:
    """The script as the rep walks it: every step, its kind, its choices and branches;
    ``current`` (the step chosen in the form) is marked ▶, as the stepper marks its step."""
    e = html.escape
    out = [f"<h2>{e(script.title)}</h2>"]
    if script.description:
        out.append(f"<p><i>{e(script.description)}</i></p>")
    out.append("<h3>Opening</h3>" + "".join(f"<p>{e(p)}</p>" for p in script.opening))
    out.append("<h3>Questions</h3><ol>")
    number = {q.id: i for i, q in enumerate(script.questions, 1)}
    for q in script.questions:
        mark = "▶ " if q.id == current else ""
        parts = [f"<b>{mark}{e(q.text)}</b> <small>({e(KIND_WORDS.get(q.kind, q.kind))})</small>"]
        if q.choices:
            parts.append("<br>" + " · ".join(e(c.label) for c in q.choices))
        labels = {c.key: c.label for c in q.choices} | {"yes": "yes", "no": "no"}
        for answer, target in q.next:
            where = {"bant": "the BANT step", "close": "the close"}.get(
                target, f"question {number.get(target, target)}")
            when = "otherwise" if answer == "*" else f"if “{labels.get(answer, answer)}”"
            parts.append(f"<br>→ {e(when)}: go to {e(where)}")
        if q.bant:
            parts.append(f"<br><small>Fills BANT: {e(q.bant.capitalize())}</small>")
        if q.hint:
            parts.append(f"<br><small>Hint: {e(q.hint)}</small>")
        out.append(f"<li>{''.join(parts)}</li>")
    out.append("</ol><h3>BANT</h3><ul>")
    for part, prompt in script.bant.items():
        out.append(f"<li><b>{e(part.capitalize())}</b>: {e(prompt)}</li>")
    out.append("</ul><h3>Close</h3>" + "".join(f"<p>{e(p)}</p>" for p in script.close))
    out.append(f"<h3>Level I</h3><p>Turn over once the rep knows: {e(rule_in_words(script.level1))}.</p>")
    return "\n".join(out)
