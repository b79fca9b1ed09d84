"""In a real browser on a phone-sized screen (Playwright driving Debian's chromium): an organisation
admin downloads the people template, fills in one of their employees with a new phone number,
uploads it in update mode, sees the change listed (masked) before anything is written, confirms,
and sees it written — on the job page and on the person's page. No page scrolls sideways."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from jineng.identity.models import Person, Role
from jineng.imports.people import COLUMNS
from jineng.web.tests.browser import BROWSER_MARKS, chromium_page
from jineng.web.tests.world import PASSWORD, build_world, with_password

pytestmark = BROWSER_MARKS

NEW_PHONE = "13700137000"


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium_page(width=390, height=844) as page:
        yield page


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_org_admin_updates_an_employee_through_the_template(
    live_server: Any, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    side = build_world().a
    admin = with_password(side.users[Role.ORG_ADMIN])
    base = live_server.url

    page.goto(f"{base}/login/")
    page.get_by_test_id("login-username").fill(admin.username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))

    # the import page lists the accepted columns and offers the template
    page.goto(f"{base}/imports/")
    expect(page.get_by_test_id("import-column")).to_have_count(len(COLUMNS))
    assert no_sideways_scroll(page)
    with page.expect_download() as download_info:
        page.get_by_test_id("import-template-people").click()
    download = download_info.value
    assert download.suggested_filename == "人员导入模板.xlsx"
    template = tmp_path / "template.xlsx"
    download.save_as(template)

    # fill the template: the sample row becomes the employee with a new phone number
    book = load_workbook(template)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header == [c.header for c in COLUMNS]
    assert [c.value for c in book.worksheets[1][1]] == ["列名", "是否必填", "格式与说明", "示例"]
    values = {"姓名": side.person.name, "证件号码": side.id_number, "手机号码": NEW_PHONE}
    for index, name in enumerate(header, start=1):
        sheet.cell(row=2, column=index).value = values.get(str(name))  # others emptied
    filled = tmp_path / "本月更新.xlsx"
    book.save(filled)

    # upload it in update mode: the change is listed, masked, and nothing is written yet
    page.locator("#id_kind").select_option("people")
    page.locator("#id_file").set_input_files(str(filled))
    page.get_by_test_id("import-update-existing").check()
    page.get_by_test_id("import-submit").click()
    expect(page).to_have_url(re.compile(r"/imports/[0-9a-f-]{36}/$"))
    expect(page.get_by_test_id("import-job")).to_have_attribute("data-status", "done")
    change = page.get_by_test_id("import-change")
    expect(change).to_have_count(1)
    expect(change.get_by_test_id("import-change-field")).to_have_text("手机号码")
    expect(change.get_by_test_id("import-change-old")).to_have_text("138****8001")
    expect(change.get_by_test_id("import-change-new")).to_have_text("137****7000")
    expect(page.locator("body")).not_to_contain_text(NEW_PHONE)
    expect(page.locator("body")).not_to_contain_text(side.id_number)
    assert no_sideways_scroll(page)
    assert Person.objects.get(pk=side.person.pk).phone == side.phone

    # confirm: written
    page.get_by_test_id("import-confirm-submit").click()
    expect(page.get_by_test_id("import-outcome")).to_have_attribute("data-outcome", "imported")
    expect(page.get_by_test_id("import-written")).to_contain_text("其中更新已有人员 1 人")
    assert Person.objects.get(pk=side.person.pk).phone == NEW_PHONE

    # and the person's page shows the new number, masked
    page.goto(f"{base}/org/people/")
    page.get_by_test_id("person-link").filter(has_text=side.person.name).click()
    expect(page.get_by_test_id("org-person-identity")).to_contain_text("137****7000")
    assert no_sideways_scroll(page)
