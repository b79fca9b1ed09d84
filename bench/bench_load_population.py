"""Benchmark: load the facts of a city from PostgreSQL into the engine (issue 3, "Measured": a
1,000,000-person city, wall time under 10 s).

    .venv/bin/python bench/bench_seed_city.py --keep          # seeds jineng_bench first
    .venv/bin/python bench/bench_load_population.py [--database-url URL] [--runs 3] [--region R]

Times `jineng.policy.population.load_population_from_dossier(on=today, region=R)` — what a
city-wide simulation run calls — each run in a fresh child process (a cold process, as a task
worker; Django set up and the connection opened before the clock starts), and reports wall time,
CPU time, the child's peak RSS (and its RSS before the load), and the subjects and facts loaded.
Figures are the median of `--runs` runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jineng_bench"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(url: str, region: str | None) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.base")
    os.environ.setdefault("JINENG_DEBUG", "0")
    import django

    django.setup()
    from django.db import connection

    from jineng.policy.population import load_population_from_dossier

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
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.database_url, args.region)
        return
    results = []
    for run in range(args.runs):
        command = [sys.executable, __file__, "--child", "--database-url", args.database_url]
        if args.region:
            command += ["--region", args.region]
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        result = json.loads(out.strip().splitlines()[-1])
        results.append(result)
        print(
            f"run {run + 1}: {result['wall_s']:.2f} s wall, {result['cpu_s']:.2f} s CPU, "
            f"peak RSS {result['peak_rss_mb']:.0f} MB; {result['subjects']} subjects, "
            f"{result['facts']} facts; load average {os.getloadavg()[0]:.2f}"
        )

    def median(key: str) -> float:
        return statistics.median(float(r[key]) for r in results)

    print(f"\nmedian of {args.runs} runs:")
    print("| subjects | facts | wall s | CPU s | RSS before MB | peak RSS MB |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {results[0]['subjects']:,} | {results[0]['facts']:,} | {median('wall_s'):.2f} "
        f"| {median('cpu_s'):.2f} | {median('rss_before_mb'):.0f} | {median('peak_rss_mb'):.0f} |"
    )


if __name__ == "__main__":
    main()
