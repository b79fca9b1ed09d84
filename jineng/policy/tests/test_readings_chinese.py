"""Every 条文解读 (reading) is Chinese, for a bureau analyst to check against the Chinese text.

The reading shown on the pages is `reading` (Chinese); the English one is kept beside it as
`reading_en` (shown when the page language is English). A reading must not carry the machinery:
no item ids, attribute or parameter names, file names, English words or bare region codes.
"""

from __future__ import annotations

import re

from jineng.policy.engine.loader import load_policies
from jineng.policy.engine.model import Item

# Latin-letter runs of three or more that a Chinese reading may contain: none so far. (One- and
# two-letter runs such as "A级" for the labour-security credit grade, or "XX市" for the blanked
# city of seed 002, are not runs of three and need no listing.)
ALLOWED_LATIN = frozenset[str]()
MIN_CHINESE_SHARE = 0.60

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Chinese punctuation (CJK symbols, full-width forms, curly quotes, dashes, ellipsis, ·) and digits.
_CHINESE_PUNCT_OR_DIGIT = re.compile(
    r"[\u3000-\u303f\uff00-\uffef\u2018\u2019\u201c\u201d\u2014\u2026\u00b7\u2192\u2194\u2265\u2264%0-9]"
)
_LATIN_RUN = re.compile(r"[A-Za-z]{3,}")
# A number of four or more digits must be an amount, a year, a count or a date ("5000元", "2025年",
# "1000名", "20万人次"); a bare one is a code (region "4419", "640402").
_BARE_NUMBER = re.compile(
    r"(?<![\d.])\d{4,}(?![\d.]|\s*(?:元|年|万|名|人|个|家|门|场|件|项|次|%|％|—|-|～|~|至))"
)


def chinese_share(text: str) -> float:
    """Share of the non-space characters that are Chinese characters, Chinese punctuation or digits."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    chinese = sum(1 for c in chars if _CJK.match(c) or _CHINESE_PUNCT_OR_DIGIT.match(c))
    return chinese / len(chars)


def reading_problems(text: str) -> list[str]:
    """What makes `text` unfit as a Chinese reading (empty when it is fit)."""
    problems = []
    share = chinese_share(text)
    if share < MIN_CHINESE_SHARE:
        problems.append(f"中文字符占比 {share:.0%},低于 {MIN_CHINESE_SHARE:.0%}")
    latin = sorted({run for run in _LATIN_RUN.findall(text) if run not in ALLOWED_LATIN})
    if latin:
        problems.append(f"含英文或内部代码:{', '.join(latin[:8])}")
    bare = sorted(set(_BARE_NUMBER.findall(text)))
    if bare:
        problems.append(f"含裸编码(如地区代码):{', '.join(bare[:8])}")
    return problems


def _items_with_readings() -> list[Item]:
    return [i for i in load_policies().items if i.reading or i.reading_en]


def test_the_checker_refuses_english_codes_and_bare_region_codes() -> None:
    english = '"250名左右" is an approximate planning number, not an enforced cap.'
    assert reading_problems(english)
    assert reading_problems("按 work_region 判断是否在湖州工作。")  # an attribute name
    assert reading_problems("触发条目 hz.craftsman.grand 的资助。")  # an item id
    assert reading_problems("工作地在 4407 之下。")  # a bare region code
    fine = "“250名左右”为到2025年的预期培养数，并非资助名额上限；资助一次性拨付到位，每人1万元，按5000元/学员计。"
    assert reading_problems(fine) == []
    assert reading_problems("江门市劳动保障信用A级以上企业；XX市。") == []


def test_every_reading_is_chinese_and_keeps_its_english_beside_it() -> None:
    items = _items_with_readings()
    assert len(items) >= 100  # the files hold about 140 readings: the check is not vacuous
    failures = []
    for item in items:
        if not item.reading:
            failures.append(f"{item.id}: 有英文解读(reading_en)而无中文解读(reading)")
            continue
        problems = reading_problems(item.reading)
        if problems:
            failures.append(f"{item.id}: {';'.join(problems)}")
        if not item.reading_en:
            failures.append(f"{item.id}: 缺少英文解读(reading_en)")
        elif chinese_share(item.reading_en) >= 0.5:
            failures.append(f"{item.id}: reading_en 不是英文")
    assert not failures, f"{len(failures)} 处条文解读不合要求:\n" + "\n".join(failures)
