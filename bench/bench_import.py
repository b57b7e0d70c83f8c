"""Lead import at scale: 100,000 generated leads with messy phones into a fresh SQLite
database (or ``--db URL``). Target: < 15 s.

The baseline, measured in the same run, is the unavoidable part: reading the CSV and
parsing + validating every phone with ``phonenumbers`` (no database, no caches). The
ratio import / baseline says how much our own work (matching, hand raises, inserts) adds.

    python bench/bench_import.py [--rows 100000] [--db URL]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import phonenumbers  # noqa: E402

from qualdesk.db.engine import Database  # noqa: E402
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


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "leads.csv"
        generate(src, args.rows)
        db = Database(args.db or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        upgrade(db)
        base = baseline(src)
        t = time.perf_counter()
        result = import_leads(db, src, LeadImportOptions(skip_bad=True))
        took = time.perf_counter() - t
        db.dispose()
    print(f"rows:                {args.rows}")
    print(f"imported / merged:   {result.imported} / {result.merged} "
          f"(rejected rows: {len(result.rejected_rows)}, hand raises: {result.hand_raises})")
    print(f"baseline csv+phones: {base:.2f} s ({args.rows / base:,.0f} rows/s)")
    print(f"import:              {took:.2f} s ({args.rows / took:,.0f} rows/s)")
    print(f"ratio import/base:   {took / base:.2f}")
    print(f"target < 15 s:       {'met' if took < 15 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
