"""Reads of the dossier: the facts document the policy engine judges, and a person's timeline."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, NotRequired, TypedDict

from django.db import connections, router
from django.db.models import Field, Model, QuerySet
from django.utils import timezone

from jineng.dossier.models import Fact, FactKind
from jineng.dossier.retirement import is_retired, retirement_date
from jineng.dossier.vocabulary import code_label, level_label
from jineng.identity.access import access_person_by_id
from jineng.identity.models import Employment, Person
from jineng.organisations.models import Organisation, OrgKind, Ownership
from jineng.reference.models import Occupation

if TYPE_CHECKING:
    from jineng.identity.models import User

AttrValue = str | int | bool | None
UNKNOWN_REGION = "000000"  # the facts schema requires a region; a person with none gets this


class FactJSON(TypedDict):
    id: str
    kind: str
    code: str | None
    level: str | None
    date: str
    amount_fen: int | None
    issuer: str | None
    region: str | None
    attrs: dict[str, AttrValue]
    supersedes: str | None


class SubjectJSON(TypedDict):
    id: str
    kind: str
    region: str
    birth_date: NotRequired[str | None]
    sex: NotRequired[str | None]
    attrs: dict[str, AttrValue]


class FactsDocument(TypedDict):
    subject: SubjectJSON
    facts: list[FactJSON]


def subject_id(subject: Person | Organisation) -> str:
    return f"P{subject.pk}" if isinstance(subject, Person) else f"O{subject.pk}"


def fact_json(fact: Fact) -> FactJSON:
    return _fact_row_json(
        fact.pk,
        fact.date,
        fact.kind,
        fact.code,
        fact.level,
        fact.issuer_name,
        fact.issuer_id,
        fact.region,
        fact.amount_fen,
        fact.supersedes_id,
        fact.attrs,
    )


# --- subject attributes ---------------------------------------------------------------------


@dataclass(frozen=True)
class EmploymentRow:
    """What the subject attributes need of one employment (and its employer)."""

    pk: int
    start: dt.date
    end: dt.date | None
    region_id: str | None
    employer_id: int | None
    employer_region_id: str | None
    employer_ownership: str | None
    employer_kind: str | None

    @classmethod
    def of(cls, employment: Employment) -> EmploymentRow:
        employer = employment.employer
        return cls(
            pk=employment.pk,
            start=employment.start,
            end=employment.end,
            region_id=employment.region_id,
            employer_id=employment.employer_id,
            employer_region_id=employer.region_id if employer is not None else None,
            employer_ownership=employer.ownership if employer is not None else None,
            employer_kind=employer.kind if employer is not None else None,
        )

    @property
    def public_institution(self) -> bool:
        """Reading of 事业单位在编/在岗人员 (public_institution_staff): the employer is publicly owned
        and is not an enterprise — a public college, public training institution, bureau or
        association. A state-owned enterprise is an enterprise, so its staff do not count."""
        return (
            self.employer_id is not None
            and self.employer_ownership == Ownership.PUBLIC
            and self.employer_kind != OrgKind.ENTERPRISE
        )


def _employment_region(employment: EmploymentRow) -> str:
    if employment.region_id:
        return employment.region_id
    if employment.employer_id is not None:
        return employment.employer_region_id or ""
    return ""


def _current_employment(employments: list[EmploymentRow], on: dt.date) -> EmploymentRow | None:
    current = [e for e in employments if e.start <= on and (e.end is None or e.end >= on)]
    return max(current, key=lambda e: (e.start, e.pk)) if current else None


def _years_employed_in(employments: list[EmploymentRow], city_prefix: str, on: dt.date) -> int:
    """Whole years (365-day) of employment in the city, overlapping jobs counted once."""
    spans = sorted(
        (e.start, min(e.end or on, on))
        for e in employments
        if city_prefix and _employment_region(e).startswith(city_prefix) and e.start <= on
    )
    days = 0
    cursor: dt.date | None = None
    for start, end in spans:
        if cursor is not None and start <= cursor:
            start = cursor
        if end > start:
            days += (end - start).days
        cursor = max(cursor, end) if cursor is not None else end
    return days // 365


def person_employments(person: Person) -> list[EmploymentRow]:
    """The person's employments in (start, pk) order, with their employers (one query)."""
    return [
        EmploymentRow.of(e)
        for e in Employment.objects.filter(person=person)
        .select_related("employer")
        .order_by("start", "pk")
    ]


