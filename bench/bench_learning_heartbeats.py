"""Benchmark: learning heartbeats on PostgreSQL (issue 8, "Measured": ≥ 1,500 heartbeats/s with
p95 < 100 ms, and correct crediting — no double credit — checked after the run).

    .venv/bin/python bench/bench_learning_heartbeats.py \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres \\
        [--http [--workers 4]] [--learners 200] [--processes 2] [--threads 4] [--seconds 30] \\
        [--runs 3]

Two modes. Without --http the clients call the service in-process (below). With --http the
production server is measured: gunicorn (config/gunicorn.conf.py, `config.wsgi`, the production
settings with keys made up for the run, `X-Forwarded-Proto: https` as a proxy would send) with
--workers sync workers on the benchmark's database, and the clients are a load generator in the
same run — `--processes` × `--threads` of `http.client`, each heartbeat a POST to the API's
`/api/v1/learning/heartbeats` with the learner's bearer token (`api_token_issue`). Reported
beside the figures: the load generator's own CPU (getrusage of its processes), gunicorn's (master
and workers, /proc) and PostgreSQL's (the backends connected to the benchmark database, /proc).
The naive baseline then runs through a second gunicorn, same settings, middleware and token
check, whose only route stores one ORM row per heartbeat (`naive_wsgi` below). With --http each
run also measures the stream-token endpoint (`/api/v1/learning/stream-heartbeats`, the lean route
of jineng/api/lean.py, no bearer token) on the first gunicorn, on a second lesson of its own,
checked after the load the same way ("stream token" figures).

Setup (not timed): migrate, load_reference, one training institution, one published course (through
the services: create, chapter, lessons, submit, publish) with one two-hour video lesson per run,
`--learners` people (person_create). Each run opens a stream for every learner on that run's
lesson (learning_stream_open), so every run credits fresh time rather than finding it credited.

Load: `--processes` × `--threads` concurrent clients (default 2 × 4 = 8; threads within a process
share the GIL, the processes use both cores), each with its own database connection and its share
of the learners. For `--seconds` each client goes round its learners as fast as the service
answers (closed loop), sending each learner's heartbeat at its real-time position: the seconds of
wall time since that learner's first heartbeat of the run, visible, `at` = now. That is the
in-process service, `jineng.learning.services.learning_heartbeat` (what the API view calls),
not HTTP: jineng/api/learning was not on main when this ran. Sustained heartbeats/s = heartbeats
answered ÷ the run's wall time; p50/p95/max latency of each call.

Correctness, after each run, from the ledger (learning_creditedsegment) and the progress rows:
every learner's credited time ≤ the wall time between its first and last heartbeat; no two
credited segments of a learner on the lesson overlap (no segment credited twice); each progress
row's credited_ms = the sum of its segments. Printed, and in the block (0 = correct).

Baseline, same run, same learners, clients and duration: the naive ledger — one ORM row per
heartbeat (`objects.create` into a throwaway table `bench_naive_heartbeat` the benchmark creates
with raw SQL in its own database; what trusting the client's positions, PlayEdu-style, writes).

The CPU of the benchmark's processes (user + system, all clients) is reported per run: here the
clients are the service, so it is the platform's CPU, not a separate load generator's.
Only a database this run created is dropped; a given database must be empty (no --reuse: the
benchmark writes streams, people and a throwaway table). Ends with the pasteable block.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import queue
import resource
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

sys.path.insert(0, str(_common.ROOT))

LESSON_SECONDS = 2 * 3600
REGION = "441900003"
NAIVE_TABLE = "bench_naive_heartbeat"
_NAIVE_MODEL: Any = None


HTTP_PATH = "/api/v1/learning/heartbeats"
TOKEN_PATH = "/api/v1/learning/stream-heartbeats"
NAIVE_PATH = "/bench/naive-heartbeat"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    _common.add_database_arguments(parser, reuse=False)
    _common.add_runs_argument(parser, default=3)
    parser.add_argument("--learners", type=int, default=200, help="simulated learners (200)")
    parser.add_argument("--processes", type=int, default=2, help="client processes (2)")
    parser.add_argument("--threads", type=int, default=4, help="client threads per process (4)")
    parser.add_argument("--seconds", type=float, default=30.0, help="load per run and path (30)")
    parser.add_argument(
        "--http", action="store_true", help="through gunicorn and the API, not in-process"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 1),
        help="gunicorn workers with --http (2 × cores)",
    )
    return parser.parse_args(argv)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.base")
    os.environ.setdefault("JINENG_DEBUG", "0")
    import django

    django.setup()


def percentiles(values_ms: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(sorted(values_ms), n=100, method="inclusive")
    return statistics.median(values_ms), cuts[94], max(values_ms)


def naive_model() -> Any:
    """An unmanaged model over the throwaway table (created by `create_naive_table`)."""
    global _NAIVE_MODEL
    if _NAIVE_MODEL is None:
        from django.db import models

        class NaiveHeartbeat(models.Model):
            person_id = models.BigIntegerField()
            lesson_id = models.BigIntegerField()
            stream_id = models.BigIntegerField()
            position_ms = models.BigIntegerField()
            visible = models.BooleanField()
            at = models.DateTimeField()

            class Meta:
                app_label = "learning"
                managed = False
                db_table = NAIVE_TABLE

            def __str__(self) -> str:
                return f"{self.person_id}@{self.position_ms}"

        _NAIVE_MODEL = NaiveHeartbeat
    return _NAIVE_MODEL


def create_naive_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {NAIVE_TABLE} (id bigserial PRIMARY KEY, person_id bigint NOT NULL, "
            "lesson_id bigint NOT NULL, stream_id bigint NOT NULL, position_ms bigint NOT NULL, "
            "visible boolean NOT NULL, at timestamptz NOT NULL)"
        )
        cursor.execute(f"CREATE INDEX ON {NAIVE_TABLE} (person_id, lesson_id, at)")


def setup(args: argparse.Namespace) -> tuple[list[int], list[int]]:
    """The course's lessons (one per run) and the learners' person ids (workers' accounts, no
    password: only bearer tokens sign them in)."""
    from django.core.management import call_command

    from jineng.identity.models import Role
    from jineng.identity.testing import make_user
    from jineng.learning.models import CourseStatus
    from jineng.learning.services import (
        chapter_add,
        course_create,
        course_transition,
        lesson_add,
    )
    from jineng.organisations.models import OrgKind
    from jineng.organisations.services import organisation_create

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    provider = organisation_create(
        actor=None, kind=OrgKind.TRAINING_INSTITUTION, name="东莞市心跳测试培训学校", region=REGION
    )
    course = course_create(
        actor=None,
        provider=provider,
        title="数控车床操作工（初级）职业技能培训",
        description="面向制造业的车工入门课程",
        occupation="6-18-01-01",
        level="5",
        planned_hours=8,
        mode="online",
        funding="free",
    )
    chapter = chapter_add(actor=None, course=course, title="第1章 操作技能")
    lessons = [
        lesson_add(
            actor=None,
            chapter=chapter,
            title=f"{i}. 操作演示",
            kind="video",
            duration_seconds=LESSON_SECONDS,
        ).pk
        # with --http a second lesson per run for the stream-token endpoint
        for i in range(1, args.runs * (2 if args.http else 1) + 1)
    ]
    course_transition(actor=None, course=course, to=CourseStatus.SUBMITTED)
    course_transition(actor=None, course=course, to=CourseStatus.PUBLISHED)
    people = [
        int(make_user(Role.WORKER, region=REGION[:6], password=None).person_id or 0)
        for _ in range(args.learners)
    ]
    create_naive_table()
    naive_model()
    print(
        f"set up {args.learners} learners and {len(lessons)} lessons in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return lessons, people


def open_streams(people: list[int], lesson_id: int) -> dict[int, int]:
    from jineng.identity.models import Person
    from jineng.learning.models import Lesson
    from jineng.learning.services import learning_stream_open

    lesson = Lesson.objects.get(pk=lesson_id)
    streams = {}
    for person in Person.objects.filter(pk__in=people):
        stream = learning_stream_open(actor=None, person=person, lesson=lesson, device="bench")
        streams[person.pk] = stream.pk
    return streams


# --- the clients (run in forked processes) -------------------------------------------------------


def client_thread(
    mode: str,
    learners: list[tuple[int, int]],
    lesson_id: int,
    start_at: float,
    seconds: float,
    out: dict[str, Any],
) -> None:
    from django.db import connections
    from django.utils import timezone

    from jineng.identity.models import Person
    from jineng.learning.models import Lesson
    from jineng.learning.services import learning_heartbeat

    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    first: dict[int, dt.datetime] = {}
    last: dict[int, dt.datetime] = {}
    errors = 0
    try:
        lesson = Lesson.objects.get(pk=lesson_id)
        people = {p.pk: p for p in Person.objects.filter(pk__in=[pid for pid, _ in learners])}
        naive = naive_model() if mode == "naive" else None
        time.sleep(max(0.0, start_at - time.time()))
        deadline = start_at + seconds
        while time.time() < deadline:
            for person_id, stream_id in learners:
                now = timezone.now()
                began = first.setdefault(person_id, now)
                position = (now - began).total_seconds()
                started = time.perf_counter()
                try:
                    if naive is None:
                        result = learning_heartbeat(
                            person=people[person_id],
                            lesson=lesson,
                            stream=stream_id,
                            position_seconds=position,
                            visible=True,
                            at=now,
                        )
                        outcomes[str(result.outcome)] += 1
                    else:
                        naive.objects.create(
                            person_id=person_id,
                            lesson_id=lesson_id,
                            stream_id=stream_id,
                            position_ms=round(position * 1000),
                            visible=True,
                            at=now,
                        )
                        outcomes["stored"] += 1
                except Exception:  # noqa: BLE001 - counted and reported, the load goes on
                    errors += 1
                    continue
                latencies.append((time.perf_counter() - started) * 1000)
                last[person_id] = now
                if time.time() >= deadline:
                    break
    finally:
        connections.close_all()
    out.update(latencies=latencies, outcomes=outcomes, first=first, last=last, errors=errors)


def client_process(
    mode: str,
    learners: list[tuple[int, int]],
    lesson_id: int,
    threads: int,
    start_at: float,
    seconds: float,
    results: mp.Queue[dict[str, Any]],
) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF)
    outs: list[dict[str, Any]] = [{} for _ in range(threads)]
    workers = [
        threading.Thread(
            target=client_thread,
            args=(mode, learners[i::threads], lesson_id, start_at, seconds, outs[i]),
        )
        for i in range(threads)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    after = resource.getrusage(resource.RUSAGE_SELF)
    merged: dict[str, Any] = {
        "latencies": [],
        "outcomes": Counter(),
        "first": {},
        "last": {},
        "errors": 0,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "finished": time.time(),
    }
    for out in outs:
        merged["latencies"].extend(out.get("latencies", []))
        merged["outcomes"].update(out.get("outcomes", {}))
        merged["first"].update(out.get("first", {}))
        merged["last"].update(out.get("last", {}))
        merged["errors"] += out.get("errors", 0) + (0 if out else 1)
    results.put(merged)


def drive(
    args: argparse.Namespace, mode: str, streams: dict[int, int], lesson_id: int
) -> dict[str, Any]:
    """Run the load of `mode` ("service" or "naive") from forked client processes."""
    from django.db import connections

    connections.close_all()  # no connection crosses a fork
    ctx = mp.get_context("fork")
    results: mp.Queue[dict[str, Any]] = ctx.Queue()
    learners = sorted(streams.items())
    start_at = time.time() + 2.0
    procs = [
        ctx.Process(
            target=client_process,
            args=(
                mode,
                learners[i :: args.processes],
                lesson_id,
                args.threads,
                start_at,
                args.seconds,
                results,
            ),
        )
        for i in range(args.processes)
    ]
    for p in procs:
        p.start()
    parts = []
    for _ in procs:
        try:
            parts.append(results.get(timeout=args.seconds + 600))
        except queue.Empty as exc:
            raise SystemExit(f"a client process of the {mode} load did not report") from exc
    for p in procs:
        p.join()
    total: dict[str, Any] = {
        "latencies": [],
        "outcomes": Counter(),
        "first": {},
        "last": {},
        "errors": 0,
        "cpu": 0.0,
    }
    finished = max(part["finished"] for part in parts)
    for part in parts:
        total["latencies"].extend(part["latencies"])
        total["outcomes"].update(part["outcomes"])
        total["first"].update(part["first"])
        total["last"].update(part["last"])
        total["errors"] += part["errors"]
        total["cpu"] += part["cpu"]
    total["wall"] = finished - start_at
    return total


def queries_per_heartbeat(load: dict[str, Any], streams: dict[int, int], lesson_id: int) -> int:
    """The queries of one credited heartbeat (a learner continuing after the load), as Django's
    query log counts them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from jineng.identity.models import Person
    from jineng.learning.models import Lesson
    from jineng.learning.services import learning_heartbeat

    person_id = min(load["first"])
    person = Person.objects.get(pk=person_id)
    lesson = Lesson.objects.get(pk=lesson_id)
    time.sleep(1.0)
    now = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        result = learning_heartbeat(
            person=person,
            lesson=lesson,
            stream=streams[person_id],
            position_seconds=(now - load["first"][person_id]).total_seconds(),
            visible=True,
            at=now,
        )
    print(f"  one heartbeat after the load: {result.outcome}, {len(queries)} queries", flush=True)
    return len(queries)


