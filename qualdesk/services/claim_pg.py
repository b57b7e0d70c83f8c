"""Claim-next on PostgreSQL in two round trips: the server walks the queue in order.

Fifty reps pressing "next" at once must not each pull the queue into Python, rank it and
come back: that costs every claimer ~10 ms of CPU on a shared server and client. Here the
server walks the three tiers that head the queue, each along an index in the tier's own
order (due callbacks by due time; leads in their clock by deadline, stronger hand raise,
lead; breached leads by most recent hand raise, stronger, lead), passes over what cheap
checks rule out, locks the first lead left with ``FOR UPDATE SKIP LOCKED`` — rows other
claimers are taking are stepped over, never waited for — and claims it (lease, audit and
change-log rows; the lead becomes the rep's own with the first attempt) in one statement, inside a transaction it leaves open. The
client judges the claimed lead with ``qualdesk.domain.priority.classify`` from the facts
the statement returns and commits; a lead the rules turn down (rare) is rolled back and
the next walk passes over it.

Two things keep the walk short as a working day goes on. It reads hand raises by their
copy of the lead's owner (migration 0005): leads nobody owns, then the rep's own, merged
in queue order — never the leads the rest of the team has worked, which stay owned (a
lead only claimed is passed over by its live lease, and is the team's again when the
lease lapses). And a
row that is not its lead's own place in the order, or whose lead is in its night or
resting after an attempt (the rep's own leads, most of the day), is dropped by cheap
probes before the lead is locked (a lock is a write).

The rules exist once, in Python; the SQL holds only checks they imply (a lead the checks
pass may still be turned down, never the reverse). ``tests/test_claim_pg.py`` claims lead
after lead on random queues full of ties and edge cases and checks every claim against
``rank``; loosening or tightening any check fails it. Anything the walk does not cover
(re-touches, the fifo policy, an unknown rep, a zone PostgreSQL does not know) returns
``Walk.UNAVAILABLE``: the caller falls back to ranking in Python; ``Walk.EMPTY`` says
the rep has nothing in tiers 1-3 (then only re-touches are left to rank).
"""

from __future__ import annotations

import enum
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ARRAY, Integer, String, and_, column, literal_column, select, table

from qualdesk.db.engine import Database
from qualdesk.db.models import User
from qualdesk.domain.codes import VOICEMAIL
from qualdesk.domain.follow_up import open_sql
from qualdesk.domain.priority import (
    CALLBACK_WINDOW_GRACE_MINUTES,
    QueueEntry,
    QueuePolicy,
    Tier,
    classify,
)
from qualdesk.services import team_settings
from qualdesk.services.candidates import (
    ATTEMPT_NAMES,
    CALLBACK,
    HAND_RAISE,
    LEAD,
    Layout,
    candidate,
    dead_attempt,
    policy_from,
)
from qualdesk.services.claim_line import ClaimLine, claim_line
from qualdesk.services.claim_rules import (
    claim_audit,
    free_for,
    lease_held_sql,
    newest_first_tiers,
    order_sql,
    pg_text,
)
from qualdesk.settings import SPECS

log = logging.getLogger(__name__)

_OPEN_HR = "(" + open_sql("{a}") + ")"
_SETTINGS = ("team.timezone", "calling.window_start", "calling.window_end",
             "queue.callback_handover_minutes", "claim.lease_minutes", "queue.policy")


class _A:
    """An attempt as this statement names it (``a``), for ``candidates.dead_attempt``."""

    lead_id = literal_column("a.lead_id")
    started_at = literal_column("a.started_at")
    disposition = literal_column("a.disposition")


# A call that found the number the lead has now dead (a corrected phone is callable).
_DEAD = " ".join(pg_text(dead_attempt(_A)).split())


def _setting(key: str) -> str:
    return (f"COALESCE(max(value) FILTER (WHERE key = '{key}'), "
            f"%({key.replace('.', '_')})s::text)")


