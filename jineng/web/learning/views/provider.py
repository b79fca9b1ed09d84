"""A provider's courses: create, edit, chapters, lessons, submit for review."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from jineng.core.errors import DomainError
from jineng.identity.access import request_scope
from jineng.learning import selectors_web
from jineng.learning.models import (
    Course,
    CourseFunding,
    CourseMode,
    CourseStatus,
    LessonKind,
)
from jineng.learning.services import (
    chapter_add,
    course_create,
    course_transition,
    course_update,
    lesson_add,
)
from jineng.learning.states import EDITABLE_STATUSES
from jineng.reference.models import Occupation, SkillLevel
from jineng.web.guards import page, signed_in_user
from jineng.web.learning.views.common import MAX_VIDEO_BYTES, PROVIDERS, _apply_error

# --- the provider's courses --------------------------------------------------------------------


class CourseForm(forms.Form):
    provider = forms.ChoiceField(label=_("开课机构"))
    title = forms.CharField(label=_("课程名称"), max_length=200)
    occupation = forms.CharField(
        label=_("职业"), max_length=128, help_text=_("填写职业名称，如“车工”")
    )
    level = forms.ChoiceField(label=_("等级"), choices=SkillLevel.choices)
    planned_hours = forms.IntegerField(label=_("计划学时"), min_value=1, max_value=2000)
    mode = forms.ChoiceField(label=_("授课方式"), choices=CourseMode.choices)
    funding = forms.ChoiceField(label=_("费用"), choices=CourseFunding.choices)
    description = forms.CharField(label=_("课程简介"), required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, providers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [(str(k), v) for k, v in providers]  # type: ignore[attr-defined]

    def clean_occupation(self) -> Occupation:
        name = str(self.cleaned_data["occupation"]).strip()
        found = Occupation.objects.filter(name=name).order_by("code").first()
        if found is None:
            raise forms.ValidationError(
                _("职业“%(name)s”不在 2022 年版职业分类大典中"), params={"name": name}
            )
        return found


class ChapterForm(forms.Form):
    title = forms.CharField(label=_("章节名称"), max_length=200)


class LessonForm(forms.Form):
    chapter = forms.ChoiceField(label=_("所属章节"))
    title = forms.CharField(label=_("课时名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"), choices=LessonKind.choices)
    duration_minutes = forms.IntegerField(label=_("时长（分钟）"), min_value=1, max_value=720)
    video = forms.FileField(label=_("课件文件（视频）"), required=False)

    def __init__(self, *args: Any, chapters: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chapter"].choices = [(str(k), v) for k, v in chapters]  # type: ignore[attr-defined]

    def clean_video(self) -> Any:
        upload = self.cleaned_data.get("video")
        if upload is not None and upload.size > MAX_VIDEO_BYTES:
            raise forms.ValidationError(_("课件文件不能超过 500 MB"))
        return upload


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=500, required=False)


def _providers(request: HttpRequest) -> list[tuple[int, str]]:
    return list(
        selectors_web.provider_organisations(request_scope(request)).values_list("pk", "name")
    )


@page(roles=PROVIDERS)
def provider_list(request: HttpRequest) -> HttpResponse:
    courses = selectors_web.provider_courses(signed_in_user(request), scope=request_scope(request))
    return render(request, "learning/provider_list.html", {"courses": courses[:200]})


def _course_values(form: CourseForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "occupation": data["occupation"],
        "level": data["level"],
        "planned_hours": data["planned_hours"],
        "mode": data["mode"],
        "funding": data["funding"],
        "description": data.get("description") or "",
    }


@page(roles=PROVIDERS)
@require_http_methods(["GET", "POST"])
def provider_new(request: HttpRequest) -> HttpResponse:
    providers = _providers(request)
    form = CourseForm(request.POST or None, providers=providers)
    if request.method == "POST" and form.is_valid():
        provider = selectors_web.provider_organisations(request_scope(request)).get(
            pk=int(form.cleaned_data["provider"])
        )
        try:
            created = course_create(
                actor=signed_in_user(request), provider=provider, **_course_values(form)
            )
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("课程草稿已保存，请添加章节和课时。"))
            return HttpResponseRedirect(reverse("learning:provider_course", args=[created.pk]))
    return render(request, "learning/provider_form.html", {"form": form, "course": None})


def _own_course(request: HttpRequest, pk: int) -> Course:
    """A course of one of the user's provider organisations (Http404 otherwise)."""
    obj = selectors_web.provider_courses(
        signed_in_user(request), scope=request_scope(request)
    ).filter(pk=pk)
    found = obj.first()
    if found is None:
        raise Http404("课程不存在或不在您的查看范围内")
    return found


