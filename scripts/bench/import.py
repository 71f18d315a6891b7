#!/usr/bin/env python3
"""Import speed, side by side: `commodex import` of a wide table of DAYS x SYMBOLS prices
against sqlite3's own `.import` of the same rows, and PostgreSQL's `\\copy` of them, in the
same run, for two shapes of file:

- `short`: short repeating numbers (`123.45`) from 1800-01-01; the peers load them into our
  own table (sqlite3: the same columns and primary key, without the (symbol, date) index;
  PostgreSQL: our schema as `commodex migrate` makes it, with both indexes).
- `walk`: six-decimal random-walk prices (`%.6f`) from 1750-01-01, as real exports look; the
  peers load `source,symbol,interval,date,close` into a table keyed
  `(source, symbol, interval, date)` (WITHOUT ROWID on SQLite), with no other index.

Usage: python3 scripts/bench/import.py [DAYS] [SYMBOLS] [RUNS] [SHAPES]
       (defaults 100000 10 5 short,walk; needs target/release/commodex, sqlite3, and for
        PostgreSQL psql with TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/test)

Each repetition runs the peer and ours back to back (so load from other processes hits both),
each into a fresh database; the figures are the medians of RUNS repetitions, with the 1-minute
load average before each, wall time and CPU time (user + system: what the machine's other
work inflates least). Ours includes process start, migration and the per-file transaction,
and keeps the schema's two indexes; peak memory is the maximum resident set size. Both
PostgreSQL clients use the same URL, hence the same sslmode (libpq and sqlx both default to
`prefer`: TLS when the server offers it); set TEST_POSTGRES_URL=...?sslmode=disable to compare
both without TLS.
"""
import datetime
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.path.join(ROOT, "target", "release", "commodex")
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")

# The peers' tables: ours (less the (symbol, date) index on SQLite) for `short`, the narrow
# table of the issue for `walk`.
PEER_TABLES = {
    "short": """CREATE TABLE prices (
    source TEXT NOT NULL, symbol TEXT NOT NULL, date {date} NOT NULL, interval TEXT NOT NULL,
    open {real}, high {real}, low {real}, close {real} NOT NULL, volume {real},
    PRIMARY KEY (source, symbol, date, interval)){suffix};""",
    "walk": """CREATE TABLE prices (
    source TEXT NOT NULL, symbol TEXT NOT NULL, interval TEXT NOT NULL, date {date} NOT NULL,
    close {real} NOT NULL,
    PRIMARY KEY (source, symbol, interval, date)){suffix};""",
}


def short_values(days, symbols):
    """Short numbers that repeat: `123.45`."""
    for d in range(days):
        yield [f"{100 + s + (d * 7 + s) % 50}.{d % 97}" for s in range(symbols)]


def walk_values(days, symbols):
    """Six-decimal random walks, one per symbol, from a fixed seed."""
    rng = random.Random(1750)
    prices = [100.0 + 10 * s for s in range(symbols)]
    for _ in range(days):
        for s in range(symbols):
            prices[s] *= math.exp(rng.gauss(0.0, 0.01))
        yield ["%.6f" % price for price in prices]


def generate(folder, shape, days, symbols):
    """Writes the wide file we import and the long file the peers import; returns both."""
    wide = os.path.join(folder, f"{shape}-wide.csv")
    long = os.path.join(folder, f"{shape}-long.csv")
    start = datetime.date(1800 if shape == "short" else 1750, 1, 1)
    values = short_values if shape == "short" else walk_values
    with open(wide, "w") as w, open(long, "w") as l:
        w.write("date," + ",".join(f"S{s}" for s in range(symbols)) + "\n")
        for d, row in enumerate(values(days, symbols)):
            date = (start + datetime.timedelta(days=d)).isoformat()
            w.write(date + "," + ",".join(row) + "\n")
            for s, value in enumerate(row):
                if shape == "short":
                    l.write(f"csv,S{s},{date},daily,,,,{value},\n")
                else:
                    l.write(f"csv,S{s},daily,{date},{value}\n")
    return wide, long


def timed(command, env=None, cwd=None):
    """Runs a command; returns (wall seconds, CPU seconds, peak RSS in MB)."""
    start = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%M %U %S"] + command,
        env=env, cwd=cwd, capture_output=True, text=True,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stdout}\n{result.stderr}")
    peak_kb, user, system = result.stderr.strip().splitlines()[-1].split()
    return elapsed, float(user) + float(system), int(peak_kb) / 1024


