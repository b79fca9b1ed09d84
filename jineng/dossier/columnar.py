"""The dossier's columnar reader: the four inputs of a population — the facts, the people, their
employments (with the employer's region, ownership and kind) and the organisations — read into
Polars frames (no model instances), beside `subject_facts_document` which reads one subject.
The policy app shapes these frames into the engine's `Population`
(`jineng.policy.population.load_population_from_dossier`); nothing else reads those tables
column-wise.

Two readers give the same four frames (`DossierFrames`, typed by the `*_SCHEMA`s below):

- `rows` (any database; SQLite): facts with one raw query and `fetchmany`, the others with
  `values_list` — a Python object per value, ~60 µs per subject.
- `copy` (PostgreSQL, the default there): each input is one `COPY (SELECT …) TO STDOUT WITH
  (FORMAT csv)` read straight into `pl.read_csv` with explicit dtypes. The people, employment and
  organisation SELECTs are the querysets' own compiled SQL (`sql_with_params()` bound with
  `ClientCursor.mogrify`), so a caller's scope is applied by the server; the facts are restricted
  to the scoped subjects with the same SQL as a subquery. Outside a transaction the four COPYs run
  concurrently on four connections (threads: psycopg and Polars release the GIL) that share one
  REPEATABLE READ snapshot (`pg_export_snapshot`), so they read one consistent state of the
  database. Inside a caller's transaction they run one after another on its connection (other
  connections could not see its uncommitted rows).
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import polars as pl
import psycopg
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections, transaction
from django.db.models import Model, QuerySet
from psycopg import sql as psql

from jineng.dossier.models import Fact
from jineng.identity.models import Employment, Person
from jineng.organisations.models import Organisation

BATCH = 200_000
# Run the PostgreSQL COPYs concurrently on separate connections (outside a caller's transaction).
PARALLEL_COPY = True

Schema = dict[str, Any]

FACT_COLUMNS = (
    "id, subject_type, person_id, organisation_id, kind, code, level, date, amount_fen, region, "
    "issuer_id, issuer_name, CAST(attrs AS TEXT), supersedes_id"
)
FACTS_SELECT = f"SELECT {FACT_COLUMNS} FROM {Fact._meta.db_table}"
FACTS_SCHEMA: Schema = {
    "pk": pl.Int64,
    "subject_type": pl.String,
    "person_id": pl.Int64,
    "organisation_id": pl.Int64,
    "kind": pl.String,
    "code": pl.String,
    "level": pl.String,
    "date": pl.Date,
    "amount_fen": pl.Int64,
    "region": pl.String,
    "issuer_id": pl.Int64,
    "issuer_name": pl.String,
    "attrs": pl.String,
    "supersedes_id": pl.Int64,
}
PEOPLE_FIELDS = (
    "pk",
    "birth_date",
    "sex",
    "insured",
    "insured_since",
    "hukou_region_id",
    "residence_region_id",
    "education",
)
PEOPLE_SCHEMA: Schema = {
    "pk": pl.Int64,
    "birth_date": pl.Date,
    "sex": pl.String,
    "insured": pl.Boolean,
    "insured_since": pl.Date,
    "hukou": pl.String,
    "residence": pl.String,
    "education": pl.String,
}
JOB_FIELDS = (
    "person_id",
    "pk",
    "start",
    "end",
    "region_id",
    "employer_id",
    "employer__region_id",
    "employer__ownership",
    "employer__kind",
)
JOBS_SCHEMA: Schema = {
    "person_id": pl.Int64,
    "pk": pl.Int64,
    "start": pl.Date,
    "end": pl.Date,
    "region_id": pl.String,
    "employer_id": pl.Int64,
    "employer_region": pl.String,
    "ownership": pl.String,
    "employer_kind": pl.String,
}
ORGANISATION_FIELDS = (
    "pk",
    "kind",
    "region_id",
    "ownership",
    "uscc_status",
    "designated_training",
    "designated_from",
    "designated_to",
    "self_evaluation_filed",
)
ORGANISATIONS_SCHEMA: Schema = {
    "pk": pl.Int64,
    "kind": pl.String,
    "region": pl.String,
    "ownership": pl.String,
    "uscc_status": pl.String,
    "designated_training": pl.Boolean,
    "designated_from": pl.Date,
    "designated_to": pl.Date,
    "self_evaluation_filed": pl.Boolean,
}


@dataclass(frozen=True)
class DossierFrames:
    """The four frames read from the database, before any derivation."""

    facts: pl.DataFrame
    people: pl.DataFrame
    jobs: pl.DataFrame
    organisations: pl.DataFrame


def _frame(rows: list[tuple[Any, ...]], schema: Schema) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row")


def _add_months(expr: pl.Expr, months: pl.Expr) -> pl.Expr:
    """Calendar months, the day clamped to the month's end (as dossier.retirement._add_months)."""
    return expr.dt.offset_by(pl.format("{}mo", months))


