"""People: scoped search, masked detail with facts, the facts document, and the audited reveal."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from jineng.api.pagination import MappedQuerySet
from jineng.api.schemas import (
    EmploymentOut,
    ErrorOut,
    FactOut,
    FactsDocumentOut,
    PersonDetailOut,
    PersonOut,
    PersonSearchIn,
    RevealIn,
    RevealOut,
)
from jineng.dossier.selectors import person_timeline, subject_facts_document
from jineng.identity.access import Scope, access_person_by_id, people_visible_to, scope_of
from jineng.identity.models import Person, User
from jineng.identity.selectors import (
    DocumentSearchRefused,
    DocumentSearchThrottled,
    may_see_birth_year,
    person_search_by_document,
)
from jineng.identity.services import person_reveal
from jineng.reference.models import region_prefix

router = Router(tags=["people"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


# Query parameters that would put a full document number into a URL (and so into access logs,
# proxies and browser history): refused, the number goes in the body of POST /people/search.
NUMBER_IN_URL = ("id_number", "id_type")
NUMBER_IN_URL_MESSAGE = "证件号码不能放在网址中，请用 POST /api/v1/people/search 在请求正文中提交。"


class PeopleFilter(Schema):
    q: str | None = None  # name contains
    region: str | None = None  # residence under this GB/T 2260 code or prefix


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def person_out(person: Person, *, user: User, scope: Scope) -> dict[str, Any]:
    # The birth year narrows the masked number's hidden digits to a few thousand candidates:
    # only those who may reveal the number see it.
    birth_year = None
    if person.birth_date and may_see_birth_year(user, person, scope=scope):
        birth_year = person.birth_date.year
    return {
        "id": person.pk,
        "name": person.name,
        "id_type": person.id_type,
        "id_number_masked": person.masked_id_number,
        "sex": person.sex,
        "birth_year": birth_year,
        "residence_region": person.residence_region_id,
    }


@router.get(
    "/people",
    response={200: list[PersonOut], 400: ErrorOut, 401: ErrorOut},
    summary="人员查询（按姓名、地区；脱敏）",
    description="按证件号码精确查找请用 POST /people/search：号码不放在网址中。",
)
@paginate(PageNumberPagination, page_size=50)
def people_list(request: HttpRequest, filters: Query[PeopleFilter]) -> Any:
    if any(name in request.GET for name in NUMBER_IN_URL):
        raise HttpError(400, NUMBER_IN_URL_MESSAGE)
    user = _user(request)
    scope = scope_of(user)
    people = people_visible_to(user, scope=scope).order_by("name", "pk")
    if filters.q:
        people = people.filter(name__contains=filters.q)
    if filters.region:
        people = people.filter(residence_region__code__startswith=region_prefix(filters.region))
    return MappedQuerySet(people, lambda p: person_out(p, user=user, scope=scope))


@router.post(
    "/people/search",
    response={
        200: list[PersonOut],
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        429: ErrorOut,
    },
    summary="按证件号码查找人员（精确、留痕、限频）",
    description=(
        "仅限可查看明文的角色（人社部门、系统管理员；本人只能查到自己），且只在其范围内查找；"
        "范围外与不存在的答复相同。每次查询记入审计日志，并按账号限制频率。"
    ),
)
def people_search_endpoint(request: HttpRequest, payload: PersonSearchIn) -> Any:
    user = _user(request)
    scope = scope_of(user)
    try:
        found = person_search_by_document(
            user=user, id_number=payload.id_number, id_type=payload.id_type, scope=scope
        )
    except DocumentSearchThrottled as exc:
        raise HttpError(429, exc.message) from None
    except DocumentSearchRefused as exc:
        raise HttpError(403, exc.message) from None
    if found is None:
        return []
    if payload.name and payload.name not in found.name:
        return []
    if payload.region and not (found.residence_region_id or "").startswith(
        region_prefix(payload.region)
    ):
        return []
    return [person_out(found, user=user, scope=scope)]


@router.get(
    "/people/{person_id}", response={200: PersonDetailOut, **ERRORS}, summary="人员详情（脱敏）"
)
def person_detail(request: HttpRequest, person_id: int) -> Any:
    user = _user(request)
    scope = scope_of(user)
    person = access_person_by_id(user, person_id, scope=scope)
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
        **person_out(person, user=user, scope=scope),
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
    user = _user(request)
    scope = scope_of(user)
    person = access_person_by_id(user, person_id, scope=scope)
    document = subject_facts_document(subject=person)
    # The full birth date and hukou beside the masked ID number would give away 8 of its 10 hidden
    # digits, so the API shows the birth year only, and that only to whoever may reveal the
    # number; the engine reads the full document server-side.
    subject = dict(document["subject"])
    birth = subject.pop("birth_date", None)
    shown = birth and may_see_birth_year(user, person, scope=scope)
    subject["birth_year"] = int(str(birth)[:4]) if shown else None
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
