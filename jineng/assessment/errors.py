"""The assessment app's refusals: core DomainErrors, so the API and the forms map them."""

from __future__ import annotations

from jineng.core.errors import DomainError


class AssessmentInvalid(DomainError):
    """An item, blueprint or answer that cannot be accepted as given (400)."""

    default_message = "内容不完整或格式有误。"
