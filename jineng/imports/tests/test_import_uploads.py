"""Uploads awaiting confirmation hold full ID numbers: encrypted on disk, deleted on confirm, on
cancel, when nothing in them can be imported, and 24 hours after the upload (time moved by
passing `now=`, never by sleeping)."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from jineng.identity.errors import ValidationFailed
from jineng.identity.models import Person, Role, User
from jineng.identity.testing import make_user, next_resident_id
from jineng.imports import jobs
from jineng.imports.models import Discarded, ImportJob, ImportStatus
from jineng.imports.storage import seal, unseal
from jineng.imports.tasks import BEAT_SCHEDULE, purge_uploads_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def officer() -> User:
    return make_user(Role.BUREAU_REVIEWER, region="441900")


def people_csv(number: str) -> SimpleUploadedFile:
    data = f"姓名,证件号码,常住地,手机号码\n黎晓东,{number},441900,13800138000\n"
    return SimpleUploadedFile("people.csv", data.encode("utf-8-sig"))


def create(actor: User, upload: SimpleUploadedFile, capture: Any) -> ImportJob:
    with capture(execute=True):
        job = jobs.import_job_create(actor=actor, kind="people", upload=upload)
    job.refresh_from_db()
    return job


def test_the_stored_upload_is_ciphertext_that_only_the_field_key_opens(
    officer: User, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    number = next_resident_id()
    job = create(officer, people_csv(number), django_capture_on_commit_callbacks)
    stored = Path(job.file.path).read_bytes()
    assert number.encode() not in stored and "黎晓东".encode() not in stored
    assert b"13800138000" not in stored
    assert number in unseal(stored).decode("utf-8-sig")
    assert jobs.job_report(job) is not None and jobs.can_confirm(job)  # the task read it
    settings.FIELD_KEY = "another-key-entirely"
    with pytest.raises(Exception, match="无法解密"):
        unseal(stored)


def test_the_key_rotates_like_the_field_key(settings: Any) -> None:
    old = seal(b"data")
    settings.FIELD_KEY = "new-key," + settings.FIELD_KEY
    assert unseal(old) == b"data"


def test_an_upload_older_than_24_hours_is_purged_and_the_job_says_expired(
    officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    # given a checked upload awaiting confirmation
    job = create(officer, people_csv(next_resident_id()), django_capture_on_commit_callbacks)
    path = Path(job.file.path)
    uploaded = job.created_at

    # when the purge runs 23 hours later, nothing happens
    assert jobs.import_uploads_purge(now=uploaded + timedelta(hours=23)) == 0
    assert path.exists()

    # when it runs just after 24 hours, the file is gone
    assert jobs.import_uploads_purge(now=uploaded + timedelta(hours=24, seconds=1)) == 1
    job.refresh_from_db()
    assert not path.exists() and not job.file
    assert (job.discarded, job.state) == (Discarded.EXPIRED, "expired")
    assert not jobs.can_confirm(job)
    with pytest.raises(ValidationFailed):
        jobs.import_job_confirm(actor=officer, job=job)
    assert Person.objects.filter(name="黎晓东").count() == 0
    # and a second purge finds nothing
    assert jobs.import_uploads_purge(now=uploaded + timedelta(hours=48)) == 0


def test_a_job_still_queued_after_24_hours_fails_as_expired(
    officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):  # no worker ever took it
        job = jobs.import_job_create(
            actor=officer, kind="people", upload=people_csv(next_resident_id())
        )
    assert jobs.import_uploads_purge(now=timezone.now() + timedelta(days=1, minutes=1)) == 1
    job.refresh_from_db()
    assert (job.status, job.error) == (ImportStatus.FAILED, jobs.EXPIRED_MESSAGE)
    jobs.import_job_execute(job_id=str(job.pk))  # the task arrives late: nothing happens
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and Person.objects.count() == 0


def test_a_job_running_now_is_not_purged_under_its_feet(
    officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        job = jobs.import_job_create(
            actor=officer, kind="people", upload=people_csv(next_resident_id())
        )
    later = timezone.now() + timedelta(hours=25)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, started_at=later - timedelta(minutes=5)
    )
    assert jobs.import_uploads_purge(now=later) == 0
    job.refresh_from_db()
    assert job.file


def test_cancel_deletes_the_upload_now(
    officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    job = create(officer, people_csv(next_resident_id()), django_capture_on_commit_callbacks)
    path = Path(job.file.path)
    assert jobs.can_cancel(job)
    job = jobs.import_job_cancel(actor=officer, job=job)
    assert not path.exists() and not job.file
    assert (job.discarded, job.state) == (Discarded.CANCELLED, "cancelled")
    assert not jobs.can_confirm(job) and not jobs.can_cancel(job)
    with pytest.raises(ValidationFailed):
        jobs.import_job_cancel(actor=officer, job=job)


def test_confirm_deletes_the_upload_once_written(
    officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    job = create(officer, people_csv(next_resident_id()), django_capture_on_commit_callbacks)
    path = Path(job.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.import_job_confirm(actor=officer, job=job)
    job.refresh_from_db()
    assert job.imported and not job.file and not path.exists()


def test_an_upload_with_nothing_importable_is_not_kept_nor_awaiting_confirmation(
    officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    corrupt = SimpleUploadedFile("people.xlsx", b"PK\x03\x04 broken")
    job = create(officer, corrupt, django_capture_on_commit_callbacks)
    assert job.state == "unreadable" and not job.file and not jobs.can_confirm(job)
    report = jobs.job_report(job)
    assert report is not None and report.file_error.startswith("文件已损坏")
    bad = SimpleUploadedFile("bad.csv", "姓名,证件号码\n某人,123\n".encode())
    job = create(officer, bad, django_capture_on_commit_callbacks)
    assert job.state == "nothing" and not job.file


def test_the_purge_runs_as_a_command_and_an_hourly_celery_task(
    officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    create(officer, people_csv(next_resident_id()), django_capture_on_commit_callbacks)
    ImportJob.objects.update(created_at=timezone.now() - timedelta(hours=25))
    out = io.StringIO()
    call_command("imports", "purge", stdout=out)
    assert "1 个" in out.getvalue()
    assert purge_uploads_task.delay().get() == 0  # already purged
    from config.celery import app

    assert app.conf.beat_schedule["imports.purge_uploads"] == BEAT_SCHEDULE["imports.purge_uploads"]
    assert BEAT_SCHEDULE["imports.purge_uploads"]["schedule"] == 3600.0
