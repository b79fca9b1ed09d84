"""API tokens: issue, resolve, revoke. The plaintext token is returned once, at issue.

A token stops working when it expires, when its holder revokes it (the token page or
`POST /auth/revoke`), and when the account logs out of the web or changes its password
(`jineng.identity.signals`): every token of the account is revoked then, so a stolen token
cannot outlive the session or the password it was obtained with.

Audit entries (object_type "account", object_id the account's id, so an account's trail shows its
tokens): `token_issue` and `token_revoke`; `after` names the token by id and prefix (never the
token or its hash) and `revoked_reason` carries a `RevokeReason` code.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import override

from jineng.api.models import ApiToken, RevokeReason
from jineng.audit.services import audit_record
from jineng.identity.models import User

# A token lives one working day; clients ask for a new one after that.
TOKEN_TTL = timedelta(hours=8)

OBJECT_TYPE = "account"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_issue(
    *, user: User, ttl: timedelta = TOKEN_TTL, label: str = ""
) -> tuple[ApiToken, str]:
    """A new bearer token for `user`; the caller has already authenticated them (password and,
    for TOTP roles, the second factor). Returns the stored row and the plaintext token."""
    raw = secrets.token_urlsafe(32)
    label = " ".join(label.split())[:60]
    token = ApiToken.objects.create(
        user=user,
        key_hash=_hash(raw),
        prefix=raw[:8],
        expires_at=timezone.now() + ttl,
        label=label,
    )
    audit_record(
        actor=user,
        action="token_issue",
        object_type=OBJECT_TYPE,
        object_id=user.pk,
        after={
            "token": token.pk,
            "prefix": token.prefix,
            "label": label,
            "expires_at": token.expires_at.isoformat(),
        },
    )
    return token, raw


def api_token_lookup(*, raw: str) -> ApiToken | None:
    """The active token `raw` names (its account active too), or None (unknown, expired, revoked,
    inactive). One query on the unique hash index; the last-use stamp is written at most once a
    minute so reads do not turn into a write per request."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_token_resolve(*, raw: str) -> User | None:
    """The active account a bearer token belongs to, or None."""
    token = api_token_lookup(raw=raw)
    return token.user if token is not None else None


def api_tokens_active(*, user: User) -> QuerySet[ApiToken]:
    """The account's tokens that still work (not revoked, not expired), newest first."""
    return ApiToken.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-created_at", "-pk")


def access_api_token_by_id(user: User, token_id: object) -> ApiToken:
    """One of the user's own active tokens; Http404 for anyone else's, a spent one or a malformed
    id alike (the answer does not say whether the id exists)."""
    try:
        pk = int(str(token_id))
    except ValueError:
        raise Http404 from None
    token = api_tokens_active(user=user).filter(pk=pk).first()
    if token is None:
        raise Http404
    return token


def _revoke_rows(
    *, actor: User | None, tokens: list[ApiToken], reason: RevokeReason
) -> list[ApiToken]:
    """Revoke each still-unrevoked token and audit it. The status-checked update makes a
    concurrent second revoke a no-op (no second audit entry)."""
    now = timezone.now()
    revoked: list[ApiToken] = []
    for token in tokens:
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_reason=reason
        )
        if not changed:
            continue
        token.revoked_at, token.revoked_reason = now, reason
        with override("zh-hans"):  # the trail keeps one language, whoever's page did it
            reason_text = str(reason.label)
        audit_record(
            actor=actor,
            action="token_revoke",
            object_type=OBJECT_TYPE,
            object_id=token.user_id,
            after={"token": token.pk, "prefix": token.prefix, "revoked_reason": str(reason)},
            reason=reason_text,
        )
        revoked.append(token)
    return revoked


@transaction.atomic
def api_token_revoke(
    *, actor: User | None, token: ApiToken, reason: RevokeReason = RevokeReason.USER
) -> ApiToken:
    """Revoke one token. Revoking a token that is already revoked changes nothing."""
    _revoke_rows(actor=actor, tokens=[token], reason=reason)
    return token


@transaction.atomic
def api_tokens_revoke_all(*, actor: User | None, user: User, reason: RevokeReason) -> int:
    """Revoke every token of `user` that still works (logout, password change). Returns how many."""
    live = list(api_tokens_active(user=user))
    return len(_revoke_rows(actor=actor, tokens=live, reason=reason))
