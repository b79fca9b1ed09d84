"""The city's population for evaluate(), read column-wise from the dossier.

`load_population_from_dossier()` reads four inputs — the dossier's facts, the people, their
employments (with the employer's region, ownership and kind) and the organisations — into Polars
(no model instances), and computes the subject attributes exactly as
`jineng.dossier.selectors.subject_facts_document` does for one subject (same ids `P<pk>`/`O<pk>`,
same attributes, same readings) — but over columns.

Two readers give the same four frames (`_Inputs`, typed by the `*_SCHEMA`s below):

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
from typing import Any, Literal

import polars as pl
import psycopg
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections, transaction
from django.db.models import Model, QuerySet
from psycopg import sql as psql

from jineng.dossier.models import Fact
from jineng.dossier.selectors import UNKNOWN_REGION
from jineng.identity.models import Employment, Person
from jineng.organisations.models import Organisation
from jineng.policy.engine.population import FACT_ATTR, SUBJECT_ATTR, Population

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
class _Inputs:
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


def _read_rows(people: QuerySet[Person], organisations: QuerySet[Organisation]) -> _Inputs:
    return _Inputs(
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


def _read_copy(people: QuerySet[Person], organisations: QuerySet[Organisation]) -> _Inputs:
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
    return _Inputs(**frames)


# --- the derivation (shared) ---------------------------------------------------------------------


def _fact_attrs(facts: pl.DataFrame) -> pl.DataFrame:
    """attrs JSON → one `a.<name>` column per key; plus issuer_id (as fact_json adds it)."""
    text = facts.get_column("attrs").fill_null("{}")
    if text.len() and (text != "{}").any():
        # Decode each distinct document once (a city repeats a few hundred thousand of them).
        distinct = text.unique()
        lookup = pl.DataFrame(
            [distinct.alias("json"), distinct.str.json_decode(infer_schema_length=None).alias("v")]
        )
        decoded = (
            text.to_frame("json")
            .join(lookup, on="json", how="left", maintain_order="left")
            .get_column("v")
        )
        if isinstance(decoded.dtype, pl.Struct) and decoded.dtype.fields:
            attrs = decoded.struct.unnest()
            # by name, as the in-memory populations (the fields' order follows the rows')
            attrs = attrs.select(sorted(attrs.columns))
            attrs = attrs.rename({c: FACT_ATTR + c for c in attrs.columns})
        else:
            attrs = pl.DataFrame()
    else:
        attrs = pl.DataFrame()
    issuer = facts.select(
        pl.when(pl.col("issuer_id").is_not_null())
        .then(pl.format("O{}", pl.col("issuer_id")))
        .alias("issuer_id")
    ).to_series()
    if FACT_ATTR + "issuer_id" in attrs.columns:
        attrs = attrs.with_columns(
            pl.coalesce(FACT_ATTR + "issuer_id", issuer).alias(FACT_ATTR + "issuer_id")
        )
    else:
        attrs = (
            attrs.with_columns(issuer.alias(FACT_ATTR + "issuer_id"))
            if attrs.width
            else issuer.alias(FACT_ATTR + "issuer_id").to_frame()
        )
    return attrs


def _employment_attributes(on: dt.date, jobs: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per person: work_region, employer, public_institution_staff, years_in_city (selectors.py)."""
    jobs = jobs.with_columns(
        pl.coalesce(pl.col("region_id"), pl.col("employer_region"), pl.lit("")).alias("job_region")
    )
    current = (
        jobs.filter((pl.col("start") <= on) & (pl.col("end").is_null() | (pl.col("end") >= on)))
        .sort("person_id", "start", "pk")
        .group_by("person_id", maintain_order=True)
        .last()
        .select(
            "person_id",
            pl.col("job_region").alias("work_region"),
            pl.col("employer_id"),
            ((pl.col("ownership") == "public") & (pl.col("employer_kind") != "enterprise"))
            .fill_null(False)
            .alias("public"),
        )
    )
    return jobs, current


