"""Bulk loading of pre-built rows: PostgreSQL COPY (psycopg 3 `cursor.copy`), batched INSERTs
elsewhere. The table-owning apps wrap it (`identity.services.bulk_load`, `organisations.bulk`,
`dossier.bulk_load`) and name the columns they accept; nobody else loads their tables.

Rows arrive already encrypted (the ID number and phone are encrypted where the rows are made,
possibly in another process), so the ORM — whose EncryptedTextField would encrypt again — is not
used for these tables; the column list comes from the model, and a column the seeder does not
fill gets the field's default, so a field added later with a default does not break seeding.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

BATCH = 5000


def _json(value: Any) -> Any:
    return (
        value if value is None or isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    )


def _adapter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a Python value of the field goes into the INSERT/COPY (None: as it is)."""
    if isinstance(field, models.JSONField):
        return _json
    if connection.vendor == "postgresql":
        return None  # psycopg adapts dates, datetimes, booleans itself
    if isinstance(field, models.DateTimeField):
        adapt = connection.ops.adapt_datetimefield_value
        return lambda value: None if value is None else adapt(value)
    if isinstance(field, models.DateField):
        return lambda value: None if value is None else value.isoformat()
    return None


class TableWriter:
    """Writes tuples of `columns` (model attribute names) into the model's table."""

    def __init__(
        self, model: type[models.Model], columns: Sequence[str], *, json_as_text: bool = False
    ) -> None:
        """`json_as_text`: JSON columns arrive already encoded (the seeder encodes attrs as it
        draws them, in the worker processes)."""
        meta = model._meta
        self.table = meta.db_table
        fields = [meta.get_field(name) for name in columns]
        self.fields: list[models.Field[Any, Any]] = [
            f for f in fields if isinstance(f, models.Field)
        ]
        given = {f.attname for f in self.fields}
        self.extra_fields: list[models.Field[Any, Any]] = []
        self.extra_values: list[Any] = []
        for field in meta.concrete_fields:
            if field.attname in given or field.primary_key:
                continue
            if field.has_default() or (not field.null and field.empty_strings_allowed):
                self.extra_fields.append(field)  # get_default() is "" for a plain text field
                adapt = _adapter(field)
                default = field.get_default()
                self.extra_values.append(adapt(default) if adapt else default)
            elif not field.null:
                raise ValueError(f"{self.table}.{field.column}: no value and no default")
        self.columns = [f.column for f in self.fields + self.extra_fields]
        self._adapters = [
            None if json_as_text and isinstance(f, models.JSONField) else _adapter(f)
            for f in self.fields
        ]

    def _rows(self, rows: Iterable[tuple[Any, ...]]) -> Iterable[tuple[Any, ...]]:
        extra = tuple(self.extra_values)
        adapters = list(enumerate(self._adapters))
        adapted = [(i, a) for i, a in adapters if a is not None]
        if not adapted:
            for row in rows:
                yield row + extra
            return
        for row in rows:
            values = list(row)
            for i, adapt in adapted:
                values[i] = adapt(values[i])
            yield (*values, *extra)

    def write(self, rows: Iterable[tuple[Any, ...]]) -> int:
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        table = connection.ops.quote_name(self.table)
        count = 0
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    write_row = copy.write_row
                    for row in self._rows(rows):
                        write_row(row)
                        count += 1
                return count
            sql = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(self.columns))})"
            batch: list[tuple[Any, ...]] = []
            for row in self._rows(rows):
                batch.append(row)
                if len(batch) >= BATCH:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        return count


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve `count` primary keys of the model's table, for rows written with explicit ids.

    PostgreSQL: values drawn from the table's sequence (safe alongside concurrent inserts).
    SQLite: the next ids after the highest ever used; a no-op UPDATE first takes the database's
    write lock so nobody else inserts before this transaction commits.
    """
    if count == 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute("UPDATE sqlite_sequence SET seq = seq WHERE name = %s", [table])
        cursor.execute(f"SELECT COALESCE(MAX({pk.column}), 0) FROM {table}")
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0) + 1
        return list(range(start, start + count))


def insert_ignoring_conflicts(objs: Sequence[models.Model], *, batch_size: int = 500) -> None:
    """`bulk_create(objs, ignore_conflicts=True)` through the ORM (fields' own preparation:
    encryption, JSON, auto_now) as multi-row `INSERT … VALUES … ON CONFLICT DO NOTHING`.

    On PostgreSQL Django 5.2 sends a bulk insert as `SELECT * FROM UNNEST(%s::type[], …)`, and
    psycopg's client-side binding quotes those arrays in Python, one regex substitution per
    embedded double quote: ~10 ms a row for a claim with its frozen JSON explanation (profiled
    in bench_claims_run.py). Plain VALUES rows are quoted in C."""
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, ignore_conflicts=True, batch_size=batch_size)
        return
    from django.db.models.constants import OnConflict
    from django.db.models.sql import InsertQuery
    from django.db.models.sql.compiler import SQLInsertCompiler  # not the UNNEST subclass

    fields = [f for f in model._meta.concrete_fields if not f.generated and not f.primary_key]
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            query = InsertQuery(model, on_conflict=OnConflict.IGNORE)
            query.insert_values(fields, list(objs[start : start + batch_size]))
            for sql, params in SQLInsertCompiler(query, connection, connection.alias).as_sql():
                cursor.execute(sql, params)
