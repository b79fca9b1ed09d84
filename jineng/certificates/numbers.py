"""The national certificate number (职业技能等级证书编号), as issue 9 states it:

    one letter   Y 用人单位（企业自主评价） / S 社会培训评价组织
    4 digits     the issuing organisation's agency code (机构代码)
    2 digits     province (the first two digits of the issuer's GB/T 2260 region)
    6 digits     the assessment site (评价站点)
    2 digits     year of issue (last two digits)
    1 digit      level: 5 初级工 … 1 高级技师 (the digit is the level's 级)
    6 digits     serial, from 000001 under each prefix, gap-free
                 = 22 characters, e.g. S1234441900012455000001

特级技师 has no level digit on the 五级 ladder; issue 9 says its number has "two letters and 20
digits". Our reading: the second letter T (特) stands right after the first, and the level digit
is left out — Y/S, T, then the 4 + 2 + 6 + 2 + 6 digits above (still 22 characters). 首席技师 is an
appointment, not an issued certificate, and 学徒工 has no certificate: neither gets a number.

Legacy numbers (16 digits, before the 2020 template) are accepted where the caller says so
(imports), never generated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jineng.core.errors import DomainError

EMPLOYER = "Y"  # 用人单位
SOCIAL = "S"  # 社会培训评价组织
PRINCIPAL_MARK = "T"  # 特级技师
DIGIT_LEVELS = frozenset("54321")
NUMBERED_LEVELS = DIGIT_LEVELS | {"S"}
SERIAL_MAX = 999_999

_MODERN = re.compile(
    r"^(?P<kind>[YS])(?:(?P<principal>T)(?P<a>\d{4})(?P<p>\d{2})(?P<s>\d{6})(?P<y>\d{2})"
    r"|(?P<a2>\d{4})(?P<p2>\d{2})(?P<s2>\d{6})(?P<y2>\d{2})(?P<level>[1-5]))(?P<serial>\d{6})$"
)
_LEGACY = re.compile(r"^\d{16}$")


class NumberInvalid(DomainError):
    """A certificate number that does not follow the national format (400)."""


@dataclass(frozen=True)
class CertificateNumber:
    kind: str  # Y or S
    agency: str
    province: str
    site: str
    year: str  # two digits
    level: str  # SkillLevel code: 5..1 or S
    serial: int

    @property
    def prefix(self) -> str:
        """Everything before the serial: the key of its serial counter."""
        if self.level == "S":
            return f"{self.kind}{PRINCIPAL_MARK}{self.agency}{self.province}{self.site}{self.year}"
        return f"{self.kind}{self.agency}{self.province}{self.site}{self.year}{self.level}"

    def __str__(self) -> str:
        return f"{self.prefix}{self.serial:06d}"


def number_prefix(
    *, kind: str, agency: str, province: str, site: str, year: int, level: str
) -> str:
    """The prefix of the numbers an issuer gives in a year at a level (checked part by part)."""
    if kind not in (EMPLOYER, SOCIAL):
        raise NumberInvalid("number", f"证书编号首字母应为 Y 或 S，不是“{kind}”")
    for field, value, width, label in (
        ("agency_code", agency, 4, "机构代码"),
        ("province", province, 2, "省份代码"),
        ("site_code", site, 6, "评价站点代码"),
    ):
        if not (len(value) == width and value.isascii() and value.isdigit()):
            raise NumberInvalid(field, f"{label}应为{width}位数字，不是“{value}”")
    if level not in NUMBERED_LEVELS:
        raise NumberInvalid("level", "首席技师、学徒工不颁发职业技能等级证书编号")
    if not 2000 <= year <= 2099:
        raise NumberInvalid("issued_on", f"发证年份{year}超出证书编号可表示的范围")
    return str(CertificateNumber(kind, agency, province, site, f"{year % 100:02d}", level, 0))[:-6]


def format_number(prefix: str, serial: int) -> str:
    if not 1 <= serial <= SERIAL_MAX:
        raise NumberInvalid("number", f"证书编号前缀{prefix}的流水号已用完")
    number = f"{prefix}{serial:06d}"
    parse_number(number)  # never hand out a number the validator would refuse
    return number


def parse_number(value: str) -> CertificateNumber:
    """The parts of a 22-character national number; NumberInvalid (Chinese, says why) otherwise."""
    text = (value or "").strip().upper()
    match = _MODERN.match(text)
    if match is None:
        if len(text) != 22:
            raise NumberInvalid("number", f"证书编号应为22位，输入的是{len(text)}位")
        if text[:1] not in (EMPLOYER, SOCIAL):
            raise NumberInvalid("number", "证书编号应以字母 Y 或 S 开头")
        raise NumberInvalid("number", "证书编号格式不正确：字母之后应全为数字，等级位应为1–5")
    g = match.groupdict()
    if g["principal"]:
        parts = (g["a"], g["p"], g["s"], g["y"], "S")
    else:
        parts = (g["a2"], g["p2"], g["s2"], g["y2"], g["level"])
    serial = int(g["serial"])
    if serial == 0:
        raise NumberInvalid("number", "证书编号的流水号不能为000000")
    return CertificateNumber(g["kind"], *parts[:4], level=parts[4], serial=serial)


def is_valid_number(value: str, *, legacy_ok: bool = False) -> bool:
    if legacy_ok and _LEGACY.match((value or "").strip()):
        return True
    try:
        parse_number(value)
    except NumberInvalid:
        return False
    return True


def normalise_number(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")
