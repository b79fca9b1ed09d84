"""Attendance pages (issue 8 §5, §8): the session's attendance sheet (teacher marks with a
reason, monitoring evidence), the teacher's rotating QR screen and its image, and the trainee's
扫码签到 page — the address the QR encodes — which posts a live camera frame and the position.

No inline script: the QR screen's refresh (learning/qr.js) and the check-in camera
(learning/checkin.js) are static files."""

from __future__ import annotations

import base64
import io
import ipaddress
from typing import Any

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from jineng.core.errors import DomainError
from jineng.identity.access import request_scope
from jineng.learning.access_classes import access_session_by_id, runs_class
from jineng.learning.models import AttendanceKind, ClassSession, EvidenceKind
from jineng.learning.services.attendance import (
    Device,
    attendance_check_in,
    attendance_mark,
    checkin_session,
    checkin_token,
    session_evidence_add,
)
from jineng.learning.services.classes import teacher_mark_counts
from jineng.web.guards import page, signed_in_user
from jineng.web.learning.views.common import PROVIDERS, WORKER, _apply_error, _person

MAX_CAPTURE_BYTES = 2 * 1024 * 1024


def mask_ip(value: str | None) -> str:
    """203.0.113.7 → 203.0.113.*; an IPv6 address keeps its first three groups."""
    if not value:
        return ""
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        return "*"
    if ip.version == 4:
        return ".".join(str(ip).split(".")[:3] + ["*"])
    return ":".join(ip.exploded.split(":")[:3]) + ":*"


_DEVICES = (
    ("iPhone", "苹果手机"),
    ("iPad", "苹果平板"),
    ("Android", "安卓手机"),
    ("HarmonyOS", "鸿蒙手机"),
    ("Windows", "电脑（Windows）"),
    ("Macintosh", "苹果电脑"),
    ("Linux", "电脑（Linux）"),
)
_BROWSERS = (
    ("MicroMessenger", "微信"),
    ("HeadlessChrome", "无界面浏览器"),
    ("CriOS", "Chrome 浏览器"),
    ("Chrome", "Chrome 浏览器"),
    ("Firefox", "Firefox 浏览器"),
    ("Safari", "Safari 浏览器"),
)


def describe_device(user_agent: str) -> str:
    """The device and browser of a user agent, in words (the full string stays in the record)."""
    if not user_agent:
        return ""
    device = next((label for key, label in _DEVICES if key in user_agent), "其他设备")
    browser = next((label for key, label in _BROWSERS if key in user_agent), "其他浏览器")
    return f"{device} · {browser}"


def device_of(request: HttpRequest) -> Device:
    return Device(
        user_agent=str(request.META.get("HTTP_USER_AGENT", ""))[:300],
        ip=request.META.get("REMOTE_ADDR") or None,
    )


