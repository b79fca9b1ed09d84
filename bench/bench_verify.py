"""Benchmark: public certificate verification through gunicorn and PostgreSQL (issue 9,
"Measured": ≥ 2,000 verifications/s, p99 < 50 ms).

    .venv/bin/python bench/bench_verify.py [--database-url postgres://postgres@127.0.0.1:5432/postgres]
        [--certificates 200] [--seconds 10] [--clients 8] [--runs 3]

Set-up (not timed): a PostgreSQL database of this run's own (bench/_common.py), migrated, the
reference data, an evaluation organisation and `--certificates` certificates issued through
`certificate_issue`. Then gunicorn with the project's config (`config/gunicorn.conf.py`, its
worker count `JINENG_WORKERS`, default 2) serving `POST /api/v1/certificates/verify` with the QR
token of a random certificate per request (the signature checked, the record read, the answer
compared with the scan) — once with the verification answer cached (the default, 30 s, deleted
on any status change) and once without (`JINENG_CERTIFICATES_VERIFY_CACHE_SECONDS=0`), the
baseline. The rate limit is lifted for the run (one address sends everything).

The load generator runs in the same run on the same machine: `--clients` processes, each
sending requests one after another for `--seconds` (a new connection per request: gunicorn's
sync workers close it). It reports its own CPU time (user + system of the client processes) and
the server's (gunicorn master and workers, from /proc), each as a share of one core, so the
figure can be read against what the machine had left.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

ROOT = _common.ROOT
sys.path.insert(1, str(ROOT))
URL = "/api/v1/certificates/verify"
TICKS = os.sysconf("SC_CLK_TCK")

FIGURES = [
    _common.Figure("rps", "cached: verifications/s", ".0f", higher_is_better=True),
    _common.Figure("p50", "cached: p50 (ms)"),
    _common.Figure("p99", "cached: p99 (ms)"),
    _common.Figure("server_cpu", "cached: server CPU (% of one core)", ".0f"),
    _common.Figure("client_cpu", "cached: load generator CPU (% of one core)", ".0f"),
    _common.Figure(
        "base_rps", "uncached (baseline): verifications/s", ".0f", higher_is_better=True
    ),
    _common.Figure("base_p50", "uncached: p50 (ms)"),
    _common.Figure("base_p99", "uncached: p99 (ms)"),
    _common.Figure("base_server_cpu", "uncached: server CPU (% of one core)", ".0f"),
    _common.Figure(
        "full_rps", "cached, full stack (before): verifications/s", ".0f", higher_is_better=True
    ),
    _common.Figure("full_p50", "cached, full stack: p50 (ms)"),
    _common.Figure("full_p99", "cached, full stack: p99 (ms)"),
    _common.Figure("full_server_cpu", "cached, full stack: server CPU (% of one core)", ".0f"),
    _common.Figure("errors", "non-200 answers (all)", ".0f"),
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    _common.add_database_arguments(parser)
    _common.add_runs_argument(parser, default=3)
    parser.add_argument("--certificates", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0, help="per measurement")
    parser.add_argument("--clients", type=int, default=8, help="load generator processes")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("JINENG_WORKERS", "2")))
    return parser.parse_args(argv)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.base")
    os.environ.setdefault("JINENG_DEBUG", "0")
    import django

    django.setup()


def prepare(count: int) -> list[str]:
    """Migrate, load the reference data, issue `count` certificates; their QR tokens."""
    import datetime as dt

    from django.core.management import call_command

    from jineng.certificates.models import Certificate
    from jineng.certificates.services import ScopeEntry, certificate_issue, issuer_register
    from jineng.identity.testing import make_organisation, make_person
    from jineng.organisations.models import OrgKind

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    if not Certificate.objects.exists():
        org = make_organisation(kind=OrgKind.EVALUATION_ORG, name="压测评价中心", region="441900")
        issuer_register(
            actor=None, organisation=org, agency_code="9001", site_code="190009",
            scope=[ScopeEntry("6-18-01-01", "4")],
        )  # fmt: skip
        for _ in range(count):
            certificate_issue(
                actor=None, person=make_person(residence_region="441900"),
                occupation="6-18-01-01", level="4", issuer=org, issued_on=dt.date(2024, 5, 1),
            )  # fmt: skip
    return list(Certificate.objects.values_list("token", flat=True))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    url: str, port: int, workers: int, cache_seconds: int, *, lean: bool = True
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "JINENG_BIND": f"127.0.0.1:{port}",
        "JINENG_WORKERS": str(workers),
        "JINENG_CERTIFICATES_VERIFY_RATE": "100000000/m",
        "JINENG_CERTIFICATES_VERIFY_CACHE_SECONDS": str(cache_seconds),
        "DJANGO_SETTINGS_MODULE": "config.django.base",
        "JINENG_LEAN_ROUTES": "1" if lean else "0",
    }
    env.pop("REDIS_URL", None)  # the per-process memory cache: nothing shared outside this run
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    log = (ROOT / "var" / "bench" / "bench_verify.gunicorn.log").open("ab")
    server = subprocess.Popen(
        # a worker booting Django on a loaded machine can take more than the default 30 s
        [gunicorn, "-c", "config/gunicorn.conf.py", "--timeout", "180", "config.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    deadline = time.monotonic() + 300  # a loaded machine boots Django slowly
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/certificates/jwks")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.kill()
    raise SystemExit("gunicorn did not start (var/bench/bench_verify.gunicorn.log)")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def server_ticks(master: int) -> int:
    """utime + stime of gunicorn's master and its workers, in clock ticks."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == master or ppid == master:
            total += int(fields[11]) + int(fields[12])
    return total


