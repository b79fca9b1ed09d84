"""Demo catalogue: `seed_courses` creates published courses over real occupations (2022
classification) for the demo city's providers, bulk-created with chapters, lessons and search
terms, and gives a handful of video lessons a real short video made with ffmpeg (a test pattern,
H.264 in MP4) saved through Django's storage. Without ffmpeg the videos are skipped, nothing else.

Deterministic: the same `rng` state, providers and count give the same catalogue. The lead wires
this into `seed_city` (jineng/dossier/seed); it is not called from there yet.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.identity.models import User
from jineng.learning.models import (
    Chapter,
    Course,
    CourseFunding,
    CourseMode,
    CourseStatus,
    CourseStatusChange,
    CourseTerm,
    Lesson,
    LessonKind,
)
from jineng.learning.search import index_terms
from jineng.learning.services.catalogue import PROVIDER_KINDS
from jineng.organisations.models import Organisation
from jineng.reference.models import Occupation

log = logging.getLogger(__name__)

HOUR_SECONDS = 45 * 60
BATCH = 2_000
# Production (6), services (4) and technicians (2) dominate vocational training.
MAJOR_WEIGHTS = {6: 0.55, 4: 0.3, 2: 0.1, 3: 0.03, 5: 0.02}
LEVELS = ("5", "4", "3", "2", "1")
LEVEL_WEIGHTS = (0.4, 0.3, 0.18, 0.08, 0.04)
LEVEL_NAMES = {"5": "初级", "4": "中级", "3": "高级", "2": "技师", "1": "高级技师"}
MODES = (CourseMode.ONLINE, CourseMode.BLENDED, CourseMode.CLASSROOM)
MODE_WEIGHTS = (0.6, 0.25, 0.15)
TITLE_FORMS = (
    "{occ}（{level}）职业技能培训",
    "{occ}{level}技能提升课程",
    "{occ}岗位技能实训（{level}）",
    "{occ}{level}理论与实操",
    "{occ}等级认定考前辅导（{level}）",
)
DESCRIPTION_FORMS = (
    "本课程依据国家职业技能标准，面向{occ}岗位，讲授{level}应知应会的理论知识和操作技能，"
    "结合典型工作任务进行实训。",
    "适合从事或准备从事{occ}工作的劳动者，课程涵盖安全生产、职业道德、{level}技能要点与"
    "案例分析，学完可参加相应等级认定。",
    "围绕{occ}的核心技能，按模块组织教学：基础知识、操作规范、质量控制、新技术新工艺，"
    "帮助学员达到{level}水平。",
)
CHAPTER_NAMES = (
    "职业道德与安全生产",
    "基础知识",
    "操作技能",
    "质量与规范",
    "新技术新工艺",
    "考前复习",
)
LESSON_NAMES = ("概述", "要点讲解", "操作演示", "案例分析", "练习与测验")
# ffmpeg test sources for the seeded videos (lavfi): each a different picture.
VIDEO_SOURCES = ("testsrc", "testsrc2", "smptebars")
VIDEO_SECONDS = 20


@dataclass(frozen=True)
class SeedCoursesResult:
    courses: int
    chapters: int
    lessons: int
    terms: int
    videos: int


def _occupations(rng: np.random.Generator, count: int) -> list[Occupation]:
    pool = list(Occupation.objects.filter(major_category__in=MAJOR_WEIGHTS).order_by("code"))
    if not pool:
        raise ValueError("没有职业分类数据，请先运行 jineng load_reference")
    weights = np.array([MAJOR_WEIGHTS[o.major_category] for o in pool], dtype=float)
    picks = rng.choice(len(pool), size=count, p=weights / weights.sum())
    return [pool[int(i)] for i in picks]


def make_video(target: Path, *, source: str, seconds: int = VIDEO_SECONDS) -> bool:
    """A short H.264 MP4 test pattern at `target`; False when ffmpeg is missing or fails."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return False
    command = [
        ffmpeg, "-y", "-loglevel", "error",
        "-f", "lavfi", "-i", f"{source}=duration={seconds}:size=320x240:rate=15",
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart",
        str(target),
    ]  # fmt: skip
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("ffmpeg could not make a seed video: %s", exc)
        return False
    return target.exists() and target.stat().st_size > 0


def _attach_videos(lessons: Sequence[Lesson], *, count: int) -> int:
    """Give up to `count` of `lessons` a generated video (stored once per pattern, shared)."""
    chosen = [lesson for lesson in lessons if lesson.kind == LessonKind.VIDEO][:count]
    if not chosen or shutil.which("ffmpeg") is None:
        return 0
    names: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for source in VIDEO_SOURCES[: len(chosen)]:
            path = Path(tmp) / f"{source}.mp4"
            if make_video(path, source=source):
                with path.open("rb") as fh:
                    names.append(
                        default_storage.save(f"learning/media/seed-{source}.mp4", File(fh))
                    )
    if not names:
        return 0
    for i, lesson in enumerate(chosen):
        lesson.media.name = names[i % len(names)]
        lesson.duration_seconds = VIDEO_SECONDS
    Lesson.objects.bulk_update(chosen, ["media", "duration_seconds"])
    return len(chosen)


