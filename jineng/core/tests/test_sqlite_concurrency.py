"""The embedded default (SQLite) holds concurrent writers: WAL, BEGIN IMMEDIATE, a busy timeout.

20 parallel reveals once gave 18 × "database is locked": two deferred transactions that both read
and then write cannot both upgrade their lock, and SQLite fails one at once instead of waiting.
With the settings' transaction mode every transaction takes the write lock at BEGIN and the others
queue on the busy timeout. This opens real file databases with exactly the settings' OPTIONS.
"""

import threading
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper

SQLITE = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
pytestmark = pytest.mark.skipif(not SQLITE, reason="the embedded SQLite default only")

WRITERS = 20


def _wrapper(path: Path, alias: str) -> DatabaseWrapper:
    options = dict(settings.DATABASES["default"]["OPTIONS"])
    return DatabaseWrapper(
        {
            **settings.DATABASES["default"],
            "NAME": str(path),
            "OPTIONS": options,
            "TEST": {},
            "TIME_ZONE": None,
            "CONN_HEALTH_CHECKS": False,
            "AUTOCOMMIT": True,
            "ATOMIC_REQUESTS": False,
        },
        alias,
    )


def test_settings_ask_for_wal_immediate_and_a_busy_timeout() -> None:
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
    assert options["timeout"] >= 5


def test_twenty_read_then_write_transactions_in_parallel_all_commit(
    tmp_path: Path, django_db_blocker: Any
) -> None:
    with django_db_blocker.unblock():
        _run(tmp_path)


def _run(tmp_path: Path) -> None:
    path = tmp_path / "concurrent.sqlite3"
    setup = _wrapper(path, "setup")
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        cursor.execute("INSERT INTO counter VALUES (1, 0)")
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    setup.close()

    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def write(i: int) -> None:
        db = _wrapper(path, f"w{i}")
        try:
            db.ensure_connection()
            barrier.wait()
            # What transaction.atomic() does on SQLite: BEGIN <transaction_mode>, work, COMMIT.
            db.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
            with db.cursor() as cursor:
                cursor.execute("SELECT n FROM counter WHERE id = 1")
                n = cursor.fetchone()[0]
                cursor.execute("UPDATE counter SET n = %s WHERE id = 1", [n + 1])
            db.commit()
            db.set_autocommit(True)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    check = _wrapper(path, "check")
    with check.cursor() as cursor:
        cursor.execute("SELECT n FROM counter WHERE id = 1")
        # Read-then-write under IMMEDIATE is serialised: no lost update either.
        assert cursor.fetchone()[0] == WRITERS
    check.close()
