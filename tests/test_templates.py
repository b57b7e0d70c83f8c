"""The one strict template environment: every shipped template renders; hostile and broken
templates are refused with file, line and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualdesk.paths import resources_dir
from qualdesk.services.template_check import check_many, check_template
from qualdesk.services.templating import (
    FOLLOWUP_FILES,
    RenderError,
    make_env,
    render_followup,
    render_string,
    sample_context,
)
from tests.cli_helpers import run

FOLDERS = ("default", "demo_request", "whitepaper", "inbound_call")
SHIPPED = resources_dir() / "templates"


def test_every_shipped_template_checks_clean() -> None:
    files = sorted(SHIPPED.rglob("*.j2"))
    assert len(files) >= 4 * len(FOLDERS) + 1
    assert check_many([SHIPPED]) == []


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_followup_set_renders_with_sample_data(folder: str) -> None:
    for f in FOLLOWUP_FILES:
        assert (SHIPPED / folder / f).is_file(), f"{folder}/{f} missing"
    r = render_followup(folder, sample_context())
    assert "Dana" in r.voicemail and "Sam Rivera" in r.voicemail
    assert 20 <= r.voicemail_seconds <= 30, r.voicemail_seconds
    assert "\n" not in r.subject and r.subject
    assert "Hi Dana," in r.text and "sam.rivera@qualdesk.example" in r.text
    assert "<p>Hi Dana,</p>" in r.html
    assert "<Retail>" not in r.html and "{{" not in r.html + r.text + r.voicemail


def test_html_escapes_and_text_does_not() -> None:
    r = render_followup("demo_request", sample_context())
    assert "about Brick &amp; Mortar &lt;Retail&gt; Ltd and not" in r.html
    assert "about Brick & Mortar <Retail> Ltd and not" in r.text


HOSTILE = {
    "class.txt.j2": ("x\n{{ lead.__class__ }}\n", 2, "not allowed"),
    "globals.txt.j2": ("{{ cycler.__init__.__globals__ }}", 1, "not allowed"),
    "mro.txt.j2": ("a\nb\n{{ ''.__class__.__mro__[1].__subclasses__() }}", 3, "not allowed"),
    "attr_filter.txt.j2": ("{{ lead|attr('__class__') }}", 1, "unsafe"),
    "getitem.txt.j2": ("{{ rep['__dict__'] }}", 1, "not allowed"),
    "huge.txt.j2": ("{{ 'x' * 1000000000 }}", 1, "too large"),
    "unknown.txt.j2": ("Hi {{ lead.first_name }}\n{{ lead.nickname }}", 2,
                       "unknown field lead.nickname"),
    "hidden_branch.txt.j2": ("{% if false %}\n{{ rep.salary }}\n{% endif %}", 2,
                             "unknown field rep.salary"),
    "toplevel.txt.j2": ("{{ config }}", 1, "unknown field 'config'"),
    "syntax.txt.j2": ("a\n{% if lead.first_name %}\nb", 3, "syntax error"),
    "include.txt.j2": ("{% include 'nope/missing.j2' %}", 1, "template not found"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_and_broken_templates_are_refused(tmp_path: Path, name: str) -> None:
    source, line, message = HOSTILE[name]
    path = tmp_path / name
    path.write_text(source)
    problems = check_template(path)
    assert problems, f"{name} was accepted"
    assert problems[0].file == str(path)
    assert problems[0].line == line
    assert message in problems[0].problem


def test_extends_resolves_through_the_template_folders(tmp_path: Path) -> None:
    path = tmp_path / "mine.html.j2"
    path.write_text('{% extends "_layouts/email_base.html.j2" %}'
                    "{% block body %}<p>{{ lead.company }}</p>{% endblock %}")
    assert check_template(path) == []


def test_render_string_error_names_label_and_line() -> None:
    with pytest.raises(RenderError) as err:
        render_string(make_env(), "ok\n{{ hand_raise.score }}", sample_context(), "opening")
    assert err.value.line == 2 and err.value.template == "opening"


def test_cli_template_check(tmp_path: Path) -> None:
    res = run(None, "template", "check", str(SHIPPED), "--json")
    assert res.code == 0, res.out
    assert res.json()["ok"] is True
    bad = tmp_path / "bad.txt.j2"
    bad.write_text("Hello\n{{ lead.__class__ }}\n")
    res = run(None, "template", "check", str(bad), "--json")
    assert res.code == 1
    (p,) = res.json()["problems"]
    assert (p["file"], p["line"]) == (str(bad), 2) and "not allowed" in p["problem"]
    res = run(None, "template", "check", str(bad))
    assert res.code == 1 and f"{bad}:2: not allowed" in res.out
