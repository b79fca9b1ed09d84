"""Benchmark: load the facts of a city from PostgreSQL into the engine (issue 3, "Measured": a
1,000,000-person city, wall time under 10 s).

    .venv/bin/python bench/bench_seed_city.py --keep          # seeds jineng_bench first
    .venv/bin/python bench/bench_load_population.py [--database-url URL] [--runs 3] [--region R]
        [--path old,copy]

Times `jineng.policy.population.load_population_from_dossier(on=today, region=R)` — what a
city-wide simulation run calls — each run in a fresh child process (a cold process, as a task
worker; Django set up and the connection opened before the clock starts), and reports wall time,
CPU time (the child's, not the server's), the child's peak RSS (and its RSS before the load), and
the subjects and facts loaded. Figures are the median of `--runs` runs.

`--path` (comma-separated; each run times every path in turn, so they share the machine's load):
`copy` — the default reader on PostgreSQL (COPY into Polars, concurrent connections);
`copy-serial` — the same COPYs one after another on one connection; `rows` — the row reader
(`values_list`/`fetchmany`, the SQLite path) with today's derivation; `old` — population.py as it
was before the COPY reader (`git show OLD_REV:jineng/policy/population.py`, the baseline).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, cast

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jineng_bench"
OLD_REV = "900dc2d"  # population.py before the COPY reader
PATHS = ("old", "rows", "copy", "copy-serial")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _loader(path: str) -> Callable[..., Any]:
    """load_population_from_dossier for `path` (see the module docstring)."""
    from jineng.policy import population

    if path == "old":
        source = subprocess.run(
            ["git", "show", f"{OLD_REV}:jineng/policy/population.py"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        module = types.ModuleType("old_population")
        exec(compile(source, "old_population.py", "exec"), module.__dict__)
        return cast(Callable[..., Any], module.load_population_from_dossier)
    if path == "copy-serial":
        population.PARALLEL_COPY = False
    via: Literal["copy", "rows"] = "rows" if path == "rows" else "copy"
    return functools.partial(population.load_population_from_dossier, via=via)


def child(url: str, region: str | None, path: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.base")
    os.environ.setdefault("JINENG_DEBUG", "0")
    import django

    django.setup()
    from django.db import connection

    load_population_from_dossier = _loader(path)
    connection.ensure_connection()
    before = _rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    population = load_population_from_dossier(on=dt.date.today(), region=region)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        json.dumps(
            {
                "wall_s": wall,
                "cpu_s": cpu,
                "rss_before_mb": before,
                "peak_rss_mb": _rss_mb(),
                "subjects": population.subjects.height,
                "facts": population.facts.height,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--region", default=None, help="region prefix (default: everyone)")
    parser.add_argument("--path", default="old,copy", help=f"comma-separated, of {PATHS}")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    paths = args.path.split(",")
    if unknown := set(paths) - set(PATHS):
        parser.error(f"unknown --path {sorted(unknown)}")
    if args.child:
        child(args.database_url, args.region, paths[0])
        return
    results: dict[str, list[dict[str, Any]]] = {path: [] for path in paths}
    for run in range(args.runs):
        for path in paths:
            command = [sys.executable, __file__, "--child", "--database-url", args.database_url]
            command += ["--path", path] + (["--region", args.region] if args.region else [])
            out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            result = json.loads(out.strip().splitlines()[-1])
            results[path].append(result)
            print(
                f"run {run + 1} {path}: {result['wall_s']:.2f} s wall, {result['cpu_s']:.2f} s CPU, "
                f"peak RSS {result['peak_rss_mb']:.0f} MB; {result['subjects']} subjects, "
                f"{result['facts']} facts; load average {os.getloadavg()[0]:.2f}",
                flush=True,
            )

    print(f"\nmedian of {args.runs} runs:")
    print("| path | subjects | facts | wall s | CPU s | RSS before MB | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for path, runs in results.items():

        def median(key: str, runs: list[dict[str, Any]] = runs) -> float:
            return statistics.median(float(r[key]) for r in runs)

        print(
            f"| {path} | {runs[0]['subjects']:,} | {runs[0]['facts']:,} | {median('wall_s'):.2f} "
            f"| {median('cpu_s'):.2f} | {median('rss_before_mb'):.0f} "
            f"| {median('peak_rss_mb'):.0f} |"
        )


if __name__ == "__main__":
    main()
