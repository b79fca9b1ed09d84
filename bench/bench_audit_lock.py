"""Benchmark: audited writes per second from 8 concurrent writers while a long import runs
(issue 7, 1: no global audit lock). PostgreSQL.

    .venv/bin/python bench/bench_audit_lock.py \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres [--rows 100000] [--runs N]

One run, for each mode: an "import" thread appends `--rows` audit entries in one transaction
(`audit_record_batch`, as the people import does, then stays open a moment the way an import's
later writes keep it open), while `--writers` threads append single entries (`audit_record`, as a
reveal or a role grant does), each in its own transaction, as fast as they can until the import
commits. Reported: the writers' audited writes per second during the import, and the import's
own time. Then `audit verify` checks the whole trail (not timed).

- `--mode old`: the single-head path of commit 92eee72 — every append locks head 1 until commit,
  so every writer waits for the import.
- `--mode new`: the current path — an append locks the first head no one holds (SKIP LOCKED).
- `--mode both` (default): old, then new, in the same run.

The database (bench/_common.py): a URL naming the server (…/postgres, the default without
`--database-url` and `DATABASE_URL`) gets a database of this run's own, created, migrated and
dropped at the end (also on an error or Ctrl-C). A URL naming another database is used as it is
(migrated) only when it is empty — there is no `--reuse`: a run appends hundreds of thousands of
audit entries — and never dropped or truncated. `--runs` defaults to 3, or 1 above 30,000 rows (a
run of over a minute). Ends with the pasteable block.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.base")
os.environ.setdefault("JINENG_DEBUG", "0")

import _common  # noqa: E402

ONE_RUN_ABOVE = 30_000  # rows: above this a run takes over a minute, so --runs defaults to 1

FIGURES = [
    _common.Figure("old_wps", "old: writes/s by the writers during the import", ".1f", True),
    _common.Figure("old_import_s", "old: import of the rows (s)", ".1f"),
    _common.Figure("new_wps", "new: writes/s by the writers during the import", ".1f", True),
    _common.Figure("new_import_s", "new: import of the rows (s)", ".1f"),
]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # No --reuse: a run appends hundreds of thousands of entries to the audit trail it is given.
    _common.add_database_arguments(parser, reuse=False)
    _common.add_runs_argument(parser, default=None)
    parser.add_argument(
        "--rows", type=int, default=100_000, help="entries the import appends (default 100,000)"
    )
    parser.add_argument("--writers", type=int, default=8, help="concurrent single writers")
    parser.add_argument("--mode", choices=["old", "new", "both"], default="both")
    args = parser.parse_args(argv)
    if args.runs is None:
        args.runs = 3 if args.rows <= ONE_RUN_ABOVE else 1
    return args


def _single_head_lock() -> Callable[[], Any]:
    """The old path: one head, locked until commit by every append."""
    from jineng.audit import services
    from jineng.audit.models import AuditHead

    def lock_head() -> AuditHead:
        services._ensure_heads()
        return AuditHead.objects.select_for_update().get(pk=1)

    return lock_head


def one_mode(args: argparse.Namespace, mode: str) -> tuple[float, float]:
    from django.db import connections, transaction

    from jineng.audit import services

    original = services._lock_head
    if mode == "old":
        services._lock_head = _single_head_lock()
    try:
        services._ensure_heads()  # as the migration does: heads exist before anyone writes
        import_done = threading.Event()
        import_started = threading.Event()
        counts = [0] * args.writers
        errors: list[BaseException] = []
        timing: dict[str, float] = {}

        def importer() -> None:
            try:
                with transaction.atomic():
                    import_started.set()
                    timing["start"] = time.perf_counter()
                    services.audit_record_batch(
                        actor=None,
                        action="create",
                        object_type="person",
                        rows=((i, None, {"name": f"工人{i}", "row": i}) for i in range(args.rows)),
                        reason="导入 bench.xlsx",
                        region="441900",
                    )
                timing["end"] = time.perf_counter()
            except BaseException as exc:
                errors.append(exc)
            finally:
                import_done.set()
                connections.close_all()

        def writer(n: int) -> None:
            try:
                import_started.wait()
                i = 0
                while not import_done.is_set():
                    services.audit_record(
                        actor=None,
                        action="reveal",
                        object_type="person",
                        object_id=n * 10_000_000 + i,
                        after={"field": "id_number"},
                        region="441900",
                    )
                    if not import_done.is_set():
                        counts[n] += 1  # only writes that completed while the import ran
                    i += 1
            except BaseException as exc:
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=importer)]
        threads += [threading.Thread(target=writer, args=(n,)) for n in range(args.writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        duration = timing["end"] - timing["start"]
        result = services.audit_verify()
        if not result.ok:
            raise SystemExit(f"audit verify failed after the {mode} run: {result.reason}")
        return sum(counts) / duration, duration
    finally:
        services._lock_head = original


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    modes = ["old", "new"] if args.mode == "both" else [args.mode]
    with _common.bench_database(args.database_url, reuse=args.reuse) as database:
        os.environ["DATABASE_URL"] = database.url
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        if connection.vendor != "postgresql":
            raise SystemExit("this benchmark needs PostgreSQL")
        call_command("migrate", "--noinput", verbosity=0)
        report = _common.Report(
            f"Audited writes during a {args.rows:,}-row import ({args.writers} writers, PostgreSQL)",
            [f for f in FIGURES if f.key.split("_")[0] in modes],
            notes=[
                "old = one chain head locked by every append until commit (commit 92eee72); "
                "new = 16 heads, an append takes the first one no transaction holds "
                "(SELECT … FOR UPDATE SKIP LOCKED). `audit verify` passes after every run."
            ],
        )

        def one(number: int) -> dict[str, float]:
            values: dict[str, float] = {}
            for mode in modes:
                wps, seconds = one_mode(args, mode)
                values[f"{mode}_wps"], values[f"{mode}_import_s"] = wps, seconds
            return values

        _common.run_repeated(report, args.runs, one)


if __name__ == "__main__":
    main()
