"""Every page of the back office opens. A superuser past the TOTP step opens the admin index and,
for every registered ModelAdmin, its list, its add form (when adding is allowed) and one row's
change page in a small world (jineng/web/tests/world.py and a row of each model it lacks): each
answers 200, with no traceback, in Chinese unless the English switch was used. A ModelAdmin
registered later is covered without touching this file."""

from __future__ import annotations

import datetime as dt
import traceback

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Group
from django.db.models import Model
from django.test import Client, RequestFactory
from django.urls import reverse

from jineng.api.services import api_token_issue
from jineng.assessment.models import PartResult, RetainedPart, RoomRecord
from jineng.assessment.tests.scope_cases import _reg, _result
from jineng.identity.models import Role, User
from jineng.identity.testing import make_person, otp_login
from jineng.organisations.models import TeacherKind
from jineng.organisations.services import teacher_attach
from jineng.policy.services import simulation_start
from jineng.web.tests.world import World

pytestmark = pytest.mark.django_db

# Pages a ModelAdmin keeps on purpose but refuses: django-otp's configuration page and QR code
# carry the TOTP secret, shown once at enrolment only (jineng/identity/admin_devices.py).
REFUSED = {"otp_totp_totpdevice_config", "otp_totp_totpdevice_qrcode"}


def _fill_the_models_the_world_lacks(world: World) -> None:
    side = world.a
    teacher_attach(
        actor=None,
        organisation=side.org,
        person=make_person(name="王老师"),
        kind=TeacherKind.FULL_TIME,
        subject="车工",
        start=dt.date(2020, 9, 1),
    )
    api_token_issue(user=side.users[Role.BUREAU_REVIEWER], label="对账脚本")
    simulation_start(actor=side.users[Role.BUREAU_REVIEWER], on=dt.date(2024, 6, 30))
    Group.objects.create(name="审核组")
    # an exam-room record and a retained part (the world's candidate sits the theory part)
    registration = _reg(side)
    result = PartResult.objects.get(pk=_result(side))
    RoomRecord.objects.create(session_id=result.registration.session_id, room=1)
    RetainedPart.objects.create(registration_id=registration, part=result.part, result=result)
    # django-axes' own rows (written on log-in attempts, read in the admin only).
    AccessAttempt.objects.create(
        username="someone", ip_address="10.0.0.1", user_agent="pytest", failures_since_start=2
    )
    AccessLog.objects.create(username="someone", ip_address="10.0.0.1", user_agent="pytest")
    AccessFailureLog.objects.create(
        username="someone", ip_address="10.0.0.1", user_agent="pytest", locked_out=False
    )


def _admin_client(world: World) -> tuple[Client, User]:
    root = world.sysadmin
    assert root.is_superuser and root.is_staff
    client = Client()
    otp_login(client, root)
    return client, root


def _open(client: Client, url: str, failures: list[str], *, status: int = 200) -> str:
    try:
        response = client.get(url)
    except Exception:  # a view that raises: name the page, keep going
        failures.append(f"{url}: {traceback.format_exc(limit=-3)}")
        return ""
    body = response.content.decode(errors="replace")
    if response.status_code != status:
        failures.append(f"{url}: status {response.status_code}, not {status}")
    elif "Traceback" in body:
        failures.append(f"{url}: a traceback in the page")
    return body


def _pages(model: type[Model], model_admin: admin.ModelAdmin, root: User) -> list[tuple[str, int]]:  # type: ignore[type-arg]
    """The list, the add form, and for one row its change, history and delete-confirmation pages
    (a GET deletes nothing), plus the ModelAdmin's own pages that take no argument or the row."""
    request = RequestFactory().get("/admin/")
    request.user = root
    opts = model._meta
    name = f"{opts.app_label}_{opts.model_name}"
    urls = [reverse(f"admin:{name}_changelist")]
    if model_admin.has_add_permission(request):
        urls.append(reverse(f"admin:{name}_add"))
    row = model_admin.get_queryset(request).order_by("pk").first()
    if row is not None:
        urls.append(reverse(f"admin:{name}_change", args=[quote(row.pk)]))
        urls.append(reverse(f"admin:{name}_history", args=[quote(row.pk)]))
        if model_admin.has_delete_permission(request, row):
            urls.append(reverse(f"admin:{name}_delete", args=[quote(row.pk)]))
    pages = [(url, 200) for url in urls]
    standard = {f"{name}_{s}" for s in ("changelist", "add", "change", "history", "delete")}
    for pattern in model_admin.get_urls():
        if not pattern.name or pattern.name in standard:
            continue
        status = 403 if pattern.name in REFUSED else 200
        arguments = pattern.pattern.regex.groups
        if arguments == 0:
            pages.append((reverse(f"admin:{pattern.name}"), status))
        elif arguments == 1 and row is not None:
            pages.append((reverse(f"admin:{pattern.name}", args=[quote(row.pk)]), status))
    return pages


def test_every_admin_page_opens_for_a_superuser(world: World) -> None:
    _fill_the_models_the_world_lacks(world)
    client, root = _admin_client(world)
    failures: list[str] = []

    index = _open(client, reverse("admin:index"), failures)
    assert '<html lang="zh-hans"' in index
    assert "后台管理" in index and "最近动作" in index  # our title and Django's own Chinese

    opened: list[str] = []
    without_rows: list[str] = []
    for model, model_admin in admin.site._registry.items():
        pages = _pages(model, model_admin, root)
        if not any(url.endswith("/change/") for url, _ in pages):
            without_rows.append(model._meta.label)
        for url, status in pages:
            body = _open(client, url, failures, status=status)
            if status == 200 and "<html" in body and '<html lang="zh-hans"' not in body:
                failures.append(f"{url}: not in Chinese")
            opened.append(url)

    assert failures == [], "\n".join(failures)
    assert without_rows == [], f"no row to open the change page of: {without_rows}"
    assert len(admin.site._registry) >= 15
    assert len(opened) >= 2 * len(admin.site._registry)


def test_the_admin_follows_the_english_switch(world: World) -> None:
    client, _ = _admin_client(world)
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    index = client.get(reverse("admin:index")).content.decode()
    assert '<html lang="en"' in index
    assert "Skilled Talent Services — Administration" in index and "Recent actions" in index
    people = client.get(reverse("admin:identity_person_changelist")).content.decode()
    assert "Select person to change" in people or "People" in people
