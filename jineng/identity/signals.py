"""Password changes are account changes, so they go on the audit trail wherever they happen: the
admin's change-password form, `jineng changepassword`, `jineng createsuperuser`, or code calling
`set_password()` / `set_unusable_password()` and saving.

The entry says who (the acting user when a page set one with `acting_user`, else the system and the
command), when, and which account; before/after carry only whether a password is usable, never the
password or its hash. A hash upgrade on log-in (`check_password` re-hashing the same password) is
not a change and is not recorded. Account creation through `account_create` and the admin's add
form is audited there; only a superuser created outside them (`createsuperuser`) is recorded here.
A password change (or disabling the password) also revokes every API token of the account.

Authentication events go on the trail too, object_type "account" (object_id the account's id, or
empty when the username names no account), `after` carrying the username as given (masked when it
looks like an ID number or a mobile number), the channel (web / api / admin) and the client
address — never a password, a TOTP code or a token:
`login` (Django's `user_logged_in`: the web form, the admin, and the API's token endpoint),
`login_failed` (`user_login_failed`), `lockout` (django-axes' `user_locked_out`), `logout`
(`user_logged_out`; it also revokes the account's API tokens), and `totp_failed`
(`totp_failure_record`, called by the OTP page and the token endpoint).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.hashers import is_password_usable
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import Signal, receiver
from django.http import HttpRequest

from jineng.audit.services import SYSTEM_ACTOR, audit_record
from jineng.identity.masking import mask_id_number, mask_phone, mask_text
from jineng.identity.models import User

_acting_user: ContextVar[User | None] = ContextVar("jineng_acting_user", default=None)
_PENDING = "_jineng_password_audit"
_COMMANDS = ("changepassword", "createsuperuser")
# `user_login_failed` sent for a wrong TOTP code (so django-axes counts it) carries this sender;
# it is recorded as `totp_failed`, not as a failed password.
TOTP_FAILURE_SENDER = "jineng.identity.otp"
AUTH_OBJECT_TYPE = "account"


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
    _revoke_api_tokens(actor=_acting_user.get(), user=instance, reason="password_change")


# Sent when an account's credentials stop being trusted (a password change, a logout): whoever
# holds credentials for the account elsewhere revokes them. The api app connects its token
# revocation here (jineng.api.apps), so identity never imports the presentation layers.
# Arguments: actor (User | None), user (User), reason ("password_change" | "logout").
credentials_invalidated = Signal()


def _revoke_api_tokens(*, actor: User | None, user: User, reason: str) -> None:
    credentials_invalidated.send(sender=User, actor=actor, user=user, reason=reason)


# --- authentication events -------------------------------------------------------------------

_ID_LIKE = re.compile(r"\d{15}|\d{17}[\dXx]")
_PHONE_LIKE = re.compile(r"(?:\+?86)?1\d{10}")


def masked_username(value: object) -> str:
    """The username as typed, for the trail: an ID number or a mobile number typed as a
    username is masked like everywhere else; anything longer than a username is cut."""
    text = "".join(str(value or "").split())[:150]
    if _ID_LIKE.fullmatch(text):
        return mask_id_number(text)
    if _PHONE_LIKE.fullmatch(text):
        return mask_phone(text[-11:])
    return mask_text(text)


def _channel(request: HttpRequest | None) -> str:
    path = getattr(request, "path", "") or ""
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/admin/"):
        return "admin"
    return "web"


def _client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    ip = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", "")
    return str(ip)[:45]


def _account(username: str) -> User | None:
    if not username:
        return None
    return User.objects.filter(username=username).first()


def auth_event_record(
    *,
    action: str,
    request: HttpRequest | None,
    user: User | None = None,
    username: str | None = None,
    actor: User | None = None,
) -> None:
    """One authentication event on the trail. `user` is the account concerned (looked up from
    `username` when not given); `actor` the logged-in account that acted (None: not logged in)."""
    given = username if username is not None else (user.get_username() if user else "")
    if user is None:
        user = _account(given)
    audit_record(
        actor=actor,
        action=action,
        object_type=AUTH_OBJECT_TYPE,
        object_id=user.pk if user is not None else "",
        after={
            "username": masked_username(given),
            "channel": _channel(request),
            "ip": _client_ip(request),
        },
    )


@receiver(user_logged_in, dispatch_uid="identity.auth_audit.login")
def _record_login(sender: object, request: HttpRequest | None, user: User, **_: Any) -> None:
    auth_event_record(action="login", request=request, user=user, actor=user)


@receiver(user_login_failed, dispatch_uid="identity.auth_audit.login_failed")
def _record_login_failed(
    sender: object,
    credentials: dict[str, Any],
    request: HttpRequest | None = None,
    **_: Any,
) -> None:
    if sender == TOTP_FAILURE_SENDER:
        return  # recorded as totp_failed by totp_failure_record
    # Only the username: Django has already replaced the password in `credentials` by stars,
    # and nothing else from them is kept.
    username = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")
    auth_event_record(action="login_failed", request=request, username=username)


@receiver(user_locked_out, dispatch_uid="identity.auth_audit.lockout")
def _record_lockout(
    sender: object, request: HttpRequest | None = None, username: str | None = None, **_: Any
) -> None:
    auth_event_record(action="lockout", request=request, username=username or "")


@receiver(user_logged_out, dispatch_uid="identity.auth_audit.logout")
def _record_logout(
    sender: object, request: HttpRequest | None, user: User | None, **_: Any
) -> None:
    if not isinstance(user, User):
        return  # logging out an anonymous session: nothing to record
    auth_event_record(action="logout", request=request, user=user, actor=user)
    _revoke_api_tokens(actor=user, user=user, reason="logout")