# The rep, the moment, and the team settings the rules read (stored value or default).
_CFG = f"""cfg AS MATERIALIZED (
    SELECT r.id AS rep, r.name AS rep_name, %(now)s::timestamptz AS now, t.*,
        t.ws_raw::time AS ws, t.we_raw::time AS we,
        t.lease_raw::int * interval '1 minute' AS lease,
        date_trunc('day', %(now)s::timestamptz AT TIME ZONE t.tz) AT TIME ZONE t.tz AS today
    FROM users r CROSS JOIN (SELECT {_setting('team.timezone')} AS tz,
        {_setting('calling.window_start')} AS ws_raw, {_setting('calling.window_end')} AS we_raw,
        {_setting('queue.callback_handover_minutes')} AS handover_raw,
        {_setting('claim.lease_minutes')} AS lease_raw, {_setting('queue.policy')} AS policy
        FROM settings) t
    WHERE lower(r.name) = %(name)s)"""

_ATTEMPTS = f"""(SELECT count(*) AS total,
        count(*) FILTER (WHERE a.started_at >= cfg.today) AS today,
        count(*) FILTER (WHERE a.started_at >= cfg.today AND a.disposition <> '{VOICEMAIL}') AS live_today,
        max(a.started_at) AS last_at,
        count(*) FILTER (WHERE {_DEAD}) AS dead
    FROM attempts a WHERE a.lead_id = {{lead}})"""
# "The first X by ..." as min() of an array of the sort keys (arrays compare element by
# element), not ORDER BY ... LIMIT 1 — plan-level sorts are off (see _SESSION) — nor an
# ordered aggregate, whose sort costs set-up in every claim: times as microseconds.
def _us(ts: str) -> str:
    return f"(extract(epoch from {ts}) * 1000000)::bigint"


_CB_FIRST = f"min(ARRAY[{_us('c.due_at')}, c.id, c.rep_id, (c.scope = 'mine')::int])"
_CALLBACK = f"""(SELECT min(c.due_at) AS due_at, ({_CB_FIRST})[3]::int AS rep_id,
        CASE ({_CB_FIRST})[4] WHEN 1 THEN 'mine' WHEN 0 THEN 'anyone' END AS scope
    FROM callbacks c WHERE c.lead_id = {{lead}} AND c.done_at IS NULL)"""


def _window(at: str) -> str:
    """The lead may be called at ``at``: inside the window in every zone of its number
    (the team's zone when it has none) — ``calling_window.outside_window``."""
    inside = "(({at} AT TIME ZONE {z})::time >= cfg.ws AND ({at} AT TIME ZONE {z})::time < cfg.we)"
    return (f"CASE WHEN json_typeof(l.time_zones) = 'array' AND json_array_length(l.time_zones) > 0 "
            f"THEN NOT EXISTS (SELECT 1 FROM json_array_elements_text(l.time_zones) AS z(name) "
            f"WHERE NOT {inside.format(at=at, z='z.name')}) "
            f"ELSE {inside.format(at=at, z='cfg.tz')} END")


# Another rep's lead, or one claimed under a live lease, is not this rep's to take.
# Generated from ``claim_rules.free_for`` (the lease rule of ``priority.lease_held``).
class _L:
    """The lead as this statement names it (``l``), for ``free_for``."""

    designation = literal_column("l.designation")
    owner_id = literal_column("l.owner_id")
    claimed_by_id = literal_column("l.claimed_by_id")
    lease_expires_at = literal_column("l.lease_expires_at")


_FREE = pg_text(free_for(_L, literal_column("cfg.rep"), literal_column("cfg.now")))
# Whether the lead was held under a live lease when locked (a renewal's tell), the same way.
_HELD = pg_text(lease_held_sql(_L.claimed_by_id, _L.lease_expires_at, literal_column("cfg.now")))

# The walks' bounds name the moment itself, not cfg.now: an index condition needs a value.
_NOW = "%(now)s::timestamptz"

# The three tiers' rows, each stream in its tier's order along its index, one after the
# other (UNION ALL is an Append: its children run in turn; SETUP rules out a parallel one).
# ``at``/``strength`` say where the row puts its lead in that order. The walk runs twice:
# over the leads nobody owns (``o.mine`` NULL: with the due callbacks, whoever owns them)
# and over the rep's own. Leads other reps own are in neither stream — the owner copy on
# each hand raise (migration 0005) keeps them out of both indexes — so a claim never walks
# past the leads the rest of the team has taken.
def _tier(tier: int, order: str, owner: str, bound: str) -> str:
    at = "deadline_at" if tier == 2 else "raised_at"
    return (f"(SELECT s.lead_id, {tier} AS tier, s.{at} AS at, s.strength FROM hand_raises s "
            f"WHERE {_OPEN_HR.format(a='s')} AND s.lead_owner_id {owner}{bound} ORDER BY {order})")


