"""Public verification on the lean route: POST /api/v1/certificates/verify (issue 9 "Measured":
≥ 2,000 verifications/s, p99 < 50 ms).

Answered by `jineng.api.lean.LeanRoutesMiddleware` (LEAN_ROUTES) past the session, CSRF
and authentication layers — the operation has no log-in and no cookie to read — with the security
headers kept. Same selectors as the documented API operation (router.py `verify`) and the page;
the same rate limit per visitor, counted before anything else. The answer's rendered JSON is
cached per request (the scanned token, or the number, with the typed name) under the number's
generation (jineng.certificates.cache), which a status change or a new photo drops, so a
suspension or revocation is seen at once; a repeated scan then costs the rate count, one cache
round trip and no signature check (the cached bytes were rendered after that exact token's check).
Unknown numbers and unverifiable tokens are never cached.
"""

from __future__ import annotations

import base64
import json

from django.http import HttpRequest, HttpResponse
from pydantic import ValidationError

from jineng.api.certificates.schemas import VerifyIn
from jineng.api.lean import refused
from jineng.certificates import cache as verify_cache
from jineng.certificates.numbers import normalise_number
from jineng.certificates.selectors import check_rate, verify_by_number, verify_by_token
from jineng.core.errors import DomainError

MAX_BODY = 4096
NOT_CACHED = frozenset({"not_found", "unverifiable"})


class Unreadable(DomainError):
    """A body that does not fit the operation's schema (422, as the API answers it)."""

    status = 422


def _token_number(token: str) -> str:
    """The number a QR token claims, read without checking it: only a cache key; what is served
    for that key was rendered after checking this very token."""
    try:
        payload = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return str(data["n"]) if isinstance(data, dict) else ""
    except (IndexError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        return ""


def _render(payload: VerifyIn, visitor: str, *, counted: bool) -> tuple[bytes, str]:
    from jineng.api.certificates.router import _out

    if payload.token:
        result = verify_by_token(
            token=payload.token, name=payload.name, visitor=visitor, counted=counted
        )
    elif not payload.number or not payload.name:
        raise DomainError("number", "请填写证书编号和持证人姓名，或提供二维码中的签名")
    else:
        result = verify_by_number(
            number=payload.number, name=payload.name, visitor=visitor, counted=counted
        )
    body = json.dumps(_out(result).model_dump(mode="json"), ensure_ascii=False).encode()
    return body, result.outcome


def verify_answer(data: object, visitor: str) -> bytes:
    """The JSON answer to one verification request, from the rendered cache when it can be."""
    try:
        payload = VerifyIn.model_validate(data)
    except ValidationError:
        raise Unreadable("", "请求参数有误：请提供证书编号和姓名，或二维码中的签名") from None
    if payload.token:
        number, request_key = _token_number(payload.token.strip()), f"t|{payload.token}"
    else:
        number, request_key = normalise_number(payload.number), f"n|{payload.number}"
    if not number or not (payload.token or payload.name):
        return _render(payload, visitor, counted=False)[0]
    request_key += f"|{payload.name.strip()}"
    check_rate(visitor)  # counted once, before the cache: a cached answer is rate-limited too
    cached = verify_cache.rendered_get(number, request_key)
    if cached is not None:
        return cached
    body, outcome = _render(payload, visitor, counted=True)
    if outcome not in NOT_CACHED:
        verify_cache.rendered_set(number, request_key, body)
    return body


def verify(request: HttpRequest) -> HttpResponse:
    """The lean route's view: JSON in, JSON out, `Cache-Control: no-store` (a status can change
    at any moment, and the answer names a person)."""
    if request.method != "POST":
        response: HttpResponse = refused(405, "", "只接受 POST 请求")
        response["Allow"] = "POST"
        return response
    if request.content_type != "application/json":
        return refused(415, "", "请求正文须为 JSON（Content-Type: application/json）。")
    if len(request.body) > MAX_BODY:
        return refused(413, "", "请求正文过大")
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return refused(400, "", "请求内容不是有效的 JSON")
    try:
        body = verify_answer(data, str(request.META.get("REMOTE_ADDR", "")))
    except DomainError as exc:
        response = refused(exc.status, exc.field, exc.message)
        retry_after = getattr(exc, "retry_after", 0)
        if retry_after:
            response["Retry-After"] = str(retry_after)
        return response
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
