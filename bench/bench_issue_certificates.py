"""Benchmark: issuing certificates with their PDFs and credentials (issue 9, "Measured": 10,000
certificates, wall time and memory).

    .venv/bin/python bench/bench_issue_certificates.py [--database-url postgres://…/postgres]
        [--count 10000] [--baseline-pdfs 20] [--runs 1]

Set-up (not timed): a PostgreSQL database of this run's own, migrated, the reference data, an
evaluation organisation licensed for 车工, `--count` people. Then per run, timed: the batch issue
(`certificates_issue_batch`, in chunks of 500 as the background job does: number under the
locked counter, signature, dossier fact, audit), then a PDF (`certificate_pdf`) and a W3C
credential (`credential_jwt`) for each, as a download would make them. Peak memory is the
process's maximum resident set (ru_maxrss) after the run, and the growth over the run.

Baseline in the same run: `--baseline-pdfs` PDFs with the full CJK font (the reduction off,
`CERTIFICATES_PDF_FONT_REDUCE=False`), the per-PDF time before the font change.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

ROOT = _common.ROOT
sys.path.insert(1, str(ROOT))
CHUNK = 500

FIGURES = [
    _common.Figure("issue_s", "issue (numbers, signatures, facts, audit), wall (s)"),
    _common.Figure("issue_per_s", "issue, certificates/s", ".0f", higher_is_better=True),
    _common.Figure("pdf_s", "PDFs, wall (s)"),
    _common.Figure("pdf_ms", "PDF, per certificate (ms)", ".0f"),
    _common.Figure("vc_s", "credentials (vc+jwt), wall (s)"),
    _common.Figure("total_s", "total wall (s)"),
    _common.Figure("rss_mib", "peak resident memory (MiB)", ".0f"),
    _common.Figure("growth_mib", "resident memory growth over the run (MiB)", ".0f"),
    _common.Figure("base_pdf_ms", "baseline: PDF with the full font (ms)", ".0f"),
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    _common.add_database_arguments(parser, reuse=False)
    _common.add_runs_argument(parser, default=1)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--baseline-pdfs", type=int, default=20)
    parser.add_argument(
        "--processes", type=int, default=2, help="processes making the PDFs and credentials (2)"
    )
    return parser.parse_args(argv)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.base")
    os.environ.setdefault("JINENG_DEBUG", "0")
    import django

    django.setup()


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def render_part(pks: list[int], out: Any) -> None:
    """One process's share: the PDFs, then the credentials; its wall times and peak memory."""
    from django.db import connections

    from jineng.certificates.credentials import credential_jwt
    from jineng.certificates.models import Certificate
    from jineng.certificates.pdf import certificate_pdf

    connections.close_all()
    certificates = list(
        Certificate.objects.filter(pk__in=pks).select_related("person", "occupation")
    )
    t0 = time.perf_counter()
    for done, certificate in enumerate(certificates, start=1):
        certificate_pdf(certificate)
        if done % 1000 == 0:
            print(
                f"  [{os.getpid()}] {done:,} PDFs in {time.perf_counter() - t0:.0f} s", flush=True
            )
    t1 = time.perf_counter()
    for certificate in certificates:
        credential_jwt(certificate)
    t2 = time.perf_counter()
    connections.close_all()
    out.put((t1 - t0, t2 - t1, rss_mib()))


def render_parallel(pks: list[int], processes: int) -> tuple[float, float, float]:
    """PDFs and credentials of `pks` in `processes` forked processes (as two background workers
    would share them): the wall of each phase (the slowest process) and the largest peak RSS."""
    import multiprocessing as mp

    from django.db import connections

    connections.close_all()
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    procs = [
        ctx.Process(target=render_part, args=(pks[i::processes], out)) for i in range(processes)
    ]
    for p in procs:
        p.start()
    parts = [out.get() for _ in procs]
    for p in procs:
        p.join()
    return max(p[0] for p in parts), max(p[1] for p in parts), max(p[2] for p in parts)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with _common.bench_database(args.database_url) as database:
        setup_django(database.url)
        from django.core.management import call_command
        from django.db import connections
        from django.test import override_settings

        from jineng.certificates.models import Certificate
        from jineng.certificates.pdf import certificate_pdf
        from jineng.certificates.services import (
            NewCertificate,
            ScopeEntry,
            certificates_issue_batch,
            issuer_register,
        )
        from jineng.core.pdf import _reduced_font
        from jineng.identity.testing import make_organisation, make_person
        from jineng.organisations.models import OrgKind

        try:
            call_command("migrate", verbosity=0)
            call_command("load_reference", verbosity=0)
            org = make_organisation(
                kind=OrgKind.EVALUATION_ORG, name="压测评价中心", region="441900"
            )
            issuer_register(
                actor=None, organisation=org, agency_code="9002", site_code="190009",
                scope=[ScopeEntry("6-18-01-01", level) for level in ("5", "4", "3")],
            )  # fmt: skip
            started = time.perf_counter()
            people = [make_person(residence_region="441900").pk for _ in range(args.count)]
            print(f"{len(people):,} people in {time.perf_counter() - started:.0f} s", flush=True)
            report = _common.Report(
                f"Issuing {args.count:,} certificates with PDFs and credentials "
                f"({connections['default'].vendor})",
                FIGURES,
                notes=[
                    "Batch issue in chunks of 500 in one process (the numbers come from one "
                    "locked counter per prefix, so issue is serial by design); then each "
                    f"certificate's PDF (fpdf2, CJK font reduced to GB 2312 once and cached) and "
                    f"its W3C credential in {args.processes} forked processes, as background "
                    "workers share them. Peak RSS: the largest process. Baseline: PDFs with "
                    "the full font (one process)."
                ],
            )

            def one(number: int) -> dict[str, float]:
                day = dt.date(2020 + number, 1, 15)  # a new number prefix per run
                before = current_rss_mib()
                t0 = time.perf_counter()
                issued: list[Certificate] = []
                for start in range(0, len(people), CHUNK):
                    rows = [
                        NewCertificate(pk, "6-18-01-01", "4", day)
                        for pk in people[start : start + CHUNK]
                    ]
                    issued += certificates_issue_batch(actor=None, issuer=org, rows=rows)
                t1 = time.perf_counter()
                print(f"  issued {len(issued):,} in {t1 - t0:.0f} s", flush=True)
                _reduced_font.cache_clear()  # the reduced font's build (first run) is timed
                pks = [c.pk for c in issued]
                pdf_wall, vc_wall, child_rss = render_parallel(pks, args.processes)
                t2 = t1 + pdf_wall
                t3 = t2 + vc_wall
                with override_settings(CERTIFICATES_PDF_FONT_REDUCE=False):
                    _reduced_font.cache_clear()
                    b0 = time.perf_counter()
                    for certificate in issued[: args.baseline_pdfs]:
                        certificate_pdf(certificate)
                    base = (time.perf_counter() - b0) / max(1, min(args.baseline_pdfs, len(issued)))
                _reduced_font.cache_clear()
                return {
                    "issue_s": t1 - t0,
                    "issue_per_s": len(issued) / (t1 - t0),
                    "pdf_s": t2 - t1,
                    "pdf_ms": 1000 * (t2 - t1) / len(issued),
                    "vc_s": t3 - t2,
                    "total_s": t3 - t0,
                    "rss_mib": max(rss_mib(), child_rss),
                    "growth_mib": current_rss_mib() - before,
                    "base_pdf_ms": 1000 * base,
                }

            _common.run_repeated(report, args.runs, one)
        finally:
            connections.close_all()


if __name__ == "__main__":
    main()
