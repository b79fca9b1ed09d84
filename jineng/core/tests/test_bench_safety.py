"""The benchmarks never drop or empty a database they did not create (issue 11).

bench/ is not a package: the scripts are imported by path. No benchmark runs and no server is
needed: the connection `bench/_common.py` opens is replaced by one that records every statement,
so the same tests run in the SQLite and the PostgreSQL suite.
"""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
COLLEAGUE = "postgres://postgres@127.0.0.1:5432/colleague_bench"


def _import(name: str) -> ModuleType:
    """Import bench/<name>.py by path, leaving sys.path as it was."""
    path = ROOT / "bench" / f"{name}.py"
    saved = list(sys.path)
    try:
        spec = importlib.util.spec_from_file_location(f"bench_under_test_{name}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while it loads
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved
    return module


class Server:
    """Stands in for PostgreSQL: records (database, statement); every database has `tables`."""

    def __init__(self, tables: int) -> None:
        self.tables = tables
        self.statements: list[tuple[str, str]] = []
        self.drops: list[str] = []  # URLs given to drop_created

    def connect(self, url: str) -> Any:
        server = self

        class Connection:
            def __enter__(self) -> Connection:
                return self

            def __exit__(self, *exc: object) -> None:
                return None

            def execute(self, sql: str, params: object = None) -> Any:
                server.statements.append((url.rsplit("/", 1)[1], sql))

                class Result:
                    def fetchone(self) -> tuple[int]:
                        return (server.tables,)

                return Result()

        return Connection()

    def issued(self, word: str) -> list[tuple[str, str]]:
        return [(db, sql) for db, sql in self.statements if word in sql.upper()]


@pytest.fixture
def seed_bench() -> ModuleType:
    return _import("bench_seed_city")


@pytest.fixture
def server(seed_bench: ModuleType, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    fake = Server(tables=3)
    common = seed_bench._common
    monkeypatch.setattr(common, "_connect", fake.connect)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    real_drop = common.drop_created

    def recording_drop(url: str) -> None:
        fake.drops.append(url)
        real_drop(url)

    monkeypatch.setattr(common, "drop_created", recording_drop)
    yield fake
    common._CREATED.clear()


def _no_run(*args: object) -> dict[str, float]:
    raise AssertionError("the benchmark ran on a database it must refuse")


def test_seed_refuses_a_non_empty_database_it_did_not_create(
    seed_bench: ModuleType, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(seed_bench, "run_once", _no_run)
    with pytest.raises(SystemExit) as refused:
        seed_bench.main(["--database-url", COLLEAGUE, "--runs", "1"])
    message = str(refused.value.code)
    assert isinstance(refused.value, seed_bench._common.BenchRefused)
    assert "refusing to use" in message and "colleague_bench" in message
    assert "3 table(s)" in message and "--reuse" in message
    assert server.issued("DROP") == [] and server.issued("TRUNCATE") == []
    assert server.issued("CREATE") == []
    assert server.drops == []
    assert server.statements  # it did look: the refusal came from counting the tables


def test_seed_refuses_the_database_named_by_DATABASE_URL_too(
    seed_bench: ModuleType, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(seed_bench, "run_once", _no_run)
    monkeypatch.setenv("DATABASE_URL", COLLEAGUE)
    with pytest.raises(seed_bench._common.BenchRefused, match="colleague_bench"):
        seed_bench.main(["--runs", "1"])
    assert server.issued("DROP") == []
    assert server.drops == []


def test_seed_refuses_several_runs_on_a_given_database(
    seed_bench: ModuleType, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Repeats need an empty database each; a given one is never emptied, so it is refused."""
    monkeypatch.setattr(seed_bench, "run_once", _no_run)
    with pytest.raises(seed_bench._common.BenchRefused, match="never emptied"):
        seed_bench.main(["--database-url", COLLEAGUE, "--reuse", "--runs", "2"])
    assert server.statements == []


def test_seed_with_reuse_uses_the_given_database_and_never_drops_it(
    seed_bench: ModuleType, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    used: list[str] = []

    def run_once(args: object, url: str) -> dict[str, float]:
        used.append(url)
        return {"wall_s": 1.0, "people": 10.0}

    monkeypatch.setattr(seed_bench, "run_once", run_once)
    seed_bench.main(["--database-url", COLLEAGUE, "--reuse", "--runs", "1"])
    assert used == [COLLEAGUE]
    assert server.issued("DROP") == [] and server.issued("CREATE") == []
    assert server.drops == []


def test_seed_drops_the_database_it_created_when_the_run_fails(
    seed_bench: ModuleType, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    used: list[str] = []

    def failing(args: object, url: str) -> dict[str, float]:
        used.append(url)
        raise RuntimeError("seed_city failed")

    monkeypatch.setattr(seed_bench, "run_once", failing)
    with pytest.raises(RuntimeError, match="seed_city failed"):
        seed_bench.main(["--database-url", SERVER, "--runs", "1"])
    (created,) = server.issued("CREATE DATABASE")
    name = created[1].split('"')[1]
    assert name.startswith("jineng_bench_") and used == [f"{SERVER.rsplit('/', 1)[0]}/{name}"]
    assert server.issued("DROP") == [("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')]
    assert not seed_bench._common._CREATED


def test_seed_drops_each_run_s_database_and_keeps_only_the_last_with_keep(
    seed_bench: ModuleType, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(seed_bench, "run_once", lambda args, url: {"wall_s": 1.0})
    seed_bench.main(["--database-url", SERVER, "--runs", "2", "--keep"])
    created = [sql.split('"')[1] for _, sql in server.issued("CREATE DATABASE")]
    dropped = [sql.split('"')[1] for _, sql in server.issued("DROP")]
    assert len(set(created)) == 2 and dropped == created[:1]


def test_drop_created_refuses_a_database_this_process_did_not_create(
    seed_bench: ModuleType, server: Server
) -> None:
    with pytest.raises(RuntimeError, match="did not create"):
        seed_bench._common.drop_created(COLLEAGUE)
    assert server.statements == []


def test_audit_lock_refuses_a_non_empty_database_and_takes_no_reuse(
    server: Server, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    audit_bench = _import("bench_audit_lock")
    monkeypatch.setattr(audit_bench._common, "_connect", server.connect)
    with pytest.raises(SystemExit) as rejected:
        audit_bench.main(["--database-url", COLLEAGUE, "--reuse"])
    assert rejected.value.code == 2 and "--reuse" in capsys.readouterr().err
    with pytest.raises(audit_bench._common.BenchRefused, match="colleague_bench"):
        audit_bench.main(["--database-url", COLLEAGUE, "--rows", "10"])
    assert server.issued("DROP") == [] and server.issued("CREATE") == []


def test_explain_refuses_a_sqlite_file_with_tables_and_leaves_it(tmp_path: Path) -> None:
    common = _import("_common")
    path = tmp_path / "someone.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE kept (x)")
        conn.execute("INSERT INTO kept VALUES (1)")
    conn.close()
    with (
        pytest.raises(common.BenchRefused, match="refusing to use"),
        common.any_database(f"sqlite:///{path}"),
    ):
        pytest.fail("a file with tables must be refused")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT x FROM kept").fetchall() == [(1,)]
    conn.close()


def test_explain_fresh_sqlite_file_is_deleted_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    common = _import("_common")
    monkeypatch.setenv("JINENG_VAR_DIR", str(tmp_path))
    seen: list[Path] = []
    with pytest.raises(RuntimeError), common.any_database("sqlite://") as database:
        path = common.sqlite_path(database.url)
        sqlite3.connect(path).close()
        seen.append(path)
        raise RuntimeError("the run failed")
    assert seen and seen[0].parent == tmp_path / "bench" and not seen[0].exists()
