"""Templates can't stall or bloat the one-click follow-up: rendering has a work, time and
size budget, and ``template check`` refuses a template that would exceed it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from qualdesk.paths import resources_dir
from qualdesk.services.template_check import check_template
from qualdesk.services.templating import (
    RenderError,
    make_env,
    render_followup,
    render_string,
    sample_context,
)
from tests.cli_helpers import run

NESTED_LOOP = ("Hi {{ lead.first_name }}\n"
               "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}")
# Each pass doubles the string: 30 passes would be a gigabyte.
CONCAT_BOMB = ('{% set ns = namespace(s="xxxxxxxxxxxxxxxx") %}\n'
               "{% for i in range(30) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}\n"
               "{{ ns.s }}")
MACRO_BOMB = ("{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}\n"
              "{{ f(40) }}")
CHAR_LOOP = ("{% for a in 'x' * 99999 %}{% for b in 'y' * 99999 %}{% endfor %}{% endfor %}")
JOIN_BOMB = "{{ (['x' * 99999] * 99999) | join }}"
CENTER_BOMB = "{{ 'x' | center(1000000000) }}"
FORMAT_BOMB = "{{ '{:>1000000000}'.format('x') }}"
OUTPUT_BOMB = "{% for i in range(99999) %}{{ 'x' * 99999 }}{% endfor %}"

BOMBS = {"nested_loop": (NESTED_LOOP, 2), "concat": (CONCAT_BOMB, 2),
         "macro": (MACRO_BOMB, 1), "char_loop": (CHAR_LOOP, 1), "join": (JOIN_BOMB, 1),
         "center": (CENTER_BOMB, 1), "format": (FORMAT_BOMB, 1), "output": (OUTPUT_BOMB, None)}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", sorted(BOMBS))
def test_render_refuses_a_costly_template_quickly(name: str) -> None:
    source, _line = BOMBS[name]
    t0 = time.perf_counter()
    with pytest.raises(RenderError) as err:
        render_string(make_env(), source, sample_context(), f"{name}.txt.j2")
    elapsed = time.perf_counter() - t0
    assert elapsed < 2.5, f"{name} took {elapsed:.1f} s to refuse"
    assert "too costly" in str(err.value), err.value
    assert err.value.template == f"{name}.txt.j2"


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", sorted(BOMBS))
def test_template_check_refuses_what_would_exceed_the_budget(tmp_path: Path, name: str) -> None:
    source, line = BOMBS[name]
    path = tmp_path / f"{name}.txt.j2"
    path.write_text(source)
    problems = check_template(path)
    assert problems, f"{name} passed template check"
    assert "too costly" in problems[0].problem
    assert problems[0].file == str(path)
    assert problems[0].line == line, problems[0]


@pytest.mark.timeout(60)
def test_cli_template_check_says_why(tmp_path: Path) -> None:
    path = tmp_path / "email.txt.j2"
    path.write_text(CONCAT_BOMB)
    t0 = time.perf_counter()
    r = run(None, "template", "check", str(path))
    assert r.code != 0
    assert "too costly" in r.out + r.err, r
    assert "Traceback" not in r.err
    assert time.perf_counter() - t0 < 20


def test_a_follow_up_of_a_costly_campaign_folder_is_refused(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    user = tmp_path / "templates"
    (user / "bomb").mkdir(parents=True)
    (user / "bomb" / "email.txt.j2").write_text(NESTED_LOOP)
    monkeypatch.setattr("qualdesk.services.templating.user_templates_dir", lambda: user)
    with pytest.raises(RenderError, match="too costly"):
        render_followup("bomb", sample_context())


def test_the_shipped_follow_ups_stay_fast_and_inside_the_budget() -> None:
    env = make_env()
    folders = [p.name for p in (resources_dir() / "templates").iterdir()
               if p.is_dir() and not p.name.startswith("_")]
    render_followup(folders[0], sample_context(), env)  # compile once
    t0 = time.perf_counter()
    for _ in range(20):
        for folder in folders:
            render_followup(folder, sample_context(), env)
    per = (time.perf_counter() - t0) / (20 * len(folders))
    assert per < 0.05, f"one follow-up render took {per * 1000:.1f} ms"


def test_ordinary_loops_filters_and_the_sandbox_still_work() -> None:
    env = make_env()
    ctx = sample_context()
    out = render_string(env, "{% for w in lead.company.split() %}[{{ w|upper }}]{% endfor %}"
                             " {{ range(3)|join(',') }} {{ 'ab' ~ 'cd' }} {{ 'x'|center(9) }}"
                             " {{ '{:>5}'.format('y') }}", ctx)
    assert out == "[BRICK][&][MORTAR][<RETAIL>][LTD] 0,1,2 abcd     x         y"
    with pytest.raises(RenderError, match="unknown field"):
        render_string(env, "{{ lead.nickname }}", ctx)
    with pytest.raises(RenderError, match="not allowed"):
        render_string(env, "{{ lead.__class__ }}", ctx)
