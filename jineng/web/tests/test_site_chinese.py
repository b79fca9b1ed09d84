"""Every page of every role in the demo city speaks Chinese and hides the machinery: no item ids,
no `title:` codes, no seed file names, no bare region codes, no snake_case or Python values."""

from __future__ import annotations

import re

import pytest

from jineng.reference.models import Region
from jineng.web.tests.sitecrawl import crawl, seed_demo_city, visible_text

pytestmark = pytest.mark.django_db

MACHINERY: dict[str, re.Pattern[str]] = {
    "条目编号": re.compile(r"\b[a-z]{2,}\.[a-z][a-z0-9_]*\.[a-z0-9_.]+\b"),
    "词表代码": re.compile(r"\b(title|event|training_base|fact|person|organisation|account):\w+"),
    "种子文件名": re.compile(r"\b\d{3}_[0-9a-f]{16}\.txt\b"),
    "内部代码": re.compile(r"\b[a-z]+_[a-z0-9_]+\b"),
    "程序值": re.compile(r"\b(None|True|False|null|undefined|NaN)\b"),
}
NUMBER = re.compile(r"(?<![\d*])(\d{6}|\d{9}|\d{12})(?![\d*])")


def _problems(text: str, region_codes: set[str]) -> list[str]:
    found = [f"{label}：{m.group(0)}" for label, rx in MACHINERY.items() for m in rx.finditer(text)]
    found += [f"地区代码：{n}" for n in NUMBER.findall(text) if n in region_codes]
    return found


def test_the_checks_catch_what_they_should() -> None:
    codes = {"441900", "441900003"}
    bad = "认定为 title:dongguan_expert，dg.competition.city_class1_medal，000_c3a248cebd4631c6.txt，地区 441900 属于 4419，None"
    labels = {p.split("：")[0] for p in _problems(bad, codes)}
    assert labels == {"条目编号", "词表代码", "种子文件名", "内部代码", "程序值", "地区代码"}
    assert (
        _problems("东莞市 东城街道 3601**********743X ¥1,200.00 2026-12-02 共 441901 元", codes)
        == []
    )


def test_every_page_of_every_role_is_chinese_without_machinery() -> None:
    users = seed_demo_city()
    region_codes = set(Region.objects.values_list("code", flat=True))
    failures: list[str] = []
    read = 0
    for user in users:
        for page in crawl(user):
            read += 1
            if page.status != 200:
                failures.append(f"{page.role} {page.url}: 状态 {page.status}")
                continue
            for problem in _problems(visible_text(page.html), region_codes):
                failures.append(f"{page.role} {page.url}: {problem}")
    assert read >= 40, f"only {read} pages were read"
    assert failures == [], "\n".join(sorted(set(failures))[:80])
