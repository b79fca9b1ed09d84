"""Every log line is masked where the record is made: a handler without any filter of its own
(as gunicorn's, Celery's or a test's) sees the ID number, mobile and bank card masked, in the
message and in its arguments; gunicorn's logging configuration masks too."""

from __future__ import annotations

import io
import logging
import runpy
from pathlib import Path

import pytest

from conftest import leaked_lines
from jineng.identity.validators import resident_id_check_char

FIRST17 = "44190019900101001"
ID = FIRST17 + resident_id_check_char(FIRST17)
PHONE = "13800138001"
CARD = "6222021234567890123"
ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    "name", ["", "django.server", "django.request", "celery.task", "gunicorn.access", "jineng.x"]
)
def test_a_handler_without_filters_sees_masked_records(name: str) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        logger.warning("GET /api/v1/people?id_number=%s phone %s", ID, PHONE)
        logger.warning(f"inside the message {ID} {PHONE} 卡号 {CARD}")
        try:
            raise ValueError(f"bad {ID}")
        except ValueError:
            logger.exception("failed for %s", PHONE)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    text = stream.getvalue()
    assert ID not in text and PHONE not in text and CARD not in text
    assert "4419**********" in text and "138****8001" in text and "0123" in text
    assert leaked_lines(text) == []
    assert leaked_lines(f"x {ID}") and leaked_lines(f"x {PHONE}")  # the scan itself finds them


def test_gunicorn_logs_are_masked() -> None:
    config = runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))["logconfig_dict"]
    for handler in config["handlers"].values():
        assert handler["filters"] == ["mask"]
    assert config["filters"]["mask"]["()"] == "jineng.identity.masking.MaskingLogFilter"
    assert config["loggers"]["gunicorn.access"]["handlers"] == ["console"]
    stream = io.StringIO()
    access = logging.getLogger("gunicorn.access")
    handler = logging.StreamHandler(stream)
    access.addHandler(handler)
    try:
        access.info('%(h)s "%(r)s"', {"h": "10.0.0.1", "r": f"GET /?id_number={ID} HTTP/1.1"})
    finally:
        access.removeHandler(handler)
    assert ID not in stream.getvalue() and "4419**********" in stream.getvalue()
