"""Pages: log-in and the TOTP hand-off, role routing, the console's searches and the audited
reveal, error pages and the layout."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.utils import translation

from jineng.audit.models import AuditEntry
from jineng.identity.models import Role
from jineng.web.tests.world import PASSWORD, World, login, with_password

pytestmark = pytest.mark.django_db


def html(resp: Any) -> str:
    return str(resp.content.decode())


def test_log_in_sends_a_worker_to_their_profile(world: World) -> None:
    worker = with_password(world.a.users[Role.WORKER])
    client = Client()
    resp = client.post("/login/", {"username": worker.username, "password": PASSWORD}, follow=True)
    assert resp.redirect_chain[-1][0] == "/me/"
    body = html(resp)
    assert world.a.person.name in body
    assert world.a.masked_id in body
    assert "138****8001" in body
    assert world.a.id_number not in body
    assert 'data-testid="timeline-entry"' in body


def test_a_bureau_officer_is_sent_to_the_totp_step_before_any_page(world: World) -> None:
    officer = with_password(world.a.users[Role.BUREAU_REVIEWER])
    client = Client()
    resp = client.post("/login/", {"username": officer.username, "password": PASSWORD})
    assert resp.status_code == 302
    resp = client.get(resp["Location"])
    assert resp.status_code == 302 and resp["Location"].startswith("/login/otp/")
    resp = client.get(f"/console/people/{world.a.person.pk}/")
    assert resp.status_code == 302 and resp["Location"].startswith("/login/otp/")


def test_home_routes_each_role(world: World) -> None:
    expected = {
        Role.WORKER: "/me/",
        Role.ORG_ADMIN: "/org/people/",
        Role.TEACHER: "/org/people/",
        Role.BUREAU_REVIEWER: "/console/",
        Role.AUDITOR: "/console/",
    }
    for role, target in expected.items():
        resp = login(Client(), world.a.users[role]).get("/")
        assert (role, resp.status_code, resp["Location"]) == (role, 302, target)
    anonymous = Client().get("/")
    assert anonymous.status_code == 200
    assert 'href="/login/"' in html(anonymous)


def test_five_failed_log_ins_lock_the_account_with_a_chinese_message(world: World) -> None:
    worker = with_password(world.a.users[Role.WORKER])
    client = Client()
    for _ in range(5):
        client.post("/login/", {"username": worker.username, "password": "wrong-password"})
    resp = client.post("/login/", {"username": worker.username, "password": PASSWORD})
    assert resp.status_code == 403
    assert "账号已被锁定" in html(resp)
    assert "_auth_user_id" not in client.session


def test_nav_follows_the_role(world: World) -> None:
    worker_page = html(login(Client(), world.a.users[Role.WORKER]).get("/me/"))
    assert 'data-testid="nav-me"' in worker_page
    assert 'data-testid="nav-console"' not in worker_page
    officer_page = html(login(Client(), world.a.users[Role.BUREAU_REVIEWER]).get("/console/"))
    assert 'data-testid="nav-console"' in officer_page
    assert 'data-testid="nav-audit"' in officer_page
    assert 'data-testid="nav-me"' not in officer_page


def test_document_search_is_a_post_and_does_not_echo_the_number(world: World) -> None:
    client = login(Client(), world.a.users[Role.BUREAU_REVIEWER])
    resp = client.post("/console/", {"id_type": "resident", "id_number": world.a.id_number.lower()})
    body = html(resp)
    assert resp.status_code == 200
    assert world.a.person.name in body and world.a.masked_id in body
    assert world.a.id_number not in body
    assert "no-store" in resp["Cache-Control"]


def test_name_search_rejects_digits(world: World) -> None:
    client = login(Client(), world.a.users[Role.BUREAU_REVIEWER])
    resp = client.get(f"/console/?q={world.a.id_number}")
    assert resp.status_code == 200
    assert world.a.person.name not in html(resp)
    assert "姓名中不含数字" in html(resp)


def test_reveal_shows_the_number_once_uncached_and_audited(world: World) -> None:
    officer = world.a.users[Role.BUREAU_REVIEWER]
    client = login(Client(), officer)
    page = html(client.get(f"/console/people/{world.a.person.pk}/"))
    assert world.a.id_number not in page and world.a.masked_id in page
    resp = client.post(
        f"/console/people/{world.a.person.pk}/reveal/",
        {"field": "id_number", "reason": "核对补贴申请材料"},
    )
    assert resp.status_code == 200
    assert world.a.id_number in html(resp)
    assert "no-store" in resp["Cache-Control"]
    entry = AuditEntry.objects.filter(action="reveal").order_by("-id").first()
    assert entry is not None
    assert (entry.actor_id, entry.reason) == (officer.pk, "核对补贴申请材料")
    assert "核对补贴申请材料" in html(resp)  # the access log on the same page
    again = html(client.get(f"/console/people/{world.a.person.pk}/"))
    assert world.a.id_number not in again


def test_reveal_needs_a_reason_and_a_post(world: World) -> None:
    client = login(Client(), world.a.users[Role.BUREAU_REVIEWER])
    before = AuditEntry.objects.count()
    url = f"/console/people/{world.a.person.pk}/reveal/"
    assert client.get(url).status_code == 405
    resp = client.post(url, {"field": "id_number", "reason": ""})
    assert resp.status_code == 400
    assert world.a.id_number not in html(resp)
    assert AuditEntry.objects.count() == before


def test_reveal_is_csrf_protected(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    login(client, world.a.users[Role.BUREAU_REVIEWER])
    resp = client.post(
        f"/console/people/{world.a.person.pk}/reveal/", {"field": "id_number", "reason": "核对"}
    )
    assert resp.status_code == 403


def test_auditor_sees_the_reveal_in_the_audit_log_but_cannot_reveal(world: World) -> None:
    client = login(Client(), world.a.users[Role.AUDITOR])
    body = html(client.get("/audit/?action=reveal"))
    assert world.a.reveal_reason in body
    assert world.b.reveal_reason not in body
    person_page = html(client.get(f"/console/people/{world.a.person.pk}/"))
    assert 'data-testid="reveal-form"' not in person_page


def test_region_drill_down_counts_and_lists(world: World) -> None:
    client = login(Client(), world.b.users[Role.BUREAU_APPROVER])
    top = html(client.get("/console/regions/"))
    assert "/console/regions/330500/" in top
    city = client.get("/console/regions/330500/")
    assert city.status_code == 200
    assert 'href="/console/regions/330502/"' in html(city)
    district = html(client.get("/console/regions/330502/"))
    assert world.b.person.name in district and world.b.masked_id in district
    orgs = html(client.get("/console/regions/330502/?tab=organisations"))
    assert world.b.org.name in orgs
    assert client.get("/console/regions/999999/").status_code == 404


def test_org_staff_see_their_people_masked(world: World) -> None:
    body = html(login(Client(), world.a.users[Role.ORG_HR]).get("/org/people/"))
    assert world.a.person.name in body and world.a.masked_id in body
    assert world.a.id_number not in body
    assert world.a.org.name in body


def test_error_pages_are_in_chinese(world: World) -> None:
    client = login(Client(), world.a.users[Role.WORKER])
    forbidden = client.get("/console/")
    assert forbidden.status_code == 403 and "无权访问" in html(forbidden)
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and "页面不存在" in html(missing)


def test_layout_is_chinese_mobile_first_and_self_contained(world: World) -> None:
    body = html(Client().get("/login/"))
    assert '<html lang="zh-Hans">' in body
    assert 'name="viewport"' in body
    assert 'href="/static/web/site.css"' in body
    assert "http://" not in body and "https://" not in body  # nothing fetched from elsewhere
    assert 'action="/i18n/setlang/"' in body


def test_language_switch_to_english(world: World) -> None:
    client = Client()
    resp = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"}, follow=True)
    assert resp.status_code == 200
    body = html(resp)
    assert '<html lang="en">' in body
    assert "Log in" in body and "Skilled Talent Services" in body


def test_admin_titles_are_chinese() -> None:
    with translation.override("zh-hans"):
        assert str(admin.site.site_header) == "技能人才服务平台 管理后台"
    with translation.override("en"):
        assert str(admin.site.site_header) == "Skilled Talent Services — Administration"


def test_region_lists_count_in_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    client = login(Client(), world.sysadmin)
    client.get("/console/")  # warm the session
    with django_assert_max_num_queries(16):
        resp = client.get("/console/regions/")  # 34 provinces, counted in grouped queries
    assert resp.status_code == 200
    assert html(resp).count('data-testid="region-row"') == 34
