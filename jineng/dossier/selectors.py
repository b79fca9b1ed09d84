"""Reads of the dossier: the facts document the policy engine judges, and a person's timeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, NotRequired, TypedDict

from django.db.models import QuerySet
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
    attrs: dict[str, AttrValue] = dict(fact.attrs or {})
    if fact.issuer_id is not None:
        attrs.setdefault("issuer_id", f"O{fact.issuer_id}")
    return {
        "id": str(fact.pk),
        "kind": fact.kind,
        "code": fact.code or None,
        "level": fact.level or None,
        "date": fact.date.isoformat(),
        "amount_fen": fact.amount_fen,
        "issuer": fact.issuer_name or None,
        "region": fact.region or None,
        "attrs": attrs,
        "supersedes": str(fact.supersedes_id) if fact.supersedes_id is not None else None,
    }


# --- subject attributes ---------------------------------------------------------------------


def is_public_institution(organisation: Organisation | None) -> bool:
    """Reading of 事业单位在编/在岗人员 (public_institution_staff): the employer is publicly owned
    and is not an enterprise — a public college, public training institution, bureau or
    association. A state-owned enterprise is an enterprise, so its staff do not count."""
    return (
        organisation is not None
        and organisation.ownership == Ownership.PUBLIC
        and organisation.kind != OrgKind.ENTERPRISE
    )


def _employment_region(employment: Employment) -> str:
    if employment.region_id:
        return employment.region_id
    if employment.employer is not None:
        return employment.employer.region_id
    return ""


def _current_employment(employments: list[Employment], on: dt.date) -> Employment | None:
    current = [e for e in employments if e.start <= on and (e.end is None or e.end >= on)]
    return max(current, key=lambda e: (e.start, e.pk)) if current else None


def _years_employed_in(employments: list[Employment], city_prefix: str, on: dt.date) -> int:
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


def person_subject(person: Person, *, on: dt.date) -> SubjectJSON:
    employments = list(
        Employment.objects.filter(person=person).select_related("employer").order_by("start", "pk")
    )
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
        "public_institution_staff": is_public_institution(
            current.employer if current is not None else None
        ),
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


def subject_facts_document(
    *, subject: Person | Organisation, on: dt.date | None = None
) -> FactsDocument:
    """The facts JSON format (docs/policy-schema.md; `jineng.policy.engine.schema.FACTS_SCHEMA`).

    Lists every fact, corrected ones included: each correction names the fact it `supersedes` and
    the engine drops the superseded one, so a judgement can be explained against the full ledger.
    Date-dependent subject attributes (insured, retired, years_in_city, current employer) are
    computed on `on` (default today).
    """
    on = on or timezone.localdate()
    subject_json = (
        person_subject(subject, on=on)
        if isinstance(subject, Person)
        else organisation_subject(subject)
    )
    return {"subject": subject_json, "facts": [fact_json(f) for f in subject_facts(subject)]}


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
    kind_labels = dict(FactKind.choices)
    entries = []
    for fact in facts:
        if fact.kind in _OCCUPATION_KINDS:
            label = occupation_names.get(fact.code, "")
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
