"""What every benchmark shares: naming the database, repeats, and the report.

The database (`add_database_arguments`, `bench_database`):

- `--database-url URL`, else `DATABASE_URL`, else `postgres://postgres@127.0.0.1:5432/postgres`.
- A URL naming the server — its maintenance database `postgres` (or `template1`, or none) — makes
  the benchmark create a database of its own there, `jineng_bench_<pid>_<random>`, and drop that
  one, and only that one, at the end (also on an exception, Ctrl-C or SIGTERM), unless `--keep`.
- A URL naming any other database makes the benchmark use it as it is. It refuses when that
  database has a table in its public schema, unless `--reuse` is passed, and it never drops or
  truncates it.

DROP is only ever issued by `drop_created`, for a name this process created (`_CREATED`).

The report (`Report`): each run is printed as it ends; `Report.block` prints, in one Markdown block
to paste into docs/benchmarks.md as it is, the command, the machine (CPU model from /proc/cpuinfo,
cores, memory), the load average before and after, and per figure every run, the median, min and
max.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import re
import secrets
import shlex
import signal
import statistics
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
SERVER_DATABASES = frozenset({"", "postgres", "template1"})
PREFIX = "jineng_bench_"

DATABASE_HELP = (
    "PostgreSQL URL (default: $DATABASE_URL, else "
    f"{DEFAULT_SERVER_URL}). A URL naming the server's maintenance database (…/postgres) makes "
    f"the benchmark create its own database there ({PREFIX}<pid>_<random>) and drop it at the "
    "end; a URL naming another database uses that one, refused when it has any table unless "
    "--reuse, and never dropped"
)
REUSE_HELP = (
    "use the database named by --database-url although it has tables (e.g. one kept by "
    "bench_seed_city.py --keep); it is still never dropped or truncated"
)

_CREATED: set[tuple[str, str]] = set()  # (server netloc, database) created by this process
# As the benchmark was started: scripts later point DATABASE_URL at the database they run on.
_GIVEN_DATABASE_URL = os.environ.get("DATABASE_URL")


class BenchRefused(SystemExit):
    """The benchmark will not touch the database it was given."""


# --- arguments ----------------------------------------------------------------------------------


def add_database_arguments(
    parser: argparse.ArgumentParser, *, keep: bool = False, sqlite: bool = False, reuse: bool = True
) -> None:
    """--database-url, --reuse (and --keep); `sqlite`: the benchmark takes SQLite URLs too;
    `reuse=False`: no --reuse (a benchmark that writes a lot into the database it is given)."""
    text = DATABASE_HELP
    if sqlite:
        text = (
            "sqlite:// (the default without $DATABASE_URL): a fresh SQLite file of this run's "
            "own under var/bench/, deleted at the end; sqlite:///FILE: that file, refused when it "
            "has tables unless --reuse, never deleted; or a " + DATABASE_HELP
        )
    if not reuse:
        text = text.replace(" unless --reuse", "")
    parser.add_argument("--database-url", default=None, metavar="URL", help=text)
    if reuse:
        parser.add_argument("--reuse", action="store_true", help=REUSE_HELP)
    else:
        parser.set_defaults(reuse=False)
    if keep:
        parser.add_argument(
            "--keep",
            action="store_true",
            help="keep the database this run created (its URL is printed) instead of dropping it",
        )


def add_runs_argument(parser: argparse.ArgumentParser, default: int | None = 3) -> None:
    suffix = f"default {default}" if default is not None else "default: see above"
    parser.add_argument(
        "--runs", type=int, default=default, metavar="N", help=f"repeats ({suffix})"
    )


def resolve_url(url: str | None) -> str:
    resolved = url or os.environ.get("DATABASE_URL") or DEFAULT_SERVER_URL
    if not resolved.startswith(("postgres://", "postgresql://")):
        raise BenchRefused(
            f"--database-url / DATABASE_URL must be a PostgreSQL URL, not {mask(resolved)}"
        )
    return resolved


# --- the database -------------------------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def names_server(url: str) -> bool:
    """True when `url` names the server (its maintenance database), not a database to use."""
    return database_name(url) in SERVER_DATABASES


def mask(url: str) -> str:
    """`url` with its password hidden, for printing."""
    return re.sub(r"(//[^:/@]+:)[^@]*@", r"\1***@", url)


def _connect(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(url, autocommit=True)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def public_tables(url: str) -> int:
    with _connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'"
        ).fetchone()
    return int(row[0])


def check_usable(url: str, *, reuse: bool) -> None:
    """Refuse a given database that has tables unless `reuse`: it is someone's data."""
    tables = public_tables(url)
    if tables and not reuse:
        raise BenchRefused(
            f"refusing to use {mask(url)}: it has {tables} table(s) in its public schema and this "
            "benchmark did not create it. Pass --reuse to use it as it is (it is never dropped "
            "or truncated), or give the server (…/postgres) to get a database of its own."
        )


