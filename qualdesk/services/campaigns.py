"""Campaigns as a team lead edits them: script, templates, SLA, Level I rule, attempt policy.

Every value is checked before anything is written (a script that does not load, a
template folder with a broken file, a rule that does not parse, caps that contradict
each other), so a campaign can never point at something F6 or the Script tab would
refuse at the worst moment — on a call. A change writes an audit entry and bumps the
change counter (kind ``settings``) so every client reloads.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Campaign, Lead
from qualdesk.domain.level1_rule import parse_rule
from qualdesk.errors import InvalidInput, KnownError, NotFound
from qualdesk.services import audit
from qualdesk.services.users import user_by_name
from qualdesk.services.validate import whole_number

FIELDS = ("sla_minutes", "script", "templates", "level1_rule", "same_day_live_attempts",
          "min_gap_minutes", "daily_cap", "lifetime_cap", "lead_source")
# (low, high, unit) for each number; high values are typos, not policies.
RANGES: dict[str, tuple[int, int, str]] = {
    "sla_minutes": (5, 10080, "minutes"),
    "same_day_live_attempts": (1, 20, "attempts"),
    "min_gap_minutes": (1, 1440, "minutes"),
    "daily_cap": (1, 50, "attempts"),
    "lifetime_cap": (1, 500, "attempts"),
}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class CampaignRecord:
    id: int
    name: str
    is_default: bool
    sla_minutes: int
    script: str
    templates: str
    level1_rule: str | None
    same_day_live_attempts: int
    min_gap_minutes: int
    daily_cap: int
    lifetime_cap: int
    lead_source: str | None
    leads: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _record(c: Campaign, leads: int) -> CampaignRecord:
    return CampaignRecord(c.id, c.name, bool(c.is_default), c.sla_minutes, c.script, c.templates,
                          c.level1_rule, c.same_day_live_attempts, c.min_gap_minutes, c.daily_cap,
                          c.lifetime_cap, c.lead_source, leads)


def _lead_count(s: Session, campaign_id: int) -> int:
    return int(s.scalar(select(func.count(Lead.id)).where(Lead.campaign_id == campaign_id)) or 0)


def list_campaigns(db: Database) -> list[CampaignRecord]:
    """Every campaign, the default first, then by name, with its number of leads."""
    with db.session(write=False) as s:
        counts = {cid: n for cid, n in s.execute(select(Lead.campaign_id, func.count(Lead.id))
                                                 .group_by(Lead.campaign_id))}
        rows = s.scalars(select(Campaign).order_by(Campaign.is_default.desc(), Campaign.name))
        return [_record(c, int(counts.get(c.id, 0))) for c in rows]


def get_campaign(db: Database, name: str) -> CampaignRecord:
    with db.session(write=False) as s:
        c = _find(s, name)
        return _record(c, _lead_count(s, c.id))


def _find(s: Session, name: str) -> Campaign:
    c = s.scalar(select(Campaign).where(func.lower(Campaign.name) == name.strip().lower()))
    if c is None:
        raise NotFound(f"no campaign named {name!r}: a team lead adds campaigns on the "
                       "Campaigns page", cli="see `qualdesk campaigns`")
    return c


# --- what a campaign may point at ----------------------------------------------------


def list_template_folders(s: Session | None = None) -> list[str]:
    """Folder names a campaign may use (the team's with ``s``, this machine's, shipped;
    ``_layouts`` is not one)."""
    from qualdesk.services.template_drafts import template_folders

    return template_folders(s)


def _check_script(value: str, db: Database) -> None:
    from qualdesk.services.script_library import load_script

    if not _NAME.match(value):
        raise InvalidInput(f"script: {value!r} is not a script name (the file name without "
                           f".toml, e.g. 'webinar')")
    try:
        with db.session(write=False) as s:
            load_script(value, s)  # the team's copy wins, as for a rep's next lead
    except KnownError as exc:
        raise InvalidInput(f"script: {value!r} cannot be used: {exc}") from exc


def _check_templates(value: str, db: Database) -> None:
    from qualdesk.services.template_drafts import folder_problems
    from qualdesk.services.templating import render_followup, sample_context, team_env

    if not _NAME.match(value) or value.startswith("_"):
        raise InvalidInput(f"templates: {value!r} is not a template folder name (e.g. 'webinar')")
    with db.session(write=False) as s:  # the folder as every client will render it
        folders = list_template_folders(s)
        if value not in folders:
            raise InvalidInput(f"templates: no template folder {value!r} (have: "
                               f"{', '.join(folders)})")
        problems = folder_problems(s, value)
        env = team_env(s)
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise InvalidInput(f"templates: {value!r} has problems: "
                           f"{'; '.join(str(p) for p in problems[:3])}{more}")
    try:  # the whole follow-up, with the files it takes from default/ and an empty subject
        render_followup(value, sample_context(), env)
    except KnownError as exc:
        raise InvalidInput(f"templates: {value!r} does not render: {exc}") from exc


def check_level1_rule(value: str | None) -> str | None:
    """The rule as stored (``None``: the script's own rule); raises ``InvalidInput``."""
    if value is None or not str(value).strip():
        return None
    rule = " ".join(str(value).split())
    try:
        parse_rule(rule)
    except InvalidInput as exc:
        raise InvalidInput(f"level1_rule: {value!r} does not parse: {exc}") from exc
    return rule


def _int(field: str, value: Any) -> int:
    low, high, unit = RANGES[field]
    return whole_number(field, value, low, high, unit)


def _clean(field: str, value: Any, db: Database) -> Any:
    if field not in FIELDS:
        raise InvalidInput(f"{field}: not a campaign setting (known: {', '.join(FIELDS)})")
    if field in RANGES:
        return _int(field, value)
    if field == "level1_rule":
        return check_level1_rule(value)
    text = "" if value is None else str(value).strip()
    if field == "lead_source":
        if len(text) > 40:
            raise InvalidInput(f"lead_source: {value!r} is longer than 40 characters")
        return text or None
    if field == "script":
        _check_script(text, db)
    else:
        _check_templates(text, db)
    return text


def _check_policy(v: dict[str, Any]) -> None:
    if v["daily_cap"] > v["lifetime_cap"]:
        raise InvalidInput(f"daily_cap: {v['daily_cap']!r} must not exceed lifetime_cap "
                           f"({v['lifetime_cap']})")
    if v["same_day_live_attempts"] > v["daily_cap"]:
        # The voicemail + email would never come due: the daily cap stops the calls first.
        raise InvalidInput(f"same_day_live_attempts: {v['same_day_live_attempts']!r} must not "
                           f"exceed daily_cap ({v['daily_cap']})")


def _by_id(s: Session, by: str | None) -> int | None:
    return user_by_name(s, by).id if by else None


def _values(c: Campaign) -> dict[str, Any]:
    return {f: getattr(c, f) for f in FIELDS}


def add_campaign(db: Database, name: str, *, by: str | None = None,
                 **fields: Any) -> CampaignRecord:
    """A new campaign; unset fields take the defaults (script and templates ``default``)."""
    clean_name = " ".join(str(name).split())
    if not clean_name or len(clean_name) > 120:
        raise InvalidInput(f"name: {name!r} must be 1 to 120 characters")
    given = {f: _clean(f, v, db) for f, v in fields.items() if v is not None}
    with db.session() as s:
        if s.scalar(select(Campaign.id).where(func.lower(Campaign.name) == clean_name.lower())):
            raise InvalidInput(f"name: a campaign named {clean_name!r} already exists")
        c = Campaign(name=clean_name, is_default=False, sla_minutes=60, script="default",
                     templates="default", level1_rule=None, same_day_live_attempts=2,
                     min_gap_minutes=10, daily_cap=3, lifetime_cap=6, lead_source=None,
                     created_at=clock.now())
        for f, v in given.items():
            setattr(c, f, v)
        _check_policy(_values(c))
        s.add(c)
        s.flush()
        audit.record(s, None, _by_id(s, by), _action(clean_name), "name", None, clean_name)
        audit.bump(s, "settings")
        return _record(c, 0)


def update_campaign(db: Database, name: str, *, by: str | None = None,
                    **fields: Any) -> CampaignRecord:
    """Change some of a campaign's settings (``None`` leaves a field as it is; an empty
    ``level1_rule`` or ``lead_source`` clears it). All or nothing."""
    given = {f: _clean(f, v, db) for f, v in fields.items() if v is not None}
    with db.session() as s:
        c = _find(s, name)
        before = _values(c)
        after = {**before, **given}
        _check_policy(after)
        user_id = _by_id(s, by)
        for f in FIELDS:
            if after[f] != before[f]:
                setattr(c, f, after[f])
                audit.record(s, None, user_id, _action(c.name), f, before[f], after[f])
        audit.bump(s, "settings")
        return _record(c, _lead_count(s, c.id))


def _action(campaign: str) -> str:
    # The audit log has no campaign column: the name travels in the (40-character) action.
    return f"campaign {campaign}"[:40]
