"""Password changes are account changes, so they go on the audit trail wherever they happen: the
admin's change-password form, `jineng changepassword`, `jineng createsuperuser`, or code calling
`set_password()` / `set_unusable_password()` and saving.

The entry says who (the acting user when a page set one with `acting_user`, else the system and the
command), when, and which account; before/after carry only whether a password is usable, never the
password or its hash. A hash upgrade on log-in (`check_password` re-hashing the same password) is
not a change and is not recorded. Account creation through `account_create` and the admin's add
form is audited there; only a superuser created outside them (`createsuperuser`) is recorded here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.auth.hashers import is_password_usable
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from jineng.audit.services import SYSTEM_ACTOR, audit_record
from jineng.identity.models import User

_acting_user: ContextVar[User | None] = ContextVar("jineng_acting_user", default=None)
_PENDING = "_jineng_password_audit"
_COMMANDS = ("changepassword", "createsuperuser")


@contextmanager
def acting_user(user: User | None) -> Iterator[None]:
    """Attribute password changes made inside the block to `user` (a page's logged-in user)."""
    token = _acting_user.set(user)
    try:
        yield
    finally:
        _acting_user.reset(token)


def _system_label() -> str:
    """`system` plus the management command when one is running (`system:changepassword`)."""
    command = next((a for a in sys.argv[1:3] if a in _COMMANDS), "")
    return f"{SYSTEM_ACTOR}:{command}" if command else SYSTEM_ACTOR


def _record(
    *, action: str, user: User, before: dict[str, Any] | None, after: dict[str, Any]
) -> None:
    actor = _acting_user.get()
    audit_record(
        actor=actor,
        actor_label=None if actor is not None else _system_label(),
        action=action,
        object_type="user",
        object_id=user.pk,
        before=before,
        after={"username": user.get_username(), **after},
    )


@receiver(pre_save, sender=User, dispatch_uid="identity.password_audit.pre")
def _note_password_change(
    sender: type[User], instance: User, raw: bool = False, update_fields: Any = None, **_: Any
) -> None:
    setattr(instance, _PENDING, None)
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and "password" not in update_fields:
        return
    raw_password_set = getattr(instance, "_password", None) is not None
    if update_fields is not None and set(update_fields) == {"password"} and not raw_password_set:
        return  # check_password() upgrading the hash of the same password
    old = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if old is None or old == instance.password:
        return
    setattr(
        instance,
        _PENDING,
        ({"usable_password": is_password_usable(old)}, is_password_usable(instance.password)),
    )


@receiver(post_save, sender=User, dispatch_uid="identity.password_audit.post")
def _record_password_change(
    sender: type[User], instance: User, created: bool, raw: bool = False, **_: Any
) -> None:
    if raw:
        return
    if created:
        if instance.is_superuser:  # createsuperuser: no service audits this one
            _record(
                action="create",
                user=instance,
                before=None,
                after={
                    "is_superuser": True,
                    "usable_password": is_password_usable(instance.password),
                },
            )
        return
    pending = getattr(instance, _PENDING, None)
    if pending is None:
        return
    setattr(instance, _PENDING, None)
    before, usable = pending
    _record(
        action="password_change" if usable else "password_disable",
        user=instance,
        before=before,
        after={"usable_password": usable},
    )