def person_subject(
    person: Person, *, on: dt.date, employments: list[EmploymentRow] | None = None
) -> SubjectJSON:
    """The subject part of a person's facts document; `employments` in (start, pk) order (read
    here when not given)."""
    if employments is None:
        employments = person_employments(person)
    current = _current_employment(employments, on)
    work_region = _employment_region(current) if current is not None else ""
    region = person.residence_region_id or work_region or person.hukou_region_id or UNKNOWN_REGION
    city_prefix = (work_region or person.residence_region_id or "")[:4]
    sex = person.sex or None
    attrs: dict[str, AttrValue] = {
        "insured": bool(
            person.insured and (person.insured_since is None or person.insured_since <= on)
        ),
        "insured_since": person.insured_since.isoformat() if person.insured_since else None,
        "public_institution_staff": current is not None and current.public_institution,
        "retired": is_retired(person.birth_date, person.sex, on),
        "retirement_date": (
            retirement_date(person.birth_date, person.sex).isoformat()
            if person.birth_date and person.sex
            else None
        ),
        "hukou_region": person.hukou_region_id,
        "work_region": work_region or None,
        "years_in_city": _years_employed_in(employments, city_prefix, on),
        "education": person.education or None,
        "employer_id": f"O{current.employer_id}" if current and current.employer_id else None,
    }
    return {
        "id": subject_id(person),
        "kind": "person",
        "region": region,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "sex": sex,
        "attrs": attrs,
    }


def organisation_subject(organisation: Organisation) -> SubjectJSON:
    attrs: dict[str, AttrValue] = {
        "ownership": organisation.ownership or None,
        "uscc_status": organisation.uscc_status,
        "designated_training": organisation.designated_training,
        "designated_from": (
            organisation.designated_from.isoformat() if organisation.designated_from else None
        ),
        "designated_to": (
            organisation.designated_to.isoformat() if organisation.designated_to else None
        ),
        "self_evaluation_filed": organisation.self_evaluation_filed,
    }
    return {
        "id": subject_id(organisation),
        "kind": organisation.kind,
        "region": organisation.region_id,
        "birth_date": None,
        "sex": None,
        "attrs": attrs,
    }


def subject_facts(subject: Person | Organisation) -> QuerySet[Fact]:
    """Every fact of the subject, superseded ones included, in date order."""
    if isinstance(subject, Person):
        return Fact.objects.filter(person=subject).order_by("date", "pk")
    return Fact.objects.filter(organisation=subject).order_by("date", "pk")


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _fact_row_json(
    pk: int,
    date: Any,
    kind: str,
    code: str,
    level: str,
    issuer_name: str,
    issuer_id: int | None,
    region: str,
    amount_fen: int | None,
    supersedes_id: int | None,
    attrs_value: Any,
) -> FactJSON:
    """fact_json() of a fact read as a raw row (the columns of `_FACT_COLUMNS`, in order)."""
    # As JSONField.from_db_value: the backends hand jsonb / JSON text over as text.
    raw = json.loads(attrs_value) if isinstance(attrs_value, str | bytes) else attrs_value
    attrs: dict[str, AttrValue] = dict(raw or {})
    if issuer_id is not None:
        attrs.setdefault("issuer_id", f"O{issuer_id}")
    return {
        "id": str(pk),
        "kind": kind,
        "code": code or None,
        "level": level or None,
        "date": _date(date).isoformat(),
        "amount_fen": amount_fen,
        "issuer": issuer_name or None,
        "region": region or None,
        "attrs": attrs,
        "supersedes": str(supersedes_id) if supersedes_id is not None else None,
    }


