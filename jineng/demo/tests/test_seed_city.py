import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.db import transaction
from jsonschema import Draft202012Validator

from jineng.audit.models import AuditEntry
from jineng.demo.context import AS_OF
from jineng.demo.run import seed_city
from jineng.dossier.models import Fact
from jineng.dossier.selectors import subject_facts_document
from jineng.identity.models import Employment, Person
from jineng.identity.validators import is_valid_uscc, parse_resident_id
from jineng.organisations.models import Organisation, Teacher
from jineng.policy.engine.schema import FACTS_SCHEMA
from jineng.reference.models import Region

pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


def _snapshot() -> dict[str, Any]:
    # Primary keys differ between runs (sequences are not rolled back): an employment fact's code,
    # the employer's id, is compared as the employer's USCC.
    uscc = {str(pk): code for pk, code in Organisation.objects.values_list("pk", "uscc")}
    facts = Counter(
        (kind, uscc[code] if kind == "employment" else code, level, date)
        for kind, code, level, date in Fact.objects.values_list("kind", "code", "level", "date")
    )
    return {
        "ids": sorted(Person.objects.values_list("id_number", flat=True)),
        "names": Counter(Person.objects.values_list("name", flat=True)),
        "facts": facts,
        "organisations": sorted(Organisation.objects.values_list("name", "uscc")),
        "employments": Employment.objects.count(),
        "teachers": Teacher.objects.count(),
    }


def _seeded(seed: int, workers: int = 600) -> dict[str, Any]:
    """Seed, take a snapshot, and roll everything back."""
    snapshot: dict[str, Any] = {}
    try:
        with transaction.atomic():
            seed_city(region="441900", workers=workers, seed=seed, chunk_size=250, progress=False)
            snapshot = _snapshot()
            raise _Rollback
    except _Rollback:
        pass
    return snapshot


def test_the_same_seed_gives_the_same_city() -> None:
    first, second, other = _seeded(7), _seeded(7), _seeded(8)
    assert len(first["ids"]) == 600
    assert first == second
    assert first["ids"] != other["ids"]


def test_the_city_is_plausible() -> None:
    # when
    result = seed_city(region="441900", workers=2000, seed=3, chunk_size=500, progress=False)
    # then: every ID number is a valid GB 11643 number matching the stored birth date and sex
    people = list(Person.objects.values_list("id_number", "birth_date", "sex", "hukou_region_id"))
    assert len(people) == 2000
    assert len({p[0] for p in people}) == 2000
    for number, birth, sex, hukou in people:
        parsed = parse_resident_id(number)
        assert (parsed.birth_date, parsed.sex, parsed.area_code) == (birth, sex, hukou)
        age = (AS_OF - parsed.birth_date).days / 365.2425
        assert 18 <= age < 61
    provinces = Counter(p[3][:2] for p in people)
    assert provinces["44"] / 2000 > 0.25  # Guangdong first, migrants from inland provinces
    assert {"43", "45", "51", "36", "41"} <= set(provinces)
    assert Region.objects.filter(code__in={p[3] for p in people}).count() == len(
        {p[3] for p in people}
    )
    # about 45% hold a certificate, and 高技能 (高级工 and above) are about 30% of them
    assert 0.35 < result.certified / 2000 < 0.55
    assert 0.22 < result.high_skill_share < 0.40
    assert 0.70 < Person.objects.filter(insured=True).count() / 2000 < 0.90
    # enterprises have valid USCCs except a few held for review
    enterprises = Organisation.objects.filter(kind="enterprise")
    assert enterprises.count() == 50
    held = [o for o in Organisation.objects.all() if not is_valid_uscc(o.uscc)]
    assert all(o.uscc_status == "held" for o in held)
    assert Organisation.objects.filter(uscc_status="held").count() == len(held)
    # the rare facts of the showcase are there
    kinds = set(Fact.objects.values_list("kind", "code"))
    assert {
        ("competition_result", "worldskills"),
        ("competition_result", "chinaskills"),
        ("appointment", "chief_technician"),
        ("appointment", "skill_leader_class1"),
        ("studio", "master_studio"),
        ("title", "guangdong_technical_expert"),
        ("title", "national_technical_expert"),
        ("evaluation_filing", "enterprise_self_evaluation"),
        ("evaluation_filing", "social_evaluation_org"),
    } <= kinds
    assert {"apprenticeship", "training", "employment", "insurance"} <= {k for k, _ in kinds}
    assert not Fact.objects.filter(date__gt=AS_OF).exists()
    assert not Fact.objects.filter(kind="certificate", date__lt=dt.date(2015, 1, 1)).exists()


def test_seeded_dossiers_are_valid_facts_documents() -> None:
    seed_city(region="441900", workers=300, seed=5, progress=False)
    validator = Draft202012Validator(FACTS_SCHEMA)
    for person in Person.objects.order_by("pk")[:40]:
        assert not list(validator.iter_errors(subject_facts_document(subject=person)))
    for org in Organisation.objects.order_by("pk")[:20]:
        assert not list(validator.iter_errors(subject_facts_document(subject=org)))


def test_seeding_is_audited_once_per_chunk() -> None:
    seed_city(region="441900", workers=1000, seed=2, chunk_size=400, progress=False)
    entries = AuditEntry.objects.filter(action="seed").order_by("pk")
    assert [(e.object_type, e.after and e.after.get("people")) for e in entries] == [
        ("organisation", None),
        ("person", 400),
        ("person", 400),
        ("person", 200),
    ]
    assert not AuditEntry.objects.filter(object_type="person", action="create").exists()
