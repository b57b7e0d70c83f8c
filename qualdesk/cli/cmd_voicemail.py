"""``qualdesk voicemail set --rep NAME FILE.wav [--campaign C]``: the rep's recorded voicemail."""

from __future__ import annotations

import argparse
from pathlib import Path

from qualdesk.cli.common import Context, Registry, acting_for, add_json, print_json
from qualdesk.services.voicemails import set_voicemail


def _set(ctx: Context, args: argparse.Namespace) -> int:
    r = set_voicemail(ctx.db, acting_for(ctx, args.rep), Path(args.file), args.campaign)
    if args.json:
        print_json(r.as_dict())
        return 0
    conv = f" (converted from {r.converted_from})" if r.converted_from else ""
    where = f"campaign {r.campaign}" if r.campaign else "every campaign"
    print(f"{r.rep}'s voicemail for {where}: {r.seconds:.1f} s{conv}, kept as {r.path}")
    return 0


def register(reg: Registry) -> None:
    p = reg.subcommand("voicemail", "set", "the rep's recorded voicemail (a WAV; converted to "
                       "8 kHz mono 16-bit if need be)", _set,
                       group_help="recorded voicemails the phone drops into calls")
    p.add_argument("--rep", help="default: the person whose database login --db uses")
    p.add_argument("file", metavar="FILE.wav")
    p.add_argument("--campaign", help="the campaign it is for (default: every campaign)")
    add_json(p)