@page(roles=PROVIDERS)
@require_http_methods(["GET", "POST"])
def provider_edit(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _own_course(request, pk)
    initial = {
        "provider": str(obj.provider_id),
        "title": obj.title,
        "occupation": obj.occupation.name,
        "level": obj.level,
        "planned_hours": obj.planned_hours,
        "mode": obj.mode,
        "funding": obj.funding,
        "description": obj.description,
    }
    form = CourseForm(
        request.POST or None, initial=initial, providers=[(obj.provider_id, obj.provider.name)]
    )
    if request.method == "POST" and form.is_valid():
        try:
            course_update(actor=signed_in_user(request), course=obj, **_course_values(form))
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("课程已保存。"))
            return HttpResponseRedirect(reverse("learning:provider_course", args=[obj.pk]))
    return render(request, "learning/provider_form.html", {"form": form, "course": obj})


def _provider_course_page(
    request: HttpRequest,
    obj: Course,
    *,
    chapter_form: ChapterForm | None = None,
    lesson_form: LessonForm | None = None,
    submit_error: str = "",
) -> HttpResponse:
    outline = selectors_web.course_outline(obj)
    chapters = [(c.pk, c.title) for c, _lessons in outline]
    return render(
        request,
        "learning/provider_course.html",
        {
            "course": obj,
            "outline": outline,
            "editable": obj.status in EDITABLE_STATUSES,
            "chapter_form": chapter_form or ChapterForm(),
            "lesson_form": lesson_form or LessonForm(chapters=chapters),
            "history": selectors_web.course_history(obj),
            "submit_error": submit_error,
        },
    )


@page(roles=PROVIDERS)
def provider_course(request: HttpRequest, pk: int) -> HttpResponse:
    return _provider_course_page(request, _own_course(request, pk))


@page(roles=PROVIDERS)
@require_POST
def provider_chapter_add(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _own_course(request, pk)
    form = ChapterForm(request.POST)
    if form.is_valid():
        try:
            chapter_add(actor=signed_in_user(request), course=obj, title=form.cleaned_data["title"])
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("章节已添加。"))
            return HttpResponseRedirect(reverse("learning:provider_course", args=[obj.pk]))
    return _provider_course_page(request, obj, chapter_form=form)


@page(roles=PROVIDERS)
@require_POST
def provider_lesson_add(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _own_course(request, pk)
    chapters = [(c.pk, c.title) for c, _lessons in selectors_web.course_outline(obj)]
    form = LessonForm(request.POST, request.FILES, chapters=chapters)
    if form.is_valid():
        chapter = obj.chapters.get(pk=int(form.cleaned_data["chapter"]))
        try:
            lesson_add(
                actor=signed_in_user(request),
                chapter=chapter,
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                duration_seconds=int(form.cleaned_data["duration_minutes"]) * 60,
                media=form.cleaned_data.get("video"),
            )
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("课时已添加。"))
            return HttpResponseRedirect(reverse("learning:provider_course", args=[obj.pk]))
    return _provider_course_page(request, obj, lesson_form=form)


@page(roles=PROVIDERS)
@require_POST
def provider_submit(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _own_course(request, pk)
    target = CourseStatus.DRAFT if obj.status == CourseStatus.REJECTED else CourseStatus.SUBMITTED
    try:
        course_transition(actor=signed_in_user(request), course=obj, to=target)
    except DomainError as exc:
        return _provider_course_page(request, obj, submit_error=exc.message)
    messages.success(
        request,
        _("课程已提交审核。")
        if target == CourseStatus.SUBMITTED
        else _("课程已改回草稿，可以修改。"),
    )
    return HttpResponseRedirect(reverse("learning:provider_course", args=[obj.pk]))
