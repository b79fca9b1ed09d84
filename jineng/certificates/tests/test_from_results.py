"""Issuing from a session's final results: nothing before the results are final, one batch that
issues every pass, nobody twice, and the pages answer 404 outside the organisation."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jineng.assessment.models import ResultPublication
from jineng.certificates.from_results import session_issue_preview, session_issue_start
from jineng.certificates.models import BatchStatus, Certificate
from jineng.certificates.tests.results_support import NAME, final_session
from jineng.core.errors import Conflict, Unprocessable
from jineng.identity.models import Role
from jineng.identity.testing import make_organisation, make_user
from jineng.organisations.models import OrgKind

pytestmark = pytest.mark.django_db


def test_the_final_passes_are_issued_once_in_a_batch(
    django_capture_on_commit_callbacks: Any,
) -> None:
    exam, worker = final_session()
    assert session_issue_preview(session=exam.session).passes == 1
    with django_capture_on_commit_callbacks(execute=True):
        batch = session_issue_start(actor=exam.admin, session=exam.session)
    batch.refresh_from_db()  # the task ran on commit (eager in tests)
    assert (batch.status, batch.issued, batch.total) == (BatchStatus.DONE, 1, 1)
    certificate = Certificate.objects.get(person=worker.person)
    assert certificate.holder_name == NAME and certificate.level == exam.session.level
    assert session_issue_preview(session=exam.session).pending == []
    with pytest.raises(Conflict, match="均已发证"):
        session_issue_start(actor=exam.admin, session=exam.session)
    assert Certificate.objects.filter(person=worker.person).count() == 1


def test_nothing_is_issued_before_the_results_are_final() -> None:
    exam, worker = final_session()
    ResultPublication.objects.filter(session=exam.session).update(status="published")
    with pytest.raises(Unprocessable, match="尚未确认"):
        session_issue_start(actor=exam.admin, session=exam.session)
    assert not Certificate.objects.exists()


def test_the_pages_for_the_organisation_and_404_for_another(
    django_capture_on_commit_callbacks: Any,
) -> None:
    exam, _worker = final_session()
    client = Client()
    client.force_login(exam.admin)
    listing = client.get("/certificates/issue/").content.decode()
    assert f"/certificates/issue/sessions/{exam.session.pk}/" in listing
    page = client.get(f"/certificates/issue/sessions/{exam.session.pk}/").content.decode()
    assert 'data-testid="issue-passes">1人' in page
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"/certificates/issue/sessions/{exam.session.pk}/")
    batch_url = started["Location"]
    done = client.get(batch_url)
    assert "已完成" in done.content.decode() and "已发证1人，共1人" in done.content.decode()
    stranger = make_user(
        Role.ORG_ADMIN, organisation=make_organisation(kind=OrgKind.EVALUATION_ORG)
    )
    other = Client()
    other.force_login(stranger)
    assert other.get(f"/certificates/issue/sessions/{exam.session.pk}/").status_code == 404
    assert other.get(batch_url).status_code == 404
    assert other.post(f"/certificates/issue/sessions/{exam.session.pk}/").status_code == 404
