"""Editing audit rows behind the application's back, as an attacker with SQL access would."""

from __future__ import annotations

from typing import Any

from django.db import connection

_JSON_COLUMNS = {"before", "after"}


def tamper(entry_id: int, column: str, value: Any) -> None:
    """UPDATE one column of one audit row with raw SQL (on PostgreSQL, with triggers disabled for
    the rest of the test's transaction, as a superuser could)."""
    pg = connection.vendor == "postgresql"
    placeholder = "CAST(%s AS jsonb)" if pg and column in _JSON_COLUMNS else "%s"
    with connection.cursor() as cursor:
        if pg:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            f'UPDATE audit_auditentry SET "{column}" = {placeholder} WHERE id = %s',
            [value, entry_id],
        )
        assert cursor.rowcount == 1


def delete_row(entry_id: int) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry_id])
        assert cursor.rowcount == 1
