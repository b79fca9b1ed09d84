"""Imports as background jobs (`jineng.imports.jobs`, the web page's engine): the upload is stored,
checked in a task with progress, confirmed into a second task; only the uploader sees the job; a
job that fails leaves no rows."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from jineng.identity.errors import ValidationFailed
from jineng.identity.models import Person, Role, User
from jineng.identity.testing import make_user, next_resident_id
from jineng.imports import jobs, machinery, services
from jineng.imports.models import ImportJob, ImportStatus
from jineng.imports.people import PeopleImporter
from jineng.imports.tasks import import_job_task
from jineng.imports.tests.helpers import counts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def officer() -> User:
    return make_user(Role.BUREAU_REVIEWER, region="441900")


NAMES = "甲乙丙丁戊己庚辛壬癸"


def people_csv(n: int, bad: int = 0) -> SimpleUploadedFile:
    lines = ["姓名,证件号码,常住地"]
    lines += [f"人员{NAMES[i]},{next_resident_id()},441900" for i in range(n)]
    lines += [f"错误{NAMES[i]},123,441900" for i in range(bad)]
    return SimpleUploadedFile("people.csv", ("\n".join(lines) + "\n").encode("utf-8-sig"))


def create(actor: User, upload: SimpleUploadedFile, capture: Any) -> ImportJob:
    with capture(execute=True):
        job = jobs.import_job_create(actor=actor, kind="people", upload=upload)
    job.refresh_from_db()
    return job


def confirm(actor: User, job: ImportJob, capture: Any, skip_bad: bool = False) -> ImportJob:
    with capture(execute=True):
        jobs.import_job_confirm(actor=actor, job=job, skip_bad=skip_bad)
    job.refresh_from_db()
    return job


def test_the_upload_is_stored_and_checked_in_a_task_without_writing(
    officer: User, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    before = counts()
    job = create(officer, people_csv(3, bad=1), django_capture_on_commit_callbacks)
    stored = (tmp_path / "imports" / f"{job.pk}.fernet").read_bytes()
    assert "姓名".encode() not in stored and b"441900" not in stored  # encrypted at rest
    assert job.status == ImportStatus.DONE and job.dry_run
    assert (job.rows_checked, job.rows_total) == (4, 4)
    report = jobs.job_report(job)
    assert report is not None and report.rejected_rows == [5] and report.good_rows == 3
    assert counts() == before
    assert jobs.can_confirm(job)


def test_confirming_writes_in_a_second_task_and_drops_the_file(
    officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    job = create(officer, people_csv(3), django_capture_on_commit_callbacks)
    path = Path(job.file.path)
    job = confirm(officer, job, django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.DONE and not job.dry_run and job.imported
    assert Person.objects.filter(name__startswith="人员").count() == 3
    assert not job.file and not path.exists()
    with pytest.raises(ValidationFailed):
        jobs.import_job_confirm(actor=officer, job=job)


def test_progress_is_reported_while_rows_are_checked(
    officer: User, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int, int | None]] = []
    monkeypatch.setattr(machinery, "PROGRESS_EVERY", 2)
    original = services.IMPORTS["people"]

    def wrapped(**kwargs: Any) -> Any:
        progress = kwargs["progress"]

        def recording(checked: int, total: int) -> None:
            progress(checked, total)
            row = ImportJob.objects.values("rows_checked", "rows_total", "status").get()
            assert row["status"] == ImportStatus.RUNNING
            seen.append((row["rows_checked"], row["rows_total"]))

        return original(**{**kwargs, "progress": recording})

    monkeypatch.setitem(services.IMPORTS, "people", wrapped)
    create(officer, people_csv(5), django_capture_on_commit_callbacks)
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]


def test_a_job_that_fails_while_writing_leaves_no_rows(
    officer: User, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = create(officer, people_csv(3), django_capture_on_commit_callbacks)
    before = counts()
    real_write = PeopleImporter.write

    def write_then_crash(self: PeopleImporter, **kwargs: Any) -> int:
        real_write(self, **kwargs)  # people, employments, audit entries: then the worker dies
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(PeopleImporter, "write", write_then_crash)
    job = confirm(officer, job, django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.FAILED and "RuntimeError" in job.error
    assert counts() == before
    assert not job.imported and job.file  # the upload is kept


def test_a_job_runs_once(officer: User, django_capture_on_commit_callbacks: Any) -> None:
    job = create(officer, people_csv(2), django_capture_on_commit_callbacks)
    job = confirm(officer, job, django_capture_on_commit_callbacks)
    before = counts()
    import_job_task.delay(str(job.pk))  # a redelivered task: the job is no longer queued
    assert counts() == before


def test_only_the_uploader_sees_a_job(
    officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    job = create(officer, people_csv(1), django_capture_on_commit_callbacks)
    colleague = make_user(Role.BUREAU_REVIEWER, region="441900")
    with pytest.raises(Http404):
        jobs.access_import_job(colleague, job.pk)
    with pytest.raises(Http404):
        jobs.import_job_confirm(actor=colleague, job=job)
    assert list(jobs.import_jobs_of(colleague)) == []
    assert jobs.access_import_job(officer, job.pk) == job


def test_who_may_not_import_a_kind_cannot_queue_it(django_capture_on_commit_callbacks: Any) -> None:
    hr = make_user(Role.ORG_HR)
    with pytest.raises(PermissionDenied):
        jobs.import_job_create(actor=hr, kind="organisations", upload=people_csv(1))
    with pytest.raises(ValidationFailed):
        jobs.import_job_create(actor=hr, kind="nonsense", upload=people_csv(1))
    assert not ImportJob.objects.exists()


def test_a_job_whose_worker_died_is_reported_interrupted(
    officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    # given a job that started running more than the time limit ago and never finished
    with django_capture_on_commit_callbacks(execute=False):
        job = jobs.import_job_create(actor=officer, kind="people", upload=people_csv(2))
    started = timezone.now() - jobs.JOB_TIME_LIMIT - timedelta(minutes=1)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, started_at=started)

    # when its uploader opens it
    seen = jobs.access_import_job(officer, job.pk)

    # then it is failed, saying it was interrupted and wrote nothing
    assert (seen.status, seen.error) == (ImportStatus.FAILED, jobs.STALE_MESSAGE)
    assert seen.finished_at is not None
    assert Person.objects.count() == 0


def test_a_job_running_within_the_time_limit_stays_running(
    officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    # given a job that started running a few minutes ago
    with django_capture_on_commit_callbacks(execute=False):
        job = jobs.import_job_create(actor=officer, kind="people", upload=people_csv(2))
    started = timezone.now() - timedelta(minutes=5)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, started_at=started)

    # when its uploader opens it, then it is still running
    assert jobs.access_import_job(officer, job.pk).status == ImportStatus.RUNNING
