"""我的登录令牌: a signed-in account sees its own tokens that still work (issued, last used,
name) — never the token, its prefix or its hash — and revokes one with a POST; another account's
token id is 404 and changes nothing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jineng.api.models import ApiToken, RevokeReason
from jineng.api.services import api_token_issue, api_token_lookup
from jineng.audit.models import AuditEntry
from jineng.identity.models import Role, User
from jineng.identity.testing import make_user, otp_login

pytestmark = pytest.mark.django_db


def _after(entry: AuditEntry) -> dict[str, Any]:
    assert entry.after is not None
    after: dict[str, Any] = entry.after
    return after


URL = "/account/tokens/"


def _main(html: str) -> str:
    """The page's <main>, tags stripped: what a person reads."""
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    text = re.sub(r"<[^>]+>", " ", main.split(">", 1)[1])
    return " ".join(text.split())


def _signed_in(user: User) -> Client:
    client = Client()
    otp_login(client, user)
    return client


@pytest.fixture
def worker() -> User:
    return make_user(Role.WORKER)


def test_the_page_lists_only_ones_own_working_tokens(worker: User) -> None:
    # given two tokens of the worker, one spent and one expired, and a token of another account
    office, _ = api_token_issue(user=worker, label="办公室电脑")
    api_token_lookup(raw=api_token_issue(user=worker, label="考勤程序")[1])  # used once
    revoked, _ = api_token_issue(user=worker, label="旧手机")
    revoked.revoked_at = timezone.now()
    revoked.save()
    api_token_issue(user=worker, label="过期令牌", ttl=dt.timedelta(seconds=-1))
    other = make_user(Role.WORKER)
    api_token_issue(user=other, label="别人的电脑")
    # when the worker opens the page
    resp = _signed_in(worker).get(URL)
    # then exactly the two working tokens are listed, newest first, with when they were used
    assert resp.status_code == 200
    html = resp.content.decode()
    text = _main(html)
    assert html.count('data-testid="token-row"') == 2
    assert text.index("考勤程序") < text.index("办公室电脑")
    for absent in ("旧手机", "过期令牌", "别人的电脑"):
        assert absent not in html
    assert "尚未使用" in text  # the office token was never used; the other shows a time
    # and nothing of the tokens themselves is shown
    for row in ApiToken.objects.all():
        assert row.key_hash not in html and row.prefix not in html
    assert str(office.created_at.year) in text
    # and what a person reads is Chinese: no Latin words, no codes
    assert not re.search(r"[A-Za-z]{2,}", text), text


def test_revoking_one_of_ones_tokens(worker: User) -> None:
    kept, _ = api_token_issue(user=worker, label="保留")
    token, raw = api_token_issue(user=worker, label="要吊销的")
    client = _signed_in(worker)
    resp = client.post(URL, {"token": token.pk}, follow=True)
    assert resp.redirect_chain == [(URL, 302)]
    html = resp.content.decode()
    assert "已吊销该令牌" in html
    assert "要吊销的" not in html and "保留" in html
    assert api_token_lookup(raw=raw) is None
    token.refresh_from_db()
    assert token.revoked_reason == RevokeReason.USER
    entry = AuditEntry.objects.get(action="token_revoke")
    assert (entry.actor_id, entry.object_id, _after(entry)["token"]) == (
        worker.pk,
        str(worker.pk),
        token.pk,
    )
    assert _after(entry)["revoked_reason"] == "user"
    kept.refresh_from_db()
    assert kept.revoked_at is None


@pytest.mark.parametrize("which", ["another account's", "revoked", "expired", "malformed", "none"])
def test_revoking_a_token_that_is_not_ones_own_and_working_is_404(worker: User, which: str) -> None:
    other = make_user(Role.BUREAU_REVIEWER)
    foreign, foreign_raw = api_token_issue(user=other)
    spent, _ = api_token_issue(user=worker)
    spent.revoked_at = timezone.now()
    spent.save()
    expired, _ = api_token_issue(user=worker, ttl=dt.timedelta(seconds=-1))
    value = {
        "another account's": str(foreign.pk),
        "revoked": str(spent.pk),
        "expired": str(expired.pk),
        "malformed": "1 OR 1=1",
        "none": "",
    }[which]
    client = _signed_in(worker)
    assert client.get(URL).status_code == 200  # the page is there; only the token is not
    before = AuditEntry.objects.count()
    resp = client.post(URL, {"token": value})
    assert resp.status_code == 404
    assert "别人" not in resp.content.decode()
    assert AuditEntry.objects.count() == before
    assert api_token_lookup(raw=foreign_raw) is not None


def test_the_page_needs_a_login_and_the_second_factor() -> None:
    assert Client().get(URL)["Location"].startswith("/login/")
    officer = make_user(Role.BUREAU_REVIEWER)
    client = Client()
    client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
    resp = client.get(URL)
    assert resp.status_code == 302 and "/login/otp/" in resp["Location"]


def test_revoking_needs_the_csrf_token(worker: User) -> None:
    token, _ = api_token_issue(user=worker)
    client = Client(enforce_csrf_checks=True)
    otp_login(client, worker)
    assert client.post(URL, {"token": token.pk}).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None
    page = client.get(URL).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert csrf is not None
    resp = client.post(URL, {"token": token.pk, "csrfmiddlewaretoken": csrf.group(1)})
    assert resp.status_code == 302


@pytest.mark.parametrize("role", [Role.WORKER, Role.ORG_ADMIN, Role.BUREAU_REVIEWER, Role.SYSADMIN])
def test_every_role_finds_the_page_in_the_navigation(role: str) -> None:
    resp = _signed_in(make_user(role)).get("/", follow=True)  # the role's start page
    html = resp.content.decode()
    assert resp.status_code == 200
    assert f'href="{URL}"' in html and 'data-testid="nav-tokens"' in html
    assert "我的登录令牌" in html


def test_an_account_without_tokens_is_told_so(worker: User) -> None:
    text = _main(_signed_in(worker).get(URL).content.decode())
    assert "您目前没有有效的登录令牌" in text