def _years_in_city(jobs: pl.DataFrame, city: pl.DataFrame, on: dt.date) -> pl.DataFrame:
    """Whole 365-day years employed in the city prefix, overlapping jobs counted once."""
    spans = (
        jobs.join(city, on="person_id")
        .filter(
            (pl.col("prefix") != "")
            & pl.col("job_region").str.starts_with(pl.col("prefix"))
            & (pl.col("start") <= on)
        )
        .select(
            "person_id",
            "start",
            pl.min_horizontal(pl.col("end").fill_null(on), pl.lit(on)).alias("end"),
        )
        .sort("person_id", "start", "end")
    )
    # cursor: the latest end among the person's earlier spans — a running maximum per person,
    # computed over the whole column (a window over a million groups is slow): the spans are
    # sorted by person, so person_id · 2³² + day number increases from one person to the next.
    key = pl.col("person_id") * 2**32 + (pl.col("end").cast(pl.Int32).cast(pl.Int64) + 2**31)
    earlier = key.cum_max().shift(1) - pl.col("person_id") * 2**32 - 2**31
    same_person = pl.col("person_id") == pl.col("person_id").shift(1)
    covered = spans.with_columns(
        pl.when(same_person).then(earlier).cast(pl.Int32).cast(pl.Date).alias("cursor")
    )
    covered = covered.with_columns(
        pl.max_horizontal("start", pl.col("cursor").fill_null(pl.col("start"))).alias("from")
    ).with_columns(
        pl.max_horizontal((pl.col("end") - pl.col("from")).dt.total_days(), pl.lit(0)).alias("days")
    )
    return covered.group_by("person_id").agg((pl.col("days").sum() // 365).alias("years"))


def _people(on: dt.date, frame: pl.DataFrame, jobs: pl.DataFrame) -> pl.DataFrame:
    jobs, current = _employment_attributes(on, jobs)
    frame = frame.join(
        current, left_on="pk", right_on="person_id", how="left", maintain_order="left"
    )
    frame = frame.with_columns(pl.col("work_region").replace("", None))
    city = frame.select(
        pl.col("pk").alias("person_id"),
        pl.coalesce("work_region", "residence", pl.lit("")).str.slice(0, 4).alias("prefix"),
    )
    years = _years_in_city(jobs, city, on)
    frame = frame.join(years, left_on="pk", right_on="person_id", how="left", maintain_order="left")
    # computed once per distinct (birth date, sex) — a city has some 40,000 — and joined back
    births = frame.select("birth_date", "sex").unique()
    births = births.with_columns(
        retirement_dates(pl.col("birth_date"), pl.col("sex")).alias("retire")
    )
    frame = frame.join(
        births, on=["birth_date", "sex"], how="left", nulls_equal=True, maintain_order="left"
    )
    retire = pl.col("retire")
    return frame.select(
        pl.format("P{}", pl.col("pk")).alias("subject_id"),
        pl.lit("person").alias("kind"),
        pl.coalesce("residence", "work_region", "hukou", pl.lit(UNKNOWN_REGION)).alias("region"),
        pl.col("sex").replace("", None),
        "birth_date",
        (
            pl.col("insured")
            & (pl.col("insured_since").is_null() | (pl.col("insured_since") <= on))
        ).alias(SUBJECT_ATTR + "insured"),
        pl.col("insured_since").dt.to_string("%Y-%m-%d").alias(SUBJECT_ATTR + "insured_since"),
        pl.col("public").fill_null(False).alias(SUBJECT_ATTR + "public_institution_staff"),
        pl.when(retire.is_not_null())
        .then(retire <= on)
        .otherwise(False)
        .alias(SUBJECT_ATTR + "retired"),
        retire.dt.to_string("%Y-%m-%d").alias(SUBJECT_ATTR + "retirement_date"),
        pl.col("hukou").alias(SUBJECT_ATTR + "hukou_region"),
        pl.col("work_region").alias(SUBJECT_ATTR + "work_region"),
        pl.col("years").fill_null(0).cast(pl.Int64).alias(SUBJECT_ATTR + "years_in_city"),
        pl.col("education").replace("", None).alias(SUBJECT_ATTR + "education"),
        pl.format("O{}", pl.col("employer_id")).alias(SUBJECT_ATTR + "employer_id"),
        pl.col("pk").alias("person_pk"),
    )


def _organisations(orgs: pl.DataFrame) -> pl.DataFrame:
    return orgs.select(
        pl.format("O{}", pl.col("pk")).alias("subject_id"),
        "kind",
        "region",
        pl.lit(None, dtype=pl.String).alias("sex"),
        pl.lit(None, dtype=pl.Date).alias("birth_date"),
        pl.col("ownership").replace("", None).alias(SUBJECT_ATTR + "ownership"),
        pl.col("uscc_status").alias(SUBJECT_ATTR + "uscc_status"),
        pl.col("designated_training").alias(SUBJECT_ATTR + "designated_training"),
        pl.col("designated_from").dt.to_string("%Y-%m-%d").alias(SUBJECT_ATTR + "designated_from"),
        pl.col("designated_to").dt.to_string("%Y-%m-%d").alias(SUBJECT_ATTR + "designated_to"),
        pl.col("self_evaluation_filed").alias(SUBJECT_ATTR + "self_evaluation_filed"),
        pl.col("pk").alias("org_pk"),
    )


def _population(on: dt.date, region: str | None, inputs: _Inputs) -> Population:
    subjects = pl.concat(
        [_people(on, inputs.people, inputs.jobs), _organisations(inputs.organisations)],
        how="diagonal_relaxed",
    )
    if region:
        subjects = subjects.filter(pl.col("region").str.starts_with(region))
    subjects = subjects.sort("subject_id").with_row_index("sid")
    facts = inputs.facts
    persons = subjects.filter(pl.col("person_pk").is_not_null()).select(
        "sid", pl.col("person_pk").alias("person_id")
    )
    orgs = subjects.filter(pl.col("org_pk").is_not_null()).select(
        "sid", pl.col("org_pk").alias("organisation_id")
    )
    # each fact's sid, found on the three key columns only (joining the whole frame would copy
    # every text column); facts of subjects not loaded have none
    sid = (
        facts.select("subject_type", "person_id", "organisation_id")
        .join(persons, on="person_id", how="left", maintain_order="left")
        .join(
            orgs.rename({"sid": "org_sid"}), on="organisation_id", how="left", maintain_order="left"
        )
        .select(
            pl.when(pl.col("subject_type") == "person")
            .then("sid")
            .when(pl.col("subject_type") == "organisation")
            .then("org_sid")
            .alias("sid")
        )
        .to_series()
    )
    facts = facts.with_columns(sid).filter(pl.col("sid").is_not_null())
    columns = facts.select(
        "sid",
        pl.col("pk").cast(pl.String).alias("fact_id"),
        "kind",
        pl.col("code").replace("", None),
        pl.col("level").replace("", None),
        "date",
        "amount_fen",
        pl.col("issuer_name").replace("", None).alias("issuer"),
        pl.col("region").replace("", None),
        pl.when(pl.col("supersedes_id").is_not_null())
        .then(pl.concat_list(pl.col("supersedes_id").cast(pl.String)))
        .alias("supersedes"),
    )
    columns = pl.concat([columns, _fact_attrs(facts)], how="horizontal")
    return Population(subjects.drop("person_pk", "org_pk"), columns).sorted()


def load_population_from_dossier(
    *,
    on: dt.date | None = None,
    region: str | None = None,
    people: QuerySet[Person] | None = None,
    organisations: QuerySet[Organisation] | None = None,
    via: Literal["copy", "rows"] | None = None,
) -> Population:
    """Every person and organisation — or those of the given querysets (e.g. what the caller may
    see) — optionally only those whose region starts with `region`, with all their dossier facts,
    as the columns evaluate() reads. Date-dependent attributes are computed on `on`.

    `via`: how the database is read (the result is the same): "copy" (PostgreSQL only), "rows";
    by default "copy" on PostgreSQL, "rows" elsewhere."""
    on = on or dt.date.today()
    people = Person.objects.all() if people is None else people
    organisations = Organisation.objects.all() if organisations is None else organisations
    postgresql = connection.vendor == "postgresql"
    if via == "copy" and not postgresql:
        raise ValueError("via='copy' needs PostgreSQL")
    copy = via == "copy" or (via is None and postgresql)
    inputs = _read_copy(people, organisations) if copy else _read_rows(people, organisations)
    return _population(on, region, inputs)
