"""Foreign keys checked per chunk in one query per key, instead of one trigger call per row.

PostgreSQL checks each foreign key of each inserted row with a trigger that runs a query at
commit; for seed_city that is about ten million small queries per million workers, over a third
of the database's work. Where the seeding connection may (superuser: `session_replication_role`
is superuser-only), the COPYs of a chunk run with row triggers off, and then every foreign key of
the chunk's rows is checked at once by an anti-join; any dangling reference raises and the whole
chunk rolls back, so the data is held to the same constraints. Without the privilege, nothing
changes: the triggers do the checks. Check constraints and unique indexes are never affected.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, connection, models


def can_skip_row_triggers() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


def row_triggers(enabled: bool) -> None:
    """Within the current transaction only (SET LOCAL)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL session_replication_role = {'origin' if enabled else 'replica'}")


# The chunk's rows are few and every referenced key has an index: probe it row by row. Left to
# itself the planner hashes the whole referenced table (a million people) for each chunk.
_PROBE_SETTINGS = ("enable_hashjoin", "enable_mergejoin", "max_parallel_workers_per_gather")


def verify_foreign_keys(model: type[models.Model], where: str, params: Sequence[Any]) -> None:
    """Raise IntegrityError if any row of `model` matching `where` references a missing row."""
    if connection.vendor != "postgresql":
        _verify(model, where, params)
        return
    with connection.cursor() as cursor:
        for name in _PROBE_SETTINGS:
            cursor.execute(f"SET LOCAL {name} = {'0' if name.startswith('max_') else 'off'}")
    try:
        _verify(model, where, params)
    finally:
        with connection.cursor() as cursor:
            for name in _PROBE_SETTINGS:
                cursor.execute(f"SET LOCAL {name} TO DEFAULT")


def _verify(model: type[models.Model], where: str, params: Sequence[Any]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    for field in model._meta.concrete_fields:
        if not (isinstance(field, models.ForeignKey) and getattr(field, "db_constraint", True)):
            continue
        target = field.target_field
        target_table = connection.ops.quote_name(target.model._meta.db_table)
        column = connection.ops.quote_name(field.column)
        sql = (
            f"SELECT count(*) FROM {table} AS t WHERE ({where}) AND t.{column} IS NOT NULL "
            f"AND NOT EXISTS (SELECT 1 FROM {target_table} AS r "
            f"WHERE r.{connection.ops.quote_name(target.column)} = t.{column})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, list(params))
            (dangling,) = cursor.fetchone()
        if dangling:
            raise IntegrityError(
                f"{model._meta.db_table}.{field.column}: {dangling} rows reference nothing"
            )