@transaction.atomic
def seed_courses(
    *,
    rng: np.random.Generator,
    providers: Sequence[Organisation],
    count: int = 1000,
    videos: int = 5,
    actor: User | None = None,
    now: dt.datetime | None = None,
) -> SeedCoursesResult:
    """`count` published courses spread over `providers` (those that may offer courses), each
    with 2–4 chapters of 2–5 lessons, its search terms and its review history; one audit entry."""
    providers = [p for p in providers if p.kind in PROVIDER_KINDS]
    if not providers:
        raise ValueError("没有可以开课的机构（培训机构、院校、企业或评价组织）")
    now = now or timezone.now()
    occupations = _occupations(rng, count)
    courses: list[Course] = []
    for occupation in occupations:
        level = str(rng.choice(LEVELS, p=LEVEL_WEIGHTS))
        words = {"occ": occupation.name, "level": LEVEL_NAMES[level]}
        published_at = now - dt.timedelta(minutes=int(rng.integers(60, 3 * 365 * 24 * 60)))
        courses.append(
            Course(
                title=TITLE_FORMS[int(rng.integers(len(TITLE_FORMS)))].format(**words)[:200],
                description=DESCRIPTION_FORMS[int(rng.integers(len(DESCRIPTION_FORMS)))].format(
                    **words
                ),
                occupation=occupation,
                level=level,
                planned_hours=1,  # set below from the lessons
                provider=providers[int(rng.integers(len(providers)))],
                mode=str(rng.choice(MODES, p=MODE_WEIGHTS)),
                funding=CourseFunding.SUBSIDISED if rng.random() < 0.3 else CourseFunding.FREE,
                status=CourseStatus.PUBLISHED,
                published_at=published_at,
                created_by=actor,
            )
        )
    Course.objects.bulk_create(courses, batch_size=BATCH)
    # Course.created_at is auto_now_add (seeding time); the history dates the review steps.
    history: list[CourseStatusChange] = []
    for course in courses:
        assert course.published_at is not None
        submitted = course.published_at - dt.timedelta(days=int(rng.integers(1, 15)))
        history.append(
            CourseStatusChange(
                course=course, from_status="draft", to_status="submitted", actor=actor, at=submitted
            )
        )
        history.append(
            CourseStatusChange(
                course=course,
                from_status="submitted",
                to_status="published",
                actor=actor,
                reason="演示数据",
                at=course.published_at,
            )
        )
    CourseStatusChange.objects.bulk_create(history, batch_size=BATCH)
    chapters: list[Chapter] = []
    for course in courses:
        n = int(rng.integers(2, 5))
        start = int(rng.integers(0, len(CHAPTER_NAMES) - n + 1))
        for order in range(1, n + 1):
            chapters.append(
                Chapter(
                    course=course,
                    title=f"第{order}章 {CHAPTER_NAMES[start + order - 1]}",
                    order=order,
                )
            )
    Chapter.objects.bulk_create(chapters, batch_size=BATCH)
    lessons: list[Lesson] = []
    seconds_by_course: dict[int, int] = {}
    for chapter in chapters:
        for order in range(1, int(rng.integers(2, 6)) + 1):
            roll = rng.random()
            kind = (
                LessonKind.VIDEO
                if roll < 0.75
                else LessonKind.DOCUMENT
                if roll < 0.9
                else LessonKind.QUIZ
            )
            seconds = int(rng.integers(5, 46)) * 60
            lessons.append(
                Lesson(
                    chapter=chapter,
                    title=f"{order}. {LESSON_NAMES[(order - 1) % len(LESSON_NAMES)]}",
                    kind=kind,
                    duration_seconds=seconds,
                    order=order,
                )
            )
            seconds_by_course[chapter.course_id] = (
                seconds_by_course.get(chapter.course_id, 0) + seconds
            )
    Lesson.objects.bulk_create(lessons, batch_size=BATCH)
    for course in courses:
        course.planned_hours = max(1, -(-seconds_by_course.get(course.pk, 0) // HOUR_SECONDS))
    Course.objects.bulk_update(courses, ["planned_hours"], batch_size=BATCH)
    terms: list[CourseTerm] = []
    for course in courses:
        for term in index_terms(course.title, course.description, course.occupation.name):
            terms.append(CourseTerm(term=term, course=course, published=True))
    CourseTerm.objects.bulk_create(terms, batch_size=BATCH * 5)
    n_videos = _attach_videos(lessons, count=videos) if videos > 0 else 0
    audit_record(
        actor=actor,
        action=AuditAction.SEED,
        object_type=AuditObject.COURSE,
        object_id=f"seed:{len(courses)}",
        after={
            "courses": len(courses),
            "chapters": len(chapters),
            "lessons": len(lessons),
            "videos": n_videos,
        },
        reason="合成示范课程目录",
        region=_common_region(providers),
    )
    return SeedCoursesResult(
        courses=len(courses),
        chapters=len(chapters),
        lessons=len(lessons),
        terms=len(terms),
        videos=n_videos,
    )


def _common_region(providers: Sequence[Organisation]) -> str:
    from jineng.audit.regions import common_region

    return common_region(p.region_id for p in providers)
