"""Benchmark: search a person by full ID number among the seeded people (issue 2: p95 < 20 ms
among 1,000,000).

    # on a database of its own, seeded first with --workers (default 20,000), dropped at the end:
    .venv/bin/python bench/bench_id_search.py \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres [--workers 20000] [--runs 3]
    # on the 1,000,000 people kept by `bench_seed_city.py --workers 1000000 --keep` (it prints the URL):
    .venv/bin/python bench/bench_id_search.py --database-url URL_IT_PRINTED --reuse

Blind index: the bureau console's path — `person_find_by_document` (HMAC of the number, one
indexed query, the row decrypted) then `person_in_scope` for a bureau reviewer of the city (the
web selector the console calls) — timed per search over `--searches` random known numbers.

Baseline (what the blind index replaces): without it, an encrypted column can only be searched by
reading and decrypting every row. Timed on a `--sample` of rows (default 10,000) and scaled to the
table's size, per searched number; the number is looked for in the sample, so every scan reads the
whole sample, as a scan of the full table would for a number that is not at its start.

Run k draws its numbers with seed `--seed` + k − 1. A database given by URL is used as it is (it
must be empty — then it is seeded — or `--reuse` is passed); only a database this run created is
dropped. Ends with the pasteable block (bench/_common.py).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

sys.path.insert(0, str(_common.ROOT))


def percentiles(values_ms: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values_ms)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return statistics.median(ordered), cuts[94], cuts[98]


def reviewer(region: str) -> Any:
    from jineng.identity.models import Role, User
    from jineng.identity.services import role_grant

    user, _ = User.objects.get_or_create(username="bench_reviewer")
    role_grant(actor=None, user=user, role=Role.BUREAU_REVIEWER, region=region)
    return user


def known_numbers(count: int, rng: random.Random) -> list[str]:
    from django.db import connection

    from jineng.identity.models import IdType, Person

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM identity_person")
        low, high = cursor.fetchone()
    chosen = rng.sample(range(low, high + 1), min(count * 2, high - low + 1))
    numbers = list(
        Person.objects.filter(pk__in=chosen, id_type=IdType.RESIDENT).values_list(
            "id_number", flat=True
        )
    )
    rng.shuffle(numbers)
    return numbers[:count]


def blind_index_search(numbers: list[str], user: Any) -> list[float]:
    """Per number: the console's find, and its scope check unless `user` is None."""
    from jineng.web.selectors import person_in_scope

    from jineng.identity.models import IdType
    from jineng.identity.services import person_find_by_document

    timings = []
    for number in numbers:
        started = time.perf_counter()
        person = person_find_by_document(id_number=number, id_type=IdType.RESIDENT)
        if user is not None:
            person = person_in_scope(user=user, person=person)
        timings.append((time.perf_counter() - started) * 1000)
        assert person is not None and person.id_number == number
    return timings


def decrypting_scan(numbers: list[str], sample: int) -> list[float]:
    """Per number: read `sample` ciphertexts and decrypt until found (the whole sample when the
    number is not in it); returns the time per number scaled to the table's size later."""
    from django.db import connection

    from jineng.identity.crypto import decrypt

    timings = []
    for number in numbers:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, id_number FROM identity_person ORDER BY id LIMIT %s", [sample]
            )
            found = next((pk for pk, token in cursor.fetchall() if decrypt(token) == number), None)
        timings.append((time.perf_counter() - started) * 1000)
        del found
    return timings


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    _common.add_database_arguments(parser)
    _common.add_runs_argument(parser, default=3)
    parser.add_argument(
        "--workers", type=int, default=20_000, help="seeded into an empty database (default 20,000)"
    )
    parser.add_argument("--searches", type=int, default=1000)
    parser.add_argument("--baseline-searches", type=int, default=20)
    parser.add_argument("--sample", type=int, default=10_000)
    parser.add_argument("--region", default="441900")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.base")
    os.environ.setdefault("JINENG_DEBUG", "0")
    import django

    django.setup()


def seed(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    call_command(
        "seed_city",
        region=args.region,
        workers=args.workers,
        seed=1,
        no_progress=True,
        verbosity=0,
    )
    print(f"seeded {args.workers:,} workers in {time.perf_counter() - started:.1f} s", flush=True)


FIGURES = [
    _common.Figure("find_p50", "blind index: find, p50 (ms)"),
    _common.Figure("find_p95", "blind index: find, p95 (ms)"),
    _common.Figure("find_p99", "blind index: find, p99 (ms)"),
    _common.Figure("scoped_p50", "find + scope check (console), p50 (ms)"),
    _common.Figure("scoped_p95", "find + scope check (console), p95 (ms)"),
    _common.Figure("scoped_p99", "find + scope check (console), p99 (ms)"),
    _common.Figure("scan_p50", "decrypting scan, scaled, p50 (ms)", ",.0f"),
    _common.Figure("scan_p95", "decrypting scan, scaled, p95 (ms)", ",.0f"),
    _common.Figure("speedup", "speed-up at p95 (×)", ",.0f"),
]


def measure(args: argparse.Namespace) -> None:
    from django.db import connection

    from jineng.identity.models import Person

    if "identity_person" not in connection.introspection.table_names() or not (
        Person.objects.exists()
    ):
        seed(args)
    total = Person.objects.count()
    user = reviewer(args.region)
    report = _common.Report(
        f"ID search, {total:,} people, {args.searches:,} searches by full ID number "
        f"({connection.vendor})",
        FIGURES,
    )

    def one(number: int) -> dict[str, float]:
        numbers = known_numbers(args.searches, random.Random(args.seed + number - 1))
        blind_index_search(numbers[:50], user)  # warm-up: connection, caches
        find = percentiles(blind_index_search(numbers, None))
        scoped = percentiles(blind_index_search(numbers, user))
        scan = decrypting_scan(numbers[: args.baseline_searches], args.sample)
        scale = total / min(args.sample, total)
        scanned = percentiles([t * scale for t in scan])
        return {
            "find_p50": find[0],
            "find_p95": find[1],
            "find_p99": find[2],
            "scoped_p50": scoped[0],
            "scoped_p95": scoped[1],
            "scoped_p99": scoped[2],
            "scan_p50": scanned[0],
            "scan_p95": scanned[1],
            "speedup": scanned[1] / scoped[1],
        }

    _common.run_repeated(report, args.runs, one)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with _common.bench_database(args.database_url, reuse=args.reuse) as database:
        setup_django(database.url)
        from django.db import connections

        try:
            measure(args)
        finally:
            connections.close_all()


if __name__ == "__main__":
    main()
