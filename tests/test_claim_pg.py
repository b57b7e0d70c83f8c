"""The server-side claim (qualdesk/services/claim_pg.py) against the domain's ranking.

The rules exist twice — ``priority.rank`` in Python for the queue view, SQL for the claim
on PostgreSQL — so these tests build random queues full of what makes ranking hard (equal
deadlines and hand raises at the same second with different strengths, two open hand
raises per lead, callbacks for anyone, for one rep, overdue past the hand-over, do not
call, no phone, dead numbers, caps and recycle delays, night and mixed zones, leads owned
or claimed by others) and check claim after claim that the server took exactly the head
of the rep's queue as ``rank`` orders it. On SQLite claim_next ranks in Python; the same
walk checks that path.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from qualdesk.db.engine import Database
from qualdesk.db.models import AuditEntry, Callback, Campaign, ChangeLog, Lead, User
from qualdesk.domain.priority import Tier
from qualdesk.errors import DatabaseUnavailable
from qualdesk.services import claim_pg, team_settings
from qualdesk.services import queue as q
from qualdesk.services.calls import log_call, schedule_callback
from qualdesk.services.hand_raises import add_hand_raise, stamp_email
from qualdesk.services.users import add_user
from tests.conftest import FrozenClock
from tests.factories import make_lead

DAY = "America/New_York"  # 10:00 at the frozen 15:00 UTC
NIGHT = "Asia/Tokyo"  # 00:00: outside the calling window
EDGE = "Asia/Dhaka"  # 21:00: the window has just closed; a callback due before 21:00 is in its grace
REPS = ("Ann", "Bob", "Cy", "Dee")
KINDS = (("contact_form", 85), ("demo_request", 90), ("white_paper", 60), ("page_visits", 40))


def _hand_raise(db: Database, lead_id: int, kind: str, strength: int, at: object) -> None:
    with db.session() as s:
        lead = s.get(Lead, lead_id)
        camp = s.scalar(select(Campaign).where(Campaign.is_default.is_(True)))
        assert lead is not None and camp is not None
        add_hand_raise(s, lead, camp, kind, strength, at)


def _random_queue(db: Database, frozen: FrozenClock, rng: random.Random, n: int = 36) -> list[int]:
    for name in REPS:
        add_user(db, name, "rep")
    now = frozen.t
    # Few distinct moments, so deadlines and raised times tie often.
    moments = [now - timedelta(minutes=m) for m in (1, 20, 20, 45, 59, 61, 90, 150, 300)]
    ids: list[int] = []
    dialled: list[int] = []  # only a lead with a phone has calls to log
    for i in range(n):
        zones = rng.choice([(DAY,), (DAY,), (DAY,), (NIGHT,), (DAY, NIGHT), (EDGE,), ()])
        phone = None if rng.random() < 0.06 else f"+1212555{i:04d}"
        kind, strength = rng.choice(KINDS)
        lid = make_lead(db, email=None if rng.random() < 0.05 else f"l{i}@x.test", phone=phone,
                        zones=zones, kind=None, raised_at=None)
        _hand_raise(db, lid, kind, strength, rng.choice(moments))
        if rng.random() < 0.35:
            kind2, strength2 = rng.choice(KINDS)
            _hand_raise(db, lid, kind2, strength2, rng.choice(moments))
        ids.append(lid)
        if phone is not None:
            dialled.append(lid)
    with db.session() as s:
        for lid in ids:
            lead = s.get(Lead, lid)
            assert lead is not None
            lead.do_not_call = rng.random() < 0.06
            lead.designation = rng.choice(["cold", "warm", "warm", "hot", "incubating"])
            if rng.random() < 0.08:
                lead.owner_id = rng.randint(1, len(REPS))
    for lid in rng.sample(ids, 8):
        due = now + timedelta(minutes=rng.choice([-70, -20, -16, -14, -3, -3, 30]))
        schedule_callback(db, lid, rng.choice(REPS), due, scope=rng.choice(["mine", "anyone"]))
    # Yesterday's attempts, and this morning's: caps, recycle delays, dead numbers.
    for lid in rng.sample(dialled, 10):
        frozen.t = now - timedelta(days=rng.choice([0, 1]), minutes=rng.choice([5, 30, 120]))
        log_call(db, lid, rng.choice(REPS), rng.choice(["no_answer", "busy", "left_voicemail",
                                                        "wrong_number", "no_answer"]))
    for lid in rng.sample(ids, 4):
        with db.session() as s:
            stamp_email(s, lid, now - timedelta(minutes=2))
    frozen.t = now
    return ids


def _expected(db: Database, rep: str) -> tuple[int | None, Tier | None]:
    entries = q.rep_queue(db, rep).entries
    return (entries[0].lead_id, entries[0].tier) if entries else (None, None)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_every_claim_is_the_head_of_the_ranked_queue(db: Database, frozen: FrozenClock,
                                                     seed: int) -> None:
    rng = random.Random(seed)
    _random_queue(db, frozen, rng)
    served_by_server = 0
    for turn in range(45):
        rep = rng.choice(REPS)
        want, tier = _expected(db, rep)
        if db.is_postgres and (tier is None or tier <= Tier.BREACHED):
            got = claim_pg.fast_claim(db, rep, frozen.t)
            if tier is None:  # nothing in tiers 1-3: the walk says so, it does not give up
                assert got is claim_pg.Walk.EMPTY, (seed, turn, rep)
                continue
            assert isinstance(got, claim_pg.Claimed), (seed, turn, rep, tier, got)
            assert got.lead_id == want, (seed, turn, rep, tier)
            lead_id, entry = got.lead_id, got.entry
            served_by_server += 1
            assert entry == q.rep_queue(db, rep).entries[0], (seed, turn)  # same reason shown
        else:
            claim = q.claim_next(db, rep)
            assert claim.lead_id == want, (seed, turn, rep, tier)
            if claim.lead_id is None:
                continue
            lead_id, entry = claim.lead_id, claim.entry
        if entry is not None and entry.next_action == "email_only":  # no call to log
            with db.session() as s:
                stamp_email(s, lead_id, frozen.t)
        else:
            log_call(db, lead_id, rep, rng.choice(["no_answer", "no_answer", "busy",
                                                   "left_voicemail", "wrong_number", "connected"]))
        frozen.advance(minutes=rng.choice([0, 1, 4, 11]))
    if db.is_postgres:
        assert served_by_server >= 15, served_by_server  # the walk really was exercised
        with db.engine.connect() as c:  # the owner copy the walk reads followed every change
            assert c.exec_driver_sql(
                "SELECT count(*) FROM hand_raises h JOIN leads l ON l.id = h.lead_id "
                "WHERE h.lead_owner_id IS DISTINCT FROM l.owner_id").scalar_one() == 0


@pytest.mark.parametrize("minutes_ago", [20, 90], ids=["in clock", "breached"])
def test_a_lead_stands_where_its_stronger_hand_raise_puts_it(db: Database, frozen: FrozenClock,
                                                             minutes_ago: int) -> None:
    """Two hand raises of one lead in the same second: the stronger one is its place. A
    lead between the two strengths comes after it, in the clock and in the breached tier."""
    add_user(db, "Ann", "rep")
    add_user(db, "Bob", "rep")
    at = frozen.t - timedelta(minutes=minutes_ago)
    both = make_lead(db, email="both@x.test", kind=None)
    _hand_raise(db, both, "white_paper", 60, at)
    _hand_raise(db, both, "demo_request", 90, at)
    between = make_lead(db, email="between@x.test", kind=None)
    _hand_raise(db, between, "contact_form", 85, at)
    assert [e.lead_id for e in q.rep_queue(db, "Ann").entries] == [both, between]
    assert q.claim_next(db, "Ann").lead_id == both
    assert q.claim_next(db, "Bob").lead_id == between


def test_a_callback_promised_before_the_window_closed_is_called_in_its_grace(
        db: Database, frozen: FrozenClock) -> None:
    """21:00 in Dhaka, the window just closed: the callback promised for 20:40 is called
    (tier 1); the one promised for 19:50 is past its grace and the lead with only a hand
    raise waits for the morning, like every lead in its night."""
    add_user(db, "Ann", "rep")
    add_user(db, "Bob", "rep")
    fresh = make_lead(db, email="fresh@x.test", zones=(EDGE,), kind=None, raised_at=None)
    stale = make_lead(db, email="stale@x.test", zones=(EDGE,), kind=None, raised_at=None)
    make_lead(db, email="raised@x.test", zones=(EDGE,), raised_at=frozen.t - timedelta(minutes=5))
    schedule_callback(db, fresh, "Ann", frozen.t - timedelta(minutes=20), scope="anyone")
    schedule_callback(db, stale, "Ann", frozen.t - timedelta(minutes=70), scope="anyone")
    claim = q.claim_next(db, "Bob")
    assert (claim.lead_id, claim.entry and claim.entry.tier) == (fresh, Tier.CALLBACK)
    assert q.claim_next(db, "Ann").lead_id is None


def test_claim_is_audited_and_leased(db: Database, frozen: FrozenClock) -> None:
    add_user(db, "Ann", "rep")
    lead = make_lead(db, raised_at=frozen.t - timedelta(minutes=10))
    with db.session(write=False) as s:
        version = s.get(Lead, lead).version  # type: ignore[union-attr]
    claim = q.claim_next(db, "Ann")
    assert claim.lead_id == lead
    assert claim.lease_expires_at == frozen.t + timedelta(minutes=15)
    assert claim.entry is not None and claim.entry.reason == "contact form, 50 min left on the clock"
    with db.session(write=False) as s:
        row = s.get(Lead, lead)
        # Leased, not owned: ownership comes with the first attempt, so a claim that
        # lapses (a client that died) leaves the lead to the whole team.
        assert row is not None and row.claimed_by_id is not None and row.owner_id is None
        assert row.version == version + 1
        audit = s.scalars(select(AuditEntry).where(AuditEntry.lead_id == lead)).all()
        assert [(a.action, a.field, a.new) for a in audit][-1] == ("claim", "claimed_by", "Ann")
        assert [a.action for a in audit].count("claim") == 1
        assert s.scalar(select(ChangeLog.kind).where(ChangeLog.lead_id == lead)
                        .order_by(ChangeLog.id.desc())) == "claim"
    # Held under a live lease: nobody else gets it, and then nothing is left.
    add_user(db, "Bob", "rep")
    assert q.claim_next(db, "Bob").lead_id is None


@pytest.mark.parametrize("way", ["next", "next fifo", "named"])
def test_a_lead_held_again_renews_its_lease_and_is_audited_once(db: Database, frozen: FrozenClock,
                                                                 way: str) -> None:
    """"Next lead" pressed while holding a lead (or the lead picked again) renews the
    lease: one claim in the audit log. A lease that lapsed is claimed anew, from its
    holder — on the server walk, the Python ranking (fifo) and a named claim alike."""
    add_user(db, "Ann", "rep")
    lead = make_lead(db, raised_at=frozen.t - timedelta(minutes=10))
    if way == "next fifo":
        team_settings.set_value(db, "queue.policy", "fifo")

    def claim() -> q.Claim:
        return q.claim_lead(db, lead, "Ann") if way == "named" else q.claim_next(db, "Ann")

    def claims() -> list[tuple[str | None, str | None]]:
        with db.session(write=False) as s:
            return [tuple(r) for r in s.execute(  # type: ignore[misc]
                select(AuditEntry.old, AuditEntry.new).where(AuditEntry.action == "claim")
                .order_by(AuditEntry.id))]

    assert claim().lead_id == lead
    frozen.advance(minutes=5)
    again = claim()
    assert (again.lead_id, again.lease_expires_at) == (lead, frozen.t + timedelta(minutes=15))
    assert claims() == [(None, "Ann")]
    frozen.advance(minutes=16)  # the lease lapsed: a new claim, taken from the old holder
    assert claim().lead_id == lead
    assert claims() == [(None, "Ann"), ("Ann", "Ann")]


def test_a_lead_given_back_goes_to_the_next_rep(db: Database, frozen: FrozenClock) -> None:
    """"Give back" returns the lead to the team: the claim and the rep's ownership end, a
    callback the rep promised on it becomes anyone's, and the next rep's claim takes it."""
    add_user(db, "Ann", "rep")
    add_user(db, "Bob", "rep")
    lead = make_lead(db, raised_at=frozen.t - timedelta(minutes=10))
    assert q.claim_next(db, "Ann").lead_id == lead
    assert q.claim_next(db, "Bob").lead_id is None  # held under Ann's lease
    log_call(db, lead, "Ann", "no_answer")  # her first attempt: the lead is hers now
    frozen.advance(minutes=11)  # past the recycle delay
    assert q.claim_next(db, "Bob").lead_id is None  # owned by Ann
    assert q.claim_next(db, "Ann").lead_id == lead
    schedule_callback(db, lead, "Ann", frozen.t + timedelta(hours=2), scope="mine")
    assert q.release(db, lead, "Bob").leads == ()  # not Bob's to give back
    assert q.release(db, lead, "Ann").leads == (lead,)
    assert q.claim_next(db, "Bob").lead_id == lead
    with db.session(write=False) as s:
        row = s.get(Lead, lead)
        bob = s.scalar(select(User.id).where(User.name == "Bob"))
        assert row is not None and row.owner_id is None and row.claimed_by_id == bob
        assert s.scalar(select(Callback.scope).where(Callback.lead_id == lead)) == "anyone"
        trail = s.execute(select(AuditEntry.action, AuditEntry.field, AuditEntry.old, AuditEntry.new)
                          .where(AuditEntry.lead_id == lead, AuditEntry.action.in_(("claim", "release")))
                          .order_by(AuditEntry.id)).all()
    assert [tuple(t) for t in trail] == [
        ("claim", "claimed_by", None, "Ann"), ("claim", "claimed_by", None, "Ann"),
        ("release", "claimed_by", "Ann", None), ("release", "owner", "Ann", None),
        ("claim", "claimed_by", None, "Bob")]


def test_a_lapsed_claim_leaves_the_lead_to_the_team(db: Database, frozen: FrozenClock) -> None:
    """A client that dies (or a rep who walks away) mid-claim: when the lease runs out the
    lead is the team's again — the next rep's claim takes it."""
    add_user(db, "Ann", "rep")
    add_user(db, "Bob", "rep")
    lead = make_lead(db, raised_at=frozen.t - timedelta(minutes=10))
    assert q.claim_next(db, "Ann").lead_id == lead
    frozen.advance(minutes=14)
    assert q.claim_next(db, "Bob").lead_id is None  # Ann's lease still runs
    frozen.advance(minutes=2)
    assert q.claim_next(db, "Bob").lead_id == lead



def test_settings_are_read_by_the_server(db: Database, frozen: FrozenClock) -> None:
    """A calling window that has closed in New York holds the lead back on both paths."""
    add_user(db, "Ann", "rep")
    make_lead(db, raised_at=frozen.t - timedelta(minutes=10))
    team_settings.set_value(db, "calling.window_end", "09:30")  # 10:00 in New York now
    assert q.claim_next(db, "Ann").lead_id is None
    team_settings.set_value(db, "calling.window_end", "21:00")
    team_settings.set_value(db, "claim.lease_minutes", "7")
    assert q.claim_next(db, "Ann").lease_expires_at == frozen.t + timedelta(minutes=7)


def test_what_the_walk_leaves_to_python(db: Database, frozen: FrozenClock) -> None:
    """Re-touches (tier 4), the fifo order and a zone PostgreSQL does not know are ranked in
    Python: the server claims nothing and changes nothing, claim_next still claims."""
    add_user(db, "Ann", "rep")
    frozen.t -= timedelta(days=1)
    retry = make_lead(db, email="r@x.test")
    log_call(db, retry, "Ann", "no_answer")
    with db.session() as s:
        stamp_email(s, retry, frozen.t)
        s.execute(update(Lead).where(Lead.id == retry).values(designation="warm"))
    frozen.t += timedelta(days=1)
    q.release(db, retry, "Ann")
    if db.is_postgres:
        assert claim_pg.fast_claim(db, "Ann", frozen.t) is claim_pg.Walk.EMPTY
    claim = q.claim_next(db, "Ann")
    assert claim.lead_id == retry and claim.entry is not None and claim.entry.tier == Tier.RETOUCH

    # Python skips a zone it does not know (the team's zone judges); PostgreSQL refuses it.
    odd = make_lead(db, email="o@x.test", zones=("Mars/Olympus_Mons",),
                    raised_at=frozen.t - timedelta(minutes=30))
    make_lead(db, email="f@x.test", raised_at=frozen.t - timedelta(minutes=5))
    if db.is_postgres:
        assert claim_pg.fast_claim(db, "Ann", frozen.t) is claim_pg.Walk.UNAVAILABLE
    assert q.claim_next(db, "Ann").lead_id == odd

    team_settings.set_value(db, "queue.policy", "fifo")
    if db.is_postgres:
        assert claim_pg.fast_claim(db, "Ann", frozen.t) is claim_pg.Walk.UNAVAILABLE
    assert q.claim_next(db, "Ann").lead_id is not None


def test_an_unreachable_server_is_reported_as_usual(frozen: FrozenClock) -> None:
    """Nothing listens on the port: the server-side claim steps aside and claim_next says
    'database unavailable' (the words the banner and the offline outbox know)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # free once closed: nobody listens there
    db = Database(f"postgresql://nobody@127.0.0.1:{port}/qualdesk")
    assert claim_pg.fast_claim(db, "Ann", frozen.t) is claim_pg.Walk.UNAVAILABLE
    with pytest.raises(DatabaseUnavailable):
        q.claim_next(db, "Ann")
    db.dispose()


