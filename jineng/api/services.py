"""API tokens: issue, resolve, revoke. The plaintext token is returned once, at issue."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from jineng.api.models import ApiToken
from jineng.audit.services import audit_record
from jineng.identity.models import User

# A token lives one working day; clients ask for a new one after that.
TOKEN_TTL = timedelta(hours=8)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, user: User, ttl: timedelta = TOKEN_TTL) -> tuple[ApiToken, str]:
    """A new bearer token for `user`; the caller has already authenticated them (password and,
    for TOTP roles, the second factor). Returns the stored row and the plaintext token."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, key_hash=_hash(raw), prefix=raw[:8], expires_at=timezone.now() + ttl
    )
    audit_record(
        actor=user,
        action="api_token_issue",
        object_type="api_token",
        object_id=token.pk,
        after={"prefix": token.prefix, "expires_at": token.expires_at.isoformat()},
    )
    return token, raw


def api_token_resolve(*, raw: str) -> User | None:
    """The active account a bearer token belongs to, or None (unknown, expired, revoked, inactive)."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    # Touch at most once a minute so reads do not turn into a write per request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="api_token_revoke",
        object_type="api_token",
        object_id=token.pk,
        after={"prefix": token.prefix},
    )
    return token
