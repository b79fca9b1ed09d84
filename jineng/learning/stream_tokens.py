"""Stream tokens: the short-lived credential a player's heartbeats carry (issue 8 "Measured").

When a stream opens, the server signs who may send its heartbeats — the person, the lesson, the
stream — with an expiry (django.core.signing: HMAC-SHA256 under SECRET_KEY with its own salt, as
the admission tickets are signed). The lean heartbeat endpoint (jineng.api.learning.lean) then
needs no session, bearer-token or account lookup: the signature proves that the stream was opened
by that signed-in person on a lesson they may see, within LEARNING_STREAM_TOKEN_SECONDS. Crediting
is unchanged — the same `learning_heartbeat`, which still refuses a stream that is not the
token's person's on the token's lesson, and still credits nothing to a paused or closed stream.

The answer to a heartbeat carries a fresh token once half the lifetime has passed, so a learner
watching for hours keeps going; a player that slept past the expiry reopens its stream.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from jineng.core.errors import DomainError

SALT = "jineng.learning.stream-token"
MAX_TOKEN_LENGTH = 300


class StreamTokenRefused(DomainError):
    """A missing, forged or expired stream token (401)."""

    status = 401  # type: ignore[assignment]


@dataclass(frozen=True)
class StreamGrant:
    person_id: int
    lesson_id: int
    stream_id: int
    issued: float  # Unix time of signing

    def needs_refresh(self, now: float | None = None) -> bool:
        age = (time.time() if now is None else now) - self.issued
        return age > lifetime() / 2


def lifetime() -> int:
    return int(settings.LEARNING_STREAM_TOKEN_SECONDS)


def stream_token(
    *, person_id: int, lesson_id: int, stream_id: int, now: float | None = None
) -> str:
    """A signed token for heartbeats of this stream, issued now (Unix seconds inside)."""
    issued = int(time.time() if now is None else now)
    return signing.Signer(salt=SALT).sign_object(
        [int(person_id), int(lesson_id), int(stream_id), issued], compress=False
    )


def stream_grant(token: object, *, now: float | None = None) -> StreamGrant:
    """The grant a token carries, or StreamTokenRefused with the reason in Chinese."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise StreamTokenRefused("token", "缺少学习凭证，请重新开始学习")
    try:
        value = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        raise StreamTokenRefused("token", "学习凭证无效，请重新开始学习") from None
    if not (isinstance(value, list) and len(value) == 4 and all(type(v) is int for v in value)):
        raise StreamTokenRefused("token", "学习凭证无效，请重新开始学习")
    person_id, lesson_id, stream_id, issued = value
    age = (time.time() if now is None else now) - issued
    if age > lifetime() or age < -60:  # a token from the future: a clock or key problem
        raise StreamTokenRefused("token", "学习凭证已过期，请重新开始学习")
    return StreamGrant(person_id=person_id, lesson_id=lesson_id, stream_id=stream_id, issued=issued)