def retirement_dates(birth: pl.Expr, sex: pl.Expr) -> pl.Expr:
    """dossier.retirement.retirement_date over columns: men 60, women workers 50, delayed from
    2025 by one month per 4 (men) / 2 (women) months of birth after the start, capped 36 / 60."""
    male = sex == "M"
    base = pl.when(male).then(pl.lit(720)).otherwise(pl.lit(600))
    original = _add_months(birth, base)
    months_after = (
        (original.dt.year().cast(pl.Int32) - 2025) * 12 + original.dt.month().cast(pl.Int32) - 1
    )
    step = pl.when(male).then(pl.lit(4)).otherwise(pl.lit(2))
    cap = pl.when(male).then(pl.lit(36)).otherwise(pl.lit(60))
    delay = pl.min_horizontal(cap, months_after // step + 1)
    dated = (
        pl.when(original < pl.lit(dt.date(2025, 1, 1)))
        .then(original)
        .otherwise(_add_months(original, delay))
    )
    return pl.when(birth.is_not_null() & sex.is_in(["M", "F"])).then(dated)


def _employments(people: QuerySet[Person]) -> QuerySet[Employment]:
    return Employment.objects.filter(person__in=people.values("pk"))


# --- the row reader (any database) ---------------------------------------------------------------


def _facts_rows() -> pl.DataFrame:
    sql = FACTS_SELECT
    schema = FACTS_SCHEMA | {"date": pl.String}
    frames = []
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(BATCH):
            frames.append(
                _frame(
                    [tuple(str(v) if isinstance(v, dt.date) else v for v in r) for r in rows],
                    schema,
                )
            )
    facts = pl.concat(frames) if frames else pl.DataFrame(schema=schema)
    return facts.with_columns(pl.col("date").str.to_date())


def _read_rows(people: QuerySet[Person], organisations: QuerySet[Organisation]) -> DossierFrames:
    return DossierFrames(
        facts=_facts_rows(),
        people=_frame(list(people.values_list(*PEOPLE_FIELDS)), PEOPLE_SCHEMA),
        jobs=_frame(list(_employments(people).values_list(*JOB_FIELDS)), JOBS_SCHEMA),
        organisations=_frame(
            list(organisations.values_list(*ORGANISATION_FIELDS)), ORGANISATIONS_SCHEMA
        ),
    )


# --- the COPY reader (PostgreSQL) ----------------------------------------------------------------


def _compiled(qs: QuerySet[Any]) -> tuple[str, tuple[Any, ...]] | None:
    """The queryset's SQL and parameters (its ordering dropped unless sliced); None if Django
    knows it is empty (`.none()`, `pk__in=[]`)."""
    if not qs.query.is_sliced:
        qs = qs.order_by()
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:
        return None
    return sql, tuple(params)


def _bound(qs: QuerySet[Any]) -> str | None:
    """The queryset's SQL with its parameters bound client-side, for COPY (which takes none)."""
    compiled = _compiled(qs)
    if compiled is None:
        return None
    sql, params = compiled
    mogrified = psycopg.ClientCursor(connection.connection).mogrify(sql, params)
    return str(mogrified)


def _everyone(qs: QuerySet[Any]) -> bool:
    """The queryset selects every row of its table (compiles as the base manager's)."""
    if qs.query.is_sliced:
        return False
    model: type[Model] = qs.model
    return _compiled(qs.values("pk")) == _compiled(model._base_manager.values("pk"))


def _facts_sql(people: QuerySet[Person], organisations: QuerySet[Organisation]) -> str | None:
    """All facts, or (for scoped querysets) only those of the selected subjects."""
    sql = FACTS_SELECT
    everyone = _everyone(people), _everyone(organisations)
    if all(everyone):
        return sql
    clauses = []
    for (subject_type, column, qs), all_of_them in zip(
        [("person", "person_id", people), ("organisation", "organisation_id", organisations)],
        everyone,
        strict=True,
    ):
        if all_of_them:
            clauses.append(f"subject_type = '{subject_type}'")
        elif (pks := _bound(qs.values("pk"))) is not None:
            clauses.append(f"(subject_type = '{subject_type}' AND {column} IN ({pks}))")
    return f"{sql} WHERE {' OR '.join(clauses)}" if clauses else None


def _read_csv(data: bytes, schema: Schema) -> pl.DataFrame:
    """PostgreSQL CSV (NULL unquoted and empty, '' quoted, booleans t/f, dates ISO) → typed."""
    if not data:
        return pl.DataFrame(schema=schema)
    booleans = [name for name, dtype in schema.items() if dtype == pl.Boolean]
    text = {name: pl.String if name in booleans else dtype for name, dtype in schema.items()}
    frame = pl.read_csv(data, has_header=False, schema=text, raise_if_empty=False)
    return frame.with_columns(pl.col(name) == "t" for name in booleans) if booleans else frame


def _copy(cursor: psycopg.Cursor[Any], sql: str, schema: Schema) -> pl.DataFrame:
    data = bytearray()  # grown in place: no list of one bytes object per row
    with cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
        for block in copy:
            data += block
    return _read_csv(bytes(data), schema)


def _iso_dates(raw: psycopg.Connection[Any]) -> bool:
    return (raw.info.parameter_status("DateStyle") or "").startswith("ISO")


def _copy_in_snapshot(alias: str, snapshot: str, sql: str, schema: Schema) -> pl.DataFrame:
    """One COPY on a connection of its own, in the exported snapshot `snapshot`."""
    worker = connections.create_connection(alias)
    try:
        worker.ensure_connection()
        raw: psycopg.Connection[Any] = worker.connection
        with raw.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute(psql.SQL("SET TRANSACTION SNAPSHOT {}").format(psql.Literal(snapshot)))
            if not _iso_dates(raw):
                cursor.execute("SET LOCAL DateStyle TO ISO")
            frame = _copy(cursor, sql, schema)
            cursor.execute("COMMIT")
        return frame
    finally:
        worker.close()


def _read_copy(people: QuerySet[Person], organisations: QuerySet[Organisation]) -> DossierFrames:
    connection.ensure_connection()
    jobs = (
        Employment.objects.all() if _everyone(people) else _employments(people)
    )  # every employment's person exists (a non-null foreign key): no semi-join when unscoped
    statements = {  # the largest first: it runs on this connection while the others start
        "facts": (_facts_sql(people, organisations), FACTS_SCHEMA),
        "people": (_bound(people.values_list(*PEOPLE_FIELDS)), PEOPLE_SCHEMA),
        "jobs": (_bound(jobs.values_list(*JOB_FIELDS)), JOBS_SCHEMA),
        "organisations": (
            _bound(organisations.values_list(*ORGANISATION_FIELDS)),
            ORGANISATIONS_SCHEMA,
        ),
    }
    frames = {name: pl.DataFrame(schema=schema) for name, (_, schema) in statements.items()}
    todo = {name: (sql, schema) for name, (sql, schema) in statements.items() if sql is not None}
    own = not connection.in_atomic_block  # else: the caller's transaction, its connection only
    with transaction.atomic(using=connection.alias), connection.cursor() as wrapper:
        cursor: psycopg.Cursor[Any] = wrapper.cursor
        if own:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        if not _iso_dates(connection.connection):
            cursor.execute("SET LOCAL DateStyle TO ISO")
        if own and PARALLEL_COPY and len(todo) > 1:
            (snapshot,) = cursor.execute("SELECT pg_export_snapshot()").fetchall()[0]
            (first, (sql, schema)), *others = todo.items()
            with ThreadPoolExecutor(len(others), thread_name_prefix="population-copy") as pool:
                futures = {
                    name: pool.submit(_copy_in_snapshot, connection.alias, snapshot, *statement)
                    for name, statement in others
                }
                frames[first] = _copy(cursor, sql, schema)
                frames |= {name: future.result() for name, future in futures.items()}
        else:
            for name, (sql, schema) in todo.items():
                frames[name] = _copy(cursor, sql, schema)
    return DossierFrames(**frames)


# --- the derivation (shared) ---------------------------------------------------------------------


def read_dossier_frames(
    people: QuerySet[Person], organisations: QuerySet[Organisation], *, copy: bool
) -> DossierFrames:
    """The four frames of `people` and `organisations` (and their facts): by COPY (PostgreSQL)
    when `copy`, else row by row."""
    return _read_copy(people, organisations) if copy else _read_rows(people, organisations)
