"""In a real browser on a phone-sized screen (Playwright driving Debian's chromium): an officer
uploads a people file, the job page shows the dry-run report with the bad row and the .xlsx link,
and confirming with "skip the bad rows" imports the good ones in a second job."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jineng.identity.models import Person, Role
from jineng.web.tests.browser import BROWSER_MARKS, chromium_page
from jineng.web.tests.world import PASSWORD, build_world, resident_id, totp_code, with_password

pytestmark = BROWSER_MARKS

GOOD = resident_id("44190019920202002")
BAD = "441900199303030031"[:-1] + "X"


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium_page(width=390, height=844) as page:
        yield page


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_officer_uploads_checks_and_imports(live_server: Any, page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    officer = with_password(build_world().a.users[Role.BUREAU_REVIEWER])
    base = live_server.url
    csv = tmp_path / "people.csv"
    csv.write_text(
        f"姓名,证件号码,常住地\n黎晓东,{GOOD},441900\n何错误,{BAD},441900\n", "utf-8-sig"
    )

    page.goto(f"{base}/login/")
    page.get_by_test_id("login-username").fill(officer.username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    otp = page.locator(
        '[data-testid="otp-token"], input[name="otp_token"], input[name="token"], input[name="otp"]'
    ).first
    otp.fill(totp_code(officer))
    otp.press("Enter")
    expect(page).to_have_url(re.compile(r"/console/$"))

    page.goto(f"{base}/imports/")
    page.locator("#id_kind").select_option("people")
    page.locator("#id_file").set_input_files(str(csv))
    page.get_by_test_id("import-submit").click()
    expect(page).to_have_url(re.compile(r"/imports/[0-9a-f-]{36}/$"))
    job = page.get_by_test_id("import-job")
    expect(job).to_have_attribute("data-status", "done")
    expect(page.get_by_test_id("import-outcome")).to_have_attribute("data-outcome", "dry_run")
    expect(page.get_by_test_id("import-error")).to_have_count(1)
    expect(page.get_by_test_id("import-errors-download")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(BAD)

    page.get_by_test_id("import-skip-bad").check()
    page.get_by_test_id("import-confirm-submit").click()
    expect(page.get_by_test_id("import-outcome")).to_have_attribute("data-outcome", "imported")
    expect(page.get_by_test_id("import-confirm")).to_have_count(0)
    assert Person.objects.filter(name="黎晓东").count() == 1
    assert not Person.objects.filter(name="何错误").exists()
