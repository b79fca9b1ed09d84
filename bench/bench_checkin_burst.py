"""Benchmark: a check-in burst (issue 8, "Measured": 1,000 trainees of one session scanning within
60 s, face check included; aim p95 < 300 ms, 0 lost).

    .venv/bin/python bench/bench_checkin_burst.py \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres \\
        [--trainees 1000] [--window 60] [--threads 16] [--provider fake|local] [--http] [--runs 3]

Setup (not timed): migrate, load_reference, one training institution, one published course, one
class with one session now at a venue with a point, `--trainees` people enrolled through
`class_enrol`, each with an approved face enrolment (the enrolment photo's encoding is computed
once and its rows written directly: with the local provider, encoding 1,000 photos would take
minutes of setup and is not what is measured).

Load: every trainee's check-in is scheduled at a uniformly random moment of the `--window`
seconds (open loop, like a class arriving), executed by `--threads` client threads. Each
check-in takes the QR's current token (`checkin_token`, what the teacher's screen shows at that
moment), a live capture (fake provider: the trainee's fake face; local provider: the astronaut
portrait from scikit-image, the same face as enrolled) and a position 40 m from the venue:

- default: the service in-process, `attendance_check_in` (what the page and the API call), one
  database connection per thread;
- `--http`: a gunicorn (config/gunicorn.conf.py, `--gunicorn-workers`, default 2) serving the
  site on 127.0.0.1, each trainee logged in (a database session made in setup) and POSTing the
  扫码签到 page with its CSRF cookie; the load generator's own CPU is reported separately.

Latency is per call (p50/p95/max), and also from the scheduled moment (queueing included).
Lost check-ins = trainees whose check-in is not in the database after the run (must be 0); the
refusals are counted by reason. Between runs the session's attendance, token uses and refusals
are deleted (bench housekeeping), so every run checks everybody in afresh.
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import resource
import secrets
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

sys.path.insert(0, str(_common.ROOT))

REGION = "441900003"
VENUE = (22.9236, 113.8806)
NEAR = (22.92396, 113.8806)  # ~40 m north
PROVIDERS = {
    "fake": "jineng.faces.testing.FakeFaceProvider",
    "local": "jineng.faces.providers.LocalFaceProvider",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    _common.add_database_arguments(parser, reuse=False)
    _common.add_runs_argument(parser, default=3)
    parser.add_argument("--trainees", type=int, default=1000, help="trainees (1000)")
    parser.add_argument("--window", type=float, default=60.0, help="arrival window, s (60)")
    parser.add_argument("--threads", type=int, default=16, help="client threads (16)")
    parser.add_argument("--provider", choices=sorted(PROVIDERS), default="fake")
    parser.add_argument("--http", action="store_true", help="through gunicorn, not in-process")
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    return parser.parse_args(argv)


def setup_django(url: str, provider: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["JINENG_FACES_PROVIDER"] = PROVIDERS[provider]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.base")
    os.environ.setdefault("JINENG_DEBUG", "0")
    import django

    django.setup()


def percentiles(values_ms: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(sorted(values_ms), n=100, method="inclusive")
    return statistics.median(values_ms), cuts[94], max(values_ms)


def capture_for(provider: str, person_id: int) -> bytes:
    if provider == "local":
        from jineng.faces.testing import astronaut_jpeg

        return astronaut_jpeg()
    from jineng.faces.testing import fake_face_image

    return fake_face_image(f"学员{person_id}")


def setup(args: argparse.Namespace) -> tuple[int, list[int]]:
    """The session and the trainees' person ids."""
    import datetime as dt

    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from jineng.faces.crypto import digest
    from jineng.faces.models import EnrolmentSource, EnrolmentStatus, FaceEnrolment
    from jineng.faces.providers import face_provider
    from jineng.identity.testing import make_person
    from jineng.learning.models import CourseStatus
    from jineng.learning.services import chapter_add, course_create, course_transition, lesson_add
    from jineng.learning.services.classes import class_create, class_enrol, session_add
    from jineng.organisations.models import OrgKind
    from jineng.organisations.services import organisation_create

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    provider = organisation_create(
        actor=None, kind=OrgKind.TRAINING_INSTITUTION, name="东莞市签到测试培训学校", region=REGION
    )
    course = course_create(
        actor=None, provider=provider, title="数控车工（初级）实训", occupation="6-18-01-01",
        level="5", planned_hours=8, mode="classroom", funding="free",
    )  # fmt: skip
    chapter = chapter_add(actor=None, course=course, title="第1章")
    lesson_add(actor=None, chapter=chapter, title="1. 安全", kind="document", duration_seconds=60)
    course_transition(actor=None, course=course, to=CourseStatus.SUBMITTED)
    course = course_transition(actor=None, course=course, to=CourseStatus.PUBLISHED)
    settings.CLASSES_MAX_CAPACITY = max(args.trainees, settings.CLASSES_MAX_CAPACITY)
    klass = class_create(
        actor=None, course=course, name="千人签到班", subsidised=False, capacity=args.trainees
    )
    now = timezone.now()
    session = session_add(
        actor=None, klass=klass, starts_at=now - dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(hours=4), venue="实训中心", lat=VENUE[0], lng=VENUE[1],
    )  # fmt: skip
    people = [make_person(residence_region=REGION[:6]) for _ in range(args.trainees)]
    for person in people:
        class_enrol(actor=None, klass=klass, person=person)
    face = face_provider()
    retain = now + dt.timedelta(days=180)
    shared = face.encode(capture_for("local", 0)) if args.provider == "local" else None
    rows = []
    for person in people:
        image = capture_for(args.provider, person.pk)
        encoding = shared or face.encode(image)
        rows.append(
            FaceEnrolment(
                person=person,
                image=image,
                image_digest=digest(image),
                image_size=len(image),
                encoding=encoding.to_bytes(),
                model=encoding.model,
                status=EnrolmentStatus.APPROVED,
                source=EnrolmentSource.IMPORTED,
                reviewed_at=now,
                retain_until=retain,
            )  # fmt: skip
        )
    FaceEnrolment.objects.bulk_create(rows, batch_size=200)
    print(
        f"set up {args.trainees} trainees ({args.provider} provider) in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return session.pk, [p.pk for p in people]


def reset(session_id: int) -> None:
    from jineng.learning.models import Attendance, CheckInRefusal, TokenUse

    Attendance.objects.filter(session_id=session_id).delete()
    TokenUse.objects.filter(session_id=session_id).delete()
    CheckInRefusal.objects.filter(session_id=session_id).delete()


# --- HTTP: logged-in trainees against gunicorn ------------------------------------------------


def http_sessions(people: list[int]) -> dict[int, str]:
    """A database session per trainee's account (made here, as a log-in would)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from jineng.identity.models import Person, Role, User
    from jineng.identity.services import role_grant

    keys = {}
    for person in Person.objects.filter(pk__in=people):
        user = User(username=f"bench-{person.pk}", person=person)
        user.set_unusable_password()
        user.save()
        role_grant(actor=None, user=user, role=Role.WORKER)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        assert store.session_key is not None
        keys[person.pk] = store.session_key
    return keys


def start_gunicorn(args: argparse.Namespace, url: str) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        DATABASE_URL=url,
        JINENG_FACES_PROVIDER=PROVIDERS[args.provider],
        JINENG_BIND=f"127.0.0.1:{args.port}",
        JINENG_WORKERS=str(args.gunicorn_workers),
        JINENG_DEBUG="0",
    )
    proc = subprocess.Popen(
        [str(_common.ROOT / ".venv/bin/gunicorn"), "-c", "config/gunicorn.conf.py", "config.wsgi"],
        cwd=_common.ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{args.port}/", timeout=2)  # noqa: S310
            return proc
        except urllib.error.HTTPError:
            return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("gunicorn did not start")


def _cpu_of(pid: int) -> float:
    """User + system CPU seconds of a process and its children (gunicorn's workers)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    for p in [str(pid), *children]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


# --- the load ------------------------------------------------------------------------------------


def one_checkin(
    args: argparse.Namespace, session: Any, person: Any, cookie: str | None, csrf: str
) -> str:
    from jineng.learning.errors import CheckInRefused
    from jineng.learning.services.attendance import Device, attendance_check_in, checkin_token

    image = capture_for(args.provider, person.pk)
    token = checkin_token(session)
    if not args.http:
        try:
            attendance_check_in(
                actor=None, person=person, token=token, image=image, lat=NEAR[0], lng=NEAR[1],
                device=Device(user_agent="bench", ip="127.0.0.1"),
            )  # fmt: skip
        except CheckInRefused as exc:
            return exc.field
        return "ok"
    body = urllib.parse.urlencode(
        {"image": base64.b64encode(image).decode(), "lat": NEAR[0], "lng": NEAR[1]}
    ).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{args.port}/learning/classes/checkin/{token}/",
        data=body,
        headers={
            "Cookie": f"sessionid={cookie}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": "bench-checkin",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
            return "ok" if answer.status == 200 else f"http {answer.status}"
    except urllib.error.HTTPError as exc:
        return f"http {exc.code}"


def drive(
    args: argparse.Namespace, session_id: int, people: list[int], cookies: dict[int, str]
) -> dict[str, Any]:
    from django.db import connections

    from jineng.identity.models import Person
    from jineng.learning.models import ClassSession

    session = ClassSession.objects.get(pk=session_id)
    persons = {p.pk: p for p in Person.objects.filter(pk__in=people)}
    rng = random.Random(session_id)
    start = time.time() + 1.0
    plan = sorted((start + rng.uniform(0, args.window), pid) for pid in people)
    lock = threading.Lock()
    latencies: list[float] = []
    since_due: list[float] = []
    outcomes: Counter[str] = Counter()
    csrf = secrets.token_hex(16)

    def worker(part: list[tuple[float, int]]) -> None:
        try:
            for due, pid in part:
                time.sleep(max(0.0, due - time.time()))
                began = time.perf_counter()
                try:
                    outcome = one_checkin(args, session, persons[pid], cookies.get(pid), csrf)
                except Exception as exc:  # noqa: BLE001 - counted; the burst goes on
                    outcome = f"error {type(exc).__name__}"
                took = (time.perf_counter() - began) * 1000
                with lock:
                    latencies.append(took)
                    since_due.append((time.time() - due) * 1000)
                    outcomes[outcome] += 1
        finally:
            connections.close_all()

    usage = resource.getrusage(resource.RUSAGE_SELF)
    threads = [
        threading.Thread(target=worker, args=(plan[i :: args.threads],))
        for i in range(args.threads)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    return {
        "latencies": latencies,
        "since_due": since_due,
        "outcomes": outcomes,
        "wall": time.time() - start,
        "cpu": cpu,
    }


FIGURES = [
    _common.Figure("p50", "check-in latency p50 (ms)"),
    _common.Figure("p95", "check-in latency p95 (ms)"),
    _common.Figure("max", "check-in latency max (ms)", ",.0f"),
    _common.Figure("due_p95", "from the scheduled moment, p95 (ms)"),
    _common.Figure("ok", "checked in", ",.0f", higher_is_better=True),
    _common.Figure("lost", "lost check-ins (in the load, not in the database)", ",.0f"),
    _common.Figure("refused", "refused or failed calls", ",.0f"),
    _common.Figure("wall", "burst wall time (s)", ".1f"),
    _common.Figure("cpu", "CPU of the load generator (s)", ".1f"),
    _common.Figure("server_cpu", "CPU of gunicorn (s)", ".1f"),
]


def measure(args: argparse.Namespace, url: str) -> None:
    from django.db import connection

    from jineng.learning.models import Attendance

    session_id, people = setup(args)
    cookies: dict[int, str] = {}
    server = None
    if args.http:
        cookies = http_sessions(people)
        server = start_gunicorn(args, url)
    where = (
        f"HTTP against gunicorn ({args.gunicorn_workers} workers)"
        if args.http
        else "in-process service"
    )
    report = _common.Report(
        f"Check-in burst, {args.trainees} trainees in {args.window:.0f} s, {args.threads} client "
        f"threads, {args.provider} face provider ({connection.vendor}, {where})",
        FIGURES,
        notes=[
            "Open loop: each trainee's check-in at a uniformly random moment of the window; each "
            "takes the QR's current token, a live capture and a position 40 m from the venue, "
            "and runs the whole check (token, roster, time, replay, place, face, the insert). "
            "Lost = trainees with no check-in in the database after the run."
        ],
    )

    def one(number: int) -> dict[str, float]:
        reset(session_id)
        server_cpu = _cpu_of(server.pid) if server is not None else 0.0
        load = drive(args, session_id, people, cookies)
        if server is not None:
            server_cpu = _cpu_of(server.pid) - server_cpu
        stored = set(
            Attendance.objects.filter(session_id=session_id, kind="in").values_list(
                "enrolment__person_id", flat=True
            )
        )
        ok = load["outcomes"].get("ok", 0)
        print(f"  outcomes {dict(load['outcomes'])}; stored {len(stored)}", flush=True)
        p50, p95, pmax = percentiles(load["latencies"])
        _d50, d95, _dmax = percentiles(load["since_due"])
        return {
            "p50": p50,
            "p95": p95,
            "max": pmax,
            "due_p95": d95,
            "ok": float(ok),
            "lost": float(len(people) - len(stored)),
            "refused": float(sum(load["outcomes"].values()) - ok),
            "wall": load["wall"],
            "cpu": load["cpu"],
            "server_cpu": server_cpu,
        }

    try:
        _common.run_repeated(report, args.runs, one)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with _common.bench_database(args.database_url, reuse=False) as database:
        setup_django(database.url, args.provider)
        from django.db import connections

        try:
            measure(args, database.url)
        finally:
            connections.close_all()


if __name__ == "__main__":
    main()