# The fact columns `_fact_row_json` takes, in its order.
_FACT_COLUMNS = (
    "id",
    "date",
    "kind",
    "code",
    "level",
    "issuer_name",
    "issuer",
    "region",
    "amount_fen",
    "supersedes",
    "attrs",
)
_EMPLOYMENT_COLUMNS = ("id", "start", "end", "region", "employer")
_EMPLOYER_COLUMNS = ("region", "ownership", "kind")


@dataclass(frozen=True)
class _SubjectSQL:
    person: str  # params: person id twice
    organisation: str  # params: organisation id


_SQL: dict[tuple[str, str], _SubjectSQL] = {}  # by database alias and vendor


def _subject_sql(alias: str) -> _SubjectSQL:
    """The raw reads of subject_facts_document: a person's employments (with their employer) and
    facts in one query, employment rows first, each in (date, id) order; an organisation's facts.
    Column names come from the models, so the SQL follows them."""
    connection = connections[alias]
    key = (alias, connection.vendor)
    found = _SQL.get(key)
    if found is not None:
        return found
    qn = connection.ops.quote_name

    def column(model: type[Model], name: str) -> str:
        field = model._meta.get_field(name)
        assert isinstance(field, Field)
        return qn(field.column)

    def cols(model: type[Model], prefix: str, names: tuple[str, ...]) -> list[str]:
        return [f"{prefix}.{column(model, n)}" for n in names]

    fact_table, job_table = qn(Fact._meta.db_table), qn(Employment._meta.db_table)
    org_table = qn(Organisation._meta.db_table)
    facts = ", ".join(cols(Fact, "f", _FACT_COLUMNS))
    fact_person = cols(Fact, "f", ("person",))[0]
    fact_org = cols(Fact, "f", ("organisation",))[0]
    job_id, job_start, job_end, job_region, job_employer = cols(
        Employment, "e", _EMPLOYMENT_COLUMNS
    )
    org_pk = cols(Organisation, "o", ("id",))[0]
    employer = ", ".join(cols(Organisation, "o", _EMPLOYER_COLUMNS))
    job_person = cols(Employment, "e", ("person",))[0]
    # Row: 0 for an employment, 1 for a fact; then the fact columns, where an employment puts
    # id, start, its region, its employer's region, ownership and kind, its employer id; then an
    # employment's end (NULL for a fact). Same types column by column (PostgreSQL's UNION).
    sql = _SubjectSQL(
        person=(
            f"SELECT 0, {job_id}, {job_start}, {job_region}, {employer}, {job_employer}, "
            f"NULL, NULL, NULL, NULL, {job_end} "
            f"FROM {job_table} e LEFT JOIN {org_table} o ON {org_pk} = {job_employer} "
            f"WHERE {job_person} = %s "
            f"UNION ALL SELECT 1, {facts}, NULL FROM {fact_table} f WHERE {fact_person} = %s "
            "ORDER BY 1, 3, 2"
        ),
        organisation=(
            f"SELECT 1, {facts}, NULL FROM {fact_table} f WHERE {fact_org} = %s ORDER BY 3, 2"
        ),
    )
    _SQL[key] = sql
    return sql


def _person_document(person: Person, on: dt.date) -> FactsDocument:
    alias = router.db_for_read(Fact)
    with connections[alias].cursor() as cursor:
        cursor.execute(_subject_sql(alias).person, [person.pk, person.pk])
        rows = cursor.fetchall()
    employments: list[EmploymentRow] = []
    facts: list[FactJSON] = []
    for row in rows:
        if row[0] == 0:
            _, pk, start, region, org_region, ownership, kind, employer_id = row[:8]
            end = row[-1]
            employments.append(
                EmploymentRow(
                    pk=pk,
                    start=_date(start),
                    end=_date(end) if end is not None else None,
                    region_id=region,
                    employer_id=employer_id,
                    employer_region_id=org_region,
                    employer_ownership=ownership,
                    employer_kind=kind,
                )
            )
        else:
            facts.append(_fact_row_json(*row[1:-1]))
    return {"subject": person_subject(person, on=on, employments=employments), "facts": facts}


