"""seed_courses: a published, searchable catalogue over real occupations, with a few videos."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.db import transaction

from jineng.audit.models import AuditEntry
from jineng.identity.testing import make_organisation
from jineng.learning.models import Course, CourseStatus, CourseStatusChange, Lesson
from jineng.learning.seed import seed_courses
from jineng.learning.selectors import course_search
from jineng.organisations.models import Organisation, OrgKind

pytestmark = pytest.mark.django_db

FAKE_FFMPEG = """#!/bin/sh
# Stands in for ffmpeg: writes a few bytes to the last argument (the output file).
for last; do :; done
printf 'fake-mp4' > "$last"
"""


@pytest.fixture
def providers(db: None) -> list[Organisation]:
    return [
        make_organisation(name="东莞市职业技能培训中心", region="441900003"),
        make_organisation(kind=OrgKind.COLLEGE, name="东莞技师学院", region="441900004"),
        make_organisation(kind=OrgKind.BUREAU, name="东莞市人社局"),  # never a provider
    ]


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path


def test_seeded_courses_are_published_searchable_and_complete(
    providers: list[Organisation], media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = seed_courses(rng=np.random.default_rng(7), providers=providers, count=40)
    assert (result.courses, result.videos) == (40, 0)
    courses = Course.objects.all()
    assert courses.count() == 40
    assert set(courses.values_list("status", flat=True)) == {CourseStatus.PUBLISHED}
    assert not courses.filter(provider__kind=OrgKind.BUREAU).exists()
    for course in courses.prefetch_related("chapters__lessons"):
        chapters = list(course.chapters.all())
        assert 2 <= len(chapters) <= 4
        assert all(2 <= len(c.lessons.all()) <= 5 for c in chapters)
        total = sum(lesson.duration_seconds for c in chapters for lesson in c.lessons.all())
        assert course.planned_hours == -(-total // 2700)
    assert CourseStatusChange.objects.count() == 80
    # Found by its occupation's name, by a worker's search.
    first = courses.select_related("occupation").first()
    assert first is not None
    page = course_search(user=None, q=first.occupation.name, per_page=100)
    assert first in page.items
    assert AuditEntry.objects.filter(action="seed", object_type="learning.course").count() == 1


def test_the_same_seed_gives_the_same_catalogue(
    providers: list[Organisation], media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    runs = []
    for _ in range(2):
        with transaction.atomic():
            seed_courses(rng=np.random.default_rng(3), providers=providers, count=15)
            runs.append(
                list(Course.objects.order_by("id").values_list("title", "occupation", "level"))
            )
            transaction.set_rollback(True)
    assert runs[0] == runs[1]
    assert len(set(runs[0])) > 1


def test_videos_are_made_with_ffmpeg_into_the_storage(
    providers: list[Organisation], media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = media / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "ffmpeg"
    fake.write_text(FAKE_FFMPEG)
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    result = seed_courses(rng=np.random.default_rng(1), providers=providers, count=10, videos=4)
    assert result.videos == 4
    with_video = Lesson.objects.exclude(media="")
    assert with_video.count() == 4
    assert set(with_video.values_list("duration_seconds", flat=True)) == {20}
    for lesson in with_video:
        assert default_storage.exists(lesson.media.name)
        assert lesson.kind == "video"


def test_no_ffmpeg_no_videos_and_no_error(
    providers: list[Organisation], media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = seed_courses(rng=np.random.default_rng(1), providers=providers, count=5, videos=3)
    assert result.videos == 0
    assert not Lesson.objects.exclude(media="").exists()


def test_no_providers_is_refused_in_chinese(db: None) -> None:
    with pytest.raises(ValueError, match="没有可以开课的机构"):
        seed_courses(rng=np.random.default_rng(1), providers=[], count=5)
