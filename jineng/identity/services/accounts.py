"""Accounts: create one (a person's or a staff member's) and change its details; only a system
administrator may (the Django admin's user pages call these). Password changes are audited where
they happen (`jineng.identity.signals`), role changes in `roles`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from jineng.audit.services import audit_record
from jineng.identity.access import scope_of
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import Person, User
from jineng.identity.services._common import DENIED as _DENIED

# What account_update may change (the admin's change form); each change is audited.
ACCOUNT_FIELDS = ("username", "display_name", "person", "is_active", "email")


@transaction.atomic
def account_create(
    *,
    actor: User | None,
    username: str,
    password: str | None,
    person: Person | None = None,
    display_name: str = "",
) -> User:
    """An account; the password must pass AUTH_PASSWORD_VALIDATORS (at least 12 characters…).
    `password=None` makes an account that cannot log in with a password."""
    if actor is not None and not scope_of(actor).is_global:
        raise PermissionDenied(_DENIED)
    username = username.strip()
    if not username:
        raise ValidationFailed("username", "用户名不能为空")
    if User.objects.filter(username=username).exists():
        raise ValidationFailed("username", "用户名已被使用", username)
    if person is not None and User.objects.filter(person=person).exists():
        raise ValidationFailed("person", "该人员已有账号")
    user = User(username=username, person=person, display_name=display_name)
    if password is None:
        user.set_unusable_password()
    else:
        try:
            validate_password(password, user)
        except DjangoValidationError as exc:
            raise ValidationFailed("password", "；".join(exc.messages)) from None
        user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        action="create",
        object_type="user",
        object_id=user.pk,
        after={"username": username, "person": person.pk if person else None},
    )
    return user


def _account_values(user: User) -> dict[str, Any]:
    return {f: getattr(user, f + "_id" if f == "person" else f) for f in ACCOUNT_FIELDS}


@transaction.atomic
def account_update(*, actor: User | None, user: User, **fields: Any) -> User:
    """Change some of an account's details (names in ACCOUNT_FIELDS; `person` a Person or None).
    Audits the changed fields only (before and after); nothing is written if nothing changed.
    Returns the same object, refreshed from the database and updated."""
    unknown = sorted(set(fields) - set(ACCOUNT_FIELDS))
    if unknown:
        raise ValidationFailed(unknown[0], f"不能通过此操作修改字段：{unknown[0]}")
    if actor is not None and not scope_of(actor).is_global:
        raise PermissionDenied(_DENIED)
    User.objects.select_for_update().filter(pk=user.pk).exists()  # lock the row first
    user.refresh_from_db()
    before = _account_values(user)
    if "username" in fields:
        username = str(fields["username"] or "").strip()
        if not username:
            raise ValidationFailed("username", "用户名不能为空")
        if User.objects.filter(username=username).exclude(pk=user.pk).exists():
            raise ValidationFailed("username", "用户名已被使用", username)
        user.username = username
    if "person" in fields:
        person = fields["person"]
        if person is not None and not isinstance(person, Person):
            raise ValidationFailed("person", "请选择人员")
        if person is not None and User.objects.filter(person=person).exclude(pk=user.pk).exists():
            raise ValidationFailed("person", "该人员已有账号")
        user.person = person
    if "display_name" in fields:
        user.display_name = str(fields["display_name"] or "").strip()
    if "email" in fields:
        user.email = str(fields["email"] or "").strip()
    if "is_active" in fields:
        user.is_active = bool(fields["is_active"])
    after = _account_values(user)
    changed = [f for f in ACCOUNT_FIELDS if before[f] != after[f]]
    if not changed:
        return user
    user.save(update_fields=[f for f in changed])
    audit_record(
        actor=actor,
        action="update",
        object_type="user",
        object_id=user.pk,
        before={f: before[f] for f in changed},
        after={f: after[f] for f in changed},
    )
    return user