_CLOCK = order_sql(Tier.IN_CLOCK, "s")
_RECENT = order_sql(Tier.BREACHED, "s")
_CB_ORDER = order_sql(Tier.CALLBACK, "s")
_IN_CLOCK = f" AND s.deadline_at > {_NOW}"
_STREAM = f"""(
    (SELECT s.lead_id, 1 AS tier, s.due_at AS at, 0 AS strength FROM callbacks s
     WHERE o.mine IS NULL AND s.done_at IS NULL AND s.due_at <= {_NOW} ORDER BY {_CB_ORDER})
    UNION ALL {_tier(2, _CLOCK, "IS NULL AND o.mine IS NULL", _IN_CLOCK)}
    UNION ALL {_tier(2, _CLOCK, "= o.mine", _IN_CLOCK)}
    UNION ALL {_tier(3, _RECENT, "IS NULL AND o.mine IS NULL", "")}
    UNION ALL {_tier(3, _RECENT, "= o.mine", "")}) s"""

# Before a lead is locked (a lock is a write) and claimed, three checks each rule out
# what the rules would hold back, so the leads that stay at the head
# of the queue all day are passed over for the price of a probe: the row is the lead's own
# place in its tier's order (a lead with two open hand raises, or two callbacks, is met
# more than once; only one of those places is its own); the lead can be called now — or
# its due callback, promised inside the window, is still in its grace — or is one to email
# only (held back in its night otherwise); and it is not resting after an attempt (recycle
# delay, daily or lifetime cap) unless the voicemail + email combo is due or it is email
# only. Each is implied by the full rules that follow.
_EARLIER = "SELECT 1 FROM hand_raises o WHERE o.lead_id = s.lead_id AND " + _OPEN_HR.format(a="o")
_PLACE = f"""CASE s.tier
    WHEN 1 THEN NOT EXISTS (SELECT 1 FROM callbacks o WHERE o.lead_id = s.lead_id AND o.done_at IS NULL
                            AND o.due_at < s.at)
    WHEN 2 THEN NOT EXISTS ({_EARLIER} AND (o.deadline_at < s.at OR (o.deadline_at = s.at AND o.strength > s.strength)))
    ELSE NOT EXISTS ({_EARLIER} AND (o.raised_at > s.at OR (o.raised_at = s.at AND o.strength > s.strength)))
         AND EXISTS ({_EARLIER} AND o.deadline_at <= cfg.now) END"""
_CALLABLE = f"""(l.do_not_call OR l.phone IS NULL OR {_window('cfg.now')}
    OR (s.tier = 1 AND cfg.now - s.at <= interval '{CALLBACK_WINDOW_GRACE_MINUTES} minutes' AND {_window('s.at')})
    OR EXISTS (SELECT 1 FROM attempts a WHERE a.lead_id = l.id AND {_DEAD}))"""
# Held by its attempts only when the combo cannot be due: fewer live attempts today than
# the campaign's same-day number (one aggregate probe; none for a lead never attempted).
_RESTING = f"""(l.do_not_call OR l.phone IS NULL OR NOT EXISTS (SELECT 1 FROM campaigns c2
    CROSS JOIN LATERAL {_ATTEMPTS.format(lead='l.id')} x
    WHERE c2.id = l.campaign_id AND x.total > 0 AND x.dead = 0 AND x.live_today < c2.same_day_live_attempts
        AND (x.total >= c2.lifetime_cap OR x.today >= c2.daily_cap
             OR x.last_at + c2.min_gap_minutes * interval '1 minute' > cfg.now)))"""

# Places the client has already judged and turned down in this claim (``skip``): the
# lead's id times four, plus the tier for a lead that stands elsewhere in the queue, or
# plus nothing for a lead that is not this rep's to call now at all.
_SKIPPED = ("(s.lead_id::bigint * 4 = ANY(%(skip)s::bigint[]) "
            "OR s.lead_id::bigint * 4 + s.tier = ANY(%(skip)s::bigint[]))")

