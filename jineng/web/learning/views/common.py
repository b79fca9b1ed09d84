"""What the learning pages share: role sets, the signed-in person, form errors from a service."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest

from jineng.core.errors import DomainError
from jineng.identity.models import Person, Role
from jineng.learning.access import (
    PROVIDER_ROLES,
    REVIEW_ROLES,
)
from jineng.web.guards import signed_in_user

WORKER = frozenset({Role.WORKER})
PROVIDERS = frozenset(PROVIDER_ROLES)
REVIEWERS = frozenset(REVIEW_ROLES | {Role.SYSADMIN})
MAX_VIDEO_BYTES = 500 * 1024 * 1024


def _person(request: HttpRequest) -> Person:
    person = signed_in_user(request).person
    if person is None:
        raise Http404("账号未关联人员")
    return person


def _apply_error(form: forms.Form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