def create_database(server_url: str) -> str:
    """Create `jineng_bench_<pid>_<random>` on the server of `server_url`; return its URL."""
    name = f"{PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
    admin = with_database(server_url, database_name(server_url) or "postgres")
    with _connect(admin) as conn:
        conn.execute(f"CREATE DATABASE {_quote(name)}")
    _CREATED.add((urlsplit(server_url).netloc, name))
    return with_database(server_url, name)


def drop_created(url: str) -> None:
    """Drop the database of `url` — only if this process created it."""
    netloc, name = urlsplit(url).netloc, database_name(url)
    if (netloc, name) not in _CREATED:
        raise RuntimeError(f"refusing to drop {name!r}: this process did not create it")
    with _connect(with_database(url, "postgres")) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")
    _CREATED.discard((netloc, name))


@dataclass(frozen=True)
class BenchDatabase:
    url: str
    created: bool  # True: made by this run (empty, dropped at the end unless kept)

    @property
    def name(self) -> str:
        return database_name(self.url)


def _sigterm_to_exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds through `finally`, so the database is dropped


def new_database(
    server_url: str, *, keep: bool = False
) -> contextlib.AbstractContextManager[BenchDatabase]:
    """A database of this run's own on the server: created now, dropped on exit unless `keep`."""

    @contextlib.contextmanager
    def manage() -> Iterator[BenchDatabase]:
        previous = signal.signal(signal.SIGTERM, _sigterm_to_exit)
        url = create_database(server_url)
        print(f"created database {database_name(url)}", file=sys.stderr, flush=True)
        try:
            yield BenchDatabase(url, created=True)
        finally:
            if keep:
                print(
                    f"kept database {database_name(url)}; use it with "
                    f"--database-url {mask(url)} --reuse (drop it with: "
                    f"psql {mask(with_database(url, 'postgres'))} -c "
                    f"'DROP DATABASE {database_name(url)}')",
                    flush=True,
                )
            else:
                drop_created(url)
                print(f"dropped database {database_name(url)}", file=sys.stderr, flush=True)
            signal.signal(signal.SIGTERM, previous)

    return manage()


@contextlib.contextmanager
def bench_database(
    url: str | None, *, reuse: bool = False, keep: bool = False
) -> Iterator[BenchDatabase]:
    """The database a benchmark runs on (see the module docstring)."""
    resolved = resolve_url(url)
    if names_server(resolved):
        with new_database(resolved, keep=keep) as database:
            yield database
        return
    check_usable(resolved, reuse=reuse)
    yield BenchDatabase(resolved, created=False)


# --- SQLite (bench_explain_api.py) ---------------------------------------------------------------

SQLITE_FRESH = "sqlite://"  # no path: a fresh file of this run's own, deleted at the end


def sqlite_path(url: str) -> Path:
    """The file of a `sqlite:///relative` or `sqlite:////absolute` URL (as dj-database-url)."""
    return Path(urlsplit(url).path[1:])


def sqlite_tables(path: Path) -> int:
    import sqlite3

    if not path.exists():
        return 0
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        row = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
    return int(row[0])


def var_dir() -> Path:
    return Path(os.environ.get("JINENG_VAR_DIR") or ROOT / "var")