class MarkForm(forms.Form):
    enrolment = forms.ChoiceField(label=_("学员"))
    kind = forms.ChoiceField(label=_("类型"), choices=AttendanceKind.choices)
    reason = forms.CharField(label=_("理由"), max_length=500)

    def __init__(self, *args: Any, trainees: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].choices = [(str(k), v) for k, v in trainees]  # type: ignore[attr-defined]


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("证据类型"), choices=EvidenceKind.choices)
    file = forms.FileField(label=_("文件（可不传）"), required=False)
    reference = forms.CharField(label=_("录像地址或编号"), max_length=500, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


def _run_session(request: HttpRequest, pk: int) -> ClassSession:
    scope = request_scope(request)
    session = access_session_by_id(signed_in_user(request), pk, scope=scope)
    if not runs_class(scope, session.klass):
        raise Http404("课次不存在或不在您的查看范围内")
    return session


def _sheet(request: HttpRequest, session: ClassSession, **forms_: Any) -> HttpResponse:
    klass = session.klass
    enrolments = list(klass.enrolments.select_related("person").order_by("pk"))
    records: dict[tuple[int, str], Any] = {
        (a.enrolment_id, a.kind): a for a in session.attendance.select_related("marked_by")
    }
    rows = [
        {
            "enrolment": e,
            "in": records.get((e.pk, AttendanceKind.CHECK_IN)),
            "out": records.get((e.pk, AttendanceKind.CHECK_OUT)),
            "ip": mask_ip(getattr(records.get((e.pk, AttendanceKind.CHECK_IN)), "ip", None)),
            "device": describe_device(
                getattr(records.get((e.pk, AttendanceKind.CHECK_IN)), "user_agent", "")
            ),
        }
        for e in enrolments
    ]
    counts = teacher_mark_counts(klass)
    from jineng.identity.models import User

    markers = {u.pk: u for u in User.objects.filter(pk__in=list(counts))}
    context = {
        "session": session,
        "klass": klass,
        "rows": rows,
        "present": sum(1 for r in rows if r["in"]),
        "marks": [(markers[k], n) for k, n in counts.items() if k in markers],
        "evidence": session.evidence.all(),
        "refusals": session.refusals.select_related("person")[:50],
        "mark_form": forms_.get("mark_form")
        or MarkForm(trainees=[(e.pk, e.person.name) for e in enrolments]),
        "evidence_form": forms_.get("evidence_form") or EvidenceForm(),
    }
    return render(request, "learning/classes/sheet.html", context)


@page(roles=PROVIDERS)
@require_http_methods(["GET", "POST"])
def session_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    session = _run_session(request, pk)
    if request.method != "POST":
        return _sheet(request, session)
    user = signed_in_user(request)
    if request.POST.get("action") == "evidence":
        form: forms.Form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                session_evidence_add(
                    actor=user,
                    session=session,
                    kind=form.cleaned_data["kind"],
                    file=form.cleaned_data.get("file"),
                    reference=form.cleaned_data["reference"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, _("监控证据已添加。"))
                return HttpResponseRedirect(request.path)
        return _sheet(request, session, evidence_form=form)
    enrolments = list(session.klass.enrolments.select_related("person"))
    form = MarkForm(request.POST, trainees=[(e.pk, e.person.name) for e in enrolments])
    if form.is_valid():
        enrolment = next(e for e in enrolments if e.pk == int(form.cleaned_data["enrolment"]))
        try:
            attendance_mark(
                actor=user,
                session=session,
                enrolment=enrolment,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("考勤已登记。"))
            return HttpResponseRedirect(request.path)
    return _sheet(request, session, mark_form=form)


@page(roles=PROVIDERS)
def session_qr(request: HttpRequest, pk: int) -> HttpResponse:
    session = _run_session(request, pk)
    from django.conf import settings

    return render(
        request,
        "learning/classes/qr.html",
        {
            "session": session,
            "klass": session.klass,
            "refresh_ms": int(settings.CLASSES_QR_WINDOW_SECONDS) * 1000,
        },
    )


@page(roles=PROVIDERS)
def session_qr_image(request: HttpRequest, pk: int) -> HttpResponse:
    """The current QR as SVG: this site's check-in address with the current token."""
    session = _run_session(request, pk)
    url = request.build_absolute_uri(reverse("learning:checkin", args=[checkin_token(session)]))
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    out = io.BytesIO()
    image.save(out)
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


def _capture(request: HttpRequest) -> bytes:
    data = request.POST.get("image", "")
    if data.startswith("data:"):
        data = data.partition(",")[2]
    try:
        raw = base64.b64decode(data, validate=True)
    except ValueError:
        raw = b""
    return raw[:MAX_CAPTURE_BYTES]


def _float(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        return None


@page(roles=WORKER)
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    """扫码签到: GET shows the camera (or why the code is refused); POST checks in (JSON)."""
    person = _person(request)
    device = device_of(request)
    if request.method == "POST":
        try:
            record = attendance_check_in(
                actor=signed_in_user(request),
                person=person,
                token=token,
                image=_capture(request),
                lat=_float(request.POST.get("lat")),
                lng=_float(request.POST.get("lng")),
                device=device,
            )
        except DomainError as exc:
            return JsonResponse({"ok": False, "message": exc.message}, status=exc.status)
        what = "签到" if record.kind == AttendanceKind.CHECK_IN else "签退"
        return JsonResponse(
            {"ok": True, "message": f"{what}成功：{timezone.localtime(record.at):%H:%M}"}
        )
    try:
        session = checkin_session(person=person, token=token, device=device)
    except DomainError as exc:
        return render(
            request, "learning/classes/checkin.html", {"refused": exc.message}, status=exc.status
        )
    return render(
        request,
        "learning/classes/checkin.html",
        {"session": session, "klass": session.klass, "needs_position": session.has_point},
    )
