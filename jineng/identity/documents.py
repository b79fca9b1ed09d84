"""Identity documents and phone numbers: format checks and normalisation.

Resident ID numbers (and the 18-digit numbers of the 港澳台居民居住证 and the 2023 外国人永久居留身份证,
which use the same GB 11643 check digit) are checked by check digit and birth date; birth date and
sex derive from them. Other documents are checked by format only: nobody publishes their check
algorithms.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from jineng.identity.errors import ValidationFailed
from jineng.identity.masking import mask_id_number
from jineng.identity.models import IdType
from jineng.identity.validators import IdentifierError, parse_resident_id

PASSPORT_RE = re.compile(r"[A-Z0-9]{5,17}")
# 港澳居民来往内地通行证: H (Hong Kong) / M (Macau) + 8 digits; the old booklet had 10 digits.
HK_MACAU_RE = re.compile(r"[HM](\d{8}|\d{10})")
TAIWAN_RE = re.compile(r"\d{8}")  # 台湾居民来往大陆通行证 (台胞证)
# 外国人永久居留身份证: 2017 card = 3 letters (country) + 12 digits; 2023 card = 18 digits starting 9.
FOREIGN_PERMANENT_OLD_RE = re.compile(r"[A-Z]{3}\d{12}")
MOBILE_RE = re.compile(r"1[3-9]\d{9}")
BANK_ACCOUNT_RE = re.compile(r"\d{8,32}")

_HMT_RESIDENCE_AREAS = ("810000", "820000", "830000")  # 香港 / 澳门 / 台湾


@dataclass(frozen=True)
class Document:
    id_type: str
    number: str  # normalised: no spaces, upper case
    birth_date: dt.date | None = None
    sex: str = ""


def normalise_number(value: str) -> str:
    return "".join(value.split()).upper()


def _fail(message: str, number: str) -> ValidationFailed:
    return ValidationFailed("id_number", message, mask_id_number(number))


def _resident_like(number: str, id_type: str) -> Document:
    try:
        parsed = parse_resident_id(number)
    except IdentifierError as exc:
        raise _fail(str(exc), number) from exc
    return Document(id_type, parsed.number, parsed.birth_date, parsed.sex)


def parse_document(id_type: str, id_number: str) -> Document:
    """Validate a document number for its type; raise ValidationFailed naming the field."""
    if id_type not in IdType.values:
        raise ValidationFailed("id_type", f"未知的证件类型：{id_type}", id_type)
    number = normalise_number(id_number or "")
    if not number:
        raise ValidationFailed("id_number", "证件号码不能为空")
    if id_type == IdType.RESIDENT:
        return _resident_like(number, id_type)
    if id_type == IdType.HMT_RESIDENCE:
        if len(number) == 18 and number[:6] not in _HMT_RESIDENCE_AREAS:
            raise _fail("港澳台居民居住证号码应以810000、820000或830000开头", number)
        return _resident_like(number, id_type)
    if id_type == IdType.FOREIGN_PERMANENT:
        if FOREIGN_PERMANENT_OLD_RE.fullmatch(number):
            return Document(id_type, number)
        if len(number) == 18 and number.startswith("9"):
            return _resident_like(number, id_type)
        raise _fail("外国人永久居留身份证号码应为18位（以9开头）或3位字母加12位数字", number)
    if id_type == IdType.PASSPORT:
        if not PASSPORT_RE.fullmatch(number):
            raise _fail("护照号码应为5至17位字母或数字", number)
        return Document(id_type, number)
    if id_type == IdType.HK_MACAU:
        if not HK_MACAU_RE.fullmatch(number):
            raise _fail("港澳居民来往内地通行证号码应为H或M加8位（旧版10位）数字", number)
        return Document(id_type, number)
    if id_type == IdType.TAIWAN:
        if not TAIWAN_RE.fullmatch(number):
            raise _fail("台湾居民来往大陆通行证号码应为8位数字", number)
        return Document(id_type, number)
    raise ValidationFailed("id_type", f"未知的证件类型：{id_type}", id_type)  # pragma: no cover


def normalise_phone(value: str) -> str:
    """A mainland mobile number (11 digits, 1[3-9]…), with spaces, dashes and +86 removed; ""
    for an empty value. Raise ValidationFailed(field="phone") otherwise."""
    phone = re.sub(r"[\s\-()]", "", value or "")
    if not phone:
        return ""
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    if not MOBILE_RE.fullmatch(phone):
        raise ValidationFailed("phone", "手机号码应为11位中国大陆手机号（1开头，第二位3至9）")
    return phone


def normalise_bank_account(value: str) -> str:
    account = re.sub(r"[\s\-]", "", value or "")
    if account and not BANK_ACCOUNT_RE.fullmatch(account):
        raise ValidationFailed("bank_account", "银行账号应为8至32位数字")
    return account
