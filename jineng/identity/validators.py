"""Check-digit validators for national identifiers.

GB 11643-1999: 18-character resident identity number, ISO 7064 MOD 11-2 check digit.
GB 32100-2015: 18-character unified social credit code, MOD 31 check character.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