def client(
    args: tuple[int, list[str], float, int],
) -> tuple[list[float], int, float, float, float]:
    port, tokens, seconds, seed = args
    rng = random.Random(seed)
    began = time.time()
    latencies: list[float] = []
    errors = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        body = json.dumps({"token": rng.choice(tokens)})
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("POST", URL, body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        conn.close()
        latencies.append((time.perf_counter() - started) * 1000)
        errors += response.status != 200
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return latencies, errors, usage.ru_utime + usage.ru_stime, began, time.time()


def load(port: int, tokens: list[str], args: argparse.Namespace, master: int) -> dict[str, float]:
    ticks = server_ticks(master)
    started = time.perf_counter()
    # spawn, not fork: a forked copy of this Django process (its threads, its connections) can
    # hang at start.
    with multiprocessing.get_context("spawn").Pool(args.clients) as pool:
        results = pool.map(client, [(port, tokens, args.seconds, n) for n in range(args.clients)])
    server_cpu = (server_ticks(master) - ticks) / (TICKS * (time.perf_counter() - started))
    # the clients' own span: the pool's start-up is not load
    wall = max(r[4] for r in results) - min(r[3] for r in results)
    latencies = sorted(x for r in results for x in r[0])
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "rps": len(latencies) / wall,
        "p50": statistics.median(latencies),
        "p99": cuts[98],
        "server_cpu": 100 * server_cpu,
        "client_cpu": 100 * sum(r[2] for r in results) / wall,
        "errors": float(sum(r[1] for r in results)),
    }


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with _common.bench_database(args.database_url, reuse=args.reuse) as database:
        setup_django(database.url)
        from django.db import connections

        tokens = prepare(args.certificates)
        connections.close_all()
        report = _common.Report(
            f"Public verification through gunicorn ({args.workers} sync workers) + PostgreSQL, "
            f"{len(tokens):,} certificates, {args.clients} client processes × {args.seconds:g} s",
            FIGURES,
            notes=[
                "POST /api/v1/certificates/verify with a random certificate's QR token per "
                "request, a new connection each; the load generator on the same 2 cores (its CPU "
                "shown). Cached: the lean route (jineng/api/lean.py: no session, CSRF or auth "
                "layers) with the rendered answer cached per request under the number's "
                "generation, in the per-process memory cache (30 s, dropped on a status change); "
                "cached, full stack: the same cache through every middleware and the API "
                "(JINENG_LEAN_ROUTES=0, the path before); uncached: the full stack with "
                "JINENG_CERTIFICATES_VERIFY_CACHE_SECONDS=0."
            ],
        )

        def one(number: int) -> dict[str, float]:
            out: dict[str, float] = {}
            for prefix, seconds, lean in (
                ("", 30, True),
                ("full_", 30, False),
                ("base_", 0, False),
            ):
                port = free_port()
                server = start_server(database.url, port, args.workers, seconds, lean=lean)
                try:
                    load(
                        port,
                        tokens[:20],
                        argparse.Namespace(**{**vars(args), "seconds": 1}),
                        server.pid,
                    )  # warm-up
                    figures = load(port, tokens, args, server.pid)
                finally:
                    stop_server(server)
                out["errors"] = out.get("errors", 0.0) + figures.pop("errors")
                for key, value in figures.items():
                    if prefix == "" or f"{prefix}{key}" in {f.key for f in FIGURES}:
                        out[f"{prefix}{key}"] = value
            return out

        _common.run_repeated(report, args.runs, one)


if __name__ == "__main__":
    main()
