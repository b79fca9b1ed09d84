"""Benchmark: explain one subject through the API (issue 3, "Measured": p50 under 10 ms).

    .venv/bin/python bench/bench_explain_api.py [--calls 500] [--runs 3] [--workers 5000]
    .venv/bin/python bench/bench_explain_api.py --database-url postgres://postgres@127.0.0.1/x

Sets up a database (default: a fresh SQLite file under var/bench/; with `--database-url` that
database, migrated and seeded unless `--no-setup`), loads the reference data, seeds a city
(`seed_city --region 441900 --workers 5000 --seed 1`), creates a bureau reviewer of the city with
an API token, then times `--calls` `POST /api/v1/policy/explain` `{subject: {type: person, id}}`
over random people of the city, with Django's test `Client` in process: the whole Django stack
(middleware, token auth, ninja parsing, access checks, dossier reads, the engine, the response
schema and JSON) but no network and no HTTP server.

Baseline, in the same run and on the same subjects: the engine's `explain()` alone on the facts
already read and parsed (no database, no view, no serialisation). p50/p95/p99 in ms; each figure
is the median over `--runs` runs.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None, help="default: var/bench/explain.sqlite3")
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=5000)
    parser.add_argument("--region", default="441900")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-setup", action="store_true", help="database already seeded")
    parser.add_argument("--profile", action="store_true", help="cProfile the API calls once")
    return parser.parse_args()


ARGS = parse_args()
if ARGS.database_url:
    os.environ["DATABASE_URL"] = ARGS.database_url
else:
    bench_dir = ROOT / "var" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    sqlite = bench_dir / "explain.sqlite3"
    if not ARGS.no_setup and sqlite.exists():
        sqlite.unlink()
    os.environ["DATABASE_URL"] = f"sqlite:///{sqlite}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.base")
os.environ.setdefault("JINENG_DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from jineng.api.services import api_token_issue  # noqa: E402
from jineng.identity.models import Person, Role  # noqa: E402
from jineng.identity.testing import make_user  # noqa: E402
from jineng.policy.engine.explain import explain  # noqa: E402
from jineng.policy.engine.facts import SubjectFacts  # noqa: E402
from jineng.policy.selectors import policies, read_subject_facts  # noqa: E402

URL = "/api/v1/policy/explain"


def percentiles(values_ms: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(sorted(values_ms), n=100, method="inclusive")
    return statistics.median(values_ms), cuts[94], cuts[98]


def setup() -> None:
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    started = time.perf_counter()
    call_command(
        "seed_city",
        region=ARGS.region,
        workers=ARGS.workers,
        seed=ARGS.seed,
        no_progress=True,
        verbosity=0,
    )
    print(f"seeded {ARGS.workers} workers in {time.perf_counter() - started:.1f} s")


def api_run(client: Client, token: str, ids: list[int]) -> list[float]:
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


def engine_run(ids: list[int], facts: dict[int, SubjectFacts]) -> list[float]:
    loaded = policies()
    on = timezone.localdate()
    timings = []
    for pk in ids:
        started = time.perf_counter()
        explain(facts[pk], on, loaded, {}, ())
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    if not ARGS.no_setup:
        setup()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    user = make_user(
        Role.BUREAU_REVIEWER, region=ARGS.region, username=f"bench-reviewer-{os.getpid()}"
    )
    _, token = api_token_issue(user=user)
    people = list(
        Person.objects.filter(residence_region__code__startswith=ARGS.region[:4]).values_list(
            "pk", flat=True
        )
    )
    rng = random.Random(ARGS.seed)
    ids = [rng.choice(people) for _ in range(ARGS.calls)]
    on = timezone.localdate()
    facts = {pk: read_subject_facts(Person.objects.get(pk=pk), on) for pk in set(ids)}
    client = Client()
    policies()  # loaded once per process, as in a server worker; not timed
    api_run(client, token, ids[:20])  # warm up
    engine_run(ids[:20], facts)

    if ARGS.profile:
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
    api_runs, engine_runs = [], []
    for run in range(ARGS.runs):
        api = percentiles(api_run(client, token, ids))
        engine = percentiles(engine_run(ids, facts))
        api_runs.append(api)
        engine_runs.append(engine)
        print(
            f"run {run + 1}: API p50/p95/p99 {api[0]:.2f}/{api[1]:.2f}/{api[2]:.2f} ms; "
            f"engine explain() {engine[0]:.2f}/{engine[1]:.2f}/{engine[2]:.2f} ms"
        )
    vendor = django.db.connection.vendor
    print(
        f"\n{ARGS.calls} calls over {len(set(ids))} people of {len(people)} ({vendor}); "
        f"median of {ARGS.runs} runs; one answer ≈ {size / 1024:.0f} KB, "
        f"{query_count} queries; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print("| path | p50 ms | p95 ms | p99 ms |")
    print("|---|---:|---:|---:|")
    for name, runs in (
        ("API POST /api/v1/policy/explain (test Client, in process)", api_runs),
        ("engine explain() alone (baseline)", engine_runs),
    ):
        p50, p95, p99 = (statistics.median(r[i] for r in runs) for i in range(3))
        print(f"| {name} | {p50:.2f} | {p95:.2f} | {p99:.2f} |")


if __name__ == "__main__":
    main()
