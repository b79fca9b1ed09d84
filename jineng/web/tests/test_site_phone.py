"""Every page of every role at 390 × 844 in a real browser (Debian chromium): nothing wider than
the screen, and nothing the Content-Security-Policy had to block."""

from __future__ import annotations

from typing import Any

from django.test import Client

from jineng.identity.testing import otp_login
from jineng.web.tests.browser import BROWSER_MARKS, chromium_page
from jineng.web.tests.sitecrawl import crawl, seed_demo_city, shape

pytestmark = BROWSER_MARKS

WIDTH = 390

# The widest element whose right edge passes the viewport, for the failure message.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  let worst = null;
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 1 && (!worst || r.right > worst.right)) {
      worst = {right: Math.round(r.right), tag: el.tagName.toLowerCase(),
               cls: String(el.className || ''), text: (el.textContent || '').trim().slice(0, 30)};
    }
  }
  return {scroll: document.documentElement.scrollWidth, width: width, worst: worst};
}"""


def test_every_page_of_every_role_fits_a_phone(live_server: Any) -> None:
    users = seed_demo_city()
    failures: list[str] = []
    visited = 0
    with chromium_page(width=WIDTH, height=844) as page:
        context = page.context
        blocked: list[str] = []
        page.on(
            "console",
            lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None,
        )
        for user in users:
            urls: dict[str, str] = {}
            for found in crawl(user):
                if found.status == 200:
                    urls.setdefault(shape(found.url), found.url)
            client = Client()
            otp_login(client, user)
            context.clear_cookies()
            context.add_cookies(
                [
                    {
                        "name": "sessionid",
                        "value": client.cookies["sessionid"].value,
                        "url": live_server.url,
                    }
                ]
            )
            for url in urls.values():
                blocked.clear()
                page.goto(f"{live_server.url}{url}")
                visited += 1
                result = page.evaluate(OVERFLOW_JS)
                if result["scroll"] > WIDTH:
                    failures.append(
                        f"{user.username} {url}: 宽 {result['scroll']}px {result['worst']}"
                    )
                for text in blocked:
                    failures.append(f"{user.username} {url}: CSP {text[:120]}")
    assert visited >= 30, f"only {visited} pages were visited"
    assert failures == [], "\n".join(failures[:60])
