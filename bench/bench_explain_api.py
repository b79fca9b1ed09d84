"""Benchmark: explain one subject through the API (issue 3, "Measured": p50 under 10 ms).

    .venv/bin/python bench/bench_explain_api.py --database-url sqlite:// [--calls 500] [--runs 3]
    .venv/bin/python bench/bench_explain_api.py \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres [--workers 5000]

The database: `sqlite://` (the default when neither `--database-url` nor `DATABASE_URL` is given)
is a fresh SQLite file of this run's own under var/bench/, deleted at the end; a PostgreSQL URL
naming the server (…/postgres) gets a database of this run's own there, dropped at the end (also
on an error or Ctrl-C). A URL naming a database or file is used as it is: set up when it is
empty, refused when it has tables unless `--reuse` (then used as it is, seeded already); never
dropped, truncated or deleted (bench/_common.py).

Set-up (not timed): migrate, load the reference data, seed a city (`seed_city --region 441900
--workers 5000 --seed 1`). Then a bureau reviewer of the city with an API token; then, per run,
`--calls` `POST /api/v1/policy/explain` `{subject: {type: person, id}}` over random people of the
city, with Django's test `Client` in process: the whole Django stack (middleware, token auth,
ninja parsing, access checks, dossier reads, the engine, the response schema and JSON) but no
network and no HTTP server.

Baseline, in the same run and on the same subjects: the engine's `explain()` alone on the facts
already read and parsed (no database, no view, no serialisation). p50/p95/p99 in ms per run; the
block (bench/_common.py) shows every run, the median, min and max, the machine and load average.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

ROOT = _common.ROOT
sys.path.insert(1, str(ROOT))

URL = "/api/v1/policy/explain"

FIGURES = [
    _common.Figure("api_p50", "API POST /api/v1/policy/explain (test Client), p50 (ms)"),
    _common.Figure("api_p95", "API, p95 (ms)"),
    _common.Figure("api_p99", "API, p99 (ms)"),
    _common.Figure("engine_p50", "engine explain() alone (baseline), p50 (ms)"),
    _common.Figure("engine_p95", "engine explain() alone, p95 (ms)"),
    _common.Figure("engine_p99", "engine explain() alone, p99 (ms)"),
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    _common.add_database_arguments(parser, sqlite=True)
    _common.add_runs_argument(parser, default=3)
    parser.add_argument("--calls", type=int, default=500, help="API calls per run (default 500)")
    parser.add_argument(
        "--workers", type=int, default=5000, help="seeded into an empty database (default 5,000)"
    )
    parser.add_argument("--region", default="441900")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="cProfile the API calls once")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.base")
    os.environ.setdefault("JINENG_DEBUG", "0")
    import django

    django.setup()


def percentiles(values_ms: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(sorted(values_ms), n=100, method="inclusive")
    return statistics.median(values_ms), cuts[94], cuts[98]


def is_seeded() -> bool:
    from django.db import connection

    from jineng.identity.models import Person

    tables = connection.introspection.table_names()
    return "identity_person" in tables and Person.objects.exists()


def setup(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    started = time.perf_counter()
    call_command(
        "seed_city",
        region=args.region,
        workers=args.workers,
        seed=args.seed,
        no_progress=True,
        verbosity=0,
    )
    print(f"seeded {args.workers:,} workers in {time.perf_counter() - started:.1f} s", flush=True)


def api_run(client: Any, token: str, ids: list[int]) -> list[float]:
    timings = []
    for pk in ids:
        body = json.dumps({"subject": {"type": "person", "id": pk}})
        started = time.perf_counter()
        response = client.post(
            URL, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        response.content  # noqa: B018 - the body is built (and encoded) in the timing
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (response.status_code, response.content[:300])
    return timings


def engine_run(ids: list[int], facts: dict[int, Any]) -> list[float]:
    from django.utils import timezone

    from jineng.policy.engine.explain import explain
    from jineng.policy.selectors import policies

    loaded = policies()
    on = timezone.localdate()
    timings = []
    for pk in ids:
        started = time.perf_counter()
        explain(facts[pk], on, loaded, {}, ())
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def measure(args: argparse.Namespace) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from jineng.api.services import api_token_issue
    from jineng.identity.models import Person, Role
    from jineng.identity.testing import make_user
    from jineng.policy.selectors import policies, read_subject_facts

    if not is_seeded():
        setup(args)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    user = make_user(
        Role.BUREAU_REVIEWER, region=args.region, username=f"bench-reviewer-{os.getpid()}"
    )
    _, token = api_token_issue(user=user)
    people = list(
        Person.objects.filter(residence_region__code__startswith=args.region[:4]).values_list(
            "pk", flat=True
        )
    )
    rng = random.Random(args.seed)
    ids = [rng.choice(people) for _ in range(args.calls)]
    on = timezone.localdate()
    facts = {pk: read_subject_facts(Person.objects.get(pk=pk), on) for pk in set(ids)}
    client = Client()
    policies()  # loaded once per process, as in a server worker; not timed
    api_run(client, token, ids[:20])  # warm up
    engine_run(ids[:20], facts)

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        api_run(client, token, ids)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        return

    with CaptureQueriesContext(connection) as queries:
        size = len(
            client.post(
                URL,
                json.dumps({"subject": {"type": "person", "id": ids[0]}}),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            ).content
        )
    query_count = len(queries.captured_queries)  # now: the log is cleared at the next request
    report = _common.Report(
        f"Explain through the API, {args.calls:,} calls per run over {len(set(ids)):,} of "
        f"{len(people):,} people ({connection.vendor})",
        FIGURES,
        notes=[
            f"One answer {size / 1024:.0f} KiB, {query_count} queries. Django test Client in "
            "process (no network, no HTTP server); the baseline is explain() on the same "
            "subjects' facts already read."
        ],
    )

    def one(number: int) -> dict[str, float]:
        api = percentiles(api_run(client, token, ids))
        engine = percentiles(engine_run(ids, facts))
        return {
            "api_p50": api[0],
            "api_p95": api[1],
            "api_p99": api[2],
            "engine_p50": engine[0],
            "engine_p95": engine[1],
            "engine_p99": engine[2],
        }

    _common.run_repeated(report, args.runs, one)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with _common.any_database(
        args.database_url, reuse=args.reuse, default=_common.SQLITE_FRESH
    ) as database:
        setup_django(database.url)
        from django.db import connections

        try:
            measure(args)
        finally:
            connections.close_all()


if __name__ == "__main__":
    main()