# --- over HTTP (--http) ------------------------------------------------------------------------


def issue_tokens(people: list[int]) -> dict[int, str]:
    """A bearer token per learner (person id → token), as POST /auth/token would give."""
    from jineng.api.services import api_token_issue
    from jineng.identity.models import User

    return {
        int(user.person_id or 0): api_token_issue(user=user, label="心跳基准测试")[1]
        for user in User.objects.filter(person_id__in=people)
    }


def issue_stream_tokens(streams: dict[int, int], lesson_id: int) -> dict[int, str]:
    """The stream token of each learner's stream (person id → token), as opening it returns."""
    from jineng.learning.stream_tokens import stream_token

    return {
        person_id: stream_token(person_id=person_id, lesson_id=lesson_id, stream_id=stream_id)
        for person_id, stream_id in streams.items()
    }


def server_env(database_url: str, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="config.django.production",
        JINENG_BIND=f"127.0.0.1:{port}",
        JINENG_WORKERS=str(env.get("JINENG_WORKERS", "")),
        JINENG_ALLOWED_HOSTS="127.0.0.1",
        PYTHONPATH=os.pathsep.join([str(_common.ROOT), str(Path(__file__).resolve().parent)]),
    )
    return env


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """One gunicorn (config/gunicorn.conf.py) this benchmark started, stopped by its own pid."""

    def __init__(self, app: str, database_url: str, workers: int) -> None:
        import subprocess

        self.port = free_port()
        env = server_env(database_url, self.port)
        env["JINENG_WORKERS"] = str(workers)
        if app.endswith(":naive_wsgi"):
            env["JINENG_BENCH_NAIVE_SERVER"] = "1"  # set Django up as each worker boots
        log = _common.var_dir() / "bench" / f"gunicorn_{os.getpid()}_{self.port}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log = log
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "gunicorn"),
                    "-c",
                    str(_common.ROOT / "config" / "gunicorn.conf.py"),
                    # a worker booting Django on a loaded machine can take more than the
                    # default 30 s; the requests themselves are measured, not limited
                    "--timeout",
                    "180",
                    app,
                ],
                cwd=_common.ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            self.wait_ready()
            self.warm_up(workers)
        except BaseException:
            self.stop(keep_log=True)
            raise

    def warm_up(self, workers: int) -> None:
        """Requests in parallel until every worker has answered some (imports, URL resolvers)."""
        import http.client

        def hit() -> None:
            for _ in range(5):
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                conn.request("GET", "/api/v1/health", headers=HEADERS_BASE)
                conn.getresponse().read()
                conn.close()

        threads = [threading.Thread(target=hit) for _ in range(2 * workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def wait_ready(self) -> None:
        import http.client

        deadline = time.time() + 300
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/api/v1/health", headers=HEADERS_BASE)
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise SystemExit(f"gunicorn did not answer within 300 s; see {self.log}")

    def pids(self) -> list[int]:
        return [self.proc.pid, *children(self.proc.pid)]

    def stop(self, *, keep_log: bool = False) -> None:
        import signal

        if self.proc.poll() is None:  # SIGTERM to the master stops its workers too
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except Exception:  # noqa: BLE001 - a stuck server is killed, by its own pid
                self.proc.kill()
                self.proc.wait()
        if not keep_log:
            self.log.unlink(missing_ok=True)


HEADERS_BASE = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(entry.name))
    return out


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """user + system CPU seconds of each process (from /proc/PID/stat)."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / tick
    return out


def postgres_backends() -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return [int(pid) for (pid,) in cursor.fetchall()]


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU between two readings; a process that appeared in between counts from zero."""
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


def http_thread(
    mode: str,
    port: int,
    learners: list[tuple[int, int, str]],
    lesson_id: int,
    start_at: float,
    seconds: float,
    out: dict[str, Any],
) -> None:
    import http.client
    import json

    from django.utils import timezone

    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    first: dict[int, dt.datetime] = {}
    last: dict[int, dt.datetime] = {}
    errors = 0
    path = {"service": HTTP_PATH, "token": TOKEN_PATH}.get(mode, NAIVE_PATH)
    time.sleep(max(0.0, start_at - time.time()))
    deadline = start_at + seconds
    while time.time() < deadline:
        for person_id, stream_id, token in learners:
            now = timezone.now()
            began = first.setdefault(person_id, now)
            position = (now - began).total_seconds()
            if mode == "token":  # the stream token is the credential; no bearer token
                body = json.dumps({"token": token, "position_seconds": position, "visible": True})
                headers = {**HEADERS_BASE, "Content-Type": "application/json"}
            else:
                body = json.dumps(
                    {
                        "stream": stream_id,
                        "lesson": lesson_id,
                        "position_seconds": position,
                        "visible": True,
                    }
                )
                headers = {
                    **HEADERS_BASE,
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/json",
                }
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                conn.close()
                if response.status != 200:
                    errors += 1
                    continue
                outcomes[str(json.loads(payload)["outcome"])] += 1
            except (OSError, ValueError, KeyError):
                errors += 1
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            last[person_id] = timezone.now()
            if time.time() >= deadline:
                break
    out.update(latencies=latencies, outcomes=outcomes, first=first, last=last, errors=errors)


def http_process(
    mode: str,
    port: int,
    learners: list[tuple[int, int, str]],
    lesson_id: int,
    threads: int,
    start_at: float,
    seconds: float,
    results: mp.Queue[dict[str, Any]],
) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF)
    outs: list[dict[str, Any]] = [{} for _ in range(threads)]
    workers = [
        threading.Thread(
            target=http_thread,
            args=(mode, port, learners[i::threads], lesson_id, start_at, seconds, outs[i]),
        )
        for i in range(threads)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    after = resource.getrusage(resource.RUSAGE_SELF)
    results.put(
        merge_outs(outs, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    )


def merge_outs(outs: list[dict[str, Any]], cpu: float) -> dict[str, Any]:
    merged: dict[str, Any] = {
        "latencies": [],
        "outcomes": Counter(),
        "first": {},
        "last": {},
        "errors": 0,
        "cpu": cpu,
        "finished": time.time(),
    }
    for out in outs:
        merged["latencies"].extend(out.get("latencies", []))
        merged["outcomes"].update(out.get("outcomes", {}))
        merged["first"].update(out.get("first", {}))
        merged["last"].update(out.get("last", {}))
        merged["errors"] += out.get("errors", 0) + (0 if out else 1)
    return merged


def drive_http(
    args: argparse.Namespace,
    mode: str,
    server: Server,
    streams: dict[int, int],
    tokens: dict[int, str],
    lesson_id: int,
) -> dict[str, Any]:
    """The load of `mode` ("service" or "naive") against `server`, from forked load-generator
    processes; adds the server's and PostgreSQL's CPU to the load generator's."""
    from django.db import connections

    backends = postgres_backends()
    connections.close_all()
    ctx = mp.get_context("fork")
    results: mp.Queue[dict[str, Any]] = ctx.Queue()
    learners = [(pid, sid, tokens[pid]) for pid, sid in sorted(streams.items())]
    start_at = time.time() + 2.0
    procs = [
        ctx.Process(
            target=http_process,
            args=(
                mode,
                server.port,
                learners[i :: args.processes],
                lesson_id,
                args.threads,
                start_at,
                args.seconds,
                results,
            ),
        )
        for i in range(args.processes)
    ]
    for p in procs:
        p.start()
    time.sleep(max(0.0, start_at - time.time()))
    server_before = cpu_seconds(server.pids())
    pg_before = cpu_seconds(backends)
    parts = []
    for _ in procs:
        try:
            parts.append(results.get(timeout=args.seconds + 600))
        except queue.Empty as exc:
            raise SystemExit(f"a load-generator process of the {mode} load did not report") from exc
    server_after = cpu_seconds(server.pids())
    pg_after = cpu_seconds(postgres_backends())
    for p in procs:
        p.join()
    total = merge_outs(parts, 0.0)
    total["cpu"] = sum(part["cpu"] for part in parts)
    total["wall"] = max(part["finished"] for part in parts) - start_at
    total["server_cpu"] = cpu_used(server_before, server_after)
    total["pg_cpu"] = cpu_used(pg_before, pg_after)
    return total


def naive_view(request: Any) -> Any:
    """The naive baseline over HTTP: the same token check, then one ORM row per heartbeat with
    whatever position the client sent (what PlayEdu-style crediting stores)."""
    import json

    from django.http import JsonResponse
    from django.utils import timezone

    from jineng.api.services import api_token_lookup

    token = api_token_lookup(raw=request.headers.get("Authorization", "").removeprefix("Bearer "))
    if token is None or request.method != "POST":
        return JsonResponse({"detail": "未提供有效的身份令牌。"}, status=401)
    data = json.loads(request.body)
    naive_model().objects.create(
        person_id=token.user.person_id,
        lesson_id=int(data["lesson"]),
        stream_id=int(data["stream"]),
        position_ms=round(float(data["position_seconds"]) * 1000),
        visible=bool(data["visible"]),
        at=timezone.now(),
    )
    return JsonResponse({"outcome": "stored"})


_NAIVE_HANDLER: Any = None


def naive_wsgi(environ: dict[str, Any], start_response: Any) -> Any:
    """gunicorn's app for the naive baseline (`bench_learning_heartbeats:naive_wsgi`): the
    project's settings and middleware with this module as the URLconf (only the naive route and
    the health check)."""
    return naive_handler()(environ, start_response)


def naive_handler() -> Any:
    global _NAIVE_HANDLER
    if _NAIVE_HANDLER is None:
        import django
        from django.conf import settings

        django.setup()
        settings.ROOT_URLCONF = __name__
        from django.core.handlers.wsgi import WSGIHandler

        _NAIVE_HANDLER = WSGIHandler()
        naive_model()
    return _NAIVE_HANDLER


def __getattr__(name: str) -> Any:
    if name == "urlpatterns":  # the naive server's URLconf (see naive_wsgi)
        from django.http import JsonResponse
        from django.urls import path
        from django.views.decorators.csrf import csrf_exempt

        return [
            path(NAIVE_PATH.lstrip("/"), csrf_exempt(naive_view)),
            path("api/v1/health", lambda request: JsonResponse({"status": "ok"})),
        ]
    raise AttributeError(name)


# --- the check -----------------------------------------------------------------------------------


def check_ledger(lesson_id: int, load: dict[str, Any]) -> dict[str, float]:
    """Over-credited learners, overlapping segments and progress rows that disagree with their
    segments (all must be 0), and credited ÷ watched wall time over all learners."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT person_id, sum(end_ms - start_ms) FROM learning_creditedsegment "
            "WHERE lesson_id = %s GROUP BY person_id",
            [lesson_id],
        )
        credited = {int(p): int(ms) for p, ms in cursor.fetchall()}
        cursor.execute(
            "SELECT count(*) FROM (SELECT start_ms, lag(end_ms) OVER (PARTITION BY person_id "
            "ORDER BY start_ms, end_ms) AS prev_end FROM learning_creditedsegment "
            "WHERE lesson_id = %s) s WHERE prev_end > start_ms",
            [lesson_id],
        )
        overlaps = int(cursor.fetchone()[0])
        cursor.execute(
            "SELECT count(*) FROM learning_lessonprogress p LEFT JOIN (SELECT person_id, "
            "sum(end_ms - start_ms) AS ms FROM learning_creditedsegment WHERE lesson_id = %s "
            "GROUP BY person_id) s ON s.person_id = p.person_id "
            "WHERE p.lesson_id = %s AND p.credited_ms <> coalesce(s.ms, 0)",
            [lesson_id, lesson_id],
        )
        mismatched = int(cursor.fetchone()[0])
    over = 0
    wall_total = 0
    for person_id, began in load["first"].items():
        wall_ms = int((load["last"].get(person_id, began) - began).total_seconds() * 1000)
        wall_total += wall_ms
        if credited.get(person_id, 0) > wall_ms:
            over += 1
    strangers = len(set(credited) - set(load["first"]))
    return {
        "over": float(over + strangers),
        "overlaps": float(overlaps),
        "mismatched": float(mismatched),
        "credited_ratio": 100.0 * sum(credited.values()) / wall_total if wall_total else 0.0,
        "learners_checked": float(len(load["first"])),
    }


FIGURES = [
    _common.Figure("rate", "service: sustained heartbeats/s", ",.0f", higher_is_better=True),
    _common.Figure("p50", "service: latency p50 (ms)"),
    _common.Figure("p95", "service: latency p95 (ms)"),
    _common.Figure("max", "service: latency max (ms)", ",.0f"),
    _common.Figure("queries", "service: queries per credited heartbeat", ",.0f"),
    _common.Figure("cpu", "service: CPU of the client processes (s per s)"),
    _common.Figure("errors", "service: errors", ",.0f"),
    _common.Figure("credited_ratio", "check: credited ÷ watched wall time (%)", ".1f"),
    _common.Figure("over", "check: learners credited more than wall time", ",.0f"),
    _common.Figure("overlaps", "check: overlapping (twice-credited) segments", ",.0f"),
    _common.Figure("mismatched", "check: progress ≠ sum of its segments", ",.0f"),
    _common.Figure("naive_rate", "naive (1 ORM row/heartbeat): heartbeats/s", ",.0f", True),
    _common.Figure("naive_p50", "naive: latency p50 (ms)"),
    _common.Figure("naive_p95", "naive: latency p95 (ms)"),
    _common.Figure("naive_max", "naive: latency max (ms)", ",.0f"),
    _common.Figure("naive_cpu", "naive: CPU of the client processes (s per s)"),
]


HTTP_FIGURES = [
    _common.Figure("token_rate", "stream token, lean endpoint: heartbeats/s", ",.0f", True),
    _common.Figure("token_p50", "stream token: latency p50 (ms)"),
    _common.Figure("token_p95", "stream token: latency p95 (ms)"),
    _common.Figure("token_max", "stream token: latency max (ms)", ",.0f"),
    _common.Figure("token_cpu", "stream token: CPU of the load generator (s per s)"),
    _common.Figure("token_server_cpu", "stream token: gunicorn CPU (s per s)"),
    _common.Figure("token_pg_cpu", "stream token: PostgreSQL backends' CPU (s per s)"),
    _common.Figure("token_errors", "stream token: errors", ",.0f"),
    _common.Figure("token_over", "stream token check: learners credited more than wall", ",.0f"),
    _common.Figure("token_overlaps", "stream token check: overlapping segments", ",.0f"),
    _common.Figure("token_mismatched", "stream token check: progress ≠ its segments", ",.0f"),
    _common.Figure("token_credited_ratio", "stream token check: credited ÷ watched (%)", ".1f"),
    _common.Figure("server_cpu", "service: gunicorn CPU (s per s)"),
    _common.Figure("pg_cpu", "service: PostgreSQL backends' CPU (s per s)"),
    _common.Figure("naive_server_cpu", "naive: gunicorn CPU (s per s)"),
    _common.Figure("naive_pg_cpu", "naive: PostgreSQL backends' CPU (s per s)"),
]


def figures(http: bool) -> list[_common.Figure]:
    if not http:
        return FIGURES
    out = []
    for figure in FIGURES:
        if figure.key in ("cpu", "naive_cpu"):
            label = figure.label.replace("the client processes", "the load generator")
            figure = _common.Figure(figure.key, label, figure.fmt, figure.higher_is_better)
        out.append(figure)
    return out + HTTP_FIGURES


def measure(args: argparse.Namespace, database_url: str) -> None:
    from django.db import connection

    lessons, people = setup(args)
    clients = args.processes * args.threads
    target = (
        f"gunicorn {args.workers} sync workers, API over HTTP"
        if args.http
        else "in-process service"
    )
    report = _common.Report(
        f"Learning heartbeats, {args.learners} learners, {clients} clients "
        f"({args.processes} processes × {args.threads} threads), {args.seconds:.0f} s per path "
        f"({connection.vendor}, {target})",
        figures(args.http),
        notes=[
            "Closed loop: each client sends its learners' heartbeats at real-time positions as "
            "fast as they are answered. Check after every run from the ledger: 0 over-credited "
            "learners, 0 overlapping segments, 0 progress rows disagreeing with their segments. "
            "Naive: one ORM row per heartbeat into a throwaway table, same load"
            + (
                " (HTTP: a second gunicorn, same settings, middleware and token check)."
                if args.http
                else "."
            )
        ],
    )
    servers: list[Server] = []
    tokens: dict[int, str] = {}

    def load(mode: str, streams: dict[int, int], lesson_id: int) -> dict[str, Any]:
        if not args.http:
            return drive(args, mode, streams, lesson_id)
        server = servers[0] if mode == "service" else servers[1]
        return drive_http(args, mode, server, streams, tokens, lesson_id)

    def token_figures(
        args: argparse.Namespace, lesson_id: int, people: list[int]
    ) -> dict[str, float]:
        """The stream-token endpoint on the same gunicorn, its own lesson, checked the same way."""
        streams = open_streams(people, lesson_id)
        stream_tokens = issue_stream_tokens(streams, lesson_id)
        load = drive_http(args, "token", servers[0], streams, stream_tokens, lesson_id)
        check = check_ledger(lesson_id, load)
        print(
            f"  stream token: outcomes {dict(load['outcomes'])}, errors {load['errors']}; "
            f"over-credited {int(check['over'])}, overlapping {int(check['overlaps'])}, "
            f"mismatches {int(check['mismatched'])}",
            flush=True,
        )
        t50, t95, tmax = percentiles(load["latencies"])
        wall = load["wall"]
        return {
            "token_rate": len(load["latencies"]) / wall,
            "token_p50": t50,
            "token_p95": t95,
            "token_max": tmax,
            "token_cpu": load["cpu"] / wall,
            "token_server_cpu": load["server_cpu"] / wall,
            "token_pg_cpu": load["pg_cpu"] / wall,
            "token_errors": float(load["errors"]),
            "token_over": check["over"],
            "token_overlaps": check["overlaps"],
            "token_mismatched": check["mismatched"],
            "token_credited_ratio": check["credited_ratio"],
        }

    def one(number: int) -> dict[str, float]:
        lesson_id = lessons[number - 1]
        streams = open_streams(people, lesson_id)
        service = load("service", streams, lesson_id)
        check = check_ledger(lesson_id, service)
        print(
            f"  check: {int(check['learners_checked'])} learners, outcomes "
            f"{dict(service['outcomes'])}, errors {service['errors']}; over-credited "
            f"{int(check['over'])}, overlapping segments {int(check['overlaps'])}, progress "
            f"mismatches {int(check['mismatched'])}; credited {check['credited_ratio']:.1f} % "
            "of watched wall time",
            flush=True,
        )
        queries = queries_per_heartbeat(service, streams, lesson_id)
        naive = load("naive", streams, lesson_id)
        s50, s95, smax = percentiles(service["latencies"])
        n50, n95, nmax = percentiles(naive["latencies"])
        values = {
            "rate": len(service["latencies"]) / service["wall"],
            "p50": s50,
            "p95": s95,
            "max": smax,
            "queries": float(queries),
            "cpu": service["cpu"] / service["wall"],
            "errors": float(service["errors"]),
            "credited_ratio": check["credited_ratio"],
            "over": check["over"],
            "overlaps": check["overlaps"],
            "mismatched": check["mismatched"],
            "naive_rate": len(naive["latencies"]) / naive["wall"],
            "naive_p50": n50,
            "naive_p95": n95,
            "naive_max": nmax,
            "naive_cpu": naive["cpu"] / naive["wall"],
        }
        if args.http:
            values.update(token_figures(args, lessons[args.runs + number - 1], people))
            values.update(
                server_cpu=service["server_cpu"] / service["wall"],
                pg_cpu=service["pg_cpu"] / service["wall"],
                naive_server_cpu=naive["server_cpu"] / naive["wall"],
                naive_pg_cpu=naive["pg_cpu"] / naive["wall"],
            )
        return values

    try:
        if args.http:
            tokens.update(issue_tokens(people))
            servers.append(Server("config.wsgi:application", database_url, args.workers))
            servers.append(
                Server("bench_learning_heartbeats:naive_wsgi", database_url, args.workers)
            )
        _common.run_repeated(report, args.runs, one)
    finally:
        for server in servers:
            server.stop()


def main(argv: list[str] | None = None) -> None:
    import secrets

    args = parse_args(argv)
    if args.http:
        # The production settings refuse to start without keys; the server and this process
        # (which writes the learners' encrypted fields) must share them.
        os.environ.setdefault("JINENG_SECRET_KEY", secrets.token_urlsafe(48))
        os.environ.setdefault("JINENG_FIELD_KEY", secrets.token_urlsafe(48))
    with _common.bench_database(args.database_url, reuse=False) as database:
        setup_django(database.url)
        from django.db import connections

        try:
            measure(args, database.url)
        finally:
            connections.close_all()


if __name__ == "__main__":
    main()
elif os.environ.get("JINENG_BENCH_NAIVE_SERVER") == "1":
    naive_handler()  # a gunicorn worker of the naive baseline, booting
