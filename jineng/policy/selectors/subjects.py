"""The entry points that explain a subject or a facts document for the acting user: each
reads the subject through the access helpers (out of scope is Http404) and checks who may
explain what before the engine runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from jineng.dossier.selectors import subject_facts_document
from jineng.identity.access import access_person_by_id, scope_of
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import Person, User
from jineng.organisations.access import access_organisation_by_id
from jineng.organisations.models import Organisation
from jineng.policy.access import (
    EXPLAIN_ROLES,
)
from jineng.policy.engine.errors import FactsError
from jineng.policy.engine.explain import explain
from jineng.policy.engine.facts import SubjectFacts, parse_subject_facts
from jineng.policy.selectors.documents import (
    SubjectType,
    check_overrides,
    policies,
    policy_document,
)

# --- explanation ------------------------------------------------------------------------------
from jineng.policy.selectors.explanation import (
    SubjectExplanation,
    explanation_view,
)


def explain_facts(
    subject_facts: SubjectFacts,
    *,
    on: dt.date,
    policy: str | None = None,
    params: Mapping[str, str] | None = None,
    overrides: Sequence[str] = (),
    statuses: Collection[str] | None = None,
) -> SubjectExplanation:
    """Explain already-read facts (no access check here: callers read them through one);
    `statuses`: only the items with an entitlement in one of them (see `explanation_view`)."""
    policy_document(policy)
    cleaned = check_overrides(overrides)
    explanation = explain(subject_facts, on, policies(), dict(params or {}), cleaned)
    return explanation_view(
        explanation, subject_facts, policy=policy, params=params, statuses=statuses
    )


def subject_for_explain(
    user: User, subject_type: SubjectType, subject_id: int | str
) -> Person | Organisation:
    """The subject if `user` may explain it: Http404 when out of scope (or another person, for a
    worker), PermissionDenied for accounts that may explain nobody (organisation staff)."""
    scope = scope_of(user)  # read once, for the role check and the scoped read
    if scope.is_global or scope.has_role(*EXPLAIN_ROLES):
        if subject_type == "person":
            return access_person_by_id(user, subject_id, scope=scope)
        return access_organisation_by_id(user, subject_id, scope=scope)
    if scope.person_id is not None:
        if subject_type == "person" and str(subject_id) == str(scope.person_id):
            return access_person_by_id(user, subject_id, scope=scope)
        raise Http404("不存在或不在您的查看范围内")
    raise PermissionDenied


def read_subject_facts(subject: Person | Organisation, on: dt.date) -> SubjectFacts:
    """The dossier's facts document for the subject, parsed by the engine. The document is the
    dossier's own rendering (its format is tested against FACTS_SCHEMA in the dossier's tests), so
    the JSON Schema check — about a third of an explain's time — is not repeated per subject."""
    try:
        return parse_subject_facts(subject_facts_document(subject=subject, on=on), validate=False)
    except FactsError as exc:
        raise ValidationFailed("subject", f"档案事实不符合格式：{exc}") from None


def explain_subject(
    *,
    user: User,
    subject_type: SubjectType,
    subject_id: int | str,
    on: dt.date,
    policy: str | None = None,
    params: Mapping[str, str] | None = None,
    overrides: Sequence[str] = (),
) -> SubjectExplanation:
    subject = subject_for_explain(user, subject_type, subject_id)
    return explain_facts(
        read_subject_facts(subject, on),
        on=on,
        policy=policy,
        params=params,
        overrides=overrides,
    )


def explain_document(
    *,
    user: User,
    document: Mapping[str, Any],
    on: dt.date,
    policy: str | None = None,
    params: Mapping[str, str] | None = None,
    overrides: Sequence[str] = (),
) -> SubjectExplanation:
    """A whole facts document sent by the caller (no dossier read): bureau, auditor, sysadmin."""
    scope = scope_of(user)
    if not (scope.is_global or scope.has_role(*EXPLAIN_ROLES)):
        raise PermissionDenied
    try:
        subject_facts = parse_subject_facts(document)
    except FactsError as exc:
        raise ValidationFailed("facts", f"事实文件不符合格式：{exc}") from None
    return explain_facts(subject_facts, on=on, policy=policy, params=params, overrides=overrides)