def _organisation_document(organisation: Organisation) -> FactsDocument:
    alias = router.db_for_read(Fact)
    with connections[alias].cursor() as cursor:
        cursor.execute(_subject_sql(alias).organisation, [organisation.pk])
        rows = cursor.fetchall()
    return {
        "subject": organisation_subject(organisation),
        "facts": [_fact_row_json(*row[1:-1]) for row in rows],
    }


def subject_facts_document(
    *, subject: Person | Organisation, on: dt.date | None = None
) -> FactsDocument:
    """The facts JSON format (docs/policy-schema.md; `jineng.policy.engine.schema.FACTS_SCHEMA`).

    Lists every fact, corrected ones included: each correction names the fact it `supersedes` and
    the engine drops the superseded one, so a judgement can be explained against the full ledger.
    Date-dependent subject attributes (insured, retired, years_in_city, current employer) are
    computed on `on` (default today).

    One query: a person's employments and facts are read together (raw SQL, no ORM compile; the
    document is what `person_subject` and `fact_json` give from the ORM, which the tests check).
    """
    on = on or timezone.localdate()
    if isinstance(subject, Person):
        return _person_document(subject, on)
    return _organisation_document(subject)


# --- timeline -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    fact_id: int
    date: dt.date
    kind: str
    kind_label: str
    code: str
    code_label: str
    level: str
    level_label: str
    amount_fen: int | None
    issuer_name: str
    region: str
    attrs: dict[str, Any]
    source: str
    status: Literal["current", "corrected"]
    corrected_by: int | None  # the fact that supersedes this one
    supersedes: int | None  # the fact this one corrects
    correction_reason: str
    recorded_at: dt.datetime


_OCCUPATION_KINDS = (FactKind.CERTIFICATE, FactKind.TRAINING, FactKind.APPRENTICESHIP)


def person_timeline(*, user: User, person: Person) -> list[TimelineEntry]:
    """The person's facts in date order, corrected ones kept and marked (raises Http404 when the
    user may not see the person)."""
    person = access_person_by_id(user, person.pk)
    facts = list(Fact.objects.filter(person=person).order_by("date", "pk"))
    corrected_by = {f.supersedes_id: f.pk for f in facts if f.supersedes_id is not None}
    occupation_codes = {f.code for f in facts if f.kind in _OCCUPATION_KINDS and f.code}
    occupation_names = dict(
        Occupation.objects.filter(code__in=occupation_codes).values_list("code", "name")
    )
    # An employment fact's code is the employer's id: show the employer's name, never the id.
    employer_ids = {
        int(f.code) for f in facts if f.kind == FactKind.EMPLOYMENT and f.code.isdigit()
    }
    employer_names = {
        str(pk): name
        for pk, name in Organisation.objects.filter(pk__in=employer_ids).values_list("pk", "name")
    }
    kind_labels = dict(FactKind.choices)
    entries = []
    for fact in facts:
        if fact.kind in _OCCUPATION_KINDS:
            label = occupation_names.get(fact.code, "")
        elif fact.kind == FactKind.EMPLOYMENT:
            label = employer_names.get(fact.code, "") or fact.issuer_name
        else:
            label = code_label(fact.kind, fact.code)
        entries.append(
            TimelineEntry(
                fact_id=fact.pk,
                date=fact.date,
                kind=fact.kind,
                kind_label=str(kind_labels.get(fact.kind, fact.kind)),
                code=fact.code,
                code_label=label,
                level=fact.level,
                level_label=level_label(fact.kind, fact.level),
                amount_fen=fact.amount_fen,
                issuer_name=fact.issuer_name,
                region=fact.region,
                attrs=dict(fact.attrs or {}),
                source=fact.source,
                status="corrected" if fact.pk in corrected_by else "current",
                corrected_by=corrected_by.get(fact.pk),
                supersedes=fact.supersedes_id,
                correction_reason=fact.correction_reason,
                recorded_at=fact.recorded_at,
            )
        )
    return entries
