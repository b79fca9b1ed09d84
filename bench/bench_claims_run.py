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
(the run as first built); `prefilter` — one vectorised `evaluate` over the region's dossier names
the subjects with a line to claim, and only those are explained, still one claim at a time (the
previous default: the baseline); `chunked` — the same, set-based per chunk of 1,000 subjects
(`services/runs_chunk.py`); `sharded` — chunked and split into one child run per town, the
children run in process one after the other; `celery` — the same split run over 2 Celery workers
on Redis (`--redis-url`, a database number of its own), each a solo-pool process: the wall time
runs from the start to the parent's end, CPU is the workers' summed, RSS the larger worker's. All
modes must create the same number of claims (checked; the run fails otherwise).

Nothing is left behind by the in-process modes: the child runs inside one transaction that it
rolls back, so the database is as it was (the SMS hooks that run after commit do not run; the
inbox messages are written and rolled back with the claims). The celery mode commits its claims:
it runs last, once, on a database the benchmark created (or one given with --reuse, changed).
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
MODES = ("everyone", "prefilter", "chunked", "sharded", "celery")
# The settings of each mode run in process: (CLAIMS_RUN_PREFILTER, CLAIMS_RUN_CHUNK, CLAIMS_RUN_SHARDS)
SETTINGS = {
    "everyone": (False, 0, False),
    "prefilter": (True, 0, False),
    "chunked": (True, 1000, False),
    "sharded": (True, 1000, True),
}
CELERY_WORKERS = 2
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

    prefilter, chunk, shards = SETTINGS[mode]
    settings.CLAIMS_RUN_PREFILTER = prefilter
    settings.CLAIMS_RUN_CHUNK = chunk
    settings.CLAIMS_RUN_SHARDS = shards
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


def _proc_cpu_rss(pid: int) -> tuple[float, float]:
    """A process's CPU seconds so far and its peak RSS (MiB), from /proc."""
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
    status = Path(f"/proc/{pid}/status").read_text()
    peak = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    return cpu, peak / 1024


def run_celery(url: str, redis_url: str) -> dict[str, Any]:
    """The run split by town over CELERY_WORKERS Celery workers (solo pool, one process each) on
    Redis: committed (workers cannot share a transaction), so it runs last; timed from the start
    until the parent run is done. CPU and peak RSS are the workers' (summed, max)."""
    env = {**bench_load_population._django_env(url), "REDIS_URL": redis_url}
    env["JINENG_CLAIMS_RUN_PREFILTER"] = "1"
    celery = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo"]
    workers = [
        subprocess.Popen(
            [*celery, "-n", f"bench{n}@%h", "-l", "warning"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(CELERY_WORKERS)
    ]
    try:
        time.sleep(8)  # the workers connect
        before = [_proc_cpu_rss(w.pid)[0] for w in workers]
        command = [sys.executable, str(Path(__file__).resolve()), "--child", "--mode", "celery"]
        out = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
        result = cast(dict[str, Any], json.loads(out.strip().splitlines()[-1]))
        after = [_proc_cpu_rss(w.pid) for w in workers]
        result["cpu_s"] = sum(a[0] - b for a, b in zip(after, before, strict=True))
        result["peak_rss_mib"] = max(a[1] for a in after)
        return result
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=60)


def celery_child() -> None:
    """In the child process: start the run (committed), wait for the workers to finish it."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from jineng.claims.models import ClaimRun
    from jineng.claims.tasks import claim_run_execute_task

    run = ClaimRun.objects.create(region=REGION, on=dt.date.today())
    started = time.perf_counter()
    claim_run_execute_task.delay(run.pk)
    while True:
        time.sleep(0.5)
        run.refresh_from_db()
        if (
            run.status in ("done", "failed")
            and not run.children.filter(status__in=("queued", "running")).exists()
        ):
            break
    print(
        json.dumps(
            {
                "wall_s": time.perf_counter() - started,
                "explained": run.subjects_done,
                "claims": run.claims_created,
                "status": str(run.status),
                "error": run.error,
            }
        )
    )


def run_once(url: str, mode: str, redis_url: str = "") -> dict[str, Any]:
    if mode == "celery":
        result = run_celery(url, redis_url)
        if result["status"] != "done":
            raise SystemExit(f"celery: the run ended {result['status']}: {result['error']}")
        return result
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
    parser.add_argument(
        "--mode",
        default="prefilter,chunked,sharded",
        help=f"comma-separated, of {MODES}; celery commits its claims, so it is one run, last",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/11",
        help="the broker of the celery mode (a database number of its own)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.modes = args.mode.split(",")
    if unknown := set(args.modes) - set(MODES):
        parser.error(f"unknown --mode {sorted(unknown)}")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not args.child and "celery" in args.modes and (args.modes[-1] != "celery" or args.runs != 1):
        parser.error("--mode celery must come last, with --runs 1 (it commits its claims)")
    return args


def figures(modes: list[str]) -> list[_common.Figure]:
    result = []
    for mode in modes:
        result += [
            _common.Figure(f"{mode}_wall_s", f"{mode}: wall time (s)"),
            _common.Figure(f"{mode}_cpu_s", f"{mode}: CPU time of the process (s)"),
            _common.Figure(f"{mode}_peak_rss_mib", f"{mode}: peak RSS (MiB)", ",.0f"),
            _common.Figure(f"{mode}_explained", f"{mode}: subjects explained", ",.0f"),
            _common.Figure(f"{mode}_ms_per_claim", f"{mode}: wall ms per claim created"),
        ]
    return [*result, _common.Figure("claims", "claims created", ",.0f")]


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child:
        celery_child() if args.modes[0] == "celery" else child(args.modes[0])
        return
    with _common.bench_database(args.database_url, reuse=args.reuse) as database:
        if not bench_load_population.has_people(database.url):
            bench_load_population.seed(database.url, args)
        report = _common.Report(
            f"免申即享 over region {REGION} on PostgreSQL, modes {', '.join(args.modes)}",
            figures(args.modes),
            notes=[
                "Each run times every mode in turn, each in a fresh process inside one "
                "transaction rolled back at the end (celery: committed, last); prefilter = "
                "one claim at a time (the baseline), chunked = set-based, sharded = one child "
                "run per town in process, celery = the same over 2 workers on Redis."
            ],
        )

        def one(number: int) -> dict[str, float]:
            values: dict[str, float] = {}
            claims: set[int] = set()
            for mode in args.modes:
                result = run_once(database.url, mode, args.redis_url)
                for key in ("wall_s", "cpu_s", "peak_rss_mib", "explained"):
                    values[f"{mode}_{key}"] = float(result[key])
                created = max(int(result["claims"]), 1)
                values[f"{mode}_ms_per_claim"] = 1000 * float(result["wall_s"]) / created
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
