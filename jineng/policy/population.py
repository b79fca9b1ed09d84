"""The city's population for evaluate(), from the dossier's columnar reader.

`load_population_from_dossier()` takes the four frames `jineng.dossier.columnar` reads — the
facts, the people, their employments and the organisations — and computes the subject
attributes exactly as `jineng.dossier.selectors.subject_facts_document` does for one subject
(same ids `P<pk>`/`O<pk>`, same attributes, same readings) — but over columns.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import polars as pl
from django.db import connection
from django.db.models import QuerySet

from jineng.dossier.columnar import DossierFrames, read_dossier_frames
from jineng.dossier.columnar import retirement_dates as retirement_dates
from jineng.dossier.selectors import UNKNOWN_REGION
from jineng.identity.models import Person
from jineng.organisations.models import Organisation
from jineng.policy.engine.population import FACT_ATTR, SUBJECT_ATTR, Population


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


def _population(on: dt.date, region: str | None, inputs: DossierFrames) -> Population:
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
    inputs = read_dossier_frames(people, organisations, copy=copy)
    return _population(on, region, inputs)
