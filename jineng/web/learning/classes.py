"""Class pages (issue 8 §4, §8): the institution's classes (list, create, the class with its
sessions, teachers, roster, import and pipeline steps); the worker's 我的培训班; the bureau's
class plans to approve and the flags the checks raised.

Pages validate and render; access is `jineng.learning.access_classes` (404 out of scope) and the
services (403 / Chinese errors shown on the form)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from jineng.core.errors import DomainError
from jineng.identity.access import request_scope, to_pk
from jineng.identity.crypto import blind_index
from jineng.identity.models import Person, Role
from jineng.learning.access import parties_of
from jineng.learning.access_classes import (
    access_class_by_id,
    classes_visible_to,
    provider_classes,
    runs_class,
)
from jineng.learning.class_states import steps_from
from jineng.learning.imports_roster import roster_import
from jineng.learning.models import ClassFlag, ClassStatus, Course, CourseStatus, TrainingClass
from jineng.learning.services.classes import (
    class_create,
    class_enrol,
    class_transition,
    session_add,
    teacher_assign,
)
from jineng.learning.services.enrol_self import enrolment_voucher_verify
from jineng.learning.states import Party
from jineng.organisations.models import Teacher
from jineng.web.guards import page, signed_in_user
from jineng.web.learning.views.common import PROVIDERS, REVIEWERS, WORKER, _apply_error

FLAG_READERS = frozenset(REVIEWERS | {Role.AUDITOR})


class ClassForm(forms.Form):
    course = forms.ChoiceField(label=_("课程"))
    name = forms.CharField(label=_("班级名称"), max_length=200)
    subsidised = forms.BooleanField(label=_("项目制培训（政府补贴）"), required=False)
    capacity = forms.IntegerField(label=_("计划人数"), min_value=1, max_value=200)
    attendance_threshold = forms.IntegerField(
        label=_("结业出勤率（%）"), min_value=1, max_value=100, initial=80
    )

    def __init__(self, *args: Any, courses: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].choices = [(str(k), v) for k, v in courses]  # type: ignore[attr-defined]


class SessionForm(forms.Form):
    day = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("上课时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("下课时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    venue = forms.CharField(label=_("上课地点"), max_length=200)
    lat = forms.FloatField(label=_("纬度（可不填）"), required=False)
    lng = forms.FloatField(label=_("经度（可不填）"), required=False)


class TeacherForm(forms.Form):
    teacher = forms.ChoiceField(label=_("教师"))

    def __init__(self, *args: Any, teachers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teacher"].choices = [(str(k), v) for k, v in teachers]  # type: ignore[attr-defined]


class EnrolForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=64)
    id_number = forms.CharField(label=_("证件号码"), max_length=32)
    student = forms.BooleanField(label=_("全日制在校学生"), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("花名册文件（.xlsx）"))


class StepForm(forms.Form):
    to = forms.ChoiceField(label=_("操作"), choices=ClassStatus.choices)
    reason = forms.CharField(label=_("理由"), max_length=500, required=False)


def _own_class(request: HttpRequest, pk: int) -> TrainingClass:
    found = provider_classes(request_scope(request)).filter(pk=pk).first()
    if found is None:
        raise Http404("培训班不存在或不在您的查看范围内")
    return found


@page(roles=PROVIDERS)
def class_list(request: HttpRequest) -> HttpResponse:
    classes = (
        provider_classes(request_scope(request))
        .select_related("course", "occupation")
        .order_by("-created_at", "-id")[:200]
    )
    return render(request, "learning/classes/list.html", {"classes": classes})


def _courses(request: HttpRequest) -> list[tuple[int, str]]:
    scope = request_scope(request)
    orgs = [o for o in scope.organisation_ids if scope.roles_at(o) & PROVIDERS]
    qs = Course.objects.filter(status=CourseStatus.PUBLISHED)
    if not scope.is_global:
        qs = qs.filter(provider_id__in=orgs)
    return list(qs.order_by("title").values_list("pk", "title")[:500])


@page(roles=PROVIDERS)
@require_http_methods(["GET", "POST"])
def class_new(request: HttpRequest) -> HttpResponse:
    courses = _courses(request)
    form = ClassForm(request.POST or None, courses=courses)
    if request.method == "POST" and form.is_valid():
        course = Course.objects.get(pk=int(form.cleaned_data["course"]))
        try:
            klass = class_create(
                actor=signed_in_user(request),
                course=course,
                name=form.cleaned_data["name"],
                subsidised=form.cleaned_data["subsidised"],
                capacity=form.cleaned_data["capacity"],
                attendance_threshold=form.cleaned_data["attendance_threshold"],
            )
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("培训班计划已创建，请安排课次、教师和学员。"))
            return HttpResponseRedirect(reverse("learning:class_detail", args=[klass.pk]))
    return render(request, "learning/classes/form.html", {"form": form})


def _teacher_choices(klass: TrainingClass) -> list[tuple[int, str]]:
    rows = Teacher.objects.filter(organisation_id=klass.provider_id).select_related("person")
    return [(t.pk, f"{t.person.name}（{t.get_kind_display()}）") for t in rows.order_by("pk")]


def _detail(request: HttpRequest, klass: TrainingClass, **forms_: Any) -> HttpResponse:
    scope = request_scope(request)
    parties = parties_of(
        scope, provider_id=klass.provider_id, provider_region=klass.provider.region_id
    )
    steps = [s for s in steps_from(klass) if s.parties & parties & {Party.PROVIDER}]
    context = {
        "klass": klass,
        "sessions": klass.sessions.all(),
        "teachers": klass.teachers.select_related("teacher__person"),
        "enrolments": klass.enrolments.select_related("person", "voucher").order_by("pk"),
        "can_verify": runs_class(scope, klass),
        "flags": klass.flags.select_related("enrolment__person"),
        "history": klass.history.order_by("id"),
        "steps": steps,
        "session_form": forms_.get("session_form") or SessionForm(),
        "teacher_form": forms_.get("teacher_form") or TeacherForm(teachers=_teacher_choices(klass)),
        "enrol_form": forms_.get("enrol_form") or EnrolForm(),
        "import_form": ImportForm(),
        "step_form": forms_.get("step_form") or StepForm(),
    }
    return render(request, "learning/classes/detail.html", context)


def _local(day: dt.date, at: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at))


def _post_action(request: HttpRequest, klass: TrainingClass) -> HttpResponse:
    user = signed_in_user(request)
    action = request.POST.get("action", "")
    forms_: dict[str, forms.Form] = {}
    try:
        if action == "session":
            form: forms.Form = SessionForm(request.POST)
            forms_["session_form"] = form
            if form.is_valid():
                d = form.cleaned_data
                session_add(
                    actor=user,
                    klass=klass,
                    starts_at=_local(d["day"], d["start"]),
                    ends_at=_local(d["day"], d["end"]),
                    venue=d["venue"],
                    lat=d.get("lat"),
                    lng=d.get("lng"),
                )
                messages.success(request, _("课次已添加。"))
                return HttpResponseRedirect(request.path)
        elif action == "teacher":
            form = TeacherForm(request.POST, teachers=_teacher_choices(klass))
            forms_["teacher_form"] = form
            if form.is_valid():
                teacher = Teacher.objects.get(pk=int(form.cleaned_data["teacher"]))
                teacher_assign(actor=user, klass=klass, teacher=teacher)
                messages.success(request, _("授课教师已安排。"))
                return HttpResponseRedirect(request.path)
        elif action == "enrol":
            form = EnrolForm(request.POST)
            forms_["enrol_form"] = form
            if form.is_valid():
                number = form.cleaned_data["id_number"].strip().upper()
                person = Person.objects.filter(id_number_index=blind_index(number)).first()
                if person is None or person.name != form.cleaned_data["name"].strip():
                    form.add_error("id_number", _("平台中没有该姓名和证件号码的人员，请先登记人员"))
                else:
                    class_enrol(
                        actor=user,
                        klass=klass,
                        person=person,
                        full_time_student=form.cleaned_data["student"],
                    )
                    messages.success(request, _("学员已加入花名册。"))
                    return HttpResponseRedirect(request.path)
        elif action == "voucher":
            form = StepForm()
            enrolment = klass.enrolments.filter(pk=to_pk(request.POST.get("enrolment"))).first()
            if enrolment is None:
                raise Http404("学员报名不存在")
            try:
                enrolment_voucher_verify(actor=user, enrolment=enrolment)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("培训券核验通过。"))
            return HttpResponseRedirect(request.path)
        else:
            form = StepForm(request.POST)
            forms_["step_form"] = form
            if form.is_valid():
                class_transition(
                    actor=user,
                    klass=klass,
                    to=form.cleaned_data["to"],
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, _("培训班状态已更新。"))
                return HttpResponseRedirect(request.path)
    except DomainError as exc:
        _apply_error(form, exc)
    return _detail(request, klass, **forms_)


@page(roles=PROVIDERS)
@require_http_methods(["GET", "POST"])
def class_detail(request: HttpRequest, pk: int) -> HttpResponse:
    klass = _own_class(request, pk)
    if request.method == "POST":
        return _post_action(request, klass)
    return _detail(request, klass)


@page(roles=PROVIDERS)
@require_POST
def class_import(request: HttpRequest, pk: int) -> HttpResponse:
    klass = _own_class(request, pk)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择花名册文件。"))
        return HttpResponseRedirect(reverse("learning:class_detail", args=[klass.pk]))
    upload = form.cleaned_data["file"]
    try:
        report = roster_import(
            actor=signed_in_user(request), klass=klass, file=upload.read(), filename=upload.name
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("learning:class_detail", args=[klass.pk]))
    if report.file_error:
        messages.error(request, report.file_error)
    elif report.written:
        messages.success(request, _("已导入 %(n)s 名学员。") % {"n": report.written})
    for issue in report.issues[:30]:
        messages.error(request, str(issue))
    return HttpResponseRedirect(reverse("learning:class_detail", args=[klass.pk]))


# --- the worker ---------------------------------------------------------------------------------


@page(roles=WORKER)
def my_classes(request: HttpRequest) -> HttpResponse:
    person = signed_in_user(request).person
    enrolments = []
    if person is not None:
        enrolments = list(
            person.class_enrolments.select_related("klass__provider", "klass__course")
            .prefetch_related("klass__sessions", "attendance")
            .order_by("-enrolled_at")
        )
    rows = []
    for enrolment in enrolments:
        attended = {a.session_id for a in enrolment.attendance.all() if a.kind == "in"}
        sessions = [(s, s.pk in attended) for s in enrolment.klass.sessions.all()]
        rows.append((enrolment, sessions))
    return render(request, "learning/classes/mine.html", {"rows": rows})


# --- the bureau ---------------------------------------------------------------------------------


@page(roles=REVIEWERS)
def review_list(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    plans = (
        classes_visible_to(signed_in_user(request), scope=scope)
        .filter(subsidised=True)
        .select_related("provider", "course", "occupation")
        .order_by("status", "-created_at")[:200]
    )
    return render(request, "learning/classes/review_list.html", {"classes": plans})


@page(roles=REVIEWERS)
@require_http_methods(["GET", "POST"])
def review_class(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    klass = access_class_by_id(signed_in_user(request), pk, scope=scope)
    form = StepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            class_transition(
                actor=signed_in_user(request),
                klass=klass,
                to=form.cleaned_data["to"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("已办理。"))
            return HttpResponseRedirect(reverse("learning:class_review_list"))
    parties = parties_of(
        scope, provider_id=klass.provider_id, provider_region=klass.provider.region_id
    )
    steps = [s for s in steps_from(klass) if s.parties & parties & {Party.BUREAU}]
    return render(
        request,
        "learning/classes/review.html",
        {
            "klass": klass,
            "sessions": klass.sessions.all(),
            "teachers": klass.teachers.select_related("teacher__person"),
            "enrolments": klass.enrolments.select_related("person").order_by("pk"),
            "flags": klass.flags.select_related("enrolment__person"),
            "history": klass.history.order_by("id"),
            "steps": steps,
            "form": form,
        },
    )


@page(roles=FLAG_READERS)
def flags(request: HttpRequest) -> HttpResponse:
    visible = classes_visible_to(signed_in_user(request), scope=request_scope(request))
    rows = (
        ClassFlag.objects.filter(klass__in=visible)
        .select_related("klass__provider", "enrolment__person")
        .order_by("-raised_at", "-id")[:300]
    )
    return render(request, "learning/classes/flags.html", {"flags": rows})
