"""Batch issue as a background job: the list is checked before it is queued (the first bad record
named, nothing queued); the task issues every row with progress and finishes; a re-delivered task
changes nothing; a row refused at run time fails the batch naming the record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from jineng.audit.models import AuditEntry
from jineng.certificates.batches import certificate_batch_execute, certificate_batch_start
from jineng.certificates.models import BatchStatus, Certificate, IssueBatch, IssuerScope
from jineng.certificates.services import CertificateRefused, NewCertificate
from jineng.certificates.tests.conftest import ISSUED_ON, TURNER
from jineng.identity.testing import make_person
from jineng.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def _rows(n: int, level: str = "4") -> list[NewCertificate]:
    return [NewCertificate(make_person().pk, TURNER, level, ISSUED_ON) for _ in range(n)]


def test_a_bad_row_is_refused_before_queueing(evaluation_org: Organisation) -> None:
    rows = [*_rows(2), *_rows(1, level="1")]
    with pytest.raises(CertificateRefused) as err:
        certificate_batch_start(actor=None, issuer=evaluation_org, rows=rows)
    assert err.value.message.startswith("第3条记录：") and "评价范围" in err.value.message
    assert not IssueBatch.objects.exists()


def test_the_task_issues_every_row_with_progress(
    evaluation_org: Organisation,
    django_capture_on_commit_callbacks: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("jineng.certificates.batches.CHUNK", 2)
    rows = _rows(5)
    with django_capture_on_commit_callbacks(execute=True):
        batch = certificate_batch_start(actor=None, issuer=evaluation_org, rows=rows)
    batch.refresh_from_db()
    assert (batch.status, batch.issued, batch.total) == (BatchStatus.DONE, 5, 5)
    assert batch.finished_at is not None and batch.error == ""
    assert sorted(Certificate.objects.values_list("person_id", flat=True)) == sorted(
        r.person_id for r in rows
    )
    assert AuditEntry.objects.filter(action="certificate_batch_start").count() == 1
    certificate_batch_execute(batch_id=batch.pk)  # re-delivered: nothing more
    assert Certificate.objects.count() == 5


def test_a_row_refused_at_run_time_fails_the_batch_naming_it(
    evaluation_org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("jineng.certificates.batches.CHUNK", 2)
    rows = [*_rows(3), *_rows(1, level="3")]
    batch = certificate_batch_start(actor=None, issuer=evaluation_org, rows=rows)
    IssuerScope.objects.filter(level="3").delete()  # the licence narrowed meanwhile
    certificate_batch_execute(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED and batch.issued == 2
    assert batch.error.startswith("已发证2人后停止：第4条记录：")
    assert Certificate.objects.count() == 2
