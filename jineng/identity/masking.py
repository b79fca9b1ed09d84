"""Masking of sensitive values for every page, response, audit entry and log line."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any


def mask_id_number(value: str | None) -> str:
    """`441900198503010015` → `4419**********0015`. Shorter documents (passports, permits) show
    less, so that a mask never gives away most of a short number."""
    if not value:
        return ""
    n = len(value)
    if n >= 15:
        return value[:4] + "*" * (n - 8) + value[-4:]
    if n >= 9:
        return value[:2] + "*" * (n - 4) + value[-2:]
    return value[:1] + "*" * (n - 1) if n > 1 else "*"


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_bank_account(value: str | None) -> str:
    if not value:
        return ""
    return "*" * max(len(value) - 4, 0) + value[-4:]


_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    """Mask anything that looks like an ID number or a mobile number inside free text."""
    text = _ID_RE.sub(lambda m: mask_id_number(m.group(0)), text)
    return _PHONE_RE.sub(lambda m: mask_phone(m.group(0)), text)


# Keys whose values are always sensitive, whatever they look like.
SENSITIVE_KEYS: dict[str, Callable[[str | None], str]] = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "bank_account": mask_bank_account,
}


def _already_masked(value: str) -> bool:
    return "*" in value


def mask_sensitive(value: Any, key: str | None = None) -> Any:
    """Mask a JSON-like structure for storage outside the encrypted columns (audit entries,
    responses): values under a sensitive key are masked by kind, any other string by pattern."""
    if isinstance(value, dict):
        return {k: mask_sensitive(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_sensitive(v, key) for v in value]
    if isinstance(value, str):
        masker = SENSITIVE_KEYS.get(key or "")
        if masker is not None and not _already_masked(value):
            return masker(value)
        return mask_text(value)
    return value


class MaskingLogFilter(logging.Filter):
    """Applied to every log handler: an ID number or phone never reaches a log line in clear."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logged as is
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
