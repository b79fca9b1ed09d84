"""The demo city carries vouchers and training records, and the site crawl (which the Chinese and
390 px checks run over) reaches the pages of §6 and §7 from each role's home."""

from __future__ import annotations

import pytest

from jineng.learning.models import TrainingRecord, TrainingVoucher, VoucherBatch
from jineng.web.tests.sitecrawl import crawl, seed_demo_city

pytestmark = pytest.mark.django_db


def test_demo_vouchers_and_the_crawl_reaches_their_pages() -> None:
    users = {u.username: u for u in seed_demo_city()}
    worker = users["demo_worker"].person
    assert VoucherBatch.objects.count() == 2
    mine = TrainingVoucher.objects.filter(person=worker)
    assert sorted(mine.values_list("status", flat=True)) == ["claimed", "redeemed"]
    assert TrainingRecord.objects.filter(person=worker, voucher__isnull=False).count() == 1
    assert TrainingVoucher.objects.filter(status="cancelled").count() == 1

    def paths(username: str) -> set[str]:
        return {p.url.split("?")[0] for p in crawl(users[username]) if p.status == 200}

    seen = paths("demo_worker")
    assert {"/learning/vouchers/", "/learning/training-record/"} <= seen
    seen = paths("demo_reviewer")
    assert {"/learning/vouchers/batches/", "/learning/ledger/"} <= seen
    assert any(p.startswith("/learning/vouchers/batches/") and p[-2].isdigit() for p in seen)
    assert any(p.endswith("/training-record/") and "/people/" in p for p in seen)
    assert "/learning/vouchers/verify/" in paths("demo_org_admin")
