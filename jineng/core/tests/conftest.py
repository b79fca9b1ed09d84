"""The tables of the core tests' own models (`machines.py`), created in the test database once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from jineng.core.tests.machines import TEST_MODELS


@pytest.fixture(scope="session")
def _machine_tables(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        existing = set(connection.introspection.table_names())
        created = [m for m in TEST_MODELS if m._meta.db_table not in existing]
        with connection.schema_editor() as editor:
            for model in created:
                editor.create_model(model)
        yield
        with connection.schema_editor() as editor:
            for model in created:
                editor.delete_model(model)


@pytest.fixture
def machine_tables(_machine_tables: None, db: None) -> None:
    """Request in a test that uses `Ticket` or `Chore`."""
