"""People: scoped search, masked detail with facts, the facts document, and the audited reveal."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from jineng.api.pagination import MappedQuerySet
from jineng.api.schemas import (
    EmploymentOut,
    ErrorOut,
    FactOut,
    FactsDocumentOut,
    PersonDetailOut,
    PersonOut,
    RevealIn,
    RevealOut,
)
from jineng.dossier.selectors import person_timeline, subject_facts_document
from jineng.identity.access import access_person_by_id, people_visible_to
from jineng.identity.models import IdType, Person, User
from jineng.identity.services import person_find_by_document, person_reveal
from jineng.reference.models import region_prefix

router = Router(tags=["people"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class PeopleFilter(Schema):
    q: str | None = None  # name contains
    id_number: str | None = None  # full document number, exact (blind index)
    id_type: IdType = IdType.RESIDENT
    region: str | None = None  # residence under this GB/T 2260 code or prefix


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def person_out(person: Person) -> dict[str, Any]:
    return {
        "id": person.pk,
        "name": person.name,
        "id_type": person.id_type,
        "id_number_masked": person.masked_id_number,
        "sex": person.sex,
        "birth_year": person.birth_date.year if person.birth_date else None,
        "residence_region": person.residence_region_id,
    }


@router.get("/people", response=list[PersonOut], summary="人员查询（脱敏）")
@paginate(PageNumberPagination, page_size=50)
def people_list(request: HttpRequest, filters: Query[PeopleFilter]) -> Any:
    user = _user(request)
    people = people_visible_to(user).order_by("name", "pk")
    if filters.id_number:
        found = person_find_by_document(id_number=filters.id_number, id_type=filters.id_type)
        # Out of scope looks the same as not found: the blind index never confirms a document.
        people = people.filter(pk=found.pk) if found is not None else people.none()
    if filters.q:
        people = people.filter(name__contains=filters.q)
    if filters.region:
        people = people.filter(residence_region__code__startswith=region_prefix(filters.region))
    return MappedQuerySet(people, person_out)


@router.get(
    "/people/{person_id}", response={200: PersonDetailOut, **ERRORS}, summary="人员详情（脱敏）"
)
def person_detail(request: HttpRequest, person_id: int) -> Any:
    user = _user(request)
    person = access_person_by_id(user, person_id)
    employments = [
        EmploymentOut(
            employer_id=e.employer_id,
            employer_name=e.employer.name if e.employer else e.employer_name,
            occupation=e.occupation_id,
            region=e.region_id,
            start=e.start,
            end=e.end,
        )
        for e in person.employments.select_related("employer")
    ]
    facts = [
        FactOut(
            id=t.fact_id,
            kind=t.kind,
            code=t.code,
            level=t.level,
            date=t.date,
            amount_fen=t.amount_fen,
            issuer_name=t.issuer_name,
            region=t.region,
            status=t.status,
            supersedes=t.supersedes,
        )
        for t in person_timeline(user=user, person=person)
    ]
    return {
        **person_out(person),
        "phone_masked": person.masked_phone,
        "bank_account_masked": person.masked_bank_account,
        "hukou_region": person.hukou_region_id,
        "education": person.education,
        "insured": person.insured,
        "insured_since": person.insured_since,
        "employments": employments,
        "facts": facts,
    }


@router.get(
    "/people/{person_id}/facts",
    response={200: FactsDocumentOut, **ERRORS},
    summary="人员档案事实（政策引擎格式）",
)
def person_facts(request: HttpRequest, person_id: int) -> Any:
    person = access_person_by_id(_user(request), person_id)
    document = subject_facts_document(subject=person)
    # The full birth date and hukou beside the masked ID number would give away 8 of its 10 hidden
    # digits, so the API shows the birth year only; the engine reads the full document server-side.
    subject = dict(document["subject"])
    birth = subject.pop("birth_date", None)
    subject["birth_year"] = int(str(birth)[:4]) if birth else None
    attrs: dict[str, Any] = dict(subject.get("attrs") or {})  # type: ignore[call-overload]
    attrs.pop("hukou_region", None)
    subject["attrs"] = attrs
    return {**document, "subject": subject}


@router.post(
    "/people/{person_id}/reveal",
    response={200: RevealOut, **ERRORS},
    summary="查看明文（留痕）",
)
def person_reveal_endpoint(
    request: HttpRequest, response: HttpResponse, person_id: int, payload: RevealIn
) -> Any:
    user = _user(request)
    person = access_person_by_id(user, person_id)
    value = person_reveal(actor=user, person=person, field=payload.field, reason=payload.reason)
    add_never_cache_headers(response)
    return {"person_id": person.pk, "field": payload.field, "value": value}