def commodex_env(data_dir, database_url=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMODEX_")}
    env.update(COMMODEX_PROFILE="testing", COMMODEX_DATA_DIR=data_dir,
               COMMODEX_SOURCES__DEMO__ENABLED="false")
    if database_url:
        env["COMMODEX_DATABASE_URL"] = database_url
    return env


def psql(sql, url=PG_URL):
    subprocess.run(["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True,
                   capture_output=True)


def pg_database_url(name):
    base, _, query = PG_URL.partition("?")
    return base.rsplit("/", 1)[0] + "/" + name + ("?" + query if query else "")


def load_average():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def bench_shape(work, shape, days, symbols, runs, pg_ok):
    """Measures one shape; prints its table and returns [(backend, ratio of wall medians)]."""
    wide, long = generate(work, shape, days, symbols)
    rows = days * symbols
    print(f"\n{shape}: {rows:,} prices ({days:,} days x {symbols} symbols), median of {runs}")
    # name -> list of (seconds, CPU seconds, peak MB, load average before)
    results = {}
    pairs = [("SQLite", "commodex import (SQLite)", "sqlite3 .import")]

    def measure(name, prepare, command, env=None):
        prepare()
        load = load_average()
        seconds, cpu, peak = timed(command(), env=env() if env else None, cwd=work)
        results.setdefault(name, []).append((seconds, cpu, peak, load))

    sqlite_db = os.path.join(work, "peer.db")
    table = PEER_TABLES[shape]

    def fresh_sqlite():
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(sqlite_db + suffix):
                os.remove(sqlite_db + suffix)
        subprocess.run(["sqlite3", sqlite_db, table.format(
            date="TEXT", real="REAL", suffix=" WITHOUT ROWID")], check=True)

    ours_dir = os.path.join(work, "ours")

    def fresh_ours():
        shutil.rmtree(ours_dir, ignore_errors=True)

    name = f"commodex_bench_{os.getpid()}"

    def fresh_pg(peer):
        def prepare():
            psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            psql(f"CREATE DATABASE {name}")
            if peer and shape == "short":
                subprocess.run([BINARY, "migrate"], check=True, capture_output=True,
                               env=commodex_env(ours_dir, pg_database_url(name)))
            elif peer:
                psql(table.format(date="DATE", real="DOUBLE PRECISION", suffix=""),
                     pg_database_url(name))
        return prepare

    if pg_ok:
        pairs.append(("PostgreSQL", "commodex import (PostgreSQL)", "psql \\copy"))
    for _ in range(runs):
        measure("sqlite3 .import", fresh_sqlite,
                lambda: ["sqlite3", sqlite_db, "-cmd", ".mode csv", f".import {long} prices"])
        measure("commodex import (SQLite)", fresh_ours,
                lambda: [BINARY, "import", wide], env=lambda: commodex_env(ours_dir))
        if pg_ok:
            measure("psql \\copy", fresh_pg(True),
                    lambda: ["psql", pg_database_url(name), "-q", "-c",
                             f"\\copy prices FROM '{long}' CSV"])
            measure("commodex import (PostgreSQL)", fresh_pg(False),
                    lambda: [BINARY, "import", wide],
                    env=lambda: commodex_env(ours_dir, pg_database_url(name)))
    if pg_ok:
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def median(label, index=0):
        return statistics.median(r[index] for r in results[label])

    print(f"{'what':32} {'wall s':>7} {'CPU s':>7} {'peak MB':>8}  runs (wall s @ load average)")
    for label, runs_of in results.items():
        peak = max(r[2] for r in runs_of)
        each = ", ".join(f"{r[0]:.2f}@{r[3]:.1f}" for r in runs_of)
        print(f"{label:32} {median(label):7.2f} {median(label, 1):7.2f} {peak:8.1f}  {each}")
    ratios = []
    for backend, ours, peer in pairs:
        ratio = median(ours) / median(peer)
        cpu_ratio = median(ours, 1) / median(peer, 1)
        per_run = ", ".join(f"{o[0] / p[0]:.2f}" for o, p in zip(results[ours], results[peer]))
        print(f"{shape} {backend}: {ours} / {peer} = {ratio:.2f}x of wall medians, "
              f"{cpu_ratio:.2f}x of CPU medians (per repetition {per_run}; target <= 1.5x)")
        ratios.append((backend, ratio))
    return ratios


def main():
    days = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    symbols = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    shapes = sys.argv[4].split(",") if len(sys.argv) > 4 else ["short", "walk"]
    for shape in shapes:
        if shape not in PEER_TABLES:
            sys.exit(f"unknown shape '{shape}': expected short or walk")
    if not os.path.exists(BINARY):
        sys.exit("build first: cargo build --release -p commodex")
    pg_ok = subprocess.run(["psql", PG_URL, "-c", "select 1"], capture_output=True).returncode == 0
    work = tempfile.mkdtemp(prefix="commodex-import-bench-")
    try:
        for shape in shapes:
            bench_shape(work, shape, days, symbols, runs, pg_ok)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
