"""Public verification (no log-in): by number and the holder's name, or by the token a
certificate's QR carries. Shared by the page and the API.

The answer is the record in the database and its status — valid, suspended (date and reason),
revoked (date and reason), superseded, or not found — and never a bare "verified": the row is compared with the content its
issue signed (the token kept on the row, and the QR's token when one is scanned), and a difference
is reported as altered, naming the field (issue 9, 7: an edited certificate must fail).

Nothing beyond the certificate is disclosed: no ids, no document number, no other person; the
holder's name is masked unless the visitor typed the matching full name. A wrong name answers
exactly like an unknown number. Each attempt is counted per visitor (django-ratelimit).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Literal

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django_ratelimit.core import get_usage

from jineng.certificates import cache as verify_cache
from jineng.certificates import signing
from jineng.certificates.models import Certificate, CertificateStatus
from jineng.certificates.numbers import is_valid_number, normalise_number, parse_number
from jineng.certificates.photos import photo_data_uri
from jineng.core.errors import RateLimited
from jineng.dossier.models import Fact
from jineng.dossier.vocabulary import CERTIFICATE_LEVELS
from jineng.reference.models import Occupation

Outcome = Literal[
    "valid",
    "suspended",
    "revoked",
    "superseded",
    "recorded",
    "altered",
    "not_found",
    "unverifiable",
]
RATE_GROUP = "jineng.certificate_verify"
THROTTLED_MESSAGE = "查询过于频繁，请一分钟后再试。"

HEADLINES: dict[str, str] = {
    "valid": "证书有效",
    "suspended": "证书已暂停使用，暂停期间不能作为有效证书",
    "revoked": "证书已撤销，不再有效",
    "superseded": "证书已被新证书替代，不再有效",
    "recorded": "证书记录有效",  # + 依据<来源>记录 (the headline property)
    "altered": "证书信息与签发记录不一致，不能确认其真实性",
    "not_found": "未找到与所填证书编号和姓名相符的证书",
    "unverifiable": "二维码内容无法验证：不是本平台签发的，或已被改动",
}


@dataclass(frozen=True)
class AlteredField:
    label: str  # Chinese name of the field
    signed: str  # what the issue signed ("" when only its digest is known)
    recorded: str  # what the record says now


@dataclass(frozen=True)
class Verification:
    outcome: Outcome
    number: str = ""
    holder: str = ""  # masked unless the visitor typed the full name
    occupation: str = ""
    level: str = ""
    issuer: str = ""
    issued_on: dt.date | None = None
    revoked_on: dt.date | None = None
    revoked_reason: str = ""
    suspended_on: dt.date | None = None
    suspended_reason: str = ""
    source: str = ""  # an imported historical certificate: where its record comes from
    photo: str = ""  # data: URI of the holder's photo as printed, "" when none
    altered: tuple[AlteredField, ...] = field(default=())

    @property
    def headline(self) -> str:
        if self.outcome == "recorded":
            return f"{HEADLINES['recorded']}：依据{self.source}记录（历史证书，非本平台签发）"
        return HEADLINES[self.outcome]

    @property
    def is_valid(self) -> bool:
        return self.outcome in ("valid", "recorded")


def verify_rate() -> str:
    return str(getattr(settings, "CERTIFICATES_VERIFY_RATE", "60/m"))


def check_rate(visitor: str) -> None:
    """Count one attempt for `visitor` (an IP address); RateLimited (429) past the rate."""
    usage = get_usage(
        None,
        group=RATE_GROUP,
        key=lambda group, request: visitor or "unknown",
        rate=verify_rate(),
        increment=True,
    )
    if usage and usage["should_limit"]:
        raise RateLimited("", THROTTLED_MESSAGE, retry_after=60)


def _same_name(typed: str, recorded: str) -> bool:
    def norm(text: str) -> str:
        return "".join(unicodedata.normalize("NFKC", text or "").split())

    return bool(norm(typed)) and norm(typed) == norm(recorded)


def _level_label(code: str) -> str:
    return CERTIFICATE_LEVELS.get(code, code)


def _differences(signed: signing.SignedContent, now: signing.SignedContent) -> list[AlteredField]:
    found: list[AlteredField] = []
    if signed.number != now.number:
        found.append(AlteredField("证书编号", signed.number, now.number))
    if signed.masked_name != now.masked_name:
        found.append(AlteredField("持证人姓名", signed.masked_name, now.masked_name))
    if signed.occupation != now.occupation:
        names = Occupation.objects.in_bulk([signed.occupation, now.occupation])

        def name(code: str) -> str:
            return names[code].name if code in names else code

        found.append(AlteredField("职业", name(signed.occupation), name(now.occupation)))
    if signed.level != now.level:
        found.append(AlteredField("等级", _level_label(signed.level), _level_label(now.level)))
    if signed.issuer != now.issuer:
        found.append(AlteredField("发证机构", signed.issuer, now.issuer))
    if signed.issued_on != now.issued_on:
        found.append(AlteredField("发证日期", signed.issued_on, now.issued_on))
    if signed.digest != now.digest and not found:
        # Only the digest differs: the full name, the holder or the issuer behind the printed text.
        found.append(AlteredField("持证人或发证机构信息", "", ""))
    return found


def _status_contradiction(certificate: Certificate) -> list[AlteredField]:
    """A row that says valid while its dossier fact was corrected away (revoked or superseded
    through the services) was edited afterwards."""
    if certificate.status != CertificateStatus.VALID or certificate.fact_id is None:
        return []
    if Fact.objects.filter(supersedes_id=certificate.fact_id).exists():
        return [AlteredField("状态", "已撤销或已替代", "有效")]
    return []


def _answer(
    certificate: Certificate,
    *,
    scanned: signing.SignedContent | None,
    full_name_typed: bool,
) -> Verification:
    altered: list[AlteredField] = []
    stored = signing.read(certificate.token)
    if stored is None:
        altered.append(AlteredField("签名", "", "记录中的签名无效"))
    else:
        altered.extend(_differences(stored, signing.signed_content(certificate)))
    if scanned is not None:
        for diff in _differences(scanned, signing.signed_content(certificate)):
            if all(a.label != diff.label for a in altered):
                altered.append(diff)
    altered.extend(_status_contradiction(certificate))
    outcome: Outcome
    if altered:
        outcome = "altered"
    elif certificate.status == CertificateStatus.REVOKED:
        outcome = "revoked"
    elif certificate.status == CertificateStatus.SUPERSEDED:
        outcome = "superseded"
    elif certificate.status == CertificateStatus.SUSPENDED:
        outcome = "suspended"
    elif certificate.source:
        outcome = "recorded"
    else:
        outcome = "valid"
    revoked = certificate.status == CertificateStatus.REVOKED
    suspended = certificate.status == CertificateStatus.SUSPENDED
    return Verification(
        outcome=outcome,
        number=certificate.number,
        holder=certificate.holder_name
        if full_name_typed
        else signing.mask_name(certificate.holder_name),
        occupation=certificate.occupation.name,
        level=_level_label(certificate.level),
        issuer=certificate.issuer_name,
        issued_on=certificate.issued_on,
        revoked_on=timezone.localdate(certificate.revoked_at)
        if revoked and certificate.revoked_at is not None
        else None,
        revoked_reason=certificate.revoked_reason if revoked else "",
        suspended_on=timezone.localdate(certificate.suspended_at)
        if suspended and certificate.suspended_at is not None
        else None,
        suspended_reason=certificate.suspended_reason if suspended else "",
        source=certificate.source,
        photo=photo_data_uri(certificate),
        altered=tuple(altered),
    )


def _by_number(number: str) -> Certificate | None:
    return Certificate.objects.select_related("occupation").filter(number=number).first()


@dataclass(frozen=True)
class _Record:
    """What the cache keeps per certificate: the record's answer (full name, no scan) and the
    content as signed now (to compare a scanned token with)."""

    answer: Verification
    now: signing.SignedContent


def _record(number: str) -> _Record | None:
    key = verify_cache.key(number)
    found = cache.get(key)
    if isinstance(found, _Record):
        return found
    certificate = _by_number(number)
    if certificate is None:
        return None
    record = _Record(
        _answer(certificate, scanned=None, full_name_typed=True),
        signing.signed_content(certificate),
    )
    cache.set(key, record, verify_cache.timeout())
    return record


def _scanned(record: _Record, scanned: signing.SignedContent, name: str) -> Verification:
    answer = record.answer
    extra = tuple(
        diff
        for diff in _differences(scanned, record.now)
        if all(a.label != diff.label for a in answer.altered)
    )
    altered = answer.altered + extra
    return replace(
        answer,
        outcome="altered" if altered else answer.outcome,
        holder=answer.holder
        if _same_name(name, answer.holder)
        else signing.mask_name(answer.holder),
        altered=altered,
    )


def verify_by_number(
    *, number: str, name: str, visitor: str, counted: bool = False
) -> Verification:
    """By the number and the holder's full name (a wrong name answers like an unknown number).
    Raises NumberInvalid for a number neither national nor legacy (16 digits), RateLimited past the rate
    (`counted`: the caller has counted this attempt already)."""
    if not counted:
        check_rate(visitor)
    number = normalise_number(number)
    if not is_valid_number(number, legacy_ok=True):
        parse_number(number)  # raises, saying why
    record = _record(number)
    if record is None or not _same_name(name, record.answer.holder):
        return Verification(outcome="not_found")
    return record.answer


def verify_by_token(
    *, token: str, visitor: str, name: str = "", counted: bool = False
) -> Verification:
    """By the token of a certificate's QR: unverifiable unless signed with our key; then the
    record it names, compared with what the token says."""
    if not counted:
        check_rate(visitor)
    scanned = signing.read(token)
    if scanned is None:
        return Verification(outcome="unverifiable")
    record = _record(scanned.number)
    if record is None:
        return Verification(outcome="not_found")
    return _scanned(record, scanned, name)


def verification_url(certificate: Certificate) -> str:
    """The link the QR encodes: the verification page with the certificate's token."""
    base = str(getattr(settings, "CERTIFICATES_VERIFY_BASE_URL", "") or "").rstrip("/")
    return f"{base}/verify/{certificate.token}"
