"""``qualdesk campaigns`` / ``campaign add|set``, ``dispositions`` / ``disposition set`` and
``kinds`` / ``kind set``: what a team lead configures, without SQL."""

from __future__ import annotations

import argparse

from qualdesk.cli.common import Context, Registry, acting_for, add_json, print_json, print_table
from qualdesk.services.campaigns import add_campaign, list_campaigns, update_campaign
from qualdesk.services.codes_admin import list_dispositions, list_kinds, set_disposition, set_kind

# option dest -> campaign field; numbers stay text so the service names a bad value
# (argparse's own error would be a usage dump with exit 2).
_CAMPAIGN_OPTIONS = (
    ("--script", "script", "S", "script name (file S.toml in the scripts folders)"),
    ("--templates", "templates", "T", "template folder name"),
    ("--sla", "sla_minutes", "MIN", "the follow-up clock in minutes (5-10080)"),
    ("--level1-rule", "level1_rule", "RULE", "Level I rule overriding the script's ('' clears)"),
    ("--live-attempts", "same_day_live_attempts", "N",
     "live attempts before the voicemail + email is due"),
    ("--min-gap", "min_gap_minutes", "MIN", "minimum minutes between attempts"),
    ("--daily-cap", "daily_cap", "N", "attempts per day"),
    ("--lifetime-cap", "lifetime_cap", "N", "attempts in total"),
    ("--lead-source", "lead_source", "X", "lead source shown in exports ('' clears)"),
)
_CAMPAIGN_COLUMNS = ["name", "is_default", "leads", "script", "templates", "sla_minutes",
                     "same_day_live_attempts", "min_gap_minutes", "daily_cap", "lifetime_cap",
                     "level1_rule", "lead_source"]


def _fields(args: argparse.Namespace) -> dict[str, str | None]:
    return {field: getattr(args, field) for _, field, _, _ in _CAMPAIGN_OPTIONS}


def _show_campaign(args: argparse.Namespace, verb: str, rec: object) -> int:
    if args.json:
        print_json(rec)
    else:
        d = rec.as_dict()  # type: ignore[attr-defined]
        print(f"{verb} campaign {d['name']}: script {d['script']}, templates {d['templates']}, "
              f"SLA {d['sla_minutes']} min, {d['same_day_live_attempts']} live attempt(s) "
              f"{d['min_gap_minutes']} min apart, caps {d['daily_cap']}/day "
              f"{d['lifetime_cap']} total")
    return 0


def _campaigns(ctx: Context, args: argparse.Namespace) -> int:
    rows = list_campaigns(ctx.db)
    if args.json:
        print_json(rows)
    else:
        print_table([r.as_dict() for r in rows], _CAMPAIGN_COLUMNS)
    return 0


def _add(ctx: Context, args: argparse.Namespace) -> int:
    return _show_campaign(args, "added", add_campaign(ctx.db, args.name, by=acting_for(ctx, args.by, "--by", required=False),
                                                      **_fields(args)))


def _set(ctx: Context, args: argparse.Namespace) -> int:
    return _show_campaign(args, "updated", update_campaign(ctx.db, args.name, by=acting_for(ctx, args.by, "--by", required=False),
                                                           **_fields(args)))


def _dispositions(ctx: Context, args: argparse.Namespace) -> int:
    rows = list_dispositions(ctx.db)
    if args.json:
        print_json(rows)
    else:
        print_table([r.as_dict() for r in rows],
                    ["code", "label", "hotkey", "is_contact", "sort_order"])
    return 0


def _disposition_set(ctx: Context, args: argparse.Namespace) -> int:
    row = set_disposition(ctx.db, args.code, label=args.label, hotkey=args.hotkey,
                          is_contact=args.contact, sort_order=args.sort_order, by=acting_for(ctx, args.by, "--by", required=False))
    if args.json:
        print_json(row)
    else:
        print(f"disposition {row.code}: {row.label}, hotkey {row.hotkey or '-'}, "
              f"{'counts' if row.is_contact else 'does not count'} as a contact")
    return 0


def _kinds(ctx: Context, args: argparse.Namespace) -> int:
    rows = list_kinds(ctx.db)
    if args.json:
        print_json(rows)
    else:
        print_table([r.as_dict() for r in rows], ["code", "label", "strength"])
    return 0


def _kind_set(ctx: Context, args: argparse.Namespace) -> int:
    row = set_kind(ctx.db, args.code, label=args.label, strength=args.strength, by=acting_for(ctx, args.by, "--by", required=False))
    if args.json:
        print_json(row)
    else:
        print(f"hand-raise kind {row.code}: {row.label}, strength {row.strength}")
    return 0


def _by(p: argparse.ArgumentParser) -> None:
    p.add_argument("--by", metavar="NAME", help="who makes the change (for the audit log)")


def register(reg: Registry) -> None:
    p = reg.command("campaigns", "list campaigns with their script, templates and policy",
                    _campaigns)
    add_json(p)
    for verb, handler, help_ in (("add", _add, "add a campaign"),
                                 ("set", _set, "change a campaign's settings")):
        p = reg.subcommand("campaign", verb, help_, handler,
                           group_help="campaigns: script, templates, SLA, attempt policy")
        p.add_argument("name")
        for flag, dest, metavar, help_text in _CAMPAIGN_OPTIONS:
            p.add_argument(flag, dest=dest, metavar=metavar, help=help_text)
        _by(p)
        add_json(p)

    p = reg.command("dispositions", "list call disposition codes and their hotkeys",
                    _dispositions)
    add_json(p)
    p = reg.subcommand("disposition", "set", "change a disposition, or add a new code",
                       _disposition_set, group_help="call disposition codes")
    p.add_argument("code")
    p.add_argument("--label", metavar="L")
    p.add_argument("--hotkey", metavar="K", help="1-9, or 'none' to take the key away")
    p.add_argument("--contact", dest="contact", action="store_true", default=None,
                   help="counts as a live connect")
    p.add_argument("--no-contact", dest="contact", action="store_false")
    p.add_argument("--sort-order", metavar="N", help="button order")
    _by(p)
    add_json(p)

    p = reg.command("kinds", "list hand-raise kinds and their strength", _kinds)
    add_json(p)
    p = reg.subcommand("kind", "set", "change a hand-raise kind, or add a new one", _kind_set,
                       group_help="hand-raise kinds")
    p.add_argument("code")
    p.add_argument("--label", metavar="L")
    p.add_argument("--strength", metavar="N", help="1-100 (100 = called in)")
    _by(p)
    add_json(p)
