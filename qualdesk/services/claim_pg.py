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
``None``: the caller falls back to ranking in Python.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from functools import lru_cache
from typing import Any

from qualdesk.db.engine import Database
from qualdesk.domain.codes import DEAD_NUMBER, VOICEMAIL
from qualdesk.domain.designation import OPEN
from qualdesk.domain.priority import (
    CALLBACK_WINDOW_GRACE_MINUTES,
    QueueEntry,
    QueuePolicy,
    classify,
)
from qualdesk.services import team_settings
from qualdesk.services.claim_line import ClaimLine, claim_line
from qualdesk.settings import SPECS

log = logging.getLogger(__name__)

_OPEN_HR = "({a}.first_call_at IS NULL OR {a}.first_email_at IS NULL)"
_SETTINGS = ("team.timezone", "calling.window_start", "calling.window_end",
             "queue.callback_handover_minutes", "claim.lease_minutes", "queue.policy")
_DESIGNATIONS = ", ".join(f"'{d.value}'" for d in sorted(OPEN, key=lambda d: d.value))
_DEAD = ", ".join(f"'{c}'" for c in sorted(DEAD_NUMBER))


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
        count(*) FILTER (WHERE a.disposition IN ({_DEAD})) AS dead
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
_FREE = (f"l.designation IN ({_DESIGNATIONS}) AND (l.owner_id IS NULL OR l.owner_id = cfg.rep) "
         "AND (l.claimed_by_id IS NULL OR l.lease_expires_at IS NULL "
         "OR l.lease_expires_at <= cfg.now OR l.claimed_by_id = cfg.rep)")

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


_CLOCK = "s.deadline_at, s.strength DESC, s.lead_id"
_RECENT = "s.raised_at DESC, s.strength DESC, s.lead_id"
_IN_CLOCK = f" AND s.deadline_at > {_NOW}"
_STREAM = f"""(
    (SELECT s.lead_id, 1 AS tier, s.due_at AS at, 0 AS strength FROM callbacks s
     WHERE o.mine IS NULL AND s.done_at IS NULL AND s.due_at <= {_NOW} ORDER BY s.due_at, s.lead_id)
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
    OR EXISTS (SELECT 1 FROM attempts a WHERE a.lead_id = l.id AND a.disposition IN ({_DEAD})))"""
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
            coalesce((l.lease_expires_at > cfg.now)::int, 0) AS held
        FROM leads l WHERE l.id = s.lead_id AND NOT {_SKIPPED}
        AND {_FREE} AND {_PLACE} AND {_CALLABLE} AND {_RESTING}
        FOR UPDATE SKIP LOCKED) l LIMIT 1"""

# The first of the two walks' leads in queue order (the lead's id decides a tie, so what
# follows it — who held the lead when it was locked, and whether under a live lease —
# rides along without changing the order).
_FIRST = (f"min(ARRAY[w.tier, CASE WHEN w.tier < 3 THEN {_us('w.at')} ELSE -{_us('w.at')} END, "
          "-w.strength, w.lead, w.was, w.held])")
_PICK = f"""SELECT ARRAY[({_FIRST})[4], ({_FIRST})[1], ({_FIRST})[5], ({_FIRST})[6]]::int[] AS got
    FROM cfg CROSS JOIN LATERAL (VALUES (NULL::int), (cfg.rep)) o(mine)
    CROSS JOIN LATERAL ({_WALK}) w WHERE cfg.policy = 'priority' HAVING count(*) > 0"""


_CLAIM = f"""WITH {_CFG},
pick AS MATERIALIZED ({_PICK}),
taken AS (UPDATE leads l SET claimed_by_id = cfg.rep, claimed_at = cfg.now,
        lease_expires_at = cfg.now + cfg.lease, updated_at = cfg.now,
        version = l.version + 1
    FROM pick, cfg WHERE l.id = pick.got[1] AND {_FREE}
    RETURNING l.*),
audit_row AS (INSERT INTO audit_requests (lead_id, user_id, at, action, field, old, new)
    SELECT taken.id, cfg.rep, cfg.now, 'claim', 'claimed_by',
        (SELECT u.name FROM users u WHERE u.id = pick.got[3]), cfg.rep_name
    FROM taken, cfg, pick WHERE NOT (pick.got[3] = cfg.rep AND pick.got[4] = 1)),
