"""Subjects and their dossier facts — the input of explain and evaluate.

The JSON format is FACTS_SCHEMA (schema.py); money in fen, dates ISO. Before judging, superseded
facts (named in another fact's `supersedes`) are dropped, and facts dated after the evaluation date
are not seen.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from jineng.policy.engine.dates import whole_years
from jineng.policy.engine.errors import FactsError
from jineng.policy.engine.schema import FACTS_SCHEMA

AttrValue = str | int | bool | None
_VALIDATOR = Draft202012Validator(FACTS_SCHEMA)

# Statutory retirement age used when a person's `retirement_date` and `retired` attributes are not
# given (the rule for workers before the 2025 reform: men 60, women 50). The dossier states both.
RETIREMENT_AGE = {"M": 60, "F": 50}


# The fact kinds whose `code` is an occupation (职业分类大典 code, e.g. 6-18-01-01). A training
# fact's code is its programme (`yuecai`, `skills_upgrade`) unless it has the shape of an
# occupation code (the dossier records trainings by occupation); any fact may state the occupation
# in `attrs.occupation`, which comes first. Rules "once per occupation and level" (同一职业(工种)
# 同一等级只能享受一次) key on this, never on a programme code.
OCCUPATION_CODE_KINDS = frozenset({"certificate", "apprenticeship"})
OCCUPATION_CODE = re.compile(r"\d-\d{2}-\d{2}-\d{2}")


def occupation_of(kind: str, code: str | None, attrs: Mapping[str, AttrValue]) -> str | None:
    """The occupation a fact is about: attrs.occupation (a non-empty string) when given; else the
    code of a certificate or apprenticeship, or a training code shaped like an occupation code."""
    stated = attrs.get("occupation")
    if isinstance(stated, str) and stated:
        return stated
    if kind in OCCUPATION_CODE_KINDS:
        return code
    if kind == "training" and code is not None and OCCUPATION_CODE.fullmatch(code):
        return code
    return None


@dataclass(frozen=True)
class Subject:
    id: str
    kind: str
    region: str
    birth_date: date | None = None
    sex: str | None = None
    attrs: Mapping[str, AttrValue] = field(default_factory=dict)


@dataclass(frozen=True)
class Fact:
    id: str
    kind: str
    date: date
    code: str | None = None
    level: str | None = None
    amount_fen: int | None = None
    issuer: str | None = None
    region: str | None = None
    attrs: Mapping[str, AttrValue] = field(default_factory=dict)
    supersedes: tuple[str, ...] = ()
    derived_from: str | None = None  # the recognition/title item that granted it

    @property
    def occupation(self) -> str | None:
        return occupation_of(self.kind, self.code, self.attrs)

    def field_value(self, name: str) -> Any:
        """A trigger field: kind, code, level, date, region, issuer, amount_fen, occupation,
        attrs.<name>."""
        if name.startswith("attrs."):
            return self.attrs.get(name[6:])
        return getattr(self, name)


@dataclass(frozen=True)
class SubjectFacts:
    subject: Subject
    facts: tuple[Fact, ...]


def parse_subject_facts(data: Mapping[str, Any], *, validate: bool = True) -> SubjectFacts:
    """Validate one facts document (FACTS_SCHEMA) and build it; errors name subject and fact.
    `validate=False` skips the JSON Schema check, for documents the application wrote itself
    (the dossier's `subject_facts_document`): only the fast path of the explain API."""
    error = best_match(_VALIDATOR.iter_errors(data)) if validate else None
    subject_id = (
        data.get("subject", {}).get("id") if isinstance(data.get("subject"), Mapping) else None
    )
    if error is not None:
        path = list(error.absolute_path)
        fact_id = None
        if len(path) >= 2 and path[0] == "facts" and isinstance(path[1], int):
            raw = data["facts"][path[1]]
            fact_id = raw.get("id", f"#{path[1]}") if isinstance(raw, Mapping) else f"#{path[1]}"
            path = path[2:]
        where = ".".join(str(p) for p in path)
        raise FactsError(
            f"{where}: {error.message}" if where else error.message,
            subject=subject_id,
            fact=fact_id,
        )
    s = data["subject"]
    subject = Subject(
        id=s["id"],
        kind=s["kind"],
        region=s["region"],
        birth_date=date.fromisoformat(s["birth_date"]) if s.get("birth_date") else None,
        sex=s.get("sex"),
        attrs=dict(s.get("attrs") or {}),
    )
    facts = []
    seen: set[str] = set()
    for f in data["facts"]:
        if f["id"] in seen:
            raise FactsError("duplicate fact id", subject=subject.id, fact=f["id"])
        seen.add(f["id"])
        sup = f.get("supersedes")
        facts.append(
            Fact(
                id=f["id"],
                kind=f["kind"],
                date=date.fromisoformat(f["date"]),
                code=f.get("code"),
                level=f.get("level"),
                amount_fen=f.get("amount_fen"),
                issuer=f.get("issuer"),
                region=f.get("region"),
                attrs=dict(f.get("attrs") or {}),
                supersedes=() if sup is None else (sup,) if isinstance(sup, str) else tuple(sup),
            )
        )
    return SubjectFacts(subject, tuple(facts))


def visible_facts(facts: Sequence[Fact], on: date) -> tuple[Fact, ...]:
    """Drop superseded facts, then facts dated after `on`; sorted by (date, id)."""
    superseded = {sid for f in facts for sid in f.supersedes}
    return tuple(
        sorted(
            (f for f in facts if f.id not in superseded and f.date <= on),
            key=lambda f: (f.date, f.id),
        )
    )


def subject_facts_to_json(sf: SubjectFacts) -> dict[str, Any]:
    s = sf.subject
    return {
        "subject": {
            "id": s.id,
            "kind": s.kind,
            "region": s.region,
            "birth_date": s.birth_date.isoformat() if s.birth_date else None,
            "sex": s.sex,
            "attrs": dict(s.attrs),
        },
        "facts": [
            {
                "id": f.id,
                "kind": f.kind,
                "code": f.code,
                "level": f.level,
                "date": f.date.isoformat(),
                "amount_fen": f.amount_fen,
                "issuer": f.issuer,
                "region": f.region,
                "attrs": dict(f.attrs),
                "supersedes": list(f.supersedes) or None,
            }
            for f in sf.facts
            if f.derived_from is None
        ],
    }


# ----------------------------------------------------------------------------- subject attributes


def insured_on(subject: Subject, facts: Sequence[Fact], d: date) -> bool | None:
    """attrs.insured when given; else a (dossier, not derived) insurance fact dated ≤ d whose
    attrs.to (an ISO date string, if any) is ≥ d."""
    given = subject.attrs.get("insured")
    if given is not None:
        return bool(given)
    iso = d.isoformat()
    return any(
        f.kind == "insurance" and f.date <= d and _open_on(f.attrs.get("to"), iso) for f in facts
    )


def _open_on(to: AttrValue, iso: str) -> bool:
    return not isinstance(to, str) or not to or to >= iso


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EMPLOYMENT = "employment"


def iso_date(value: AttrValue) -> date | None:
    """An attribute holding an ISO date (YYYY-MM-DD) as a date; None when absent or not one."""
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def employment_region(fact: Fact) -> str:
    """Where an employment is: the fact's region, else attrs.region ("" when neither)."""
    if fact.region:
        return fact.region
    region = fact.attrs.get("region")
    return region if isinstance(region, str) else ""


def work_region_on(subject: Subject, facts: Sequence[Fact], d: date) -> AttrValue:
    """attrs.work_region when given; else the region of the employment current on d (dated ≤ d,
    attrs.to absent, empty or ≥ d; the latest-starting, then the largest fact id); else None."""
    given = subject.attrs.get("work_region")
    if given is not None:
        return given
    iso = d.isoformat()
    current = [
        f
        for f in facts
        if f.kind == EMPLOYMENT and f.date <= d and _open_on(f.attrs.get("to"), iso)
    ]
    if not current:
        return None
    return employment_region(max(current, key=lambda f: (f.date, f.id))) or None


def years_in_city_on(subject: Subject, facts: Sequence[Fact], d: date) -> AttrValue:
    """attrs.years_in_city when given; else whole 365-day years employed, up to d, in the city of
    the work region on d (its first four digits; the subject's region without one), overlapping
    employments counted once (as the dossier computes it); None without any employment fact."""
    given = subject.attrs.get("years_in_city")
    if given is not None:
        return given
    jobs = [f for f in facts if f.kind == EMPLOYMENT and f.date <= d]
    if not jobs:
        return None
    work = work_region_on(subject, facts, d)
    city = ((work if isinstance(work, str) else "") or subject.region or "")[:4]
    spans = sorted(
        (f.date, min(iso_date(f.attrs.get("to")) or d, d))
        for f in jobs
        if city and employment_region(f).startswith(city)
    )
    days = 0
    cursor: date | None = None
    for start, end in spans:
        if cursor is not None and start < cursor:
            start = cursor
        if end > start:
            days += (end - start).days
        cursor = end if cursor is None else max(cursor, end)
    return days // 365


def retired_on(subject: Subject, d: date) -> bool | None:
    """Past statutory retirement age on d: attrs.retirement_date (ISO) when given, which the
    dossier computes under the 2025 reform; else attrs.retired (stated for the evaluation date);
    else age ≥ RETIREMENT_AGE for the subject's sex."""
    when = subject.attrs.get("retirement_date")
    if isinstance(when, str) and when:
        return when <= d.isoformat()
    given = subject.attrs.get("retired")
    if given is not None:
        return bool(given)
    if subject.birth_date is None or subject.sex not in RETIREMENT_AGE:
        return None
    return whole_years(subject.birth_date, d) >= RETIREMENT_AGE[subject.sex]


def subject_attribute(subject: Subject, facts: Sequence[Fact], name: str, d: date) -> AttrValue:
    """The value of a subject attribute on `d`; None when unknown."""
    if name == "kind":
        return subject.kind
    if name == "region":
        return subject.region
    if name == "sex":
        return subject.sex
    if name == "id":
        return subject.id
    if name == "age":
        return None if subject.birth_date is None else whole_years(subject.birth_date, d)
    if name == "insured":
        return insured_on(subject, facts, d)
    if name == "retired":
        return retired_on(subject, d)
    if name == "birth_date":
        return subject.birth_date.isoformat() if subject.birth_date else None
    if name == "work_region":
        return work_region_on(subject, facts, d)
    if name == "years_in_city":
        return years_in_city_on(subject, facts, d)
    return subject.attrs.get(name)
