"""Exam-session pages (考务, issue 9 §3, §10): the organisation plans a session within its
licence scope, staffs it (assessors with valid qualifications, invigilators), sees the staffing
check before opening it and the registrations with the application condition each met; the
candidate finds a planned session for their occupation and registers, or sees why not."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from jineng.assessment import services
from jineng.assessment.access_manage import (
    access_managed_session,
    access_open_session,
    managed_sessions,
    open_sessions,
    qualified_assessor_ids,
    staff_candidates,
)
from jineng.assessment.models import (
    AssessmentPart,
    ExamSession,
    Registration,
    SessionStaff,
    SessionStatus,
)
from jineng.assessment.services.retake import retake_label
from jineng.assessment.services.sessions import ASSESSOR_PARTS
from jineng.core.errors import DomainError, NotFound
from jineng.identity.access import request_scope
from jineng.identity.models import Employment, Person
from jineng.reference.models import Occupation, SkillLevel
from jineng.web.assessment.manage_common import (
    CANDIDATES,
    MANAGERS,
    SESSION_PAGE_ROLES,
    ChineseForm,
    OccupationField,
    organisations_for,
    refusal,
    user_of,
)
from jineng.web.guards import page

LEVELS = [(v, label) for v, label in SkillLevel.choices if v != SkillLevel.APPRENTICE]


class SessionForm(ChineseForm):
    organisation = forms.ChoiceField(label="评价机构")
    occupation = OccupationField(label="职业", max_length=128, help_text="填写职业名称，如“车工”")
    level = forms.ChoiceField(label="等级", choices=LEVELS)
    parts = forms.MultipleChoiceField(
        label="考核环节", choices=AssessmentPart.choices, widget=forms.CheckboxSelectMultiple,
        help_text="技师及以上须安排综合评审",
    )  # fmt: skip
    date = forms.DateField(label="考试日期", widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="开考时间", widget=forms.TimeInput(attrs={"type": "time"}))
    venue = forms.CharField(label="考点", max_length=200)
    capacity = forms.IntegerField(label="容量（人）", min_value=1, max_value=10000)
    rooms = forms.IntegerField(label="考场数", min_value=1, max_value=500, initial=1)

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(str(k), v) for k, v in organisations]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date") and data.get("time"):
            starts = timezone.make_aware(dt.datetime.combine(data["date"], data["time"]))
            if starts <= timezone.now():
                self.add_error("date", "「考试日期」和「开考时间」应晚于现在")
            data["starts_at"] = starts
        return data


class StaffForm(ChineseForm):
    part = forms.ChoiceField(label="考核环节")
    person = forms.ChoiceField(label="考务人员")
    chair = forms.BooleanField(label="担任综合评审组长", required=False)

    def __init__(
        self, *args: Any, parts: list[tuple[str, str]], people: list[tuple[int, str]], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["part"].choices = parts  # type: ignore[attr-defined]
        self.fields["person"].choices = [(str(k), v) for k, v in people]  # type: ignore[attr-defined]


def _session(request: HttpRequest, pk: int) -> ExamSession:
    try:
        return access_managed_session(user_of(request), pk, scope=request_scope(request))
    except NotFound as err:
        raise Http404(err.message) from None


def _url(session: ExamSession) -> str:
    return reverse("assessment:manage_session", args=[session.pk])


@page(roles=SESSION_PAGE_ROLES)
def session_list(request: HttpRequest) -> HttpResponse:
    rows = managed_sessions(user_of(request), scope=request_scope(request))[:200]
    can_plan = organisations_for(request, MANAGERS).exists()
    return render(
        request, "assessment/manage/sessions.html", {"sessions": rows, "can_plan": can_plan}
    )


@page(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest) -> HttpResponse:
    orgs = organisations_for(request, MANAGERS)
    form = SessionForm(
        request.POST or None, organisations=list(orgs.values_list("pk", "name")[:200])
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.session_plan(
                actor=user_of(request),
                organisation=orgs.get(pk=int(data["organisation"])),
                occupation=data["occupation"],
                level=data["level"],
                parts=data["parts"],
                starts_at=data["starts_at"],
                venue=data["venue"],
                capacity=data["capacity"],
                rooms=data["rooms"],
            )
        except DomainError as err:
            refusal(request, form, err)
        else:
            messages.success(request, "考试批次已安排，现已接受报名；请配备考务人员。")
            return HttpResponseRedirect(_url(session))
    return render(request, "assessment/manage/session_form.html", {"form": form})


def _staff_people(session: ExamSession) -> list[tuple[int, str]]:
    """Qualified assessors of the occupation on the day, and the organisation's own people."""
    marked = qualified_assessor_ids(session)
    return [
        (p.pk, f"{p.name}（{p.masked_id_number}）{'，考评员' if p.pk in marked else ''}")
        for p in staff_candidates(session)[:200]
    ]