change_row AS (INSERT INTO change_log (at, kind, lead_id) SELECT cfg.now, 'claim', taken.id FROM taken, cfg)
SELECT t.id, t.designation, t.owner_id, t.claimed_by_id, t.lease_expires_at, t.do_not_call,
    t.phone, t.email, t.time_zones::text, t.retouch_at, cm.same_day_live_attempts,
    cm.min_gap_minutes, cm.daily_cap, cm.lifetime_cap,
    (SELECT json_agg(json_build_array(h.lead_id, h.kind, h.strength, h.raised_at, h.deadline_at,
                                      h.first_call_at, h.first_email_at))
     FROM hand_raises h WHERE h.lead_id = t.id AND {_OPEN_HR.format(a='h')}),
    att.total, att.today, att.live_today, att.last_at, att.dead, cb.due_at, cb.rep_id, cb.scope,
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


def fast_claim(db: Database, rep_name: str, now: datetime) -> tuple[int, datetime, QueueEntry] | None:
    """Claim the rep's next lead in tiers 1-3 on the server: (lead, lease end, entry), or
    ``None`` when the walk has nothing for the rep or cannot run (then nothing changed, and
    the Python path ranks — and reports an unreachable database in its usual words)."""
    import psycopg  # here, not at import: a SQLite client never loads psycopg

    rep = _literal(rep_name.strip().lower())
    skip: list[int] = []
    line = claim_line(db)
    try:
        with line.connection() as pg:
            if pg is None:
                return None
            if _NAME not in line.prepared:
                pg.execute(_SESSION + "; " + _PREPARE, prepare=False)
                line.prepared.add(_NAME)
            try:
                for _ in range(_TRIES):
                    passed = _literal("{" + ",".join(map(str, skip)) + "}")
                    cur = pg.execute(_EXECUTE.format(_literal(now), rep, passed, *_DEFAULTS), prepare=False)
                    cur.nextset()  # past BEGIN's result to the claim's
                    row = cur.fetchone()
                    verdict = None if row is None else _judged(row, now)
                    if not isinstance(verdict, int):
                        pg.execute("COMMIT" if verdict else "ROLLBACK", prepare=False)
                        return verdict
                    pg.execute("ROLLBACK", prepare=False)  # not this one: walk on past it
                    skip.append(verdict)
                return None
            finally:
                if not pg.closed and pg.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    pg.execute("ROLLBACK", prepare=False)  # failed inside: nothing was claimed
    except (psycopg.Error, ValueError) as exc:
        _give_up(line, exc)
        return None


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


def _judged(row: Any, now: datetime) -> tuple[int, datetime, QueueEntry] | int:
    """The claimed lead judged by the domain's own rules: (lead, lease end, entry) when it
    is this rep's to call now from the place the walk met it; else what to skip next —
    the lead's id times four, plus the tier when the lead stands elsewhere in the queue."""
    from qualdesk.services.queue import _candidate

    lead, hrs_json, att, cb = row[:14], row[14], row[15:20], row[20:23]
    rep, tz, ws, we, handover, lease, policy, tier, expires = row[23:32]
    hrs = [(h[0], h[1], h[2], *map(_ts, h[3:])) for h in hrs_json or ()]
    cand = _candidate(lead, hrs, att if att[0] else None, cb if cb[0] is not None else None, {})
    entry = classify(cand, rep, now, _policy(tz, ws, we, handover, lease, policy))
    if not isinstance(entry, QueueEntry):
        return lead[0] * 4
    if int(entry.tier) != tier:
        return lead[0] * 4 + tier
    return lead[0], expires, entry


@lru_cache(maxsize=8)
def _policy(*stored: str) -> QueuePolicy:
    from qualdesk.services.queue import policy_from

    return policy_from(team_settings.parse_stored(dict(zip(_SETTINGS, stored, strict=True))))


def _ts(v: str | None) -> datetime | None:
    return datetime.fromisoformat(v) if v is not None else None
