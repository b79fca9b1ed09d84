"""Finding a person: the one selector the console, the policy pages and the API use.

Search by name reads within the caller's scope (`people_visible_to`). Exact search by a full
document number is an oracle: with the mask (first and last 4) and a birth year beside it, a few
thousand candidates remain, and an exact search that answers "found" or "not found" for each gives
the full number away (issue 6, 1.1). So an exact search

- is allowed only to those who may reveal a number (sysadmin, a bureau role) and to a worker
  looking up themself; any other role is refused with the same answer whatever the number;
- finds only people whose number the caller could reveal anyway (`can_reveal_person`): out of
  scope answers exactly like not found;
- is counted per account (django-ratelimit's cache counter, `JINENG_DOCUMENT_SEARCH_RATE`) and
  audited, refused and throttled attempts included, with the number masked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django_ratelimit.core import get_usage

from jineng.audit.services import audit_record
from jineng.identity.access import Scope, can_reveal_person, people_visible_to, resolve_scope
from jineng.identity.crypto import blind_index
from jineng.identity.documents import normalise_number, parse_document
from jineng.identity.errors import ValidationFailed
from jineng.identity.masking import mask_id_number
from jineng.identity.models import IdType, Person

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jineng.identity.models import User

DEFAULT_DOCUMENT_SEARCH_RATE = "30/m"
SEARCH_AUDIT_ACTION = "person_search_document"
# Entries of a search name the person found in scope (object_type "person"); a search that found
# nobody the caller may see — absent or out of scope, the same — is filed under this type.
SEARCH_AUDIT_OBJECT_TYPE = "person_search"
RATE_GROUP = "jineng.person_search_document"

REFUSED_MESSAGE = "您的角色不能按证件号码查找人员，请按姓名查询；如需核实证件号码，请联系人社部门。"
THROTTLED_MESSAGE = "按证件号码查询过于频繁，请稍后再试。"


class DocumentSearchRefused(PermissionDenied):
    """The caller's roles do not allow an exact search by document number (the API answers 403)."""

    message = REFUSED_MESSAGE

    def __init__(self) -> None:
        super().__init__(self.message)


class DocumentSearchThrottled(Exception):
    """Too many exact searches from this account in the current window (the API answers 429)."""

    message = THROTTLED_MESSAGE

    def __init__(self) -> None:
        super().__init__(self.message)


def document_search_rate() -> str:
    return str(getattr(settings, "JINENG_DOCUMENT_SEARCH_RATE", DEFAULT_DOCUMENT_SEARCH_RATE))


def may_search_by_document(scope: Scope) -> bool:
    """Who may search by a full number at all: whoever may reveal one (sysadmin, a bureau role),
    and an account linked to a person (it finds only that person)."""
    return scope.is_global or bool(scope.bureau_region_prefixes) or scope.person_id is not None


def may_see_birth_year(
    user: User | AnonymousUser | None, person: Person, *, scope: Scope | None = None
) -> bool:
    """The birth year beside the masked number narrows its hidden digits to a few thousand
    candidates, so only those who may reveal the number see it (organisation staff and auditors
    see the mask alone)."""
    return can_reveal_person(user, person, scope=scope)


def people_search(
    *, user: User | AnonymousUser | None, name: str, scope: Scope | None = None
) -> QuerySet[Person]:
    """People the user may see whose name contains `name`."""
    return people_visible_to(user, scope=scope).filter(name__contains=name).order_by("name", "pk")


def _throttled(user_id: int) -> bool:
    usage = get_usage(
        None,
        group=RATE_GROUP,
        key=lambda group, request: str(user_id),
        rate=document_search_rate(),
        increment=True,
    )
    return bool(usage and usage["should_limit"])


def _audit(
    user: User, *, id_type: str | None, number: str, outcome: str, found: Person | None = None
) -> None:
    audit_record(
        actor=user,
        action=SEARCH_AUDIT_ACTION,
        object_type="person" if found is not None else SEARCH_AUDIT_OBJECT_TYPE,
        object_id=found.pk if found is not None else "",
        after={
            "id_type": id_type or "any",
            "id_number": mask_id_number(number),
            "outcome": outcome,
        },
    )


def _check_number(number: str, id_type: str | None) -> None:
    """A malformed number gets its reason (a wrong check digit is not "nobody found")."""
    if not number:
        raise ValidationFailed("id_number", "请输入完整的证件号码")
    if id_type is None:
        looks_resident = len(number) == 18 and number[:17].isdigit()
        if looks_resident:
            parse_document(IdType.RESIDENT, number)
        return
    parse_document(id_type, number)


def person_search_by_document(
    *,
    user: User | AnonymousUser | None,
    id_number: str,
    id_type: str | None = IdType.RESIDENT,
    scope: Scope | None = None,
) -> Person | None:
    """The person holding this document if the caller may reveal their number, else None (absent
    and out of scope alike). `id_type=None` searches every document type.

    Raises DocumentSearchThrottled over the per-account rate, DocumentSearchRefused for a role
    that may not search by number (whatever the number), ValidationFailed for a malformed number.
    Every call by a logged-in account is audited, each of those outcomes included."""
    if user is None or not user.is_authenticated:
        raise DocumentSearchRefused
    account: User = user
    scope = resolve_scope(account, scope)
    number = normalise_number(id_number or "")
    if _throttled(account.pk):
        _audit(account, id_type=id_type, number=number, outcome="throttled")
        raise DocumentSearchThrottled
    if not may_search_by_document(scope):
        _audit(account, id_type=id_type, number=number, outcome="refused")
        raise DocumentSearchRefused
    try:
        _check_number(number, id_type)
    except ValidationFailed:
        _audit(account, id_type=id_type, number=number, outcome="invalid")
        raise
    candidates = Person.objects.filter(id_number_index=blind_index(number))
    if id_type is not None:
        candidates = candidates.filter(id_type=id_type)
    found = next(
        (p for p in candidates.order_by("pk") if can_reveal_person(account, p, scope=scope)),
        None,
    )
    _audit(account, id_type=id_type, number=number, outcome="searched", found=found)
    return found
