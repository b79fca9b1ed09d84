"""Benchmark: a 免申即享 run over the city (issue 10, "Measured": the 1,000,000-worker city evaluated
and every claim created in ≤ 5 minutes and ≤ 4 GB).

    # on a database of its own, seeded first with --workers (default 20,000), dropped at the end:
    .venv/bin/python bench/bench_claims_run.py \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres [--workers 20000] [--runs 3] \\
        [--mode everyone,prefilter]
    # on the city kept by `bench_seed_city.py --workers 1000000 --keep` (it prints the URL):
    .venv/bin/python bench/bench_claims_run.py --database-url URL_IT_PRINTED --reuse --mode prefilter

Each run times `jineng.claims.services.runs.claim_run_execute` over region 441900 on today's date,
in a fresh child process per mode (Django set up and the connection opened before the clock
starts), and reports wall time, the child's CPU time, its peak RSS, the subjects explained and the
claims created. Modes: `everyone` — every subject of the region explained and frozen one by one
(`CLAIMS_RUN_PREFILTER = False`, the run as first built: the baseline); `prefilter` — the default:
one vectorised `evaluate` over the region's dossier names the subjects with a line to claim, and
only those are explained. Both must create the same number of claims (checked; the run fails
otherwise).

Nothing is left behind: the child runs inside one transaction that it rolls back, so the
database — also one given with --reuse — is as it was (the SMS hooks that run after commit do not
run; the inbox messages are written and rolled back with the claims).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402
import bench_load_population  # noqa: E402  (seeding and the child's environment)

ROOT = _common.ROOT
MODES = ("everyone", "prefilter")
REGION = "441900"


class _Rollback(Exception):
    pass


def child(mode: str) -> None:
    """In the child process: one timed run, rolled back, as JSON on stdout."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction

    from jineng.claims.models import ClaimRun
    from jineng.claims.services.runs import claim_run_execute

    settings.CLAIMS_RUN_PREFILTER = mode == "prefilter"
    connection.ensure_connection()
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            run = ClaimRun.objects.create(region=REGION, on=dt.date.today())
            started, cpu = time.perf_counter(), time.process_time()
            claim_run_execute(run_id=run.pk)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            run.refresh_from_db()
            result = {
                "wall_s": wall,
                "cpu_s": cpu,
                "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "explained": run.subjects_done,
                "claims": run.claims_created,
                "status": str(run.status),
                "error": run.error,
            }
            raise _Rollback
    except _Rollback:
        pass
    print(json.dumps(result))


def run_once(url: str, mode: str) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--mode", mode]
    env = bench_load_population._django_env(url)  # the URL by the environment (not ps)
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    result = cast(dict[str, Any], json.loads(out.strip().splitlines()[-1]))
    if result["status"] != "done":
        raise SystemExit(f"{mode}: the run ended {result['status']}: {result['error']}")
    return result


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    _common.add_database_arguments(parser)
    _common.add_runs_argument(parser, default=3)
    parser.add_argument(
        "--workers", type=int, default=20_000, help="seeded into an empty database (default 20,000)"
    )
    parser.add_argument("--mode", default="everyone,prefilter", help=f"comma-separated, of {MODES}")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.modes = args.mode.split(",")
    if unknown := set(args.modes) - set(MODES):
        parser.error(f"unknown --mode {sorted(unknown)}")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def figures(modes: list[str]) -> list[_common.Figure]:
    result = []
    for mode in modes:
        result += [
            _common.Figure(f"{mode}_wall_s", f"{mode}: wall time (s)"),
            _common.Figure(f"{mode}_cpu_s", f"{mode}: CPU time of the process (s)"),
            _common.Figure(f"{mode}_peak_rss_mib", f"{mode}: peak RSS (MiB)", ",.0f"),
            _common.Figure(f"{mode}_explained", f"{mode}: subjects explained", ",.0f"),
        ]
    return [*result, _common.Figure("claims", "claims created", ",.0f")]


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child:
        child(args.modes[0])
        return
    with _common.bench_database(args.database_url, reuse=args.reuse) as database:
        if not bench_load_population.has_people(database.url):
            bench_load_population.seed(database.url, args)
        report = _common.Report(
            f"免申即享 over region {REGION} on PostgreSQL, modes {', '.join(args.modes)}",
            figures(args.modes),
            notes=[
                "Each run times every mode in turn, each in a fresh process inside one "
                "transaction rolled back at the end; everyone = every subject explained (the "
                "baseline), prefilter = one vectorised evaluate first (the default)."
            ],
        )

        def one(number: int) -> dict[str, float]:
            values: dict[str, float] = {}
            claims: set[int] = set()
            for mode in args.modes:
                result = run_once(database.url, mode)
                for key in ("wall_s", "cpu_s", "peak_rss_mib", "explained"):
                    values[f"{mode}_{key}"] = float(result[key])
                claims.add(int(result["claims"]))
            if len(claims) != 1:
                raise SystemExit(f"the modes created different numbers of claims: {claims}")
            values["claims"] = float(claims.pop())
            return values

        _common.run_repeated(report, args.runs, one)


if __name__ == "__main__":
    if "--child" in sys.argv:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.base")
    main()
