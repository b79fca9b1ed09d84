"""The region an audit entry concerns, computed when it is written (`audit_record` stores it).

A GB/T 2260 code: the person's residence region, the organisation's region, the fact's region;
for an account or a token, the region of the account's roles; for what has no region of its own
(simulations without one, imports, searches), the actor's. "" means nationwide (only a global scope
reads it). Several regions are reduced to their common ancestor (4419 and 4413 → 44), so an entry
that concerns two cities is shown to the province, never to one city alone.

Models are looked up through the app registry: the apps that audit their writes import this one.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.apps import apps

from jineng.audit.vocabulary import AuditObject
from jineng.core.regioncodes import region_prefix

if TYPE_CHECKING:
    from jineng.identity.models import User

# object type → (model, fields tried in order for the region code)
_FIELD_PATHS: dict[str, tuple[str, tuple[str, ...]]] = {
    AuditObject.PERSON: ("identity.Person", ("residence_region_id", "hukou_region_id")),
    AuditObject.EMPLOYMENT: (
        "identity.Employment",
        ("person__residence_region_id", "region_id", "employer__region_id"),
    ),
    AuditObject.ORGANISATION: ("organisations.Organisation", ("region_id",)),
    AuditObject.TEACHER: (
        "organisations.Teacher",
        ("organisation__region_id", "person__residence_region_id"),
    ),
    AuditObject.FACT: (
        "dossier.Fact",
        ("region", "person__residence_region_id", "organisation__region_id"),
    ),
    AuditObject.SIMULATION_RUN: ("policy.SimulationRun", ("region",)),
    AuditObject.COURSE: ("learning.Course", ("provider__region_id",)),
    AuditObject.CHAPTER: ("learning.Chapter", ("course__provider__region_id",)),
    AuditObject.LESSON: ("learning.Lesson", ("chapter__course__provider__region_id",)),
    AuditObject.LEARNING_STREAM: ("learning.LearningStream", ("person__residence_region_id",)),
    AuditObject.LESSON_PROGRESS: ("learning.LessonProgress", ("person__residence_region_id",)),
    AuditObject.EXAM_ATTEMPT: (
        "assessment.Attempt",
        ("registration__session__organisation__region_id",),
    ),
    AuditObject.SCORE_CORRECTION: (
        "assessment.ScoreCorrection",
        ("result__registration__session__organisation__region_id",),
    ),
    AuditObject.RESULT_PUBLICATION: (
        "assessment.ResultPublication",
        ("session__organisation__region_id",),
    ),
    AuditObject.RESULT_OBJECTION: (
        "assessment.Objection",
        ("publication__session__organisation__region_id",),
    ),
    AuditObject.CLAIM: ("claims.Claim", ("region",)),
    AuditObject.CLAIM_RUN: ("claims.ClaimRun", ("region",)),
    AuditObject.CLAIM_FLAG: ("claims.ClaimFlag", ("claim__region",)),
    AuditObject.PAYOUT_BATCH: ("claims.PayoutBatch", ("region",)),
    AuditObject.PAYOUT_LINE: ("claims.PayoutLine", ("claim__region",)),
}
_USER_TYPES = frozenset({AuditObject.USER, AuditObject.ACCOUNT})


def common_region(codes: Iterable[str | None]) -> str:
    """The narrowest region containing every code, as a code ("" when they share no province)."""
    prefixes = [region_prefix(c) for c in codes if c]
    if not prefixes:
        return ""
    common = os.path.commonprefix(prefixes)
    for n in (9, 6, 4, 2):
        if len(common) >= n:
            return common[:n].ljust(6, "0")
    return ""


def _int_ids(ids: Iterable[str]) -> dict[str, int]:
    return {i: int(i) for i in ids if i.isdigit()}


def _by_fields(model_label: str, paths: tuple[str, ...], ids: Iterable[str]) -> dict[str, str]:
    numeric = _int_ids(ids)
    if not numeric:
        return {}
    model: Any = apps.get_model(model_label)
    rows = model._base_manager.filter(pk__in=set(numeric.values())).values_list("pk", *paths)
    found: dict[int, str] = {}
    for pk, *values in rows:
        found[pk] = common_region([next((v for v in values if v), "")])
    return {text: found[pk] for text, pk in numeric.items() if pk in found}


def user_regions(user_ids: Iterable[int]) -> dict[int, str]:
    """The region of each account: where its bureau and auditor roles are, where the organisations
    of its staff roles are, else where its own person lives."""
    ids = set(user_ids)
    if not ids:
        return {}
    codes: dict[int, set[str]] = {}
    assignment: Any = apps.get_model("identity.RoleAssignment")
    for user_id, region_id, org_region in assignment.objects.filter(user_id__in=ids).values_list(
        "user_id", "region_id", "organisation__region_id"
    ):
        for code in (region_id, org_region):
            if code:
                codes.setdefault(user_id, set()).add(code)
    user_model: Any = apps.get_model("identity.User")
    for user_id, residence in user_model._base_manager.filter(
        pk__in=ids - set(codes), person__isnull=False
    ).values_list("pk", "person__residence_region_id"):
        if residence:
            codes.setdefault(user_id, set()).add(residence)
    return {user_id: common_region(found) for user_id, found in codes.items()}


def _token_regions(ids: Iterable[str]) -> dict[str, str]:
    numeric = _int_ids(ids)
    token_model: Any = apps.get_model("api.ApiToken")
    owners = dict(
        token_model._base_manager.filter(pk__in=set(numeric.values())).values_list("pk", "user_id")
    )
    regions = user_regions(owners.values())
    return {
        text: regions.get(owners[pk], "")
        for text, pk in numeric.items()
        if pk in owners and owners[pk] in regions
    }


def regions_of(
    *, object_type: str, object_ids: Iterable[str], actor: User | None
) -> dict[str, str]:
    """object id → region for many entries of one type at once (one or two queries); an id the
    target tables do not know gets the actor's region."""
    ids = [str(i) for i in object_ids]
    found: dict[str, str]
    if object_type in _FIELD_PATHS:
        model_label, paths = _FIELD_PATHS[object_type]
        found = _by_fields(model_label, paths, ids)
    elif object_type in _USER_TYPES:
        numeric = _int_ids(ids)
        regions = user_regions(numeric.values())
        found = {text: regions[pk] for text, pk in numeric.items() if pk in regions}
    elif object_type == AuditObject.API_TOKEN:
        found = _token_regions(ids)
    elif object_type == AuditObject.SHORTAGE_LIST:  # object id "<region>/<year>"
        found = {i: common_region([i.split("/")[0]]) for i in ids if i.split("/")[0].isdigit()}
    else:
        found = {}
    missing = [i for i in ids if i not in found]
    if missing:
        fallback = actor_region(actor)
        found.update(dict.fromkeys(missing, fallback))
    return found


def actor_region(actor: User | None) -> str:
    if actor is None:
        return ""
    return user_regions([actor.pk]).get(actor.pk, "")


def named_region(object_type: str, after: dict[str, Any] | None) -> str | None:
    """The region a seeding or other entry without a region-bearing target names in `after`
    (`{"region": "441900"}`), if any."""
    named = (after or {}).get("region")
    if object_type not in _FIELD_PATHS and isinstance(named, str) and named.isdigit():
        return common_region([named])
    return None


def region_of(
    *, object_type: str, object_id: str, actor: User | None, after: dict[str, Any] | None
) -> str:
    """The region of one entry (see the module docstring)."""
    named = named_region(object_type, after)
    if named is not None:
        return named
    return regions_of(object_type=object_type, object_ids=[object_id], actor=actor)[object_id]
