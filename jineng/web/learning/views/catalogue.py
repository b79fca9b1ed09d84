"""课程目录, a course's page and 我的课程."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from jineng.api.learning.heartbeat import hours_label
from jineng.identity.access import request_scope
from jineng.identity.models import Role
from jineng.learning import selectors, selectors_web
from jineng.learning.access import (
    access_course_by_id,
)
from jineng.learning.models import (
    CourseMode,
    CourseStatus,
    Lesson,
)
from jineng.reference.models import SkillLevel
from jineng.web.guards import page, signed_in_user
from jineng.web.learning.views.common import WORKER, _person

# --- catalogue ---------------------------------------------------------------------------------


class CatalogueForm(forms.Form):
    q = forms.CharField(label=_("搜索课程"), required=False, max_length=100)
    occupation = forms.ChoiceField(label=_("职业"), required=False)
    level = forms.ChoiceField(label=_("等级"), required=False)
    provider = forms.ChoiceField(label=_("开课机构"), required=False)
    town = forms.ChoiceField(label=_("所在镇街"), required=False)
    mode = forms.ChoiceField(label=_("授课方式"), required=False)
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args: Any, choices: selectors_web.CatalogueChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = [("", str(_("全部")))]
        self.fields["occupation"].choices = every + choices.occupations  # type: ignore[attr-defined]
        self.fields["level"].choices = every + list(SkillLevel.choices)  # type: ignore[attr-defined]
        self.fields["provider"].choices = every + [(str(k), v) for k, v in choices.providers]  # type: ignore[attr-defined]
        self.fields["town"].choices = every + choices.towns  # type: ignore[attr-defined]
        self.fields["mode"].choices = every + list(CourseMode.choices)  # type: ignore[attr-defined]


@page()
def catalogue(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    user = signed_in_user(request)
    form = CatalogueForm(
        request.GET or None, choices=selectors_web.catalogue_choices(user, scope=scope)
    )
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    result = selectors.course_search(
        user=user,
        q=data.get("q") or "",
        occupation=data.get("occupation") or None,
        level=data.get("level") or None,
        provider=int(data["provider"]) if data.get("provider") else None,
        town=data.get("town") or None,
        mode=data.get("mode") or None,
        status=CourseStatus.PUBLISHED,
        page=data.get("page") or 1,
        scope=scope,
    )
    kept = {k: v for k, v in (data or {}).items() if v and k != "page"}
    qs = urlencode(kept) + "&" if kept else ""
    return render(
        request,
        "learning/catalogue.html",
        {"form": form, "result": result, "qs": qs},
    )


@page()
def course(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    user = signed_in_user(request)
    obj = access_course_by_id(user, pk, scope=scope)
    outline = selectors_web.course_outline(obj)
    progress: dict[int, Any] = {}
    if user.person is not None:
        progress = selectors_web.progress_by_lesson(person=user.person, course=obj)
    chapters = [
        (
            chapter,
            [
                (
                    lesson,
                    progress.get(lesson.pk),
                    _percent(progress.get(lesson.pk), lesson),
                )
                for lesson in lessons
            ],
        )
        for chapter, lessons in outline
    ]
    return render(
        request,
        "learning/course.html",
        {
            "course": obj,
            "chapters": chapters,
            "is_worker": Role.WORKER in scope.roles and user.person is not None,
            "published": obj.status == CourseStatus.PUBLISHED,
        },
    )


def _percent(progress: Any, lesson: Lesson) -> int:
    if progress is None or not lesson.duration_seconds:
        return 0
    return min(100, int(progress.credited_ms * 100 // (lesson.duration_seconds * 1000)))


@page(roles=WORKER)
def mine(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    person = _person(request)
    rows = selectors.person_lesson_progress(
        user=signed_in_user(request), person=person, scope=scope
    )
    courses: dict[int, dict[str, Any]] = {}
    for p in rows:
        c = p.lesson.chapter.course
        entry = courses.setdefault(
            c.pk, {"course": c, "credited_ms": 0, "lessons": 0, "completed": 0}
        )
        entry["credited_ms"] += p.credited_ms
        entry["lessons"] += 1
        entry["completed"] += 1 if p.completed_at else 0
    items = list(courses.values())
    for entry in items:
        entry["credited"] = hours_label(entry["credited_ms"])
    return render(request, "learning/mine.html", {"items": items})
