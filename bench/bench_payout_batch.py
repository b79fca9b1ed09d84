"""Benchmark: a payout batch of 100,000 lines — the bank payment file export and the bank result
import (issue 10, "Measured": aim ≤ 30 s each). PostgreSQL.

    .venv/bin/python bench/bench_payout_batch.py \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres [--lines 100000] [--runs 3]

Setup (not timed): a city of `--workers` people (seed_city), `--lines` claims among them in
拨付中 and one sent batch holding a pending line for each (bulk inserts: building a batch of
100,000 through `payout_line_add` is one audited move per claim and is not what is measured).

Timed, per run:
- export .xlsx: `payout_batch_export` (the audited reveal: every account decrypted, the purpose
  citing the clause) and the .xlsx bytes through `jineng.core.xlsx` (write-only, streamed);
- export CSV: the same service and the CSV bytes;
- import: `read_result_file` of a CSV result (1% of the lines failed, with the bank's reason) and
  `payout_reconcile` — status-checked UPDATEs in chunks, claims moved through the state machine
  in chunks, audit entries in batches — until the batch closes;
- import again: the same content in a new file (not recognised by its digest), so every line is
  found settled and nothing changes.

Baseline, side by side: the row-by-row reconciliation this replaced (one `save()` per line and
one state-machine move per claim, as `payout_reconcile` was before), timed on `--baseline-lines`
lines of a second batch and scaled to `--lines`.

Before each run the batch is put back (lines pending, claims 拨付中, batch sent; raw SQL, not
timed). A database given by URL must be empty; only a database this run created is dropped. Ends
with the pasteable block (bench/_common.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

sys.path.insert(0, str(_common.ROOT))

REGION = "441900"
ACCOUNT_BASE = 6222020200000000000

FIGURES = [
    _common.Figure("export_xlsx_s", "export .xlsx: service + file (s)"),
    _common.Figure("export_csv_s", "export CSV: service + file (s)"),
    _common.Figure("import_s", "import result: read + reconcile (s)"),
    _common.Figure("import_audit_s", "  of which the audit trail: one entry per claim moved (s)"),
    _common.Figure("again_s", "import the same result again (s)"),
    _common.Figure("baseline_s", "baseline: row-by-row reconcile, scaled (s)", ",.1f"),
    _common.Figure("speedup", "import speed-up over row-by-row (×)", ",.1f", True),
]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    _common.add_database_arguments(parser, reuse=False)
    _common.add_runs_argument(parser)
    parser.add_argument("--lines", type=int, default=100_000, help="lines in the batch")
    parser.add_argument("--workers", type=int, default=2_000, help="people seeded (payees)")
    parser.add_argument(
        "--baseline-lines", type=int, default=2_000, help="lines reconciled row by row"
    )
    parser.add_argument("--failed-every", type=int, default=100, help="one line in N fails")
    return parser.parse_args(argv)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.base")
    os.environ.setdefault("JINENG_DEBUG", "0")
    import django

    django.setup()


def build(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    """The finance officer, the batch of `--lines` lines and a baseline batch."""
    import datetime as dt

    from django.core.management import call_command

    from jineng.claims.models import Claim, PayoutBatch, PayoutLine
    from jineng.identity.models import Person, Role, User
    from jineng.identity.services import role_grant

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    call_command(
        "seed_city", region=REGION, workers=args.workers, seed=1, no_progress=True, verbosity=0
    )
    finance, _ = User.objects.get_or_create(username="bench_finance")
    role_grant(actor=None, user=finance, role=Role.BUREAU_FINANCE, region=REGION)
    people = list(Person.objects.order_by("pk").values_list("pk", "residence_region_id"))
    citation = {
        "source": "《东莞市技能人才政策》（东人社发〔2024〕1号）",
        "section": "三、支持措施",
        "article": "5",
        "quote": "按规定给予补贴。",
    }
    on = dt.date(2024, 6, 30)

    def claims(count: int, tag: str) -> list[int]:
        rows = []
        for n in range(count):
            pk, region = people[n % len(people)]
            rows.append(
                Claim(
                    person_id=pk,
                    subject_key=f"P{pk}",
                    item_id=f"dg.bench.item{n % 7}",
                    item_title=f"技能提升补贴（第{n % 7 + 1}类）",
                    fact_id=f"{tag}{n}",
                    source="automatic",
                    region=region or REGION,
                    trigger_date=on,
                    amount_fen=100_000 + n % 50_000,
                    min_fen=100_000 + n % 50_000,
                    max_fen=100_000 + n % 50_000,
                    due_on=on,
                    evaluated_on=on,
                    citation=citation,
                    payee_account=str(ACCOUNT_BASE + n),
                    status="paying",
                )
            )
        made = Claim.objects.bulk_create(rows, batch_size=5000)
        return [c.pk for c in made]

    def batch(claim_ids: list[int], title: str) -> Any:
        b = PayoutBatch.objects.create(region=REGION, title=title, status="sent")
        lines = [
            PayoutLine(
                batch=b, claim_id=pk, amount_fen=100_000 + n % 50_000, account=str(ACCOUNT_BASE + n)
            )
            for n, pk in enumerate(claim_ids)
        ]
        PayoutLine.objects.bulk_create(lines, batch_size=5000)
        return b

    main = batch(claims(args.lines, "b"), "基准批次")
    base = batch(claims(args.baseline_lines, "x"), "逐行对照批次")
    print(
        f"built {args.lines:,} + {args.baseline_lines:,} lines in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return finance, main, base


def reset(batch: Any) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "UPDATE claims_payoutline SET status = 'pending', bank_reason = '', settled_at = NULL"
            " WHERE batch_id = %s",
            [batch.pk],
        )
        cur.execute(
            "UPDATE claims_claim SET status = 'paying' WHERE id IN"
            " (SELECT claim_id FROM claims_payoutline WHERE batch_id = %s)",
            [batch.pk],
        )
        cur.execute("DELETE FROM claims_payoutresultfile WHERE batch_id = %s", [batch.pk])
        cur.execute(
            "UPDATE claims_payoutbatch SET status = 'sent', closed_at = NULL, lines_in = 0,"
            " fen_in = 0, paid_lines = 0, paid_fen = 0, failed_lines = 0, failed_fen = 0,"
            " withdrawn_lines = 0, withdrawn_fen = 0 WHERE id = %s",
            [batch.pk],
        )


def result_csv(batch: Any, failed_every: int) -> bytes:
    ids = batch.lines.order_by("pk").values_list("pk", flat=True)
    out = ["明细编号,结果,说明"]
    for n, pk in enumerate(ids):
        out.append(f"{pk},失败,账户已销户" if n % failed_every == 0 else f"{pk},成功,")
    return ("\r\n".join(out) + "\r\n").encode("utf-8")


def row_by_row(actor: Any, batch: Any, results: list[Any]) -> None:
    """The reconciliation as it was before (one save per line, one move per failed claim)."""
    from django.db import transaction
    from django.utils import timezone

    from jineng.audit.services import audit_record_batch
    from jineng.claims.models import Claim, ClaimStatus, LineStatus
    from jineng.core.states import transition

    with transaction.atomic():
        lines = {line.pk: line for line in batch.lines.select_for_update()}
        now = timezone.now()
        paid: list[Any] = []
        failed: list[Any] = []
        for r in results:
            line = lines[r.line_id]
            if line.status != LineStatus.PENDING:
                continue
            line.status = LineStatus.PAID if r.paid else LineStatus.FAILED
            line.bank_reason, line.settled_at = r.reason, now
            line.save(update_fields=["status", "bank_reason", "settled_at"])
            (paid if r.paid else failed).append(line)
        transition(
            obj_or_queryset=Claim.objects.filter(pk__in=[x.claim_id for x in paid]),
            to=ClaimStatus.PAID,
            actor=actor,
            reason="银行已到账",
        )
        for line in failed:
            transition(
                obj_or_queryset=Claim.objects.filter(pk=line.claim_id),
                to=ClaimStatus.PAYABLE,
                actor=actor,
                reason="银行拨付失败",
            )
        audit_record_batch(
            actor=actor,
            action="payout_reconcile",
            object_type="payout_line",
            rows=[(x.pk, {"status": "pending"}, {"status": x.status}) for x in paid + failed],
        )


AUDIT_SECONDS = [0.0]


def time_the_audit_trail() -> None:
    """Add up the time spent in `audit_record_batch` (the state machine calls it for each chunk
    of claims moved), to show how much of the import is the audit trail's own cost."""
    from jineng.audit import services

    real = services.audit_record_batch

    def timed(**kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return real(**kwargs)
        finally:
            AUDIT_SECONDS[0] += time.perf_counter() - t

    services.audit_record_batch = timed


def measure(args: argparse.Namespace) -> None:
    from jineng.claims.models import BatchStatus
    from jineng.claims.services import payout_batch_export, payout_reconcile, read_result_file
    from jineng.claims.services.bank import payment_file_csv, payment_file_xlsx

    finance, batch, base = build(args)
    time_the_audit_trail()
    report = _common.Report(
        f"Payout batch of {args.lines:,} lines: bank file export and result import (PostgreSQL)",
        FIGURES,
        notes=[
            f"Payees: {args.workers:,} seeded people; one line in {args.failed_every} failed "
            f"in the result; baseline on {args.baseline_lines:,} lines, scaled."
        ],
    )
    content = result_csv(batch, args.failed_every)
    base_content = result_csv(base, args.failed_every)

    def one(number: int) -> dict[str, float]:
        reset(batch)
        reset(base)
        batch.refresh_from_db()
        t = time.perf_counter()
        xlsx = payment_file_xlsx(payout_batch_export(actor=finance, batch=batch))
        export_xlsx = time.perf_counter() - t
        t = time.perf_counter()
        csv_bytes = payment_file_csv(payout_batch_export(actor=finance, batch=batch))
        export_csv = time.perf_counter() - t
        AUDIT_SECONDS[0] = 0.0
        t = time.perf_counter()
        result = read_result_file(name="result.csv", content=content)
        outcome = payout_reconcile(actor=finance, batch=batch, results=result.results, file=result)
        imported = time.perf_counter() - t
        audit_s = AUDIT_SECONDS[0]
        batch.refresh_from_db()
        assert batch.status == BatchStatus.CLOSED, batch.status
        assert outcome["paid"] + outcome["failed"] == args.lines, outcome
        t = time.perf_counter()
        again = read_result_file(name="result-again.csv", content=content + b"\r\n")
        second = payout_reconcile(actor=finance, batch=batch, results=again.results, file=again)
        again_s = time.perf_counter() - t
        assert second == {"paid": 0, "failed": 0}, second
        base_results = read_result_file(name="base.csv", content=base_content).results
        t = time.perf_counter()
        row_by_row(finance, base, base_results)
        baseline = (time.perf_counter() - t) * args.lines / args.baseline_lines
        print(
            f"  files: xlsx {len(xlsx) / 1e6:.1f} MB, csv {len(csv_bytes) / 1e6:.1f} MB; "
            f"paid {outcome['paid']:,}, failed {outcome['failed']:,}",
            flush=True,
        )
        return {
            "export_xlsx_s": export_xlsx,
            "export_csv_s": export_csv,
            "import_s": imported,
            "import_audit_s": audit_s,
            "again_s": again_s,
            "baseline_s": baseline,
            "speedup": baseline / imported,
        }

    _common.run_repeated(report, args.runs, one)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with _common.bench_database(args.database_url) as database:
        setup_django(database.url)
        from django.db import connections

        try:
            measure(args)
        finally:
            connections.close_all()


if __name__ == "__main__":
    main()
