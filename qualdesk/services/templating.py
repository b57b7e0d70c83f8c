"""The one strict Jinja2 environment for email templates, voicemail scripts and the merge
fields of qualification scripts.

Sandboxed (no ``__class__``, no ``__globals__``), ``StrictUndefined`` (a misspelt field
fails at preview, never at send time), autoescape for ``.html`` templates, and a loader
that resolves ``include``/``extends`` by ``folder/file`` names: the team's copies in the
database first (``team_env``: what a team lead saved in the app, read at every use so a
running client has the newest), then this machine's folder, then the shipped
``resources/templates`` (the read-only defaults).

Templates see exactly: ``lead`` (first_name, last_name, company, title, email, phone),
``rep`` (name, email, phone), ``campaign`` (name), ``hand_raise`` (kind, at, details).
"""

from __future__ import annotations

import operator
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    DictLoader,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    nodes,
)
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from sqlalchemy.orm import Session

from qualdesk.errors import InvalidInput
from qualdesk.paths import resources_dir, user_templates_dir
from qualdesk.services import template_budget as budget

MAX_STRING = budget.MAX_STRING  # a template may not build giant strings ('x' * 10**9)


def template_dirs() -> list[Path]:
    return [user_templates_dir(), resources_dir() / "templates"]


def _autoescape(name: str | None) -> bool:
    return bool(name) and (name.endswith(".html.j2") or name.endswith(".html"))


def _is_counted(expr: nodes.Expr) -> bool:
    return isinstance(expr, nodes.Call) and isinstance(expr.node, nodes.EnvironmentAttribute) \
        and expr.node.name == "budget_counted"


class _BudgetCodeGenerator(CodeGenerator):
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:  # noqa: N802
        # Same join as Jinja's own, measured first (``~`` is not a sandboxed operator).
        self.write("environment.budget_concat(")
        super().visit_Concat(node, frame)
        self.write(")")


class _BudgetedTemplate(Template):
    def render(self, *args: Any, **kwargs: Any) -> str:
        ctx = self.new_context(dict(*args, **kwargs))
        with budget.budget_scope():
            try:
                return budget.joined_output(self.root_render_func(ctx))
            except Exception:
                self.environment.handle_exception()
        raise AssertionError("unreachable")  # handle_exception always raises


