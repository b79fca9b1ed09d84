"""Root pytest configuration, and the log scan of issue 6 (1.2): every log line the suite writes
is captured (root, `django.server`, `django.request`, `celery`, `gunicorn.*`) into a file under
the session's temp dir; at the end it is scanned for a valid 18-digit resident ID (GB 11643) or
an 11-digit mobile, and any find fails the session (exit status 1, lines shown masked). Under
pytest-xdist each worker scans its own file and reports its finds to the controller."""

from __future__ import annotations

import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.test")

CAPTURED_LOGGERS = (
    "",
    "django.server",
    "django.request",
    "celery",
    "gunicorn.error",
    "gunicorn.access",
)
_ID_CANDIDATE = re.compile(r"(?<![0-9])\d{17}[0-9Xx](?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9]\d{9}(?![0-9])")


class _CaptureHandler(logging.FileHandler):
    """Writes every record once (a record propagating through two captured loggers is written
    once), formatted with its traceback, with no filter of its own."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, encoding="utf-8")
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self._last: logging.LogRecord | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if record is self._last:
            return
        self._last = record
        super().emit(record)


def leaked_lines(text: str) -> list[str]:
    from jineng.identity.validators import is_valid_resident_id

    return [
        line
        for line in text.splitlines()
        if _MOBILE.search(line) or any(is_valid_resident_id(m) for m in _ID_CANDIDATE.findall(line))
    ]


def _basetemp(config: pytest.Config) -> Path:
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is not None:
        return Path(factory.getbasetemp())
    return Path(tempfile.mkdtemp(prefix="jineng-logs-"))


def pytest_sessionstart(session: pytest.Session) -> None:
    path = _basetemp(session.config) / "captured-logs.txt"
    handler = _CaptureHandler(path)
    for name in CAPTURED_LOGGERS:
        logging.getLogger(name).addHandler(handler)
    session.config.stash[_handler_key] = handler


_handler_key = pytest.StashKey[_CaptureHandler]()
_leaks_key = pytest.StashKey[list[str]]()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist controller: collect what each worker found in its own file."""
    leaks = getattr(node, "workeroutput", {}).get("log_leaks", [])
    node.config.stash.setdefault(_leaks_key, []).extend(leaks)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    handler = config.stash.get(_handler_key, None)
    leaks: list[str] = list(config.stash[_leaks_key]) if _leaks_key in config.stash else []  # type: ignore[index]
    if handler is not None:
        for name in CAPTURED_LOGGERS:
            logging.getLogger(name).removeHandler(handler)
        handler.close()
        leaks.extend(leaked_lines(Path(handler.baseFilename).read_text(encoding="utf-8")))
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller reports
        workeroutput["log_leaks"] = leaks
        return
    if leaks:
        from jineng.identity.masking import mask_text

        reporter = config.pluginmanager.get_plugin("terminalreporter")
        lines = [f"{len(leaks)} log line(s) hold a full ID number or mobile number:"]
        lines += ["  " + mask_text(line) for line in leaks[:50]]
        for line in lines:
            if reporter is not None:
                reporter.write_line(line, red=True)
            else:
                print(line)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