def _page(
    request: HttpRequest, session: ExamSession, *, staff_form: StaffForm | None = None,
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    parts = [(p, str(AssessmentPart(p).label)) for p in session.parts]
    staff = SessionStaff.objects.filter(session=session).select_related("person")
    registrations = Registration.objects.filter(session=session).select_related(
        "person", "condition"
    )
    scope = request_scope(request)
    manages = session.organisation_id in [
        org for org, held in scope.organisation_roles.items() if held & MANAGERS
    ] or (scope.is_global and not scope.read_only)
    context = {
        "session": session,
        "parts": [
            {
                "label": label,
                "assessors": p in ASSESSOR_PARTS,
                "staff": [s.person for s in staff if s.part == p],
            }
            for p, label in parts
        ],  # fmt: skip
        "registrations": registrations[:500],
        "problems": services.staffing_check(session=session),
        "planned": session.status == SessionStatus.PLANNED,
        "manages": manages,
        "staff_form": staff_form or StaffForm(parts=parts, people=_staff_people(session)),
    }
    return render(request, "assessment/manage/session.html", context, status=status)


@page(roles=SESSION_PAGE_ROLES)
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _session(request, pk))


@page(roles=MANAGERS)
@require_POST
def staff_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    parts = [(p, str(AssessmentPart(p).label)) for p in session.parts]
    people = _staff_people(session)
    form = StaffForm(request.POST, parts=parts, people=people)
    if form.is_valid():
        try:
            services.staff_assign(
                actor=user_of(request), session=session, part=form.cleaned_data["part"],
                person=staff_candidates(session).get(pk=int(form.cleaned_data["person"])),
                chair=bool(form.cleaned_data.get("chair")),
            )  # fmt: skip
        except DomainError as err:
            refusal(request, form, err)
        else:
            messages.success(request, "已安排考务人员。")
            return HttpResponseRedirect(_url(session))
    return _page(request, session, staff_form=form, status=400)


@page(roles=MANAGERS)
@require_POST
def session_open(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    try:
        services.session_open(actor=user_of(request), session=session)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, "考试批次已开考，报名截止。")
    return HttpResponseRedirect(_url(session))


# --- the candidate ------------------------------------------------------------------------


def _own_person(request: HttpRequest) -> Person:
    person = user_of(request).person
    if person is None:
        raise Http404("账号未关联人员")
    return person


@page(roles=CANDIDATES)
def apply_list(request: HttpRequest) -> HttpResponse:
    """Planned sessions for the worker's occupations (or the one typed), each with whether the
    worker meets the level's application conditions and why not."""
    person = _own_person(request)
    typed = request.GET.get("occupation", "").strip()
    occupation = Occupation.objects.filter(name=typed).order_by("code").first() if typed else None
    if occupation is not None:
        codes = [occupation.code]
    else:
        codes = list(
            Employment.objects.filter(person=person, occupation__isnull=False)
            .values_list("occupation_id", flat=True)
            .distinct()
        )
    sessions = open_sessions().filter(occupation_id__in=codes)[:50]
    mine = set(
        Registration.objects.filter(
            person=person, session__in=[s.pk for s in sessions]
        ).values_list("session_id", flat=True)
    )
    rows = []
    for s in sessions:
        check = services.application_check(
            person=person, occupation=s.occupation, level=s.level, on=s.starts_at.date()
        )
        retake = services.retake_check(person=person, session=s)
        rows.append(
            {
                "session": s,
                "check": check,
                "registered": s.pk in mine,
                "retake": retake if retake.earlier is not None else None,
                "retake_label": retake_label(retake),
            }
        )
    return render(
        request,
        "assessment/manage/apply.html",
        {"rows": rows, "typed": typed, "unknown": bool(typed) and occupation is None},
    )


@page(roles=CANDIDATES)
@require_POST
def apply_register(request: HttpRequest, pk: int) -> HttpResponse:
    person = _own_person(request)
    try:
        session = access_open_session(pk)
    except NotFound as err:
        raise Http404(err.message) from None
    try:
        services.registration_create(
            actor=user_of(request),
            session=session,
            person=person,
            retake=request.POST.get("retake") == "1",
        )
    except DomainError as err:
        messages.error(request, f"报名未成功：{err.message}")
    else:
        messages.success(request, f"已报名{session.starts_at:%Y年%m月%d日}{session.venue}的考试。")
    return HttpResponseRedirect(reverse("assessment:apply"))