# Lazy and in queue order: a LATERAL per streamed row (the planner may not turn the walk
# into a join of every open lead followed by a sort) and LIMIT 1: the first lead that
# passes the checks and is not being taken by another claimer (locked, SKIP LOCKED). One
# walk in the plan, run once per stream. The rules themselves are not here: the client
# judges the lead the statement claims, with ``classify`` (the statement's fixed cost, not
# its rows, is what a claim pays for in a burst — see BENCHMARKS.md), and commits the
# claim or rolls it back and walks on past it.
_WALK = f"""SELECT l.id AS lead, s.tier, s.at, s.strength, l.was, l.held FROM {_STREAM}
    CROSS JOIN LATERAL (SELECT l.id, coalesce(l.claimed_by_id, 0) AS was,
            ({_HELD})::int AS held
        FROM leads l WHERE l.id = s.lead_id AND NOT {_SKIPPED}
        AND {_FREE} AND {_PLACE} AND {_CALLABLE} AND {_RESTING}
        FOR UPDATE SKIP LOCKED) l LIMIT 1"""

# The first of the two walks' leads in queue order (the lead's id decides a tie, so what
# follows it — who held the lead when it was locked, and whether under a live lease —
# rides along without changing the order).
_NEWEST_FIRST = ", ".join(map(str, newest_first_tiers()))
_FIRST = (f"min(ARRAY[w.tier, CASE WHEN w.tier IN ({_NEWEST_FIRST}) THEN -{_us('w.at')} "
          f"ELSE {_us('w.at')} END, -w.strength, w.lead, w.was, w.held])")
_PICK = f"""SELECT ARRAY[({_FIRST})[4], ({_FIRST})[1], ({_FIRST})[5], ({_FIRST})[6]]::int[] AS got
    FROM cfg CROSS JOIN LATERAL (VALUES (NULL::int), (cfg.rep)) o(mine)
    CROSS JOIN LATERAL ({_WALK}) w WHERE cfg.policy = 'priority' HAVING count(*) > 0"""


# ``candidates.LEAD`` as the claimed row (``t``) and its campaign (``cm``) name it.
_LEAD_SQL = {"lead_id": "t.id", "time_zones": "t.time_zones::text",
             **{n: f"cm.{n}" for n in ("same_day_live_attempts", "min_gap_minutes",
                                       "daily_cap", "lifetime_cap")}}
# The claim's answer, part by part (``_judged`` reads it by these names).
_ROW = Layout(("lead", len(LEAD)), ("hrs", 1), ("att", len(ATTEMPT_NAMES)),
              ("cb", len(CALLBACK)), ("cfg", 7), ("tier", 1), ("expires", 1))
# The audit and change-log rows, as every claim writes them (``claim_rules.claim_audit``):
# old is who held the lead when it was locked (``got[3]``); none for a renewal of a live
# lease the rep holds (``got[4]``).
_T, _C, _P = (table("taken", column("id", Integer)),
              table("cfg", column("rep", Integer), column("now"), column("rep_name", String)),
              table("pick", column("got", ARRAY(Integer))))
_AUDIT_ROW, _CHANGE_ROW = map(pg_text, claim_audit(
    _T.c.id, _C.c.rep, _C.c.now, _C.c.rep_name,
    old=select(User.name).where(User.id == _P.c.got[3]).scalar_subquery(),
    renewal=and_(_P.c.got[3] == _C.c.rep, _P.c.got[4] == 1)))

_CLAIM = f"""WITH {_CFG},
pick AS MATERIALIZED ({_PICK}),
taken AS (UPDATE leads l SET claimed_by_id = cfg.rep, claimed_at = cfg.now,
        lease_expires_at = cfg.now + cfg.lease, updated_at = cfg.now,
        version = l.version + 1
    FROM pick, cfg WHERE l.id = pick.got[1] AND {_FREE}
    RETURNING l.*),
audit_row AS ({_AUDIT_ROW}),
change_row AS ({_CHANGE_ROW})
SELECT {", ".join(_LEAD_SQL.get(n, "t." + n) for n in LEAD.names)},
    (SELECT json_agg(json_build_array({", ".join("h." + n for n in HAND_RAISE.names)}))
     FROM hand_raises h WHERE h.lead_id = t.id AND {_OPEN_HR.format(a='h')}),
    {", ".join("att." + n for n in ATTEMPT_NAMES)}, {", ".join("cb." + n for n in CALLBACK.names)},
    cfg.rep, cfg.tz, cfg.ws_raw, cfg.we_raw, cfg.handover_raw, cfg.lease_raw, cfg.policy,
    pick.got[2], cfg.now + cfg.lease
FROM taken t JOIN campaigns cm ON cm.id = t.campaign_id CROSS JOIN cfg CROSS JOIN pick
CROSS JOIN LATERAL {_ATTEMPTS.format(lead='t.id')} att
CROSS JOIN LATERAL {_CALLBACK.format(lead='t.id')} cb"""