class _StrictSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, plus the budget: every loop, call, filter and string is counted."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _BudgetCodeGenerator
    template_class = _BudgetedTemplate

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters = {n: budget.budget_filter(n, f) for n, f in self.filters.items()}
        self.globals["range"] = budget.budget_range
        self.globals.pop("lipsum", None)  # filler text no e-mail needs, sized by a number

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):  # each step of every loop ticks the budget
            if not _is_counted(loop.iter):
                loop.iter = nodes.Call(nodes.EnvironmentAttribute("budget_counted"), [loop.iter],
                                       [], None, None, lineno=loop.iter.lineno)
        return tree

    @staticmethod
    def budget_counted(iterable: Any) -> Any:
        return budget.counted(iterable)

    @staticmethod
    def budget_concat(value: str) -> str:
        return budget.check_size(value, "the string '~' builds")

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "**":
            if isinstance(right, int | float) and abs(right) > 100:
                raise SecurityError("exponent too large")
            return left**right
        if operator_ == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(n, int) \
                        and len(seq) * n > MAX_STRING:
                    raise SecurityError("the result would be too large")
            return operator.mul(left, right)
        if operator_ == "+":
            if isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple) \
                    and len(left) + len(right) > MAX_STRING:
                raise budget.BudgetExceeded(f"'+' would build a value longer than {MAX_STRING:,}")
            return left + right
        if isinstance(left, str):  # '%' formatting: its widths are known before it runs
            budget.precheck_format(left)
        return budget.check_size(operator.mod(left, right), "'%'")

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        budget.current().tick()
        if isinstance(__obj, LoopContext) and args:  # loop(children) in a recursive loop
            args = (budget.counted(args[0]), *args[1:])
        budget.precheck_call(getattr(__obj, "__wrapped__", __obj), args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        return budget.check_size(result, "a call's result")


def make_env(extra_dirs: Sequence[Path] = (),
             overrides: Mapping[str, str] | None = None) -> ImmutableSandboxedEnvironment:
    """The environment; ``extra_dirs`` are searched first (``template check`` of a loose
    file), then ``overrides`` (``folder/file`` -> source: the team's copies, a draft), then
    the template folders."""
    loaders: list[BaseLoader] = [FileSystemLoader(str(d)) for d in extra_dirs]
    if overrides:
        loaders.append(DictLoader(dict(overrides)))
    loaders += [FileSystemLoader(str(d)) for d in template_dirs()]
    env = _StrictSandbox(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=_autoescape,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def team_env(s: Session, drafts: Mapping[str, str] | None = None) -> ImmutableSandboxedEnvironment:
    """The environment a follow-up renders in: the team's saved templates (read now, in
    session ``s``) over the files; ``drafts`` (``folder/file`` -> source) over both."""
    from qualdesk.services import team_library

    return make_env(overrides={**team_library.templates(s), **(drafts or {})})


# --- what templates see ------------------------------------------------------------
# Frozen records with only the promised fields: a template cannot reach the ORM, the
# session or anything else by walking attributes.


@dataclass(frozen=True)
class LeadFields:
    first_name: str
    last_name: str
    company: str
    title: str
    email: str
    phone: str


@dataclass(frozen=True)
class RepFields:
    name: str
    email: str
    phone: str


@dataclass(frozen=True)
class CampaignFields:
    name: str


@dataclass(frozen=True)
class HandRaiseFields:
    kind: str
    at: str
    details: str


@dataclass(frozen=True)
class MergeContext:
    lead: LeadFields
    rep: RepFields
    campaign: CampaignFields
    hand_raise: HandRaiseFields

    def as_vars(self) -> dict[str, Any]:
        return {"lead": self.lead, "rep": self.rep, "campaign": self.campaign,
                "hand_raise": self.hand_raise}


def merge_context(lead: Any, rep: Any, campaign_name: str, hand_raise: Any | None,
                  tz_name: str = "UTC") -> MergeContext:
    """Build the context from records (``LeadSummary``, ``UserRecord``, ``HandRaiseRecord``).

    Missing values become empty strings: "no title" is data, not a template error.
    """
    from zoneinfo import ZoneInfo

    def s(v: Any) -> str:
        return "" if v is None else str(v)

    at = ""
    if hand_raise is not None and getattr(hand_raise, "raised_at", None) is not None:
        at = hand_raise.raised_at.astimezone(ZoneInfo(tz_name)).strftime("%Y-%m-%d %H:%M")
    return MergeContext(
        lead=LeadFields(s(lead.first_name), s(lead.last_name), s(lead.company), s(lead.title),
                        s(lead.email), s(lead.phone)),
        rep=RepFields(s(rep.name), s(rep.email), s(getattr(rep, "phone", None))),
        campaign=CampaignFields(campaign_name),
        hand_raise=HandRaiseFields(
            kind=s(getattr(hand_raise, "kind", None)).replace("_", " "), at=at,
            details=s(getattr(hand_raise, "details", None))),
    )


def sample_context() -> MergeContext:
    """Sample data for checks: every field filled, with characters HTML must escape."""
    return MergeContext(
        lead=LeadFields("Dana", "O'Neil", "Brick & Mortar <Retail> Ltd", "VP Marketing",
                        "dana.oneil@brick.example", "+1 212 555 0100"),
        rep=RepFields("Sam Rivera", "sam.rivera@qualdesk.example", "+1 646 555 0199"),
        campaign=CampaignFields("Whitepaper: Speed to Lead"),
        hand_raise=HandRaiseFields("asset download", "2026-11-23 09:15",
                                   "Downloaded 'The Speed-to-Lead Playbook'"),
    )


# --- rendering and its errors ------------------------------------------------------


class RenderError(InvalidInput):
    """A template that cannot render: unknown field, syntax error, sandbox violation."""

    def __init__(self, message: str, template: str | None = None, line: int | None = None) -> None:
        self.message, self.template, self.line = message, template, line
        where = template or "template"
        super().__init__(f"{where}{f', line {line}' if line else ''}: {message}")


def describe_error(exc: BaseException, name: str | None) -> RenderError:
    """Turn a Jinja failure into one line naming the template, the line and the problem."""
    if isinstance(exc, TemplateSyntaxError):
        return RenderError(f"syntax error: {exc.message}", exc.name or exc.filename or name, exc.lineno)
    line, where = None, name
    for fr in reversed(traceback.extract_tb(exc.__traceback__)):
        # Jinja maps frames of compiled templates back to the template file and line.
        if fr.filename and (fr.filename.endswith(".j2") or fr.filename == "<template>"):
            line, where = fr.lineno, (fr.filename if fr.filename != "<template>" else name)
            break
    if isinstance(exc, TemplateNotFound):
        searched = ", ".join(str(d) for d in template_dirs())
        msg = f"template not found: {exc.name} (searched the template's folder, {searched})"
    elif isinstance(exc, budget.BudgetExceeded):
        msg = f"too costly to render: {exc.message or exc}"
    elif isinstance(exc, SecurityError):
        msg = f"not allowed: {exc}"
    elif isinstance(exc, TemplateError):
        msg = (exc.message or str(exc)).replace("jinja2.exceptions.", "")
        if "is undefined" in msg or "has no attribute" in msg:
            msg = f"unknown field: {msg}"
    else:
        msg = f"{type(exc).__name__}: {exc}"
    return RenderError(msg, _short(where), line)


def _short(where: str | None) -> str | None:
    if where is None:
        return None
    for base in template_dirs():
        try:
            return str(Path(where).resolve().relative_to(base.resolve()))
        except (ValueError, OSError):
            continue
    return where


def render_template(env: ImmutableSandboxedEnvironment, name: str, ctx: MergeContext) -> str:
    try:
        return env.get_template(name).render(ctx.as_vars())
    except Exception as exc:  # every failure becomes a RenderError naming file and line
        raise describe_error(exc, name) from exc


def compile_string(env: ImmutableSandboxedEnvironment, source: str, label: str) -> Template:
    try:
        return env.from_string(source)
    except TemplateSyntaxError as exc:
        exc.name = label
        raise describe_error(exc, label) from exc


def render_string(env: ImmutableSandboxedEnvironment, source: str, ctx: MergeContext,
                  label: str = "<template>") -> str:
    template = compile_string(env, source, label)
    try:
        return template.render(ctx.as_vars())
    except Exception as exc:
        raise describe_error(exc, label) from exc


# --- the follow-up set ---------------------------------------------------------------

FOLLOWUP_FILES = ("voicemail.txt.j2", "email_subject.txt.j2", "email.txt.j2", "email.html.j2")
WORDS_PER_MINUTE = 150


@dataclass(frozen=True)
class RenderedFollowUp:
    folder: str
    voicemail: str
    voicemail_seconds: int
    subject: str
    text: str
    html: str


def speaking_seconds(text: str) -> int:
    return round(len(text.split()) * 60 / WORDS_PER_MINUTE)


def resolve_name(env: ImmutableSandboxedEnvironment, folder: str, file: str) -> str:
    """A campaign's folder, falling back to ``default`` for files it does not override."""
    for candidate in (f"{folder}/{file}", f"default/{file}"):
        try:
            env.get_template(candidate)
            return candidate
        except TemplateSyntaxError:
            return candidate  # exists but broken: rendering reports it
        except TemplateError:
            continue
    raise RenderError(f"no template {file} in folder {folder!r} or 'default'", f"{folder}/{file}")


# A lead with no valid phone gets an email-only follow-up: its own subject and body,
# which never claim a call or a voicemail that did not happen.
EMAIL_ONLY_FILES = ("email_only_subject.txt.j2", "email_only.txt.j2", "email_only.html.j2")


def render_followup(folder: str, ctx: MergeContext,
                    env: ImmutableSandboxedEnvironment | None = None, *,
                    email_only: bool = False) -> RenderedFollowUp:
    env = env or make_env()
    files = EMAIL_ONLY_FILES if email_only else FOLLOWUP_FILES
    with budget.budget_scope():  # the files share one budget: they are one follow-up
        out = {f: render_template(env, resolve_name(env, folder, f), ctx) for f in files}
    prefix = "email_only" if email_only else "email"
    voicemail = "" if email_only else out["voicemail.txt.j2"].strip()
    subject = " ".join(out[f"{prefix}_subject.txt.j2"].split())
    if not subject:
        raise RenderError("the subject renders empty", f"{folder}/{prefix}_subject.txt.j2")
    return RenderedFollowUp(folder=folder, voicemail=voicemail,
                            voicemail_seconds=speaking_seconds(voicemail), subject=subject,
                            text=out[f"{prefix}.txt.j2"].strip() + "\n",
                            html=out[f"{prefix}.html.j2"])


def context_for_lead(s: Any, lead_id: int, rep: Any | None) -> MergeContext:
    """The merge context of one lead and rep, built from records inside session ``s``."""
    from sqlalchemy import select

    from qualdesk.db.models import HandRaise
    from qualdesk.services import team_settings
    from qualdesk.services.leads import summary
    from qualdesk.services.users import to_record

    lead = summary(s, lead_id)
    hr = s.scalar(select(HandRaise).where(HandRaise.lead_id == lead_id)
                  .order_by(HandRaise.raised_at.desc()).limit(1))
    rep_rec = to_record(rep) if rep is not None else RepFields("", "", "")
    tz = (lead.time_zones or [None])[0] or team_settings.get(s, "team.timezone")
    return merge_context(lead, rep_rec, lead.campaign, hr, tz)
