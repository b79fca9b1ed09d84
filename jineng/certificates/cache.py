"""The cached verification answer of one certificate (public verification is the busiest read).

The answer of the record (its status, the comparison of the row with what its issue signed, the
photo) is kept in the default cache under the number for `CERTIFICATES_VERIFY_CACHE_SECONDS`
(default 30) and deleted when the certificate changes through the services (suspension, its
lifting, revocation, supersession, a new photo: `forget`, on commit). With a shared cache (Redis,
`REDIS_URL`) every server process sees the change at once; with the per-process memory cache of
a development server, other processes within the timeout. A row edited behind the services' back
is reported as altered once its cached answer expires. The visitor's part — the scanned token's
comparison, whether the typed name matches — is not part of that record.

On top of it the public API keeps its rendered answer (the JSON bytes) per request key — the
scanned token or the number, with the typed name — for the same time (`rendered_get`/`_set`),
valid only while the number's generation (`gen_key`) is the one it was rendered under; `forget`
drops the generation with the record, so every rendered answer of that number goes at once."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

PREFIX = "jineng.certificate_verify:"


def key(number: str) -> str:
    return PREFIX + hashlib.sha256(number.encode()).hexdigest()[:32]


def timeout() -> int:
    return int(getattr(settings, "CERTIFICATES_VERIFY_CACHE_SECONDS", 30))


def gen_key(number: str) -> str:
    return key(number) + ":gen"


def rendered_key(number: str, request_key: str) -> str:
    digest = hashlib.sha256(request_key.encode()).hexdigest()[:32]
    return f"{key(number)}:r:{digest}"


def rendered_get(number: str, request_key: str) -> bytes | None:
    """The rendered answer for this request, if rendered under the number's current generation
    (one round trip to the cache)."""
    if timeout() <= 0:
        return None
    gen, rkey = gen_key(number), rendered_key(number, request_key)
    found = cache.get_many([gen, rkey])
    entry = found.get(rkey)
    if gen in found and isinstance(entry, tuple) and entry[0] == found[gen]:
        return bytes(entry[1])
    return None


def rendered_set(number: str, request_key: str, body: bytes) -> None:
    if timeout() <= 0:
        return
    gen = gen_key(number)
    cache.add(gen, secrets.token_hex(8), timeout())
    current = cache.get(gen)
    if current is not None:
        cache.set(rendered_key(number, request_key), (current, body), timeout())


def forget(number: str) -> None:
    """Drop the cached answer (and the generation of the rendered ones) now and again once the
    current transaction commits (a reader may have cached the old answer in between)."""
    keys = [key(number), gen_key(number)]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
