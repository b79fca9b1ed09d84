"""Playwright driving Debian's chromium: what every browser test shares."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# itself (building the data) must still be allowed.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
WAIT_MS = 30_000

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium"
    ),
]


@contextmanager
def chromium_page(*, width: int, height: int) -> Iterator[Any]:
    """A page in headless Debian chromium, Chinese locale, at the given viewport."""
    from playwright.sync_api import expect, sync_playwright

    # How long a step may wait for the page (a fetch that fills a list, a redirect) before it
    # fails: generous, since CI shares two cores between the suite's workers and the live server.
    # Nothing is asserted about time; this only bounds the wait.
    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
            headless=True,
        )
        context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
        context.set_default_timeout(WAIT_MS)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def sign_in(page: Any, live_server: Any, user: Any) -> None:
    """Put `user`'s session (second factor passed) into the browser: the log-in pages have their
    own browser tests, the flows after it need not type passwords and codes."""
    from django.test import Client

    from jineng.identity.testing import otp_login

    client = Client()
    otp_login(client, user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def phone_width_holds(page: Any) -> None:
    """Nothing is wider than the screen (the 390 px rule)."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"
