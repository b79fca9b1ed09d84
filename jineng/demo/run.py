"""`seed_city`: organisations first, then workers chunk by chunk.

Each chunk (people, their jobs, teacher posts and facts, and one audit entry for the chunk) is
written in one transaction, so a crash never leaves half a chunk. Chunks are generated and
encrypted either in this process or in worker processes (`processes` > 1) while this process
writes the previous one; at most `processes + 1` chunks are in flight, so memory stays flat.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import connection, connections, transaction
from django.utils import timezone
from tqdm import tqdm

from jineng.audit.services import audit_record
from jineng.core.bulkload import TableWriter, allocate_ids
from jineng.demo import integrity
from jineng.demo.context import (
    SeedContext,
    build_geography,
    build_occupations,
    build_shortage,
)
from jineng.demo.organisations import FACT_COLUMNS, SOURCE, seed_organisations
from jineng.demo.people import Chunk, id_numbers, make_chunk
from jineng.demo.profiles import profile_for
from jineng.dossier.bulk_load import facts_loader
from jineng.dossier.models import Fact
from jineng.identity.crypto import blind_index, encrypt
from jineng.identity.models import Employment, IdType, Person
from jineng.identity.services.bulk_load import employments_loader, people_loader
from jineng.organisations.bulk import teachers_loader
from jineng.organisations.models import Teacher

if TYPE_CHECKING:
    from jineng.identity.models import User

PERSON_COLUMNS = (
    "id",
    "name",
    "id_type",
    "id_number",
    "id_number_index",
    "birth_date",
    "sex",
    "phone",
    "phone_index",
    "hukou_region",
    "residence_region",
    "education",
    "insured",
    "insured_since",
    "created_at",
    "updated_at",
)
EMPLOYMENT_COLUMNS = ("person", "employer", "employer_name", "occupation", "region", "start", "end")
TEACHER_COLUMNS = ("person", "organisation", "kind", "subject", "start")
HIGH_SKILL = frozenset({"3", "2", "1", "S", "C"})


@dataclass(frozen=True)
class SeedResult:
    region: str
    workers: int
    seed: int
    organisations: int
    people: int
    employments: int
    teachers: int
    facts: int
    certified: int  # people holding at least one certificate
    high_skill: int  # people holding a certificate at 高级工 or above
    seconds: float

    @property
    def high_skill_share(self) -> float:
        """Share of certificate holders who are 高技能人才."""
        return self.high_skill / self.certified if self.certified else 0.0


def encrypt_chunk(chunk: Chunk) -> Chunk:
    chunk.id_cipher = [encrypt(v) for v in chunk.id_numbers]
    chunk.id_index = [blind_index(v) for v in chunk.id_numbers]
    chunk.phone_cipher = [encrypt(v) for v in chunk.phones]
    chunk.phone_index = [blind_index(v) for v in chunk.phones]
    return chunk


_WORKER_CONTEXT: tuple[SeedContext, int] | None = None


def _init_worker(context: SeedContext, workers: int) -> None:
    global _WORKER_CONTEXT
    _WORKER_CONTEXT = (context, workers)


def _produce(index: int, size: int) -> Chunk:
    assert _WORKER_CONTEXT is not None
    context, workers = _WORKER_CONTEXT
    return encrypt_chunk(make_chunk(context, index, size, workers))


def _chunks(
    context: SeedContext, sizes: list[tuple[int, int]], workers: int, processes: int
) -> Iterator[Chunk]:
    if processes <= 1:
        for index, size in sizes:
            yield encrypt_chunk(make_chunk(context, index, size, workers))
        return
    connections.close_all()  # the forked children must not share our database socket
    pool = multiprocessing.get_context("fork").Pool(
        processes, initializer=_init_worker, initargs=(context, workers)
    )
    try:
        pending: deque[Any] = deque()
        queue = iter(sizes)
        for index, size in queue:
            pending.append(pool.apply_async(_produce, (index, size)))
            if len(pending) > processes:
                break
        while pending:
            chunk = pending.popleft().get()
            next_size = next(queue, None)
            if next_size is not None:
                pending.append(pool.apply_async(_produce, next_size))
            yield chunk
    finally:
        pool.terminate()
        pool.join()


class _Duplicates:
    """Keeps every ID number drawn so far unique (a birthday-paradox collision happens about ten
    times per million) and unique against people already in the database."""

    def __init__(self, seed: int, check_database: bool) -> None:
        self.seed = seed
        self.taken: set[int] = set()
        self.check_database = check_database

    def _existing(self, chunk: Chunk) -> set[int]:
        if not self.check_database:
            return set()
        found = set(
            Person.objects.filter(
                id_type=IdType.RESIDENT, id_number_index__in=chunk.id_index
            ).values_list("id_number_index", flat=True)
        )
        return {i for i, index in enumerate(chunk.id_index) if index in found}

    def resolve(self, chunk: Chunk) -> int:
        redrawn = 0
        for attempt in range(100):
            clash = set(self._existing(chunk))
            seen: set[int] = set()
            for i, value in enumerate(chunk.id17.tolist()):
                if value in self.taken or value in seen:
                    clash.add(i)
                seen.add(value)
            if not clash:
                self.taken.update(seen)
                return redrawn
            rng = np.random.default_rng([self.seed, 2, chunk.index, attempt])
            for i in sorted(clash):
                sex_digit = int(chunk.id17[i]) % 10  # keep the sex: redraw the two digits before
                chunk.id17[i] = (
                    chunk.id17[i] - chunk.id17[i] % 1000 + int(rng.integers(100)) * 10 + sex_digit
                )
                number = id_numbers(chunk.id17[i : i + 1])[0]
                chunk.id_numbers[i] = number
                chunk.id_cipher[i] = encrypt(number)
                chunk.id_index[i] = blind_index(number)
                redrawn += 1
        raise RuntimeError("could not draw unique ID numbers")


def _write_chunk(
    chunk: Chunk,
    context: SeedContext,
    *,
    actor: User | None,
    writers: dict[str, TableWriter],
    set_based_keys: bool,
) -> tuple[int, int, int]:
    now = timezone.now()
    city = context.geography.city
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Synthetic data: no need to wait for the WAL flush at each chunk's commit. A crash
            # loses at most the last chunks, never half of one (each chunk is one transaction).
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            cursor.execute("SELECT COALESCE(max(id), 0) FROM dossier_fact")
            (facts_before,) = cursor.fetchone()
    else:
        facts_before = Fact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    if set_based_keys:
        integrity.row_triggers(enabled=False)
    ids = allocate_ids(Person, chunk.size)
    writers["person"].write(
        (
            ids[i],
            chunk.names[i],
            IdType.RESIDENT.value,
            chunk.id_cipher[i],
            chunk.id_index[i],
            chunk.birth[i],
            chunk.sex[i],
            chunk.phone_cipher[i],
            chunk.phone_index[i],
            chunk.hukou[i],
            chunk.residence[i],
            chunk.education[i],
            chunk.insured[i],
            chunk.insured_since[i],
            now,
            now,
        )
        for i in range(chunk.size)
    )
    names = context.employers.names
    employments = writers["employment"].write(
        (ids[who], org, names.get(org, ""), occupation, region, start, end)
        for who, org, occupation, region, start, end in chunk.employments
    )
    teachers = writers["teacher"].write(
        (ids[who], org, kind, subject, start) for who, org, kind, subject, start in chunk.teachers
    )
    facts = writers["fact"].write(
        (
            "person" if who is not None else "organisation",
            ids[who] if who is not None else None,
            org,
            kind,
            code,
            level,
            date,
            amount,
            region,
            issuer,
            issuer_name,
            attrs,
            SOURCE,
            "",
            now,
        )
        for who, org, kind, code, level, date, amount, region, issuer, issuer_name, attrs in chunk.facts
    )
    if set_based_keys:
        integrity.row_triggers(enabled=True)
        people = [ids[0], ids[-1]]
        integrity.verify_foreign_keys(Person, "t.id BETWEEN %s AND %s", people)
        integrity.verify_foreign_keys(Employment, "t.person_id BETWEEN %s AND %s", people)
        integrity.verify_foreign_keys(Teacher, "t.person_id BETWEEN %s AND %s", people)
        integrity.verify_foreign_keys(Fact, "t.id > %s", [facts_before])
    audit_record(
        actor=actor,
        action="seed",
        object_type="person",
        object_id=f"{ids[0]}-{ids[-1]}",
        after={
            "region": city,
            "seed": context.seed,
            "chunk": chunk.index,
            "people": chunk.size,
            "employments": employments,
            "teachers": teachers,
            "facts": facts,
        },
        reason="合成示范城市数据（每块一条）",
    )
    return employments, teachers, facts


def seed_city(
    *,
    region: str,
    workers: int,
    seed: int,
    actor: User | None = None,
    chunk_size: int = 20_000,
    processes: int = 1,
    progress: bool = True,
) -> SeedResult:
    """Create a deterministic synthetic city: into an empty database, the same seed, number of
    workers and chunk size give the same people, organisations and facts (whatever `processes`)."""
    started = time.perf_counter()
    profile = profile_for(region)
    geography = build_geography(region, profile)
    sectors, shares, occupations = build_occupations(profile)
    shortage = build_shortage(region)
    with transaction.atomic():
        employers, n_orgs, n_org_facts = seed_organisations(
            rng=np.random.default_rng([seed, 0]),
            geography=geography,
            profile=profile,
            workers=workers,
        )
        audit_record(
            actor=actor,
            action="seed",
            object_type="organisation",
            object_id=f"{region}:{seed}",
            after={"region": region, "seed": seed, "organisations": n_orgs, "facts": n_org_facts},
            reason="合成示范城市数据",
        )
    context = SeedContext(
        seed=seed,
        profile=profile,
        geography=geography,
        sectors=sectors,
        sector_shares=shares,
        sector_occupations=occupations,
        shortage=shortage,
        employers=employers,
    )
    duplicates = _Duplicates(seed, check_database=Person.objects.exists())
    sizes = [
        (k, min(chunk_size, workers - k * chunk_size))
        for k in range((workers + chunk_size - 1) // chunk_size)
    ]
    writers: dict[str, TableWriter] = {}
    set_based_keys = False
    totals = {"employments": 0, "teachers": 0, "facts": n_org_facts}
    certified = high = 0
    bar = tqdm(total=workers, file=sys.stderr, disable=not progress, unit="人", desc="seed_city")
    try:
        for chunk in _chunks(context, sizes, workers, processes):
            if not writers:  # after the fork: built in this process, on a fresh connection
                set_based_keys = integrity.can_skip_row_triggers()
                writers = {
                    "person": people_loader(PERSON_COLUMNS),
                    "employment": employments_loader(EMPLOYMENT_COLUMNS),
                    "teacher": teachers_loader(TEACHER_COLUMNS),
                    "fact": facts_loader(FACT_COLUMNS, json_as_text=True),
                }
            duplicates.resolve(chunk)
            with transaction.atomic():
                employments, teachers, facts = _write_chunk(
                    chunk, context, actor=actor, writers=writers, set_based_keys=set_based_keys
                )
            totals["employments"] += employments
            totals["teachers"] += teachers
            totals["facts"] += facts
            holders = {f[0] for f in chunk.facts if f[2] == "certificate"}
            certified += len(holders)
            high += len({f[0] for f in chunk.facts if f[2] == "certificate" and f[4] in HIGH_SKILL})
            bar.update(chunk.size)
    finally:
        bar.close()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics for the planner after a bulk load
            for model in (Person, Employment, Fact):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    return SeedResult(
        region=region,
        workers=workers,
        seed=seed,
        organisations=n_orgs,
        people=workers,
        employments=totals["employments"],
        teachers=totals["teachers"],
        facts=totals["facts"],
        certified=certified,
        high_skill=high,
        seconds=time.perf_counter() - started,
    )
