"""Benchmark: a synchronized exam start through gunicorn + PostgreSQL (issue 9, "Measured": N
candidates start within the same minute, then each saves an answer every 30 s and submits; aim
5,000 candidates, p95 < 300 ms for start and save, 0 lost answers).

    .venv/bin/python bench/bench_exam_start.py \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres \\
        [--candidates 1000] [--saves 4] [--clients 32] [--workers 2] [--threads 8] [--runs 3]

Setup per run (not timed): migrate and load_reference once; per run a fresh session (an
attempt is once per registration) at one organisation with a seeded bank and blueprint
(`jineng.assessment.seed`: 2 single-choice, 1 true/false, 1 short answer), `--candidates`
people (`people_bulk_create`), an account and a bearer token each (`api_token_issue`; the
accounts are rows without passwords), their registrations (bulk), their papers drawn in advance
(`exam_papers_prepare`, as an organisation does before the day) and their admission (the
identity check at the door, bulk rows `admitted`); the session is then moved to have started a
second ago.

Load, through HTTP against `gunicorn -c config/gunicorn.conf.py config.wsgi` (gthread,
`--workers` × `--threads`, access log off) started by the benchmark on a free port, from
`--clients` threads of this process, each with a keep-alive connection:

1. start — every candidate POSTs /api/v1/assessment/registrations/{id}/attempt (the answer is
   the attempt with its items) as fast as the server answers, so all N start within the same
   minute when the server keeps up (the wall time of the phase is reported);
2. saves — `--saves` rounds; in each, every candidate POSTs one answer
   (…/attempt/answers/{entry}, seq = round) to the next item of its paper. Time is compressed:
   a round follows the previous one at once instead of 30 s later. The schedule the issue asks
   for is N/30 saves per second (167/s for 5,000); the achieved rate is reported beside it;
3. submit — every candidate POSTs …/attempt/submit (objective items scored, short answer queued
   for marking).

Figures: p50/p95/max latency of start and of save, submit p95, phase rates, errors (non-200
answers), and lost answers: after the run, every answer the generator had acknowledged as
applied (its last per candidate and item) compared with the stored `Answer` rows and with the
response stored on the submitted paper — any missing or different one is lost (must be 0).
CPU: the load generator's own (this process, user + system) and the server's (gunicorn and its
workers, from their /proc stat), per run. PostgreSQL runs on the same machine, its CPU not
counted. Only a database this run created is dropped. Ends with the pasteable block.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import queue
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

sys.path.insert(0, str(_common.ROOT))

REGION = "441900"
FIGURES = [
    _common.Figure("start_p50", "start p50 (ms)"),
    _common.Figure("start_p95", "start p95 (ms)"),
    _common.Figure("start_max", "start max (ms)"),
    _common.Figure("start_wall", "all starts, wall time (s)"),
    _common.Figure("save_p50", "save p50 (ms)"),
    _common.Figure("save_p95", "save p95 (ms)"),
    _common.Figure("save_max", "save max (ms)"),
    _common.Figure("save_rate", "saves/s achieved", ".0f", higher_is_better=True),
    _common.Figure("save_needed", "saves/s the 30-s schedule needs", ".0f"),
    _common.Figure("submit_p95", "submit p95 (ms)"),
    _common.Figure("errors", "non-200 answers", ".0f"),
    _common.Figure("lost", "lost answers (sent vs stored)", ".0f"),
    _common.Figure("gen_cpu", "load generator CPU (s)", ".1f"),
    _common.Figure("server_cpu", "gunicorn CPU (s)", ".1f"),
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    _common.add_database_arguments(parser, reuse=False)
    _common.add_runs_argument(parser, default=3)
    parser.add_argument("--candidates", type=int, default=1000, help="candidates per run (1000)")
    parser.add_argument("--saves", type=int, default=4, help="answers saved per candidate (4)")
    parser.add_argument("--clients", type=int, default=32, help="load generator threads (32)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker (8)")
    return parser.parse_args(argv)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.base")
    os.environ.setdefault("JINENG_DEBUG", "0")
    import django

    django.setup()


def _resident_id(n: int, run: int) -> str:
    from jineng.identity.validators import resident_id_check_char

    birth = dt.date(1970, 1, 1) + dt.timedelta(days=(n // 900) + run * 40)
    first17 = f"{REGION}{birth:%Y%m%d}{100 + n % 900:03d}"
    return first17 + resident_id_check_char(first17)


def prepare(run: int, candidates: int) -> tuple[int, list[tuple[int, str]]]:
    """A started session with `candidates` admitted candidates: (session id, [(registration id,
    token)])."""
    from django.utils import timezone

    from jineng.api.services import api_token_issue
    from jineng.assessment.models import Attempt, ExamSession, IdentityMethod, Registration
    from jineng.assessment.seed import seed_exam
    from jineng.assessment.services import exam_papers_prepare
    from jineng.identity.models import User
    from jineng.identity.services import NewPerson, people_bulk_create
    from jineng.organisations.models import Organisation, OrgKind
    from jineng.organisations.services import organisation_create
    from jineng.reference.models import Occupation

    organisation = Organisation.objects.filter(name="东莞市技能人才评价中心").first()
    if organisation is None:
        organisation = organisation_create(
            actor=None, kind=OrgKind.EVALUATION_ORG, name="东莞市技能人才评价中心", region=REGION
        )
    people = people_bulk_create(
        actor=None,
        rows=[
            NewPerson(name=f"考生{run}-{n}", id_number=_resident_id(n, run),
                      residence_region=REGION)
            for n in range(candidates)
        ],
    )  # fmt: skip
    occupation = Occupation.objects.order_by("code")[run]
    seeded = seed_exam(
        organisation=organisation,
        occupation=occupation,
        candidates=[],
        starts_at=timezone.now() + dt.timedelta(hours=1),
        minutes=60,
        venue=f"基准测试考场{run}",
        open_session=False,
    )
    session = seeded.session
    ExamSession.objects.filter(pk=session.pk).update(capacity=candidates + 10)
    Registration.objects.bulk_create(Registration(session=session, person=p) for p in people)
    exam_papers_prepare(actor=None, session=session)
    regs = {r.person_id: r.pk for r in Registration.objects.filter(session=session)}
    now = timezone.now()
    Attempt.objects.bulk_create(
        Attempt(registration_id=pk, identity_method=IdentityMethod.INVIGILATOR, admitted_at=now)
        for pk in regs.values()
    )
    users = User.objects.bulk_create(
        User(username=f"bench-{run}-{p.pk}", person=p, password="!") for p in people
    )
    tokens = [
        (regs[int(u.person_id or 0)], api_token_issue(user=u, label="基准测试")[1]) for u in users
    ]
    # the session opened and started a second ago
    ExamSession.objects.filter(pk=session.pk).update(
        status="open", starts_at=timezone.now() - dt.timedelta(seconds=1)
    )
    return session.pk, tokens


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "JINENG_DEBUG": "0"}
    # a file, not a pipe (a full pipe would stall the workers); it lives as long as the server
    log = tempfile.TemporaryFile()  # noqa: SIM115
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c", "config/gunicorn.conf.py", "config.wsgi",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            "--threads", str(threads), "--worker-class", "gthread",
            "--access-logfile", "/dev/null", "--log-level", "warning", "--timeout", "120",
        ],
        cwd=_common.ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    deadline = time.monotonic() + 300  # a loaded machine starts Django slowly
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    log.seek(0)
    err = log.read()[-2000:]
    raise SystemExit(f"gunicorn did not answer /api/v1/health within 300 s: {err!r}")


def process_cpu(pid: int) -> float:
    """User + system seconds of `pid` and its live children (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            continue
    return total


class Phase:
    """Run `job(candidate index, connection)` for every candidate over `clients` threads."""

    def __init__(self, port: int, clients: int) -> None:
        self.port = port
        self.clients = clients

    def run(
        self, count: int, job: Callable[[int, http.client.HTTPConnection], float | None]
    ) -> tuple[list[float], int, float]:
        work: queue.SimpleQueue[int] = queue.SimpleQueue()
        for n in range(count):
            work.put(n)
        times: list[float] = []
        errors = [0]
        lock = threading.Lock()

        def worker() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            mine: list[float] = []
            failed = 0
            while True:
                try:
                    n = work.get_nowait()
                except queue.Empty:
                    break
                try:
                    took = job(n, conn)
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                    took = None
                if took is None:
                    failed += 1
                else:
                    mine.append(took)
            conn.close()
            with lock:
                times.extend(mine)
                errors[0] += failed

        started = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(self.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return times, errors[0], time.perf_counter() - started


def call(
    conn: http.client.HTTPConnection, path: str, token: str, body: Any
) -> tuple[float, int, Any]:
    data = json.dumps(body).encode()
    started = time.perf_counter()
    conn.request(
        "POST",
        path,
        body=data,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    response = conn.getresponse()
    raw = response.read()
    took = (time.perf_counter() - started) * 1000
    try:
        data = json.loads(raw) if raw else None
    except ValueError:  # an error page (e.g. 502 from a worker restarting): counted as an error
        return took, 599, None
    return took, response.status, data


def _p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _response(item: dict[str, Any], round_: int) -> Any:
    kind = item["kind"]
    if kind == "single":
        return round_ % len(item["options"])
    if kind == "multiple":
        return [round_ % len(item["options"])]
    if kind == "true_false":
        return round_ % 2 == 0
    if kind == "fill_in":
        return [f"答{round_}"] * item["blanks"]
    return f"第{round_}次作答：检查防护罩、润滑和卡盘扳手。"


def one_run(args: argparse.Namespace, url: str, number: int) -> dict[str, float]:
    from django.db import connections

    from jineng.assessment.models import Answer, Attempt, AttemptStatus

    _session, tokens = prepare(number, args.candidates)
    connections.close_all()
    port = free_port()
    server = start_server(url, port, args.workers, args.threads)
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    server_before = process_cpu(server.pid)
    try:
        phase = Phase(port, args.clients)
        papers: dict[int, list[dict[str, Any]]] = {}
        base = "/api/v1/assessment/registrations"

        def start(n: int, conn: http.client.HTTPConnection) -> float | None:
            reg, token = tokens[n]
            took, status, body = call(conn, f"{base}/{reg}/attempt", token, {})
            if status != 200 or body.get("status") != "started":
                return None
            papers[n] = body["items"]
            return took

        start_times, start_errors, start_wall = phase.run(len(tokens), start)
        sent: dict[tuple[int, int], tuple[int, Any]] = {}
        save_times: list[float] = []
        save_errors = 0
        save_wall = 0.0
        for round_ in range(1, args.saves + 1):

            def save(
                n: int, conn: http.client.HTTPConnection, round_: int = round_
            ) -> float | None:
                items = papers.get(n)
                if not items:
                    return None
                reg, token = tokens[n]
                item = items[(round_ - 1) % len(items)]
                response = _response(item, round_)
                took, status, body = call(
                    conn,
                    f"{base}/{reg}/attempt/answers/{item['entry_id']}",
                    token,
                    {"response": response, "seq": round_},
                )
                if status != 200:
                    return None
                if body["applied"]:
                    sent[(reg, item["entry_id"])] = (round_, response)
                return took

            times, errors, wall = phase.run(len(tokens), save)
            save_times += times
            save_errors += errors
            save_wall += wall

        def submit(n: int, conn: http.client.HTTPConnection) -> float | None:
            reg, token = tokens[n]
            took, status, body = call(conn, f"{base}/{reg}/attempt/submit", token, {})
            return took if status == 200 and body.get("status") == "submitted" else None

        submit_times, submit_errors, _ = phase.run(len(tokens), submit)
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        server_cpu = process_cpu(server.pid) - server_before
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    regs = [reg for reg, _ in tokens]
    stored = {
        (reg, entry): (seq, response)
        for reg, entry, seq, response in Answer.objects.filter(
            attempt__registration_id__in=regs
        ).values_list("attempt__registration_id", "entry_id", "seq", "response")
    }
    on_paper: dict[tuple[int, int], Any] = {}
    for attempt in Attempt.objects.filter(
        registration_id__in=regs, status=AttemptStatus.SUBMITTED
    ).select_related("paper"):
        assert attempt.paper is not None
        for entry, response in attempt.paper.entries.values_list("pk", "response"):
            on_paper[(attempt.registration_id, entry)] = response
    lost = sum(
        1
        for key, value in sent.items()
        if stored.get(key) != value or on_paper.get(key) != value[1]
    )
    gen_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (
        cpu_after.ru_stime - cpu_before.ru_stime
    )
    print(
        f"  sent {len(sent)} answers, stored {len(stored)}; start wall {start_wall:.1f} s, "
        f"saves {len(save_times)} in {save_wall:.1f} s, submits {len(submit_times)}",
        flush=True,
    )
    return {
        "start_p50": statistics.median(start_times) if start_times else float("nan"),
        "start_p95": _p(start_times, 0.95),
        "start_max": max(start_times, default=float("nan")),
        "start_wall": start_wall,
        "save_p50": statistics.median(save_times) if save_times else float("nan"),
        "save_p95": _p(save_times, 0.95),
        "save_max": max(save_times, default=float("nan")),
        "save_rate": len(save_times) / save_wall if save_wall else 0.0,
        "save_needed": args.candidates / 30,
        "submit_p95": _p(submit_times, 0.95),
        "errors": float(start_errors + save_errors + submit_errors),
        "lost": float(lost),
        "gen_cpu": gen_cpu,
        "server_cpu": server_cpu,
    }


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with _common.bench_database(args.database_url, reuse=False) as database:
        setup_django(database.url)
        from django.core.management import call_command
        from django.db import connections

        try:
            call_command("migrate", verbosity=0)
            call_command("load_reference", verbosity=0)
            report = _common.Report(
                f"Synchronized exam start, {args.candidates} candidates, {args.saves} saves each, "
                f"{args.clients} client threads → gunicorn {args.workers} workers × "
                f"{args.threads} threads (gthread) + PostgreSQL, all on this machine",
                FIGURES,
                notes=[
                    "Saves compressed: each round follows the previous at once instead of 30 s "
                    "later; `saves/s the 30-s schedule needs` is N/30 for comparison.",
                ],
            )
            _common.run_repeated(report, args.runs, lambda n: one_run(args, database.url, n))
        finally:
            connections.close_all()


if __name__ == "__main__":
    main()
