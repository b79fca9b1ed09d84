"""The one error type of the platform: a service refuses a request with a `DomainError`.

It names the input (`field`, "" when the error is about the request as a whole), says why in
Chinese (`message`, a sentence a clerk can act on) and may carry the offending `value` — always
masked for sensitive fields (ID numbers, phones, bank accounts), so it is safe to show and log.
`status` is a hint for the HTTP layer (the API answers with it; pages show the message on the form).

Mapped exactly twice: to JSON errors by the API (`jineng.api.root`) and to form errors by
`jineng.core.forms.add_domain_error`. Apps subclass it for their own refusals
(`jineng.identity.errors.ValidationFailed`, `jineng.dossier.errors.FactInvalid`) so both mappings
hold for them without knowing them.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

Status = Literal[400, 403, 404, 409, 422, 429]


class DomainError(ValueError):
    """A refused request: bad input (400), not allowed (403), absent (404), conflicts with what
    is stored (409), well-formed but unacceptable (422), too many attempts (429)."""

    status: ClassVar[Status] = 400
    default_message: ClassVar[str] = "请求有误。"

    def __init__(self, field: str = "", message: str = "", value: Any = None) -> None:
        self.field = field
        self.message = message or self.default_message
        self.value = value
        super().__init__(f"{field}: {self.message}" if field else self.message)

    def __reduce__(self) -> tuple[Any, ...]:
        # Celery pickles exceptions: rebuild from the three attributes, not from `args`.
        return (self.__class__, (self.field, self.message, self.value))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(field={self.field!r}, message={self.message!r})"


class Forbidden(DomainError):
    status = 403
    default_message = "无权执行此操作。"


class NotFound(DomainError):
    """Absent, or outside the caller's scope: the two look the same on purpose."""

    status = 404
    default_message = "不存在或不在您的查看范围内。"


class Conflict(DomainError):
    """The request contradicts what is stored (a duplicate, a state that has moved on)."""

    status = 409
    default_message = "与已有记录冲突。"


class Unprocessable(DomainError):
    status = 422
    default_message = "请求内容无法处理。"


class RateLimited(DomainError):
    """Too many attempts; `retry_after` seconds until the next one is accepted (0: unknown)."""

    status = 429
    default_message = "操作过于频繁，请稍后再试。"

    def __init__(
        self, field: str = "", message: str = "", value: Any = None, *, retry_after: int = 0
    ) -> None:
        super().__init__(field, message, value)
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rate_limited, (self.field, self.message, self.value, self.retry_after))


def _rate_limited(field: str, message: str, value: Any, retry_after: int) -> RateLimited:
    return RateLimited(field, message, value, retry_after=retry_after)
