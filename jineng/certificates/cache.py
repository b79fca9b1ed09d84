"""The cached verification answer of one certificate (public verification is the busiest read).

The answer of the record (its status, the comparison of the row with what its issue signed, the
photo) is kept in the default cache under the number for `CERTIFICATES_VERIFY_CACHE_SECONDS`
(default 30) and deleted when the certificate changes through the services (suspension, its
lifting, revocation, supersession, a new photo: `forget`, on commit). With a shared cache (Redis,
`REDIS_URL`) every server process sees the change at once; with the per-process memory cache of
a development server, other processes within the timeout. A row edited behind the services' back
is reported as altered once its cached answer expires. The visitor's part — the scanned token's
comparison, whether the typed name matches — is never cached."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

PREFIX = "jineng.certificate_verify:"


def key(number: str) -> str:
    return PREFIX + hashlib.sha256(number.encode()).hexdigest()[:32]


def timeout() -> int:
    return int(getattr(settings, "CERTIFICATES_VERIFY_CACHE_SECONDS", 30))


def forget(number: str) -> None:
    """Drop the cached answer now and again once the current transaction commits (a reader may
    have cached the old answer from the database in between)."""
    cache.delete(key(number))
    transaction.on_commit(lambda: cache.delete(key(number)))
