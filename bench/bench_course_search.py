"""Benchmark: the course catalogue's Chinese search over 100,000 courses (issue 8, "Measured":
p95 < 50 ms).

    # PostgreSQL, a database of its own (created, seeded, dropped at the end):
    .venv/bin/python bench/bench_course_search.py \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres [--courses 100000] [--runs 3]
    # SQLite, a fresh file of its own under var/bench/ (deleted at the end):
    .venv/bin/python bench/bench_course_search.py --database-url sqlite://

Seeding (not timed in the figures, printed): migrate, load_reference, `--providers` training
institutions and colleges through `organisation_create` in the townships of `--region`, then
`jineng.learning.seed.seed_courses` (the catalogue's bulk path: courses, chapters, lessons,
review history and jieba search terms) in chunks of 10,000 until `--courses`; then ANALYZE
(VACUUM ANALYZE on PostgreSQL), as after any bulk load.

Timed: `jineng.learning.selectors.course_search` (what the catalogue page and API call: jieba
segmentation of the query, the count, the first page of 20 with provider and occupation) for a
signed-in worker, over `--queries` searches per run drawn from a realistic mix — an occupation
word alone ("电工", "养老护理员", "数控"), a word with a level or a town, two words ("电工 中级"),
a whole occupation name, an occupation-code filter with or without a word, level and town without
words, the bare first page, and words no course has ("区块链"). Per run p50/p95/max; the block
has the median of the runs.

Baseline in the same run, same searches and filters: the naive catalogue query — published
courses whose title `icontains` every whitespace-separated word of the query (a LIKE '%…%' scan
of the table), counted and first page ordered by publication — what the term table replaces.

Run k draws its searches with seed `--seed` + k − 1. A database given by URL must be empty (it is
then seeded) or `--reuse` with a catalogue already in it; only a database this run created is
dropped. Ends with the pasteable block (bench/_common.py).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

sys.path.insert(0, str(_common.ROOT))

CHUNK = 10_000
PER_PAGE = 20
# Words people type into a vocational catalogue (each is in an occupation name of the 2022
# classification, so the seeded titles hold them), and a few that match nothing.
WORDS = (
    "电工", "焊工", "车工", "钳工", "数控", "模具", "养老护理员", "保育师", "中式烹调师", "面点师",
    "美发师", "化妆", "电子商务", "互联网营销师", "快递员", "网约配送员", "汽车维修", "保安员",
    "家政", "茶艺师", "插花", "眼镜", "维修", "装配", "操作工", "技术员",
)  # fmt: skip
MISSES = ("区块链", "飞行员", "宇航员")
LEVEL_WORDS = ("初级", "中级", "高级", "技师")
LEVELS = ("5", "4", "3", "2", "1")


@dataclass(frozen=True)
class Search:
    kind: str  # what the mix drew, for the notes
    q: str = ""
    occupation: str | None = None
    level: str | None = None
    town: str | None = None


def percentiles(values_ms: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(sorted(values_ms), n=100, method="inclusive")
    return statistics.median(values_ms), cuts[94], max(values_ms)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    _common.add_database_arguments(parser, sqlite=True, keep=True)
    _common.add_runs_argument(parser, default=3)
    parser.add_argument(
        "--courses", type=int, default=100_000, help="seeded into an empty database (100,000)"
    )
    parser.add_argument("--providers", type=int, default=60, help="seeded providers (60)")
    parser.add_argument("--queries", type=int, default=500, help="searches per run (500)")
    parser.add_argument("--region", default="441900", help="the city (441900 东莞市)")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.base")
    os.environ.setdefault("JINENG_DEBUG", "0")
    import django

    django.setup()


def towns(region: str) -> list[str]:
    from jineng.reference.models import Region, RegionLevel

    codes = list(
        Region.objects.under(region)
        .filter(level=RegionLevel.TOWNSHIP)
        .order_by("code")
        .values_list("code", flat=True)
    )
    return codes or [region]


def seed(args: argparse.Namespace) -> None:
    import numpy as np
    from django.core.management import call_command
    from django.db import connection

    from jineng.learning.seed import seed_courses
    from jineng.organisations.models import OrgKind
    from jineng.organisations.services import organisation_create
    from jineng.reference.models import Region

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    rng = np.random.default_rng(args.seed)
    places = towns(args.region)
    names = dict(Region.objects.filter(code__in=places).values_list("code", "name"))
    providers = []
    for i in range(args.providers):
        town = places[int(rng.integers(len(places)))]
        kind = OrgKind.COLLEGE if i % 6 == 5 else OrgKind.TRAINING_INSTITUTION
        suffix = "技工学校" if kind == OrgKind.COLLEGE else "职业技能培训学校"
        providers.append(
            organisation_create(
                actor=None,
                kind=kind,
                name=f"东莞市{names.get(town, '')}第{i + 1}{suffix}",
                region=town,
            )
        )
    done = 0
    while done < args.courses:
        count = min(CHUNK, args.courses - done)
        seed_courses(
            rng=np.random.default_rng([args.seed, done]),
            providers=providers,
            count=count,
            videos=0,
        )
        done += count
        print(f"  seeded {done:,} courses ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(
        f"seeded {args.courses:,} courses over {args.providers} providers in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )


def worker_user() -> Any:
    from jineng.identity.models import Role
    from jineng.identity.testing import make_user

    return make_user(Role.WORKER, region="441900", username="bench_course_search_worker")


def draw_searches(
    count: int, rng: random.Random, occupations: list[tuple[str, str]], places: list[str]
) -> list[Search]:
    """The mix (weights in per cent): 30 word, 12 word + level, 12 word + town, 8 two words,
    8 occupation name, 8 occupation code, 6 occupation code + word, 6 level + town, 5 first
    page, 5 no match."""
    counties = sorted({code[:6] for code in places})
    mix: list[tuple[int, Callable[[], Search]]] = [
        (30, lambda: Search("word", q=rng.choice(WORDS))),
        (12, lambda: Search("word+level", q=rng.choice(WORDS), level=rng.choice(LEVELS[:3]))),
        (12, lambda: Search("word+town", q=rng.choice(WORDS), town=rng.choice(places + counties))),
        (8, lambda: Search("two words", q=f"{rng.choice(WORDS)} {rng.choice(LEVEL_WORDS)}")),
        (8, lambda: Search("occupation name", q=rng.choice(occupations)[1])),
        (8, lambda: Search("occupation", occupation=rng.choice(occupations)[0])),
        (
            6,
            lambda: Search(
                "occupation+word", occupation=rng.choice(occupations)[0], q=rng.choice(LEVEL_WORDS)
            ),
        ),
        (6, lambda: Search("level+town", level=rng.choice(LEVELS), town=rng.choice(places))),
        (5, lambda: Search("first page")),
        (5, lambda: Search("no match", q=rng.choice(MISSES))),
    ]
    weights = [w for w, _ in mix]
    makers = [m for _, m in mix]
    return [rng.choices(makers, weights)[0]() for _ in range(count)]


def run_service(searches: list[Search], user: Any) -> tuple[list[float], int]:
    from jineng.learning.selectors import course_search

    timings, found = [], 0
    for s in searches:
        started = time.perf_counter()
        page = course_search(
            user=user, q=s.q, occupation=s.occupation, level=s.level, town=s.town, per_page=PER_PAGE
        )
        timings.append((time.perf_counter() - started) * 1000)
        found += page.total
    return timings, found


def run_naive(searches: list[Search]) -> tuple[list[float], int]:
    from jineng.learning.models import Course, CourseStatus
    from jineng.reference.models import region_prefix

    timings, found = [], 0
    for s in searches:
        started = time.perf_counter()
        qs = Course.objects.filter(status=CourseStatus.PUBLISHED)
        for word in s.q.split():
            qs = qs.filter(title__icontains=word)
        if s.occupation:
            qs = qs.filter(occupation_id=s.occupation)
        if s.level:
            qs = qs.filter(level=s.level)
        if s.town:
            qs = qs.filter(provider__region__code__startswith=region_prefix(s.town))
        total = qs.count()
        items = list(
            qs.select_related("provider", "occupation").order_by("-published_at", "-id")[:PER_PAGE]
        )
        timings.append((time.perf_counter() - started) * 1000)
        found += total
        del items
    return timings, found


FIGURES = [
    _common.Figure("p50", "course_search p50 (ms)"),
    _common.Figure("p95", "course_search p95 (ms)"),
    _common.Figure("max", "course_search max (ms)"),
    _common.Figure("hits", "course_search mean matches per search", ",.0f"),
    _common.Figure("naive_p50", "naive title__icontains p50 (ms)"),
    _common.Figure("naive_p95", "naive title__icontains p95 (ms)"),
    _common.Figure("naive_max", "naive title__icontains max (ms)"),
    _common.Figure("naive_hits", "naive mean matches per search", ",.0f"),
]


def measure(args: argparse.Namespace) -> None:
    from django.db import connection

    from jineng.learning.models import Course, CourseStatus

    tables = connection.introspection.table_names()
    if "learning_course" not in tables or not Course.objects.exists():
        seed(args)
    total = Course.objects.filter(status=CourseStatus.PUBLISHED).count()
    occupations = list(
        Course.objects.filter(status=CourseStatus.PUBLISHED)
        .values_list("occupation_id", "occupation__name")
        .distinct()
        .order_by("occupation_id")
    )
    places = towns(args.region)
    user = worker_user()
    report = _common.Report(
        f"Course search, {total:,} published courses, {args.queries:,} searches per run "
        f"({connection.vendor})",
        FIGURES,
        notes=[
            "course_search as a signed-in worker (published only), first page of 20 and the "
            "count; the mix: 30 % one word, 12 % word + level, 12 % word + town or county, 8 % "
            "two words, 8 % a whole occupation name, 8 % occupation code, 6 % code + level word, "
            "6 % level + town, 5 % bare first page, 5 % no match. Naive: title__icontains "
            "every word, same filters, count + first page."
        ],
    )

    def one(number: int) -> dict[str, float]:
        searches = draw_searches(
            args.queries, random.Random(args.seed + number - 1), occupations, places
        )
        run_service(searches[:30], user)  # warm-up: connection, jieba, caches
        run_naive(searches[:5])
        service, found = run_service(searches, user)
        naive, naive_found = run_naive(searches)
        by_kind: dict[str, list[tuple[float, float]]] = {}
        for s, t, n in zip(searches, service, naive, strict=True):
            by_kind.setdefault(s.kind, []).append((t, n))
        for kind, pairs in sorted(by_kind.items()):
            ts = sorted(t for t, _ in pairs)
            ns = sorted(n for _, n in pairs)
            print(
                f"  {kind:16} n={len(pairs):3}  course_search p50 {statistics.median(ts):6.1f} "
                f"p95 {ts[int(0.95 * (len(ts) - 1))]:6.1f} ms   naive p50 "
                f"{statistics.median(ns):6.1f} p95 {ns[int(0.95 * (len(ns) - 1))]:6.1f} ms",
                flush=True,
            )
        p50, p95, top = percentiles(service)
        n50, n95, ntop = percentiles(naive)
        return {
            "p50": p50,
            "p95": p95,
            "max": top,
            "hits": found / len(searches),
            "naive_p50": n50,
            "naive_p95": n95,
            "naive_max": ntop,
            "naive_hits": naive_found / len(searches),
        }

    _common.run_repeated(report, args.runs, one)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with _common.any_database(
        args.database_url, reuse=args.reuse, keep=args.keep, default=_common.SQLITE_FRESH
    ) as database:
        setup_django(database.url)
        from django.db import connections

        try:
            measure(args)
        finally:
            connections.close_all()


if __name__ == "__main__":
    main()
