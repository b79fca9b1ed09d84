"""Benchmark: load the facts of a city from PostgreSQL into the engine (issue 3, "Measured": a
1,000,000-person city, wall time under 10 s).

    # on a database of its own, seeded first with --workers (default 20,000), dropped at the end:
    .venv/bin/python bench/bench_load_population.py \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres [--workers 20000] [--runs 3] \\
        [--region R] [--path old,copy]
    # on the 1,000,000 people kept by `bench_seed_city.py --workers 1000000 --keep` (it prints the URL):
    .venv/bin/python bench/bench_load_population.py --database-url URL_IT_PRINTED --reuse

Times `jineng.policy.population.load_population_from_dossier(on=today, region=R)` — what a
city-wide simulation run calls — each run in a fresh child process (a cold process, as a task
worker; Django set up and the connection opened before the clock starts), and reports wall time,
CPU time (the child's, not the server's), the child's peak RSS (and its RSS before the load), and
the subjects and facts loaded.

`--path` (comma-separated; each run times every path in turn, so they share the machine's load):
`copy` — the default reader on PostgreSQL (COPY into Polars, concurrent connections);
`copy-serial` — the same COPYs one after another on one connection; `rows` — the row reader
(`values_list`/`fetchmany`, the SQLite path) with today's derivation; `old` — population.py as it
was before the COPY reader (`git show OLD_REV:jineng/policy/population.py`, the baseline).

The database (bench/_common.py): a URL naming the server (…/postgres) gets a database of this
run's own, migrated and seeded with `seed_city --workers N --seed 1` (not timed), dropped at the
end (also on an error or Ctrl-C). A URL naming another database is used as it is: seeded when it
is empty, refused when it has tables unless `--reuse`; never dropped or truncated. Ends with the
pasteable block: every run, median, min, max, machine, load average before and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import resource
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, cast

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

ROOT = _common.ROOT
OLD_REV = "900dc2d"  # population.py before the COPY reader
PATHS = ("old", "rows", "copy", "copy-serial")


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB → MiB


def _loader(path: str) -> Callable[..., Any]:
    """load_population_from_dossier for `path` (see the module docstring)."""
    from jineng.dossier import columnar
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
        columnar.PARALLEL_COPY = False
    via: Literal["copy", "rows"] = "rows" if path == "rows" else "copy"
    return functools.partial(population.load_population_from_dossier, via=via)


def _django_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.django.base", JINENG_DEBUG="0")
    return env


def child(url: str, region: str | None, path: str) -> None:
    """In the child process: one timed load, as JSON on stdout."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(_django_env(url))
    import django

    django.setup()
    from django.db import connection

    load_population_from_dossier = _loader(path)
    connection.ensure_connection()
    before = _rss_mib()
    started, cpu = time.perf_counter(), time.process_time()
    population = load_population_from_dossier(on=dt.date.today(), region=region)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        json.dumps(
            {
                "wall_s": wall,
                "cpu_s": cpu,
                "rss_before_mib": before,
                "peak_rss_mib": _rss_mib(),
                "subjects": population.subjects.height,
                "facts": population.facts.height,
            }
        )
    )


def has_people(url: str) -> bool:
    """True when the database of `url` already holds seeded people."""
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT to_regclass('public.identity_person') IS NOT NULL").fetchone()
        if not (row and row[0]):
            return False
        return conn.execute("SELECT EXISTS (SELECT 1 FROM identity_person)").fetchone() == (True,)


def seed(url: str, args: argparse.Namespace) -> None:
    """Migrate, load the reference data and seed the city into the empty database (not timed)."""
    env = _django_env(url)
    manage = [sys.executable, "-m", "jineng"]
    started = time.perf_counter()
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "load_reference"], env=env, check=True, cwd=ROOT)
    command = [*manage, "seed_city", "--region", "441900", "--workers", str(args.workers)]
    command += ["--seed", "1", "--no-progress"]
    subprocess.run(command, env=env, check=True, cwd=ROOT)
    print(f"seeded {args.workers:,} workers in {time.perf_counter() - started:.1f} s", flush=True)


def figures(paths: list[str]) -> list[_common.Figure]:
    result = []
    for path in paths:
        result += [
            _common.Figure(f"{path}_wall_s", f"{path}: wall time (s)"),
            _common.Figure(f"{path}_cpu_s", f"{path}: CPU time of the process (s)"),
            _common.Figure(f"{path}_rss_before_mib", f"{path}: RSS before the load (MiB)", ",.0f"),
            _common.Figure(f"{path}_peak_rss_mib", f"{path}: peak RSS (MiB)", ",.0f"),
        ]
    return [
        *result,
        _common.Figure("subjects", "subjects loaded", ",.0f"),
        _common.Figure("facts", "facts loaded", ",.0f"),
    ]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    _common.add_database_arguments(parser)
    _common.add_runs_argument(parser, default=3)
    parser.add_argument(
        "--workers", type=int, default=20_000, help="seeded into an empty database (default 20,000)"
    )
    parser.add_argument("--region", default=None, help="region prefix (default: everyone)")
    parser.add_argument("--path", default="old,copy", help=f"comma-separated, of {PATHS}")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.paths = args.path.split(",")
    if unknown := set(args.paths) - set(PATHS):
        parser.error(f"unknown --path {sorted(unknown)}")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def load_once(url: str, region: str | None, path: str) -> dict[str, Any]:
    """One timed load of `path` in a fresh child process."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--path", path]
    command += ["--region", region] if region else []
    env = _django_env(url)  # the URL goes by the environment, not the command line (ps)
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    return cast(dict[str, Any], json.loads(out.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child:
        child(os.environ["DATABASE_URL"], args.region, args.paths[0])
        return
    with _common.bench_database(args.database_url, reuse=args.reuse) as database:
        if not has_people(database.url):
            seed(database.url, args)
        where = f"region {args.region}" if args.region else "the whole city"
        report = _common.Report(
            f"Loading the population of {where} from PostgreSQL, paths {', '.join(args.paths)}",
            figures(args.paths),
            notes=[
                f"Each run loads every path in turn, each in a fresh process; old = population.py "
                f"at commit {OLD_REV} (before the COPY reader), copy = today's default."
            ],
        )

        def one(number: int) -> dict[str, float]:
            values: dict[str, float] = {}
            for path in args.paths:
                result = load_once(database.url, args.region, path)
                for key in ("wall_s", "cpu_s", "rss_before_mib", "peak_rss_mib"):
                    values[f"{path}_{key}"] = float(result[key])
                values["subjects"], values["facts"] = result["subjects"], result["facts"]
            return values

        _common.run_repeated(report, args.runs, one)


if __name__ == "__main__":
    main()
