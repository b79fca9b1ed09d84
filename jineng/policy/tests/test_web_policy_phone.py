"""In a real browser at 390 × 844 (a phone): every policy page of a worker, an organisation admin
and a bureau officer fits the width — no sideways scrolling (tables become stacked cards)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from jineng.identity.models import User
from jineng.identity.testing import otp_login
from jineng.policy.tests.test_api_explain import ON
from jineng.policy.tests.test_web_policy_plain import build_plain_world
from jineng.web.tests.browser import BROWSER_MARKS, chromium_page

pytestmark = BROWSER_MARKS


def session_cookie(user: User, base: str) -> dict[str, str]:
    client = Client()
    otp_login(client, user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}


def test_every_policy_page_fits_a_phone_for_each_role(live_server: Any) -> None:
    w = build_plain_world()
    person, org = w.dg_worker_person.pk, w.dg_org.pk
    items = ["dg.competition.city_class1_medal", "nb.skill_upgrade", "hz.worldskills.medal"]
    pages = {
        "worker": (
            w.dg_worker,
            ["/policy/", f"/policy/mine/?on={ON}", f"/policy/mine/others/?on={ON}"]
            + [f"/policy/items/{i}/" for i in items],
        ),
        "org_admin": (w.dg_org_admin, ["/policy/"] + [f"/policy/items/{i}/" for i in items]),
        "officer": (
            w.pw.dg_officer,
            [
                "/policy/",
                "/policy/explain/",
                "/policy/explain/?q=莫",
                "/policy/explain/?org_q=东莞",
                f"/policy/explain/?person={person}&on={ON}",
                f"/policy/explain/?organisation={org}&on={ON}",
                "/policy/simulate/",
            ]
            + [f"/policy/items/{i}/" for i in items],
        ),
    }
    wide: dict[str, int] = {}
    with chromium_page(width=390, height=844) as page:
        for role, (user, urls) in pages.items():
            page.context.clear_cookies()
            page.context.add_cookies([session_cookie(user, live_server.url)])
            for url in urls:
                resp = page.goto(live_server.url + url)
                assert resp is not None and resp.status == 200, (role, url)
                # open every collapsed section, so their tables are measured too
                page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 390:
                    wide[f"{role} {url}"] = width
    assert wide == {}
