"""``qualdesk template check``: refuse a template before anyone sends it.

Two passes, both needed: a static walk of the template's syntax tree finds unknown
fields and attempts to reach Python internals even in branches sample data never
takes; rendering with sample data (once filled, once with optional fields blank)
finds everything else (broken includes, filters, sandbox violations) and, since it
renders under the same budget as a real follow-up, refuses a template that would cost
more than one render may (``template_budget``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path

from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from qualdesk.services.templating import (
    CampaignFields,
    HandRaiseFields,
    LeadFields,
    MergeContext,
    RenderError,
    RepFields,
    describe_error,
    make_env,
    sample_context,
)

FIELDS: dict[str, frozenset[str]] = {
    "lead": frozenset(f.name for f in fields(LeadFields)),
    "rep": frozenset(f.name for f in fields(RepFields)),
    "campaign": frozenset(f.name for f in fields(CampaignFields)),
    "hand_raise": frozenset(f.name for f in fields(HandRaiseFields)),
}


@dataclass(frozen=True)
class Problem:
    """One problem in a template or script file: where it is and what is wrong."""

    file: str
    line: int | None
    problem: str
    question: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "question": self.question,
                "problem": self.problem}

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        q = f" [{self.question}]" if self.question else ""
        return f"{where}{q}: {self.problem}"


def static_problems(env: ImmutableSandboxedEnvironment, source: str) -> list[tuple[int | None, str]]:
    """(line, problem) for unknown names and fields and for underscore attributes.

    Raises ``TemplateSyntaxError`` when the source does not parse.
    """
    tree = env.parse(source)
    out: list[tuple[int | None, str]] = []
    assigned = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    assigned |= {m.name for m in tree.find_all(nodes.Macro)}  # a macro is a name the file defines
    allowed = set(FIELDS) | set(env.globals) | assigned | {"loop", "super", "self", "varargs",
                                                           "kwargs", "caller"}
    for name in tree.find_all(nodes.Name):
        if name.ctx == "load" and name.name not in allowed:
            out.append((name.lineno, f"unknown field {name.name!r} (templates see: "
                                     f"{', '.join(sorted(FIELDS))})"))
    for ga in tree.find_all(nodes.Getattr):
        if ga.attr.startswith("_"):
            out.append((ga.lineno, f"not allowed: {ga.attr!r} reaches Python internals"))
        elif isinstance(ga.node, nodes.Name) and ga.node.name in FIELDS and ga.node.name not in assigned \
                and ga.attr not in FIELDS[ga.node.name]:
            known = ", ".join(sorted(FIELDS[ga.node.name]))
            out.append((ga.lineno, f"unknown field {ga.node.name}.{ga.attr} "
                                   f"({ga.node.name} has: {known})"))
    for gi in tree.find_all(nodes.Getitem):
        if isinstance(gi.arg, nodes.Const) and isinstance(gi.arg.value, str) \
                and gi.arg.value.startswith("_"):
            out.append((gi.lineno, f"not allowed: {gi.arg.value!r} reaches Python internals"))
    return sorted(set(out), key=lambda p: (p[0] or 0, p[1]))


def blank_context() -> MergeContext:
    """Sample data with every optional field empty, to take the other branches."""
    s = sample_context()
    return MergeContext(
        lead=replace(s.lead, first_name="", company="", title="", phone=""),
        rep=replace(s.rep, phone=""),
        campaign=s.campaign,
        hand_raise=HandRaiseFields("", "", ""),
    )


def check_template(path: Path) -> list[Problem]:
    """Every problem of one template file (empty list: it is fine)."""
    label = str(path)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(label, None, f"cannot read: {exc}")]
    return check_in_env(make_env(extra_dirs=[path.parent]), path.name, source, label)


def check_in_env(env: ImmutableSandboxedEnvironment, name: str, source: str,
                 label: str) -> list[Problem]:
    """Every problem of ``source``, which ``env`` finds as ``name`` (a file beside it, or a
    draft among the team's copies); problems in it are reported as ``label``."""
    try:
        found = static_problems(env, source)
    except TemplateSyntaxError as exc:
        return [Problem(label, exc.lineno, f"syntax error: {exc.message}")]
    problems = [Problem(label, line, msg) for line, msg in found]
    if problems:
        return problems
    for ctx in (sample_context(), blank_context()):
        try:
            env.get_template(name).render(ctx.as_vars())
        except Exception as exc:  # any failure is reported, with its file and line
            err = exc if isinstance(exc, RenderError) else describe_error(exc, name)
            where = err.template or label
            file = label if where == name else where
            return [Problem(file, err.line, err.message)]
    return []


def check_many(paths: list[Path]) -> list[Problem]:
    problems: list[Problem] = []
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*.j2")):
                problems.extend(check_template(f))
        else:
            problems.extend(check_template(p))
    return problems