# Per connection (the claim line serves claims only): plan the statement once (a custom
# plan per call costs more than the claim); no JIT for a statement that touches a few
# dozen rows; and walk the tiers along their indexes, never read-then-sort. The planner,
# expecting few rows to pass the rules, would rather read and sort every open hand raise —
# and a walk locks each lead it reads, so only a walk in index order locks no more than it
# passes. Literals are quoted by ``_literal``, which needs standard strings. A claim holds
# its lead locked between its two round trips, while the client judges it (well under a
# millisecond): a client that stalls right there (suspended, debugger) loses its session
# after a few seconds instead of holding the lead for as long as TCP takes to notice.
_SESSION = ("SET plan_cache_mode = force_generic_plan; SET jit = off; SET enable_seqscan = off; "
            "SET enable_sort = off; SET enable_bitmapscan = off; "
            "SET max_parallel_workers_per_gather = 0; SET standard_conforming_strings = on; "
            "SET idle_in_transaction_session_timeout = '5s'")


def _literal(value: str | datetime) -> str:
    text = value.isoformat() if isinstance(value, datetime) else value
    if "\0" in text:
        raise ValueError("a text value cannot contain NUL")
    return "'" + text.replace("'", "''") + "'"


# Server-side prepared once per connection: the statement is ~10 kB, which psycopg would
# re-parse for placeholders on every call, and planning it costs more than running it.
_ARGS = ("now", "name", "skip", *(k.replace(".", "_") for k in _SETTINGS))
_NAME = "qualdesk_claim_" + hashlib.sha1(_CLAIM.encode()).hexdigest()[:12]
_PREPARE = f"PREPARE {_NAME} AS " + _CLAIM.replace("%(name)s", "%(name)s::text") % {
    a: f"${i}" for i, a in enumerate(_ARGS, 1)}
# EXECUTE is a utility statement: no bind parameters, so the values go in as literals. It
# runs in a transaction of its own, opened in the same message: the claim and its audit
# rows commit together once the client has judged the lead, or not at all.
_EXECUTE = (f"BEGIN; EXECUTE {_NAME} ({{}}::timestamptz, {{}}::text, {{}}::bigint[]"
            f"{', {}::text' * (len(_ARGS) - 3)})")
# The settings' defaults (the statement uses them where the team has stored nothing).
_DEFAULTS = tuple(_literal(str(SPECS[k].default)) for k in _SETTINGS)
# A lead turned down is passed over by the next walk; past this many in one claim (the
# checks before the lock leave the rules little to refuse) Python ranks.
_TRIES = 16


class Walk(enum.Enum):
    """What a walk that claimed nothing found (nothing changed either way)."""

    EMPTY = "empty"  # nothing in tiers 1-3 is this rep's to take now
    UNAVAILABLE = "unavailable"  # the walk could not run or judge: rank in Python


@dataclass(frozen=True)
class Claimed:
    lead_id: int
    lease_expires_at: datetime
    entry: QueueEntry


