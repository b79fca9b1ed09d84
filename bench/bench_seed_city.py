"""Benchmark: `jineng seed_city` for N workers on PostgreSQL (issue 2: 1,000,000 in < 10 minutes
and < 2 GB).

    .venv/bin/python bench/bench_seed_city.py \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres [--workers 1000000] [--runs N] [--keep]

Each run gets a database of its own on that server (`jineng_bench_<pid>_<random>`, created empty,
dropped after the run — also on an error or Ctrl-C; `--keep` keeps the last run's and prints its
URL, for bench_id_search.py / bench_load_population.py `--database-url URL --reuse`). A URL naming
another database is used as it is, for one run, refused when it has any table unless `--reuse`;
it is never dropped or truncated. `--runs` defaults to 3, or 1 above 100,000 workers (a run of
over a minute).

Per run: migrate and load the reference data (not timed), then run seed_city in a subprocess and
report its wall time, CPU time, its peak RSS (os.wait4: the getrusage of that child and the worker
processes it reaped — the largest single process), the peak RSS of the whole process tree, sampled
every 0.2 s from /proc (what the machine must hold at once), and the CPU time of the PostgreSQL
backends serving the database (from /proc: a local server). Ends with the pasteable block
(bench/_common.py): every run, median, min, max, machine, load average before and after.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

ROOT = _common.ROOT
ONE_RUN_ABOVE = 100_000  # workers: above this a run takes over a minute, so --runs defaults to 1


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


def run_once(args: argparse.Namespace, url: str) -> dict[str, float]:
    """Migrate and load the reference data into the empty database of `url` (not timed), then
    time seed_city into it."""
    env = dict(os.environ)
    env.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.django.base", JINENG_DEBUG="0")
    name = _common.database_name(url)
    manage = [sys.executable, "-m", "jineng"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "load_reference"], env=env, check=True, cwd=ROOT)
    command = [
        *manage, "seed_city", "--region", args.region, "--workers", str(args.workers),
        "--seed", str(args.seed), "--processes", str(args.processes),
        "--chunk-size", str(args.chunk_size), "--no-progress",
    ]  # fmt: skip
    peak_tree = 0
    backend_cpu: dict[int, float] = {}  # PostgreSQL backends serving the seeding (local server)
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, cwd=ROOT)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        with psycopg.connect(_common.with_database(url, "postgres"), autocommit=True) as conn:
            while not done.is_set():
                peak_tree = max(peak_tree, _tree_rss_kb(proc.pid))
                rows = conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", [name]
                ).fetchall()
                for (pid,) in rows:
                    seconds = _cpu_seconds(pid)
                    if seconds is not None:
                        backend_cpu[pid] = seconds
                done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        done.set()
        sampler.join()
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"seed_city failed with exit code {proc.returncode}")
    with psycopg.connect(url) as conn:
        people = conn.execute("SELECT count(*) FROM identity_person").fetchone()[0]  # type: ignore[index]
        facts = conn.execute("SELECT count(*) FROM dossier_fact").fetchone()[0]  # type: ignore[index]
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "backend_cpu_s": sum(backend_cpu.values()),
        "max_rss_mib": usage.ru_maxrss / 1024,
        "tree_rss_mib": peak_tree / 1024,
        "people": people,
        "facts": facts,
    }


FIGURES = [
    _common.Figure("wall_s", "wall time (s)", ".1f"),
    _common.Figure("cpu_s", "CPU, seeding processes (s)", ".0f"),
    _common.Figure("backend_cpu_s", "CPU, PostgreSQL backends of the database (s)", ".0f"),
    _common.Figure("max_rss_mib", "peak RSS, largest process (MiB)", ",.0f"),
    _common.Figure("tree_rss_mib", "peak RSS, whole process tree (MiB)", ",.0f"),
    _common.Figure("people", "people", ",.0f"),
    _common.Figure("facts", "facts", ",.0f"),
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    _common.add_database_arguments(parser, keep=True)
    _common.add_runs_argument(parser, default=None)
    parser.add_argument("--workers", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--region", default="441900")
    parser.add_argument("--processes", type=int, default=2, help="seed_city --processes")
    parser.add_argument("--chunk-size", type=int, default=20_000)
    args = parser.parse_args(argv)
    if args.runs is None:
        args.runs = 3 if args.workers <= ONE_RUN_ABOVE else 1
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    url = _common.resolve_url(args.database_url)
    own = _common.names_server(url)
    if not own:
        if args.runs > 1:
            raise _common.BenchRefused(
                "--runs above 1 needs an empty database per run, and a database given by URL is "
                "never emptied: give the server (…/postgres) and each run gets its own database"
            )
        _common.check_usable(url, reuse=args.reuse)
    report = _common.Report(f"seed_city, {args.workers:,} workers (PostgreSQL)", FIGURES)
    for number in range(1, args.runs + 1):
        if own:
            with _common.new_database(url, keep=args.keep and number == args.runs) as database:
                report.add(run_once(args, database.url))
        else:
            report.add(run_once(args, url))
    report.print()


if __name__ == "__main__":
    main()
