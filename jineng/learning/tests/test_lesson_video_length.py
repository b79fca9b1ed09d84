"""A video lesson's length is read from the uploaded file with ffprobe; the typed length is only
the fallback without ffprobe; a file that is not a readable video is refused in Chinese."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

import pytest
from django.core.files import File
from django.core.files.base import ContentFile
from django.test import override_settings

from jineng.learning.errors import CourseInvalid
from jineng.learning.models import Chapter, Course, Lesson
from jineng.learning.services import lesson_add

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg (make media)"),
]


@pytest.fixture(autouse=True)
def probing() -> Iterator[None]:
    with override_settings(LEARNING_VIDEO_PROBE=True):
        yield


@pytest.fixture
def video(tmp_path: Path) -> Path:
    """A 3-second test pattern (ffmpeg testsrc), 64×48 H.264 in MP4."""
    out = tmp_path / "testsrc.mp4"
    subprocess.run(
        [
            "ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=3:size=64x48:rate=10",
            "-pix_fmt", "yuv420p", str(out),
        ],
        check=True,
        timeout=60,
    )  # fmt: skip
    return out


@pytest.fixture
def chapter(staff: object, make_course: Callable[..., Course]) -> Chapter:
    return Chapter.objects.get(course=make_course(publish=False))


def test_the_length_is_read_from_the_video(staff: object, chapter: Chapter, video: Path) -> None:
    with video.open("rb") as fh:
        lesson = lesson_add(
            actor=staff,  # type: ignore[arg-type]
            chapter=chapter,
            title="操作演示",
            kind="video",
            duration_seconds=600,  # typed wrongly: the file says 3 s
            media=File(fh, name="demo.mp4"),
        )
    assert Lesson.objects.get(pk=lesson.pk).duration_seconds == 3


def test_no_typed_length_is_needed_with_a_video(
    staff: object, chapter: Chapter, video: Path
) -> None:
    lesson = lesson_add(
        actor=staff,  # type: ignore[arg-type]
        chapter=chapter,
        title="操作演示",
        kind="video",
        media=ContentFile(video.read_bytes(), name="demo.mp4"),  # in memory, no file path
    )
    assert lesson.duration_seconds == 3


def test_an_unreadable_video_is_refused_in_chinese(staff: object, chapter: Chapter) -> None:
    with pytest.raises(CourseInvalid) as err:
        lesson_add(
            actor=staff,  # type: ignore[arg-type]
            chapter=chapter,
            title="损坏的视频",
            kind="video",
            duration_seconds=60,
            media=ContentFile(b"\x00\x00\x00\x18ftypmp42" + bytes(500), name="broken.mp4"),
        )
    assert err.value.field == "media"
    assert "无法读取视频“broken.mp4”的时长" in err.value.message
    assert not Lesson.objects.filter(title="损坏的视频").exists()


def test_without_ffprobe_the_typed_length_stands(
    staff: object, chapter: Chapter, video: Path
) -> None:
    with mock.patch("jineng.learning.probe.ffprobe_path", return_value=None):
        lesson = lesson_add(
            actor=staff,  # type: ignore[arg-type]
            chapter=chapter,
            title="操作演示",
            kind="video",
            duration_seconds=45,
            media=ContentFile(video.read_bytes(), name="demo.mp4"),
        )
    assert lesson.duration_seconds == 45
