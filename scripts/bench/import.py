#!/usr/bin/env python3
"""Import speed, side by side: `commodex import` of a wide table of DAYS x SYMBOLS prices
against sqlite3's own `.import` of the same rows into a table with the same primary key, and
PostgreSQL's `\\copy` of the same rows into the same table (our schema, migrated by
`commodex migrate`: primary key and the (symbol, date) index), in the same run.

Usage: python3 scripts/bench/import.py [DAYS] [SYMBOLS] [RUNS]
       (defaults 100000 10 3; needs target/release/commodex, sqlite3, and for PostgreSQL
        psql with TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/test)

Each repetition runs the peer and ours back to back (so load from other processes hits both),
each into a fresh database; the figures are the medians of RUNS repetitions, with the 1-minute
load average before each. Ours includes process start, migration and the per-file
transaction; peak memory is the maximum resident set size. Both PostgreSQL clients use the
same URL, hence the same sslmode (libpq and sqlx both default to `prefer`: TLS when the server
offers it); set TEST_POSTGRES_URL=...?sslmode=disable to compare both without TLS.
"""
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.path.join(ROOT, "target", "release", "commodex")
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")

PEER_TABLE = """CREATE TABLE prices (
    source TEXT NOT NULL, symbol TEXT NOT NULL, date {date} NOT NULL, interval TEXT NOT NULL,
    open {real}, high {real}, low {real}, close {real} NOT NULL, volume {real},
    PRIMARY KEY (source, symbol, date, interval)){suffix};"""


def generate(folder, days, symbols):
    wide = os.path.join(folder, "wide.csv")
    long = os.path.join(folder, "long.csv")
    start = datetime.date(1800, 1, 1)
    with open(wide, "w") as w, open(long, "w") as l:
        w.write("date," + ",".join(f"S{s}" for s in range(symbols)) + "\n")
        for d in range(days):
            date = (start + datetime.timedelta(days=d)).isoformat()
            values = [f"{100 + s + (d * 7 + s) % 50}.{d % 97}" for s in range(symbols)]
            w.write(date + "," + ",".join(values) + "\n")
            for s, value in enumerate(values):
                l.write(f"csv,S{s},{date},daily,,,,{value},\n")
    return wide, long


def timed(command, env=None, cwd=None):
    """Runs a command; returns (seconds, peak RSS in MB)."""
    start = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%M"] + command,
        env=env, cwd=cwd, capture_output=True, text=True,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stdout}\n{result.stderr}")
    peak_kb = int(result.stderr.strip().splitlines()[-1])
    return elapsed, peak_kb / 1024


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


def main():
    days = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    symbols = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    if not os.path.exists(BINARY):
        sys.exit("build first: cargo build --release -p commodex")
    work = tempfile.mkdtemp(prefix="commodex-import-bench-")
    try:
        wide, long = generate(work, days, symbols)
        rows = days * symbols
        print(f"{rows:,} prices ({days:,} days x {symbols} symbols), median of {runs}")
        # name -> list of (seconds, peak MB, load average before)
        results = {}
        pairs = []

        def measure(name, prepare, command, env=None):
            prepare()
            load = load_average()
            seconds, peak = timed(command(), env=env() if env else None, cwd=work)
            results.setdefault(name, []).append((seconds, peak, load))

        sqlite_db = os.path.join(work, "peer.db")

        def fresh_sqlite():
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(sqlite_db + suffix):
                    os.remove(sqlite_db + suffix)
            subprocess.run(["sqlite3", sqlite_db, PEER_TABLE.format(
                date="TEXT", real="REAL", suffix=" WITHOUT ROWID")], check=True)

        ours_dir = os.path.join(work, "ours")

        def fresh_ours():
            shutil.rmtree(ours_dir, ignore_errors=True)

        pairs.append(("SQLite", "commodex import (SQLite)", "sqlite3 .import"))
        pg_ok = subprocess.run(["psql", PG_URL, "-c", "select 1"], capture_output=True).returncode == 0
        name = f"commodex_bench_{os.getpid()}"

        def fresh_pg(with_table):
            def prepare():
                psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                psql(f"CREATE DATABASE {name}")
                if with_table:
                    subprocess.run([BINARY, "migrate"], check=True, capture_output=True,
                                   env=commodex_env(ours_dir, pg_database_url(name)))
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

        def median(label):
            return statistics.median(r[0] for r in results[label])

        print(f"{'what':32} {'median s':>8} {'peak MB':>8}  runs (s @ load average)")
        for label, runs_of in results.items():
            peak = max(r[1] for r in runs_of)
            each = ", ".join(f"{r[0]:.2f}@{r[2]:.1f}" for r in runs_of)
            print(f"{label:32} {median(label):8.2f} {peak:8.1f}  {each}")
        for backend, ours, peer in pairs:
            ratio = median(ours) / median(peer)
            per_run = ", ".join(f"{o[0] / p[0]:.2f}" for o, p in zip(results[ours], results[peer]))
            print(f"{backend}: {ours} / {peer} = {ratio:.2f}x of medians "
                  f"(per repetition {per_run}; target <= 1.5x)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
