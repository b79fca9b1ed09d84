"""Learning pages (issue 8 §1, §2, §8): the workers' catalogue, a course, 我的课程, the player and
the learner's ledger (学习记录); the provider's own courses (create, edit, chapters, lessons,
submit); the bureau's review queue; an officer's view of a learner's ledger.

Pages validate input and render; access is decided by `jineng.learning.access` (Http404 out of
scope) and the services (403 / Chinese errors). The player's stream and heartbeat endpoints answer
JSON and call the same services as the API (`learning_stream_open`, `learning_heartbeat`)."""

from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from jineng.api.learning.heartbeat import heartbeat_answer, hours_label
from jineng.core.errors import DomainError
from jineng.identity.access import access_person_by_id, request_scope
from jineng.identity.models import Person, Role, User
from jineng.identity.roles import CONSOLE_ROLES
from jineng.learning import selectors, selectors_web
from jineng.learning.access import (
    PROVIDER_ROLES,
    REVIEW_ROLES,
    access_course_by_id,
    access_lesson_by_id,
    parties_of,
)
from jineng.learning.models import (
    Course,
    CourseFunding,
    CourseMode,
    CourseStatus,
    Lesson,
    LessonKind,
)
from jineng.learning.services import (
    chapter_add,
    course_create,
    course_transition,
    course_update,
    learning_stream_open,
    lesson_add,
)
from jineng.learning.states import EDITABLE_STATUSES, Party
from jineng.reference.models import Occupation, SkillLevel
from jineng.web.guards import page
from jineng.web.learning.media import ranged_file_response

WORKER = frozenset({Role.WORKER})
PROVIDERS = frozenset(PROVIDER_ROLES)
REVIEWERS = frozenset(REVIEW_ROLES | {Role.SYSADMIN})
MAX_VIDEO_BYTES = 500 * 1024 * 1024


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _person(request: HttpRequest) -> Person:
    person = _user(request).person
    if person is None:
        raise Http404("账号未关联人员")
    return person


