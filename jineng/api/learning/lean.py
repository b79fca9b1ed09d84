"""The lean heartbeat endpoint: POST /api/v1/learning/stream-heartbeats with a stream token.

A heartbeat every few seconds per learner is the platform's busiest request (issue 8 "Measured":
≥ 1,500/s). Through the full stack it cost ~4 ms of CPU before crediting started: the session or
bearer-token lookup in the database, a dozen middleware, the API's routing and schemas. Here the
stream token (jineng.learning.stream_tokens) is the credential, so `jineng.api.lean.
LeanRoutesMiddleware` — right after SecurityMiddleware and WhiteNoise in MIDDLEWARE — answers this
path itself, through only the middleware that still matters for it: the Chinese locale and the
security headers (X-Frame-Options, Content-Security-Policy; SecurityMiddleware's HSTS, nosniff,
referrer policy and HTTPS redirect already ran). Skipped, and why that is safe:

- sessions, authentication, OTP: the request carries no session and signs nobody in; the token's
  signature is the proof, bound to person, lesson, stream and an expiry;
- CSRF: a cross-site page cannot read a stream token, and the body must be JSON
  (`Content-Type: application/json`, which a plain HTML form cannot send);
- CommonMiddleware, messages, axes (log-in lockout): nothing of theirs applies to a JSON POST
  that is not a log-in.

Crediting is the same `learning_heartbeat` through `heartbeat_answer`, which refuses a stream that
is not the token's person's on the token's lesson. The same function answers the documented API
operation (router.py) should the middleware be absent.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.http import HttpRequest, HttpResponse, JsonResponse

from jineng.api.lean import refused
from jineng.api.learning.heartbeat import heartbeat_answer, published_lesson
from jineng.core.errors import DomainError
from jineng.identity.models import Person
from jineng.learning.services.learning_time import Outcome
from jineng.learning.stream_tokens import stream_grant, stream_token

LEAN_PATH = "/api/v1/learning/stream-heartbeats"
MAX_BODY = 4096


def stream_heartbeat_answer(data: dict[str, Any]) -> dict[str, Any]:
    """One heartbeat under a stream token: the token names the person, lesson and stream; the
    body brings the position and visibility. A renewed token comes back after half its life."""
    grant = stream_grant(data.get("token"))
    lesson = published_lesson(grant.lesson_id)
    # Only the id is known without a query; the rare steps that read more of the person (a
    # completion, a real-name check) load the field they need (Django's deferred fields).
    person = Person.from_db(DEFAULT_DB_ALIAS, ["id"], [grant.person_id])
    answer = heartbeat_answer(
        person=person,
        lesson=lesson,
        stream=grant.stream_id,
        position=data.get("position_seconds"),
        visible=data.get("visible") is True,
    )
    if grant.needs_refresh() and answer["outcome"] != Outcome.INACTIVE:
        answer["token"] = stream_token(
            person_id=grant.person_id, lesson_id=grant.lesson_id, stream_id=grant.stream_id
        )
    return answer


def stream_heartbeat(request: HttpRequest) -> HttpResponse:
    """The lean route's view (no session, no CSRF: see the module docstring)."""
    if request.method != "POST":
        response = refused(405, "", "只接受 POST 请求")
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
    if not isinstance(data, dict):
        return refused(400, "", "请求内容不是有效的 JSON")
    try:
        answer = stream_heartbeat_answer(data)
    except DomainError as exc:
        return refused(exc.status, exc.field, exc.message)
    return JsonResponse(answer, json_dumps_params={"ensure_ascii": False})
