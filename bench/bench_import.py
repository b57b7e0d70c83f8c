"""Lead import at scale: 100,000 generated leads with messy phones into a fresh SQLite
database (or ``--db URL``, or a fresh database on the PostgreSQL server ``--pg ADMIN_URL``
names, e.g. the one ``source tools/pg.sh && pg_start`` starts). Target: < 15 s, with
progress.

The baseline, measured in the same run, is the unavoidable part: reading the CSV and
parsing + validating every phone with ``phonenumbers`` (no database, no caches). The
ratio import / baseline says how much our own work (matching, hand raises, inserts) adds,
and is steadier than the seconds on a shared machine. Progress: how many reports the
import made and the longest wait between two (what a progress bar would show).

    python bench/bench_import.py [--rows 100000] [--db URL | --pg ADMIN_URL] [--repeat N]
    python bench/bench_import.py --memory 20000,80000 [--pg ADMIN_URL]

``--memory``: peak RSS of a whole import (into a fresh database) in a child process of
its own, per file size, and of reading the file alone (the baseline: the same
interpreter and imports, one pass over the rows), so growth with the row count shows
(the child's ``resource.getrusage(RUSAGE_SELF).ru_maxrss``). ``import/read`` is the
ratio to that baseline, ``import s`` the child's whole run (start-up included). A 200 MB
file is about 1,850,000 rows.

Each run prints the 1-minute load average at its start: on a shared box, compare runs
made at similar loads, or the ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import phonenumbers  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from qualdesk.db.engine import Database, normalise_url  # noqa: E402
from qualdesk.db.migrate import upgrade  # noqa: E402
from qualdesk.services.intake.import_leads import LeadImportOptions, import_leads  # noqa: E402

AREAS = ("212", "646", "617", "312", "415", "206", "713", "305", "404", "503")
KINDS = ("demo request", "contact form", "asset download", "chat", "called in", "")


def messy_phone(rnd: random.Random) -> str:
    n = f"{rnd.choice(AREAS)}{rnd.randint(200, 999)}{rnd.randint(0, 9999):04d}"
    a, b, c = n[:3], n[3:6], n[6:]
    style = rnd.randrange(8)
    out = [f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", f"+1 {a} {b} {c}", n,
           f"1-{a}-{b}-{c}", f"{a}-{b}-{c} x{rnd.randint(1, 9999)}", f"{a}555{c}"][style]
    return out


def generate(path: Path, rows: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["First Name", "Last Name", "Company", "Email", "Phone", "Mobile Phone",
                    "Country", "Lead Source", "hand_raise", "hand_raised_at"])
        for i in range(rows):
            kind = rnd.choice(KINDS)
            at = f"2026-11-{rnd.randint(1, 22):02d}T{rnd.randint(0, 23):02d}:{rnd.randint(0, 59):02d}:00Z" \
                if kind else ""
            # ~3% repeat an earlier email: they merge and add a hand raise.
            e = rnd.randrange(i) if i and rnd.random() < 0.03 else i
            w.writerow([f"First{i}", f"Last{i}", f"Company {i % 5000}", f"lead{e}@example.com",
                        messy_phone(rnd), messy_phone(rnd) if rnd.random() < 0.4 else "",
                        rnd.choice(("USA", "US", "United States", "")), "Web", kind, at])


def baseline(path: Path) -> float:
    t = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for raw in (row["Phone"], row["Mobile Phone"]):
                if raw:
                    with contextlib.suppress(phonenumbers.NumberParseException):
                        phonenumbers.is_valid_number(phonenumbers.parse(raw, "US"))
    return time.perf_counter() - t


class ProgressLog:
    def __init__(self) -> None:
        self.times: list[float] = [time.perf_counter()]

    def __call__(self, done: int, total: int) -> None:
        self.times.append(time.perf_counter())

    def longest_gap(self) -> float:
        return max(b - a for a, b in zip(self.times, self.times[1:], strict=False))


@contextlib.contextmanager
def fresh_pg_database(admin_url: str) -> Iterator[str]:
    """A new, empty database on the server ``admin_url`` names; dropped afterwards."""
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    name = f"qd_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{admin_url.rpartition('/')[0]}/{name}"
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def server_cpu(admin_url: str | None) -> float | None:
    """CPU seconds the local PostgreSQL server has used (the postmaster, its live children
    and the children it reaped), or None when it cannot be read (not local, no rights).
    On a shared box, client CPU + server CPU is steadier than wall time."""
    if not admin_url:
        return None
    try:
        eng = create_engine(normalise_url(admin_url))
        with eng.connect() as c:
            data = Path(c.execute(text("SHOW data_directory")).scalar_one())
        eng.dispose()
        master = int((data / "postmaster.pid").read_text().split()[0])
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError):
                f = stat.read_text().rsplit(")", 1)[1].split()
                pid, ppid = int(stat.parent.name), int(f[1])
                if pid == master:
                    total += sum(int(x) for x in f[11:15])  # utime stime cutime cstime
                elif ppid == master:
                    total += int(f[11]) + int(f[12])
        return total / tick
    except Exception:  # noqa: BLE001 - a figure we can do without
        return None


def run_once(args: argparse.Namespace, src: Path, tmp: str, n: int) -> dict[str, float]:
    with contextlib.ExitStack() as stack:
        url = args.db or (stack.enter_context(fresh_pg_database(args.pg)) if args.pg
                          else f"sqlite:///{Path(tmp) / f'bench{n}.sqlite3'}")
        db = Database(url)
        upgrade(db)
        load = load_average()
        base = baseline(src)
        log = ProgressLog()
        server = server_cpu(args.pg)
        t, cpu = time.perf_counter(), time.process_time()
        result = import_leads(db, src, LeadImportOptions(skip_bad=True), progress=log)
        took, cpu = time.perf_counter() - t, time.process_time() - cpu
        db.dispose()
        time.sleep(0.3)  # the import's backend exits and is reaped
        after = server_cpu(args.pg)
        server_text = "" if server is None or after is None else \
            f", server CPU {after - server:.2f} s"
    print(f"run {n}: load {load}, import {took:.2f} s (CPU of this process {cpu:.2f} s"
          f"{server_text}), "
          f"baseline {base:.2f} s, ratio {took / base:.2f}, {len(log.times) - 1} progress "
          f"reports, longest gap {log.longest_gap():.2f} s; imported / merged "
          f"{result.imported} / {result.merged}, rejected rows {len(result.rejected_rows)}, "
          f"hand raises {result.hand_raises}")
    return {"took": took, "base": base, "ratio": took / base, "gap": log.longest_gap()}


def _child(mode: str, src: str, url: str) -> None:
    """In a fresh process: read the file (``read``) or import it (``import``); prints the
    process's own peak RSS in KiB (getrusage(RUSAGE_SELF).ru_maxrss on Linux)."""
    import resource

    if mode == "read":
        from qualdesk.services.intake.csv_source import read_table

        t = read_table(src)
        rows = [len(t)] if isinstance(t.rows, tuple) else [sum(1 for _ in t.numbered())]
        assert rows[0] > 0
    else:
        db = Database(url)
        upgrade(db)
        import_leads(db, Path(src), LeadImportOptions(skip_bad=True))
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def peak_rss_mb(mode: str, src: Path, url: str) -> float:
    import subprocess

    out = subprocess.run([sys.executable, __file__, "--child", mode, str(src), url],
                         check=True, capture_output=True, text=True).stdout
    return int(out.split()[-1]) / 1024