def test_a_killed_claim_connection_is_replaced(pg_template: str, frozen: FrozenClock) -> None:
    """The claim's own connection skips the pool's ping; when the server has dropped it
    (killed here by the server itself), the claim is ranked through the pool instead and
    the next one reconnects."""
    from sqlalchemy import text

    from qualdesk.services.claim_line import claim_line
    from tests.conftest import drop_pg, new_pg_url

    url = new_pg_url(pg_template)
    db = Database(url)
    try:
        add_user(db, "Ann", "rep")
        first = make_lead(db, email="a@x.test", raised_at=frozen.t - timedelta(minutes=30))
        second = make_lead(db, email="b@x.test", raised_at=frozen.t - timedelta(minutes=20))
        third = make_lead(db, email="c@x.test", raised_at=frozen.t - timedelta(minutes=10))
        assert q.claim_next(db, "Ann").lead_id == first
        with claim_line(db).connection() as pg:
            pid = pg.info.backend_pid
        with db.engine.connect() as c:
            c.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        log_call(db, first, "Ann", "connected")
        assert q.claim_next(db, "Ann").lead_id == second  # through the pool
        log_call(db, second, "Ann", "connected")
        got = claim_pg.fast_claim(db, "Ann", frozen.t)  # a new connection of its own
        assert isinstance(got, claim_pg.Claimed) and got.lead_id == third
        with claim_line(db).connection() as pg:
            assert pg.info.backend_pid != pid
            # A client stalled between the claim's two round trips cannot hold its lead
            # locked for long: the server ends such a session.
            assert pg.execute("SHOW idle_in_transaction_session_timeout").fetchone()[0] == "5s"
    finally:
        db.dispose()
        drop_pg(url)
