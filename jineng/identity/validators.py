"""Check-digit validators for national identifiers.

GB 11643-1999: 18-character resident identity number, ISO 7064 MOD 11-2 check digit.
GB 32100-2015: 18-character unified social credit code, MOD 31 check character.
Passwords: `PasswordStrengthValidator` (zxcvbn), in AUTH_PASSWORD_VALIDATORS beside the length.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"  # index = sum mod 11

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class IdentifierError(ValueError):
    """A value that is not a valid identifier; the message says why, in Chinese."""


@dataclass(frozen=True)
class ResidentId:
    number: str
    area_code: str
    birth_date: dt.date
    sex: str  # "M" | "F"


def resident_id_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def parse_resident_id(value: str) -> ResidentId:
    """Validate a GB 11643 number and derive birth date and sex.

    An unknown or abolished area code is NOT a reason to reject: real numbers keep the code of the
    county where they were first issued, long after the county was merged or renamed.
    """
    number = "".join(value.split()).upper()
    if len(number) != 18:
        raise IdentifierError(f"身份证号码应为18位，实际{len(number)}位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdentifierError("身份证号码前17位应为数字，末位为数字或X")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise IdentifierError(f"身份证号码中的出生日期{number[6:14]}不是真实日期") from exc
    if birth.year < 1900 or birth > dt.date.today():
        raise IdentifierError(f"身份证号码中的出生日期{number[6:14]}不在合理范围内")
    expected = resident_id_check_char(number[:17])
    if number[17] != expected:
        raise IdentifierError(f"身份证号码校验位错误（应为{expected}）")
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return ResidentId(number=number, area_code=number[:6], birth_date=birth, sex=sex)


def is_valid_resident_id(value: str) -> bool:
    try:
        parse_resident_id(value)
    except IdentifierError:
        return False
    return True


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Return the normalised code or raise IdentifierError with the reason."""
    code = "".join(value.split()).upper()
    if len(code) != 18:
        raise IdentifierError(f"统一社会信用代码应为18位，实际{len(code)}位")
    bad = sorted({c for c in code if c not in USCC_CHARS})
    if bad:
        raise IdentifierError(f"统一社会信用代码含非法字符：{''.join(bad)}")
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise IdentifierError(f"统一社会信用代码校验位错误（应为{expected}）")
    return code


def is_valid_uscc(value: str) -> bool:
    try:
        validate_uscc(value)
    except IdentifierError:
        return False
    return True


# --- password strength (zxcvbn) --------------------------------------------------------------

# zxcvbn's feedback is English and fixed: its warnings and suggestions, in Chinese.
_ZXCVBN_WARNINGS: dict[str, Any] = {
    "Straight rows of keys are easy to guess.": gettext_lazy("键盘上连续的一排按键很容易被猜到"),
    "Short keyboard patterns are easy to guess.": gettext_lazy("简短的键盘图形很容易被猜到"),
    'Repeats like "aaa" are easy to guess.': gettext_lazy("重复同一个字符（如 aaa）很容易被猜到"),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': gettext_lazy(
        "重复同一段字符（如 abcabcabc）并不比 abc 难猜多少"
    ),
    'Sequences like "abc" or "6543" are easy to guess.': gettext_lazy(
        "连续的字母或数字（如 abc、6543）很容易被猜到"
    ),
    "Recent years are easy to guess.": gettext_lazy("近些年的年份很容易被猜到"),
    "Dates are often easy to guess.": gettext_lazy("日期通常很容易被猜到"),
    "This is a top-10 common password.": gettext_lazy("这是最常用的十个密码之一"),
    "This is a top-100 common password.": gettext_lazy("这是最常用的一百个密码之一"),
    "This is a very common password.": gettext_lazy("这是非常常见的密码"),
    "This is similar to a commonly used password.": gettext_lazy("与常用密码过于相似"),
    "A word by itself is easy to guess.": gettext_lazy("单独一个常见单词很容易被猜到"),
    "Names and surnames by themselves are easy to guess.": gettext_lazy("单独的姓名很容易被猜到"),
    "Common names and surnames are easy to guess.": gettext_lazy("常见的姓名很容易被猜到"),
}
_ZXCVBN_SUGGESTIONS: dict[str, Any] = {
    "Add another word or two. Uncommon words are better.": gettext_lazy(
        "请再加一两个词，不常见的词更好"
    ),
    "Use a few words, avoid common phrases.": gettext_lazy("请使用几个词的组合，避免常见短语"),
    "Use a longer keyboard pattern with more turns.": gettext_lazy("请避免使用键盘图形"),
    "Avoid repeated words and characters.": gettext_lazy("请避免重复的词和字符"),
    "Avoid sequences.": gettext_lazy("请避免连续的字母或数字"),
    "Avoid recent years.": gettext_lazy("请避免使用近些年的年份"),
    "Avoid years that are associated with you.": gettext_lazy("请避免使用与您相关的年份"),
    "Avoid dates and years that are associated with you.": gettext_lazy(
        "请避免使用与您相关的日期和年份"
    ),
    "Capitalization doesn't help very much.": gettext_lazy("首字母大写帮助不大"),
    "All-uppercase is almost as easy to guess as all-lowercase.": gettext_lazy(
        "全部大写和全部小写一样容易被猜到"
    ),
    "Reversed words aren't much harder to guess.": gettext_lazy("把单词倒过来写并不更难猜"),
    "Predictable substitutions like '@' instead of 'a' don't help very much.": gettext_lazy(
        "用 @ 代替 a 这类常见替换帮助不大"
    ),
}


class PasswordStrengthValidator:
    """Refuses a password that zxcvbn scores below `min_score` (0–4; 3 = "safely unguessable:
    moderate protection from offline slow-hash attacks"). The user's username, name and e-mail
    count as guessable words. Length is MinimumLengthValidator's job; this one catches long but
    predictable passwords (`aaaaaaaaaaaa`, `qwertyuiopas`). The message never repeats the
    password."""

    # zxcvbn's run time grows with the length; what lies past 100 characters adds no doubt.
    MAX_CHECKED = 100

    def __init__(self, min_score: int = 3) -> None:
        self.min_score = min_score

    def _user_inputs(self, user: Any) -> list[str]:
        if user is None:
            return []
        values = [
            getattr(user, name, "") for name in ("username", "display_name", "first_name", "email")
        ]
        return [str(v) for v in values if v]

    def validate(self, password: str, user: Any = None) -> None:
        from zxcvbn import zxcvbn

        result = zxcvbn(password[: self.MAX_CHECKED], user_inputs=self._user_inputs(user))
        if int(result["score"]) >= self.min_score:
            return
        feedback = result.get("feedback") or {}
        parts = [_ZXCVBN_WARNINGS.get(feedback.get("warning") or "")]
        parts += [_ZXCVBN_SUGGESTIONS.get(s) for s in feedback.get("suggestions") or []]
        reasons = "；".join(str(p) for p in parts if p) or _("请使用更长、不常见的词语组合")
        raise ValidationError(
            _("密码太容易被猜到：%(reasons)s。") % {"reasons": reasons},
            code="password_too_guessable",
        )

    def get_help_text(self) -> str:
        return _("密码不能容易被猜到：避免常见密码、键盘上连续的按键、重复或连续的字符。")
