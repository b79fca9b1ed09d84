"""Project-wide pytest fixtures: every test database holds the reference data.

Reference data (3,214 regions, 1,631 occupations, the demo shortage lists) is loaded once per
test database in `django_db_setup`, so any test marked `django_db` can use `Region`, `Occupation`
and `ShortageOccupation` rows. A transactional test (`transaction=True`, `live_server`) empties the
tables when it ends; the hook below loads them again right after, so the next test still has them.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    from jineng.reference.loading import ensure_reference_loaded

    with django_db_blocker.unblock():
        ensure_reference_loaded()


@pytest.fixture
def reference_data(db: None) -> None:
    """Request explicitly where a test must be sure the reference data is present."""
    from jineng.reference.loading import ensure_reference_loaded

    ensure_reference_loaded()


def _is_transactional(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    if "transactional_db" in names or "live_server" in names:
        return True
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)):
        return True
    cls = getattr(item, "cls", None)
    if cls is not None:
        from django.test import TestCase, TransactionTestCase

        return issubclass(cls, TransactionTestCase) and not issubclass(cls, TestCase)
    return False


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    result = yield  # fixtures are finalised here: a transactional test has flushed the tables
    # After the last test the session fixtures are gone too (the test database is dropped).
    if nextitem is not None and _is_transactional(item):
        from pytest_django.plugin import blocking_manager_key

        from jineng.reference.loading import ensure_reference_loaded

        with item.config.stash[blocking_manager_key].unblock():
            ensure_reference_loaded()
    return result


@pytest.fixture(autouse=True)
def _fresh_rate_limits(monkeypatch: pytest.MonkeyPatch) -> Generator[None, None, None]:
    """Rate-limit counters live in the cache and are keyed by account id; test databases reuse
    ids, so each test starts with an empty (in-memory) cache. django-ratelimit counts in fixed
    windows of the wall clock ("10/m" resets at a minute edge), so a test whose requests straddle
    an edge would see the counter restart: its clock is held still for the test."""
    import time as real_time

    import django_ratelimit.core
    from django.core.cache import cache

    class _StillClock:
        @staticmethod
        def time() -> float:
            return 1_800_000_000.0

        def __getattr__(self, name: str) -> object:
            return getattr(real_time, name)

    monkeypatch.setattr(django_ratelimit.core, "time", _StillClock())
    cache.clear()
    yield
