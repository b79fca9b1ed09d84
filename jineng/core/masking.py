"""Masking of sensitive values for every page, response, audit entry and log line."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

__all__ = [
    "MaskingLogFilter",
    "install_masking",
    "mask_bank_account",
    "mask_id_number",
    "mask_phone",
    "mask_record",
    "mask_sensitive",
    "mask_text",
]


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


# Boundaries are digits only: an ID number glued to letters or Chinese text ("ID441900…",
# "身份证441900…号") is still an ID number. 17 digits and a check digit or X.
_ID_RE = re.compile(r"(?<![0-9])\d{17}[0-9Xx](?![0-9])")
# An 11-digit mainland mobile, also written 138 0013 8001 / 138-0013-8001 or after +86 / 86.
_PHONE_RE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?![0-9])")
# Bank card numbers: 16 to 19 digits, run together or in groups of four.
_CARD_RE = re.compile(r"(?<![0-9])(?:\d{16,19}|\d{4}(?:[- ]\d{4}){3}(?:[- ]?\d{1,3})?)(?![0-9])")


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit() or c in "Xx")


def _mask_phone_match(m: re.Match[str]) -> str:
    text = m.group(0)
    start = text.index("1", 3 if text.startswith("+86") else 2 if text.startswith("86") else 0)
    return text[:start] + mask_phone(_digits(text[start:]))


def _mask_card_match(m: re.Match[str]) -> str:
    return mask_bank_account(_digits(m.group(0)))


def mask_text(text: str) -> str:
    """Mask anything that looks like an ID number, a mobile number or a bank card number inside
    free text (over-masking a long number that is none of these is the safe side)."""
    text = _ID_RE.sub(lambda m: mask_id_number(m.group(0)), text)
    text = _CARD_RE.sub(_mask_card_match, text)
    return _PHONE_RE.sub(_mask_phone_match, text)


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


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask a log record in place: its message with the arguments merged in, and an exception's
    traceback and the stack text (formatted here, so no formatter shows them unmasked later)."""
    try:
        message = record.getMessage()
    except Exception:  # a malformed record is logged as is (logging reports the error itself)
        return record
    masked = mask_text(message)
    if masked != message:
        # The arguments are merged into the message: a formatter never sees them in clear.
        record.msg, record.args = masked, None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_text(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_text(record.stack_info)
    return record


_original_factory: Callable[..., logging.LogRecord] | None = None


def _masking_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    assert _original_factory is not None
    return mask_record(_original_factory(*args, **kwargs))


def install_masking() -> None:
    """Mask every log record where it is made (`logging.setLogRecordFactory`), whichever logger
    and handler it goes to: Django's runserver access log (`django.server`), `django.request`,
    gunicorn's access and error logs, Celery's worker and task loggers (which replace the root
    handlers on a worker) and any library's. Idempotent; `MaskingLogFilter` installs it, so any
    process that configures logging from settings or config/gunicorn.conf.py has it."""
    global _original_factory
    current = logging.getLogRecordFactory()
    if current is _masking_factory:
        return
    _original_factory = current
    logging.setLogRecordFactory(_masking_factory)


class MaskingLogFilter(logging.Filter):
    """On every configured handler: an ID number, phone or bank card never reaches a log line in
    clear. Creating one also installs the record factory (`install_masking`), which masks records
    that reach handlers configured elsewhere (gunicorn's, Celery's, a test's)."""

    def __init__(self, name: str = "") -> None:
        super().__init__(name)
        install_masking()

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True
