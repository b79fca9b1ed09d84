"""Swagger UI at /api/v1/docs: behind log-in, and served from our own static files (no CDN)."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from jineng.identity.models import Role
from jineng.identity.testing import make_user, otp_login

pytestmark = pytest.mark.django_db

DOCS = "/api/v1/docs"
_URLS = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def test_anonymous_visitors_are_sent_to_log_in() -> None:
    resp = Client().get(DOCS)
    assert resp.status_code == 302
    assert resp["Location"].startswith("/login/")


@pytest.mark.parametrize("role", [Role.WORKER, Role.BUREAU_REVIEWER, Role.SYSADMIN])
def test_the_page_uses_only_local_static_files(client: Client, role: str) -> None:
    otp_login(client, make_user(role))
    resp = client.get(DOCS)
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "swagger-ui" in html
    urls = _URLS.findall(html)
    assert any(u.endswith("swagger-ui-bundle.js") for u in urls), urls
    for url in urls:
        assert url.startswith("/static/"), f"not a local static URL: {url}"
        assert finders.find(url.removeprefix("/static/")), f"missing static file: {url}"
    assert "cdn" not in html.lower() and "//" not in "".join(urls)


def test_the_page_points_at_the_local_openapi_document(client: Client) -> None:
    otp_login(client, make_user(Role.WORKER))
    html = client.get(DOCS).content.decode()
    assert '"url": "/api/v1/openapi.json"' in html
