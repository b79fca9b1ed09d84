"""What the management pages share: role sets, the signed-in user, forms whose errors name the
field in Chinese, and the organisations a user may act for."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest

from jineng.assessment.access import AUTHOR_ROLES, MANAGE_ROLES, REVIEW_ROLES
from jineng.core.errors import DomainError
from jineng.core.forms import add_domain_error
from jineng.identity.access import request_scope
from jineng.identity.models import BUREAU_ROLES, Role, User
from jineng.organisations.models import Organisation
from jineng.reference.models import Occupation

AUTHORS = frozenset(AUTHOR_ROLES | {Role.SYSADMIN})
REVIEWERS = frozenset(REVIEW_ROLES | {Role.SYSADMIN})
MANAGERS = frozenset(MANAGE_ROLES | {Role.SYSADMIN})
# The bank pages: authors write, reviewers review, the bureau files and the auditor reads.
BANK_PAGE_ROLES = frozenset(AUTHORS | REVIEWERS | BUREAU_ROLES | {Role.AUDITOR})
SESSION_PAGE_ROLES = frozenset(MANAGERS | BUREAU_ROLES | {Role.AUDITOR})
CANDIDATES = frozenset({Role.WORKER})


def user_of(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class ChineseForm(forms.Form):
    """Every built-in error names its field: “请填写「题库名称」” rather than “这个字段是必填项”."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = str(field.label or "")
            field.error_messages["required"] = f"请填写「{label}」"
            field.error_messages["invalid"] = f"「{label}」的格式不正确"
            field.error_messages["invalid_choice"] = f"请从列表中选择「{label}」"
            field.error_messages["min_value"] = f"「{label}」不能小于%(limit_value)s"
            field.error_messages["max_value"] = f"「{label}」不能大于%(limit_value)s"
            field.error_messages["max_length"] = f"「{label}」最多%(limit_value)d个字"
            field.error_messages["invalid_list"] = f"请从列表中选择「{label}」"
            field.error_messages["empty"] = f"「{label}」是空文件"
            field.error_messages["missing"] = f"请选择「{label}」"


class OccupationField(forms.CharField):
    """An occupation typed by its name (the 2022 大典), never by its code."""

    def clean(self, value: Any) -> Any:
        name = str(super().clean(value)).strip()
        if not name:
            return None
        found = Occupation.objects.filter(name=name).order_by("code").first()
        if found is None:
            raise forms.ValidationError(f"「职业」：“{name}”不在2022年版职业分类大典中")
        return found


def organisations_for(request: HttpRequest, roles: frozenset[str]) -> QuerySet[Organisation]:
    """The organisations where the user holds one of `roles` (every one for the administrator)."""
    scope = request_scope(request)
    qs = Organisation.objects.order_by("name", "pk")
    if scope.is_global and not scope.read_only:
        return qs
    ids = [org for org, held in scope.organisation_roles.items() if held & roles]
    return qs.filter(pk__in=ids)


def refusal(request: HttpRequest, form: forms.Form, err: DomainError) -> None:
    """A service's refusal beside the field it names, or at the top of the page when the form
    has no such field (the page may not show the form at all, e.g. once a blueprint is published)."""
    if err.field in form.fields:
        add_domain_error(form, err)
    else:
        messages.error(request, err.message)


def form_errors(form: forms.Form) -> str:
    """All the form's errors in one sentence (for a redirect's message)."""
    return "；".join(str(e) for errs in form.errors.values() for e in errs)