def fast_claim(db: Database, rep_name: str, now: datetime) -> Claimed | Walk:
    """Claim the rep's next lead in tiers 1-3 on the server: ``Claimed``; ``Walk.EMPTY``
    when the walk has nothing for the rep there; ``Walk.UNAVAILABLE`` when it cannot run
    (another policy, a zone the server does not know, no connection...) — then the Python
    path ranks, and reports an unreachable database in its usual words."""
    import psycopg  # here, not at import: a SQLite client never loads psycopg

    rep = _literal(rep_name.strip().lower())
    skip: list[int] = []
    line = claim_line(db)
    try:
        with line.connection() as pg:
            if pg is None:
                return Walk.UNAVAILABLE
            if _NAME not in line.prepared:
                pg.execute(_SESSION + "; " + _PREPARE, prepare=False)
                line.prepared.add(_NAME)
            try:
                for _ in range(_TRIES):
                    passed = _literal("{" + ",".join(map(str, skip)) + "}")
                    cur = pg.execute(_EXECUTE.format(_literal(now), rep, passed, *_DEFAULTS), prepare=False)
                    cur.nextset()  # past BEGIN's result to the claim's
                    row = cur.fetchone()
                    if row is None:  # the walk met nothing — or another policy rules
                        pg.execute("ROLLBACK", prepare=False)
                        return Walk.EMPTY if _walks_policy(pg, rep_name) else Walk.UNAVAILABLE
                    verdict = _judged(row, now)
                    if isinstance(verdict, Claimed):
                        pg.execute("COMMIT", prepare=False)
                        return verdict
                    pg.execute("ROLLBACK", prepare=False)  # not this one: walk on past it
                    skip.append(verdict)
                return Walk.UNAVAILABLE
            finally:
                if not pg.closed and pg.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    pg.execute("ROLLBACK", prepare=False)  # failed inside: nothing was claimed
    except (psycopg.Error, ValueError) as exc:
        _give_up(line, exc)
        return Walk.UNAVAILABLE


def _give_up(line: ClaimLine, exc: Exception) -> None:
    """Nothing was claimed (the statement's transaction rolled back, or never ran); say
    why, and leave the connection fit for the next claim."""
    import psycopg

    if isinstance(exc, psycopg.OperationalError):
        line.drop()  # dead or unreachable: the next claim connects again
        return
    state = getattr(exc, "sqlstate", "") or ""
    if state == "26000":  # the prepared statement is gone (DISCARD ALL): prepare again
        line.prepared.discard(_NAME)
    elif state in ("22023", "22P02"):  # an unknown zone or a bad setting
        log.info("server-side claim cannot judge this queue (%s); ranking in Python", exc)
    else:
        log.warning("server-side claim failed (%s); ranking in Python", exc)


def _walks_policy(pg: Any, rep_name: str) -> bool:
    """Whether an empty answer means "nothing there": the rep exists and the team's queue
    order is the one the walk walks (``priority``; under ``fifo`` it is "not mine to say")."""
    policy, known = pg.execute(
        "SELECT (SELECT value FROM settings WHERE key = 'queue.policy'), "
        "EXISTS (SELECT 1 FROM users WHERE lower(name) = %s)",
        (rep_name.strip().lower(),), prepare=False).fetchone()
    return bool(known) and (policy or str(SPECS["queue.policy"].default)) == "priority"


def _judged(row: Any, now: datetime) -> Claimed | int:
    """The claimed lead judged by the domain's own rules: ``Claimed`` when it is this
    rep's to call now from the place the walk met it; else what to skip next — the lead's
    id times four, plus the tier when the lead stands elsewhere in the queue."""
    lead, (hrs_json,), att, cb = row[_ROW["lead"]], row[_ROW["hrs"]], row[_ROW["att"]], row[_ROW["cb"]]
    cfg, (tier,), (expires,) = row[_ROW["cfg"]], row[_ROW["tier"]], row[_ROW["expires"]]
    rep = cfg[0]
    times = slice(HAND_RAISE.index("raised_at"), None)  # JSON gives times as text
    hrs = [(*h[:times.start], *map(_ts, h[times])) for h in hrs_json or ()]
    cand = candidate(lead, hrs, att if att[0] else None, cb if cb[0] is not None else None, {})
    entry = classify(cand, rep, now, _policy(*cfg[1:]))
    if not isinstance(entry, QueueEntry):
        return lead[0] * 4
    if int(entry.tier) != tier:
        return lead[0] * 4 + tier
    return Claimed(lead[0], expires, entry)


@lru_cache(maxsize=8)
def _policy(*stored: str) -> QueuePolicy:
    return policy_from(team_settings.parse_stored(dict(zip(_SETTINGS, stored, strict=True))))


def _ts(v: str | None) -> datetime | None:
    return datetime.fromisoformat(v) if v is not None else None
