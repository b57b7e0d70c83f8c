"""How low can claim-next go without a walk? Its own machinery over a trivial pick.

    python bench/bench_claim_bound.py [--repeat 3]

The same day, harness and phases as ``bench_claim.py`` (bare, writes, qualdesk), plus
``bound``: ``claim_next`` exactly as shipped — two round trips, the facts returned, the
lead judged by ``classify``, lease, audit and change-log rows — except that the
walk through the queue is replaced by "the lowest free lead" (a partial index, SKIP
LOCKED: the bare loop's own pick) and the judge's verdict is not acted on. No ranking
design that keeps this machinery can claim faster than ``bound``; its p95 ratio to bare
is the floor under the 2x target (see BENCHMARKS.md). Builds the variant from the
shipped module's source and fails loudly if that source no longer has the parts it
replaces.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import types
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_claim as b  # noqa: E402

_TRIVIAL_PICK = '''
_PICK = """SELECT ARRAY[l.id, 2, 0, 0]::int[] AS got FROM cfg CROSS JOIN LATERAL (
    SELECT l.id FROM leads l WHERE l.owner_id IS NULL AND l.claimed_by_id IS NULL
    ORDER BY l.id LIMIT 1 FOR UPDATE SKIP LOCKED) l"""
'''
_VERDICT = ("    if not isinstance(entry, QueueEntry):\n        return lead[0] * 4\n"
            "    if int(entry.tier) != tier:\n        return lead[0] * 4 + tier\n")
_PREPARE = '_PREPARE = f"PREPARE {_NAME} AS "'
_TYPED = '_PREPARE = f"PREPARE {_NAME} (timestamptz, text, bigint[]" + ", text" * (len(_ARGS) - 3) + ") AS "'


def bound_claim_module() -> types.ModuleType:
    """claim_pg with the walk replaced by a trivial pick (parameters typed: the trivial
    statement no longer says what $3, the skip list, is)."""
    import qualdesk.services.claim_pg as shipped

    src = Path(shipped.__file__).read_text()
    for part in (_VERDICT, _PREPARE, "\n\n_CLAIM = "):
        if part not in src:
            raise SystemExit(f"claim_pg changed: cannot find {part!r}; update this bench")
    src = src.replace(_VERDICT, "").replace(_PREPARE, _TYPED)
    i = src.index("\n\n_CLAIM = ")
    src = src[:i] + "\n" + _TRIVIAL_PICK + src[i:]
    mod = types.ModuleType("claim_pg_bound")
    mod.__file__ = shipped.__file__
    sys.modules[mod.__name__] = mod  # dataclasses look their module up there
    exec(compile(src, "claim_pg_bound", "exec"), mod.__dict__)
    return mod


class Bound(b.QualDesk):
    def setup(self, i: int) -> Any:
        import qualdesk.services.queue as q

        q.fast_claim = bound_claim_module().fast_claim  # in this rep's own process
        return super().setup(i)


def reset(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as c:
        c.execute("UPDATE leads SET claimed_by_id = NULL, claimed_at = NULL, owner_id = NULL, "
                  "lease_expires_at = NULL")
        c.execute("DELETE FROM audit_log")
        c.execute("DELETE FROM change_log")
        c.execute("VACUUM ANALYZE")


def one_run(base_url: str, r: int) -> tuple[float, float]:
    import psycopg

    with psycopg.connect(base_url, autocommit=True) as c:
        c.execute(f"CREATE DATABASE bound{r}")
    url = base_url.rsplit("/", 1)[0] + f"/bound{r}"
    b.seed(url, 50, 3000)
    s_bare = b.run("processes", 50, 8, b.Bare(url))
    s_writes = b.run("processes", 50, 8, b.Writes(url))
    reset(url)
    s_qd = b.run("processes", 50, 8, b.QualDesk(url))
    reset(url)
    with psycopg.connect(url, autocommit=True) as c:  # the trivial pick's own index
        c.execute("CREATE INDEX ix_bound_free ON leads (id) "
                  "WHERE owner_id IS NULL AND claimed_by_id IS NULL")
    s_bound = b.run("processes", 50, 8, Bound(url))
    print(f"run {r + 1}")
    p = {name: b.report(name, spans) for name, spans in
         (("bare", s_bare), ("writes", s_writes), ("qualdesk", s_qd), ("bound", s_bound))}
    print(f"p95 ratios to bare: writes {p['writes'] / p['bare']:.2f}x, "
          f"bound {p['bound'] / p['bare']:.2f}x, qualdesk {p['qualdesk'] / p['bare']:.2f}x")
    with psycopg.connect(base_url, autocommit=True) as c:
        c.execute(f"DROP DATABASE bound{r} WITH (FORCE)")
    return p["bound"] / p["bare"], p["qualdesk"] / p["bare"]


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    env = b.start_cluster()
    try:
        ratios = [one_run(env["URL"], r) for r in range(args.repeat)]
    finally:
        b.stop_cluster(env["PGTMP"])
    print(f"medians of {args.repeat}: bound/bare {statistics.median(r[0] for r in ratios):.2f}x, "
          f"qualdesk/bare {statistics.median(r[1] for r in ratios):.2f}x (target <= 2x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