@contextlib.contextmanager
def any_database(
    url: str | None, *, reuse: bool = False, keep: bool = False, default: str | None = None
) -> Iterator[BenchDatabase]:
    """`bench_database`, and SQLite too: `sqlite://` (or no URL at all when `default` is
    SQLITE_FRESH) is a fresh file under var/bench/ this run creates and deletes; `sqlite:///FILE`
    is that file, refused when it has tables unless `reuse`, never deleted."""
    resolved = url or os.environ.get("DATABASE_URL") or default or DEFAULT_SERVER_URL
    if resolved.rstrip("/") == SQLITE_FRESH.rstrip("/"):
        directory = var_dir() / "bench"
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{PREFIX}{os.getpid()}_{secrets.token_hex(4)}.sqlite3"
        print(f"created database {path}", file=sys.stderr, flush=True)
        previous = signal.signal(signal.SIGTERM, _sigterm_to_exit)
        try:
            yield BenchDatabase(f"sqlite:///{path}", created=True)
        finally:
            if keep:
                print(f"kept database {path}; use it with --database-url sqlite:///{path} --reuse")
            else:
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
                print(f"deleted database {path}", file=sys.stderr, flush=True)
            signal.signal(signal.SIGTERM, previous)
        return
    if resolved.startswith("sqlite:"):
        path = sqlite_path(resolved)
        tables = sqlite_tables(path)
        if tables and not reuse:
            raise BenchRefused(
                f"refusing to use {path}: it has {tables} table(s) and this benchmark did not "
                "create it. Pass --reuse to use it as it is (it is never deleted), or "
                f"--database-url {SQLITE_FRESH} to get a fresh file of its own."
            )
        yield BenchDatabase(resolved, created=False)
        return
    with bench_database(resolved, reuse=reuse, keep=keep) as database:
        yield database


# --- the report ---------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu_model()}, {os.cpu_count()} cores, {memory:.0f} GiB RAM; "
        f"{platform.python_implementation()} {platform.python_version()}"
    )


def load_average() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


def command_line() -> str:
    """How this benchmark was invoked, as a command to paste (passwords masked)."""
    script = Path(sys.argv[0]).resolve()
    with contextlib.suppress(ValueError):
        script = script.relative_to(ROOT)
    python = Path(sys.executable)
    with contextlib.suppress(ValueError):
        python = python.relative_to(ROOT)
    words = [str(python), str(script), *(mask(arg) for arg in sys.argv[1:])]
    prefix = ""
    if _GIVEN_DATABASE_URL and "--database-url" not in sys.argv:
        prefix = f"DATABASE_URL={shlex.quote(mask(_GIVEN_DATABASE_URL))} "
    return prefix + shlex.join(words)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str  # with its unit, e.g. "wall time (s)"
    fmt: str = ".2f"
    higher_is_better: bool = False


@dataclass
class Report:
    """Collects runs and prints the pasteable block. Create it before the first run."""

    title: str
    figures: list[Figure]
    notes: list[str] = field(default_factory=list)
    runs: list[dict[str, float]] = field(default_factory=list)
    load_before: str = field(default_factory=load_average)
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def add(self, values: dict[str, float], line: str | None = None) -> None:
        """Record one run and print it."""
        self.runs.append(values)
        number = len(self.runs)
        shown = line or "; ".join(
            f"{figure.label} {format(values[figure.key], figure.fmt)}"
            for figure in self.figures
            if figure.key in values
        )
        print(f"run {number}: {shown}; load average {load_average()}", flush=True)

    def series(self, key: str) -> list[float]:
        return [run[key] for run in self.runs if key in run]

    def median(self, key: str) -> float:
        return statistics.median(self.series(key))

    def block(self) -> str:
        count = len(self.runs)
        head = " | ".join(f"run {n}" for n in range(1, count + 1))
        lines = [
            f"**{self.title}** — median of {count} run{'s' if count != 1 else ''}, "
            f"{self.started:%Y-%m-%d %H:%M} UTC",
            "",
            f"    {command_line()}",
            "",
            f"Machine: {machine()}. Load average (1/5/15 min) before {self.load_before}, "
            f"after {load_average()}.",
        ]
        lines += [f"{note}" for note in self.notes]
        lines += [
            "",
            f"| measure | {head} | median | min | max |",
            "| --- |" + " ---: |" * (count + 3),
        ]
        for figure in self.figures:
            values = self.series(figure.key)
            if not values:
                continue

            def show(value: float, fmt: str = figure.fmt) -> str:
                return format(value, fmt)

            cells = [show(v) for v in values] + [""] * (count - len(values))
            lines.append(
                f"| {figure.label} | "
                + " | ".join(cells)
                + f" | **{show(statistics.median(values))}** | {show(min(values))} "
                f"| {show(max(values))} |"
            )
        return "\n".join(lines)

    def print(self) -> None:
        print("\n" + self.block() + "\n", flush=True)


def run_repeated(report: Report, runs: int, one: Callable[[int], dict[str, float]]) -> Report:
    """Call `one(number)` `runs` times, recording each, then print the block."""
    if runs < 1:
        raise SystemExit("--runs must be at least 1")
    for number in range(1, runs + 1):
        report.add(one(number))
    report.print()
    return report