def memory(args: argparse.Namespace) -> int:
    sizes = [int(x) for x in args.memory.split(",")]
    print(f"{'rows':>8} {'file MB':>8} {'read MB':>8} {'import MB':>10} {'import/read':>12} "
          f"{'import/file':>12} {'import s':>9}")
    for rows in sorted(sizes):
        with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
            src = Path(tmp) / "leads.csv"
            generate(src, rows)
            url = stack.enter_context(fresh_pg_database(args.pg)) if args.pg \
                else f"sqlite:///{Path(tmp) / 'mem.sqlite3'}"
            file_mb = src.stat().st_size / 2**20
            read_mb = peak_rss_mb("read", src, url)
            t = time.perf_counter()
            imp_mb = peak_rss_mb("import", src, url)
            took = time.perf_counter() - t
            print(f"{rows:>8} {file_mb:>8.1f} {read_mb:>8.0f} {imp_mb:>10.0f} "
                  f"{imp_mb / read_mb:>11.2f}x {imp_mb / file_mb:>11.1f}x {took:>9.1f}",
                  flush=True)
    return 0


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3], sys.argv[4])
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("--memory", metavar="ROWS,ROWS",
                    help="peak RSS of reading and importing files of these row counts")
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    ap.add_argument("--pg", metavar="ADMIN_URL",
                    help="PostgreSQL server URL: import into a fresh database there")
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs, each into a fresh database (a shared machine is noisy: "
                         "compare medians)")
    args = ap.parse_args()
    if args.memory:
        return memory(args)
    if args.db and args.repeat > 1:
        ap.error("--repeat needs a fresh database per run: use it without --db")
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "leads.csv"
        generate(src, args.rows)
        for n in range(1, args.repeat + 1):
            runs.append(run_once(args, src, tmp, n))
    engine = "postgresql" if args.pg or (args.db or "").startswith("postgres") else "sqlite"
    took = statistics.median(r["took"] for r in runs)
    print(f"engine:              {engine}")
    print(f"rows:                {args.rows}")
    print(f"baseline csv+phones: {statistics.median(r['base'] for r in runs):.2f} s (median)")
    print(f"import:              {took:.2f} s (median of {len(runs)}; best "
          f"{min(r['took'] for r in runs):.2f} s)")
    print(f"ratio import/base:   {statistics.median(r['ratio'] for r in runs):.2f} (median)")
    print(f"longest progress gap {max(r['gap'] for r in runs):.2f} s")
    print(f"target < 15 s:       {'met' if took < 15 else 'MISSED'} (median)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
