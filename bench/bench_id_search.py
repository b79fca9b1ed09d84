"""Benchmark: search a person by full ID number among the seeded people (issue 2: p95 < 20 ms
among 1,000,000).

    .venv/bin/python bench/bench_seed_city.py --keep          # seeds jineng_bench first
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jineng_bench \\
        .venv/bin/python bench/bench_id_search.py [--searches 1000]

Blind index: the bureau console's path — `person_find_by_document` (HMAC of the number, one
indexed query, the row decrypted) then `person_in_scope` for a bureau reviewer of the city (the
web selector the console calls) — timed per search over `--searches` random known numbers.

Baseline (what the blind index replaces): without it, an encrypted column can only be searched by
reading and decrypting every row. Timed on a `--sample` of rows (default 10,000) and scaled to the
table's size, per searched number; the number is looked for in the sample, so every scan reads the
whole sample, as a scan of the full table would for a number that is not at its start.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.base")
os.environ.setdefault("JINENG_DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from jineng.identity.crypto import decrypt  # noqa: E402
from jineng.identity.models import IdType, Person, Role, User  # noqa: E402
from jineng.identity.services import person_find_by_document, role_grant  # noqa: E402
from jineng.web.selectors import person_in_scope  # noqa: E402


def percentiles(values_ms: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values_ms)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return statistics.median(ordered), cuts[94], cuts[98]


def reviewer(region: str) -> User:
    user, _ = User.objects.get_or_create(username="bench_reviewer")
    role_grant(actor=None, user=user, role=Role.BUREAU_REVIEWER, region=region)
    return user


def known_numbers(count: int, rng: random.Random) -> list[str]:
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


def blind_index_search(numbers: list[str], user: User | None) -> list[float]:
    """Per number: the console's find, and its scope check unless `user` is None."""
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--searches", type=int, default=1000)
    parser.add_argument("--baseline-searches", type=int, default=20)
    parser.add_argument("--sample", type=int, default=10_000)
    parser.add_argument("--region", default="441900")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    total = Person.objects.count()
    if total == 0:
        raise SystemExit("no people: run bench/bench_seed_city.py --keep first")
    rng = random.Random(args.seed)
    numbers = known_numbers(args.searches, rng)
    user = reviewer(args.region)
    blind_index_search(numbers[:50], user)  # warm-up: connection, caches
    find_only = percentiles(blind_index_search(numbers, None))
    indexed = percentiles(blind_index_search(numbers, user))
    scan = decrypting_scan(numbers[: args.baseline_searches], args.sample)
    scale = total / args.sample
    scanned = percentiles([t * scale for t in scan])
    print(f"{total:,} people ({connection.vendor}); {len(numbers)} searches by full ID number")
    print(f"{'':<42}{'p50 ms':>12}{'p95 ms':>12}{'p99 ms':>12}")
    print(f"{'blind index: find':<42}" + "".join(f"{v:>12.2f}" for v in find_only))
    print(
        f"{'blind index: find + scope check (console)':<42}"
        + "".join(f"{v:>12.2f}" for v in indexed)
    )
    print(
        f"{f'decrypting scan ({args.baseline_searches} searches, scaled)':<42}"
        + "".join(f"{v:>12.0f}" for v in scanned)
    )
    print(f"speed-up at p95: {scanned[1] / indexed[1]:,.0f}×")


if __name__ == "__main__":
    main()
