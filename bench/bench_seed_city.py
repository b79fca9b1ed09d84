"""Benchmark: `jineng seed_city` for N workers on PostgreSQL (issue 2: 1,000,000 in < 10 minutes
and < 2 GB).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/bench_seed_city.py [--workers 1000000] [--runs 3] [--keep]

For each run: drops and recreates the database `--database` (default jineng_bench) on the server
of DATABASE_URL, migrates and loads the reference data (not timed), then runs seed_city in a
subprocess and reports its wall time, its peak RSS (os.wait4: the getrusage of that child and the
worker processes it reaped — the largest single process) and the peak RSS of the whole process
tree, sampled every 0.2 s from /proc (what the machine must hold at once). The database is dropped
at the end unless --keep (bench_id_search.py uses the kept one).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent


def database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def recreate(base: str, name: str, *, drop_only: bool = False) -> None:
    with psycopg.connect(database_url(base, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def _tree_rss_kb(root: int) -> int:
    """Resident memory of `root` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [child for child, parent in parents.items() if parent == pid]
        tree.update(children)
        frontier.extend(children)
    total = 0
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_once(args: argparse.Namespace, env: dict[str, str]) -> dict[str, float]:
    manage = [sys.executable, "-m", "jineng"]
    recreate(env["DATABASE_URL_BASE"], args.database)
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "load_reference"], env=env, check=True, cwd=ROOT)
    command = [
        *manage, "seed_city", "--region", args.region, "--workers", str(args.workers),
        "--seed", str(args.seed), "--processes", str(args.processes),
        "--chunk-size", str(args.chunk_size),
    ]  # fmt: skip
    peak_tree = 0
    backend_cpu: dict[int, float] = {}  # PostgreSQL backends serving the seeding (local server)
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, cwd=ROOT)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        with psycopg.connect(
            database_url(env["DATABASE_URL_BASE"], "postgres"), autocommit=True
        ) as conn:
            while not done.is_set():
                peak_tree = max(peak_tree, _tree_rss_kb(proc.pid))
                rows = conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", [args.database]
                ).fetchall()
                for (pid,) in rows:
                    seconds = _cpu_seconds(pid)
                    if seconds is not None:
                        backend_cpu[pid] = seconds
                done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    load = os.getloadavg()[1]  # 5-minute: how busy the machine was with other work too
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"seed_city failed with exit code {proc.returncode}")
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        people = conn.execute("SELECT count(*) FROM identity_person").fetchone()[0]  # type: ignore[index]
        facts = conn.execute("SELECT count(*) FROM dossier_fact").fetchone()[0]  # type: ignore[index]
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "backend_cpu_s": sum(backend_cpu.values()),
        "max_rss_mb": usage.ru_maxrss / 1024,
        "tree_rss_mb": peak_tree / 1024,
        "load": load,
        "people": people,
        "facts": facts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--region", default="441900")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--processes", type=int, default=2, help="seed_city --processes")
    parser.add_argument("--chunk-size", type=int, default=20_000)
    parser.add_argument("--database", default="jineng_bench")
    parser.add_argument("--keep", action="store_true", help="keep the seeded database")
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not base.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must point at a PostgreSQL server")
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(base, args.database),
        DATABASE_URL_BASE=base,
        DJANGO_SETTINGS_MODULE="config.django.base",
        JINENG_DEBUG="0",
    )
    results = []
    try:
        for number in range(1, args.runs + 1):
            result = run_once(args, env)
            results.append(result)
            print(
                f"run {number}: {result['people']:,} people, {result['facts']:,} facts in "
                f"{result['wall_s']:.1f} s wall; CPU {result['cpu_s']:.0f} s in the seeding "
                f"processes + {result['backend_cpu_s']:.0f} s in PostgreSQL backends; load average "
                f"{result['load']:.1f}; peak RSS {result['max_rss_mb']:.0f} MB (largest process), "
                f"{result['tree_rss_mb']:.0f} MB (process tree)",
                flush=True,
            )
    finally:
        if not args.keep:
            recreate(base, args.database, drop_only=True)
    if len(results) > 1:
        print(
            f"median of {len(results)}: {statistics.median(r['wall_s'] for r in results):.1f} s wall, "
            f"CPU {statistics.median(r['cpu_s'] + r['backend_cpu_s'] for r in results):.0f} s, "
            f"peak RSS {statistics.median(r['max_rss_mb'] for r in results):.0f} MB (largest), "
            f"{statistics.median(r['tree_rss_mb'] for r in results):.0f} MB (tree)"
        )


if __name__ == "__main__":
    main()