def _apply_error(form: forms.Form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


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
    user = _user(request)
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
    user = _user(request)
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
    rows = selectors.person_lesson_progress(user=_user(request), person=person, scope=scope)
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


# --- the player --------------------------------------------------------------------------------


@page(roles=WORKER)
def player(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    person = _person(request)
    lesson = access_lesson_by_id(_user(request), pk, scope=scope)
    course_obj = lesson.chapter.course
    credited = selectors_web.lesson_credited_ms(person=person, lesson=lesson)
    return render(
        request,
        "learning/player.html",
        {
            "lesson": lesson,
            "course": course_obj,
            "playable": course_obj.status == CourseStatus.PUBLISHED,
            "has_video": bool(lesson.media) and lesson.kind == LessonKind.VIDEO,
            "credited": hours_label(credited),
            "credited_seconds": credited // 1000,
            "duration_seconds": lesson.duration_seconds,
        },
    )


def _json_body(request: HttpRequest) -> dict[str, Any]:
    if request.content_type != "application/json":
        return {k: request.POST.get(k) for k in request.POST}
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise DomainError("", "请求内容不是有效的 JSON") from None
    if not isinstance(data, dict):
        raise DomainError("", "请求内容不是有效的 JSON")
    return data


def _error(exc: DomainError) -> JsonResponse:
    return JsonResponse(
        {"detail": exc.message, "field": exc.field},
        status=exc.status,
        json_dumps_params={"ensure_ascii": False},
    )


@page(roles=WORKER)
@require_POST
def stream_open(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    person = _person(request)
    lesson = access_lesson_by_id(_user(request), pk, scope=scope)
    try:
        data = _json_body(request)
        stream = learning_stream_open(
            actor=_user(request),
            person=person,
            lesson=lesson,
            device=str(data.get("device") or "")[:64],
        )
    except DomainError as exc:
        return _error(exc)
    return JsonResponse({"stream": stream.pk, "state": stream.get_state_display()})


@page(roles=WORKER)
@require_POST
def heartbeat(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    person = _person(request)
    lesson = access_lesson_by_id(_user(request), pk, scope=scope)
    try:
        data = _json_body(request)
        answer = heartbeat_answer(
            person=person,
            lesson=lesson,
            stream=data.get("stream"),
            position=data.get("position"),
            visible=data.get("visible") is True,
        )
    except DomainError as exc:
        return _error(exc)
    return JsonResponse(answer, json_dumps_params={"ensure_ascii": False})


@require_http_methods(["GET", "HEAD"])
@page()
def media(request: HttpRequest, pk: int) -> HttpResponse:
    """The lesson's file, with HTTP Range (players seek through it), to whoever may see the lesson."""
    lesson = access_lesson_by_id(_user(request), pk, scope=request_scope(request))
    if not lesson.media or not default_storage.exists(lesson.media.name):
        raise Http404("课件不存在")
    # a StreamingHttpResponse: the page guard only adds headers to it
    return cast(HttpResponse, ranged_file_response(request, default_storage, lesson.media.name))


# --- the ledger --------------------------------------------------------------------------------


def _ledger_context(request: HttpRequest, person: Person) -> dict[str, Any]:
    scope = request_scope(request)
    user = _user(request)
    rows: list[dict[str, Any]] = []
    for p in selectors.person_lesson_progress(user=user, person=person, scope=scope):
        ledger = selectors.lesson_ledger(user=user, person=person, lesson=p.lesson, scope=scope)
        rows.append(
            {
                "lesson": p.lesson,
                "course": p.lesson.chapter.course,
                "credited": hours_label(ledger.credited_ms),
                "credited_seconds": ledger.credited_ms // 1000,
                "duration_seconds": ledger.duration_ms // 1000,
                "percent": min(100, int(ledger.ratio * 100)),
                "completed_at": ledger.completed_at,
                "segments": [
                    {
                        "start": _clock(s.start_ms),
                        "end": _clock(s.end_ms),
                        "seconds": (s.end_ms - s.start_ms) / 1000,
                        "at": s.at,
                    }
                    for s in ledger.segments
                ],
            }
        )
    total = sum(r["credited_seconds"] for r in rows) * 1000
    return {"person": person, "rows": rows, "total": hours_label(total)}


def _clock(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


@page(roles=WORKER)
def records(request: HttpRequest) -> HttpResponse:
    context = _ledger_context(request, _person(request))
    context["own"] = True
    return render(request, "learning/records.html", context)


@page(roles=CONSOLE_ROLES)
def person_records(request: HttpRequest, person_id: int) -> HttpResponse:
    person = access_person_by_id(_user(request), person_id, scope=request_scope(request))
    context = _ledger_context(request, person)
    context["own"] = False
    return render(request, "learning/records.html", context)


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
    courses = selectors_web.provider_courses(_user(request), scope=request_scope(request))
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
            created = course_create(actor=_user(request), provider=provider, **_course_values(form))
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("课程草稿已保存，请添加章节和课时。"))
            return HttpResponseRedirect(reverse("learning:provider_course", args=[created.pk]))
    return render(request, "learning/provider_form.html", {"form": form, "course": None})


def _own_course(request: HttpRequest, pk: int) -> Course:
    """A course of one of the user's provider organisations (Http404 otherwise)."""
    obj = selectors_web.provider_courses(_user(request), scope=request_scope(request)).filter(pk=pk)
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
            course_update(actor=_user(request), course=obj, **_course_values(form))
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
            chapter_add(actor=_user(request), course=obj, title=form.cleaned_data["title"])
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
                actor=_user(request),
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
        course_transition(actor=_user(request), course=obj, to=target)
    except DomainError as exc:
        return _provider_course_page(request, obj, submit_error=exc.message)
    messages.success(
        request,
        _("课程已提交审核。")
        if target == CourseStatus.SUBMITTED
        else _("课程已改回草稿，可以修改。"),
    )
    return HttpResponseRedirect(reverse("learning:provider_course", args=[obj.pk]))


# --- the bureau's review -----------------------------------------------------------------------


@page(roles=REVIEWERS)
def review_queue(request: HttpRequest) -> HttpResponse:
    queue = selectors_web.review_queue(_user(request), scope=request_scope(request))
    return render(request, "learning/review_queue.html", {"courses": queue[:200]})


@page(roles=REVIEWERS)
@require_http_methods(["GET", "POST"])
def review_course(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    obj = access_course_by_id(_user(request), pk, scope=scope)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision = request.POST.get("decision")
        target = {"approve": CourseStatus.PUBLISHED, "reject": CourseStatus.REJECTED}.get(
            decision or ""
        )
        if target is None:
            form.add_error(None, _("请选择“审核发布”或“退回修改”"))
        else:
            try:
                course_transition(
                    actor=_user(request), course=obj, to=target, reason=form.cleaned_data["reason"]
                )
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                messages.success(
                    request,
                    _("课程已发布。") if target == CourseStatus.PUBLISHED else _("课程已退回。"),
                )
                return HttpResponseRedirect(reverse("learning:review_queue"))
    may_decide = obj.status == CourseStatus.SUBMITTED and Party.BUREAU in parties_of(
        scope, provider_id=obj.provider_id, provider_region=obj.provider.region_id
    )
    return render(
        request,
        "learning/review_course.html",
        {
            "course": obj,
            "outline": selectors_web.course_outline(obj),
            "history": selectors_web.course_history(obj),
            "form": form,
            "may_decide": may_decide,
        },
    )
