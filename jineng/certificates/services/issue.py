"""Issuers and their licence scope; issuing one certificate or a list (all or nothing).

Issue appends a `certificate` fact to the holder's dossier (the policy engine reads it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.certificates import signing
from jineng.certificates.models import (
    Certificate,
    Issuer,
    IssuerScope,
    SerialCounter,
)
from jineng.certificates.numbers import EMPLOYER, SOCIAL, format_number, number_prefix
from jineng.certificates.services.common import (
    FACT_SOURCE,
    CertificateRefused,
    _scope,
    certificate_snapshot,
    require_manage,
)
from jineng.certificates.services.status import supersede
from jineng.core.errors import DomainError
from jineng.dossier.models import FactKind
from jineng.dossier.services import fact_append
from jineng.dossier.vocabulary import CERTIFICATE_LEVELS
from jineng.identity.models import Employment, Person
from jineng.organisations.models import Organisation, OrgKind
from jineng.reference.models import Occupation, ShortageOccupation, skill_level_at_least

if TYPE_CHECKING:
    from jineng.identity.models import User


# --- issuers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeEntry:
    occupation: str  # occupation code
    level: str  # SkillLevel code


@transaction.atomic
def issuer_register(
    *,
    actor: User | None,
    organisation: Organisation,
    agency_code: str,
    site_code: str,
    scope: Sequence[ScopeEntry],
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> Issuer:
    """Record (or replace) an organisation's licence to issue and its scope. Only the bureau over
    its region or a system administrator (an organisation may not widen its own licence)."""
    scope_ = _scope(actor)
    if scope_ is not None and not (
        scope_.is_global or scope_.covers_region(organisation.region_id, as_bureau=True)
    ):
        raise PermissionDenied("只有机构所在地的人社部门可以登记发证备案")
    if organisation.kind not in (OrgKind.EVALUATION_ORG, OrgKind.ENTERPRISE):
        raise CertificateRefused("organisation", "只有社会培训评价组织和备案企业可以颁发证书")
    number_prefix(
        kind=SOCIAL, agency=agency_code, province="00", site=site_code, year=2024, level="5"
    )  # checks the codes' shape
    occupations = {
        o.code for o in Occupation.objects.filter(code__in={s.occupation for s in scope})
    }
    for entry in scope:
        if entry.occupation not in occupations:
            raise CertificateRefused("scope", f"评价范围中的职业编码“{entry.occupation}”不存在")
        if entry.level not in CERTIFICATE_LEVELS or entry.level == "C":
            raise CertificateRefused("scope", f"评价范围中的等级“{entry.level}”不能颁发证书")
    issuer, created = Issuer.objects.update_or_create(
        organisation=organisation,
        defaults={
            "agency_code": agency_code,
            "site_code": site_code,
            "valid_from": valid_from,
            "valid_to": valid_to,
        },
    )
    issuer.scopes.all().delete()
    IssuerScope.objects.bulk_create(
        IssuerScope(issuer=issuer, occupation_id=e.occupation, level=e.level) for e in scope
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        object_type=AuditObject.CERTIFICATE_ISSUER,
        object_id=issuer.pk,
        after={
            "organisation": organisation.pk,
            "agency_code": agency_code,
            "site_code": site_code,
            "scope": sorted(f"{e.occupation}:{e.level}" for e in scope),
        },
        region=organisation.region_id,
    )
    return issuer


def _issuer_kind(organisation: Organisation, on: dt.date) -> str:
    if organisation.kind == OrgKind.EVALUATION_ORG:
        return SOCIAL
    if organisation.kind == OrgKind.ENTERPRISE:
        filed = organisation.self_evaluation_filed and (
            organisation.self_evaluation_filed_on is None
            or organisation.self_evaluation_filed_on <= on
        )
        if filed:
            return EMPLOYER
        raise CertificateRefused("issuer", f"“{organisation.name}”未办理企业自主评价备案，不能发证")
    raise CertificateRefused("issuer", f"“{organisation.name}”不是评价机构，不能发证")


def check_may_issue(
    *, organisation: Organisation, person: Person, occupation: Occupation, level: str, on: dt.date
) -> tuple[Issuer, str]:
    """The issuer's licence and the number's letter, or CertificateRefused saying why."""
    kind = _issuer_kind(organisation, on)
    issuer = Issuer.objects.filter(organisation=organisation).first()
    if issuer is None:
        raise CertificateRefused("issuer", f"“{organisation.name}”没有发证备案")
    if (issuer.valid_from and on < issuer.valid_from) or (issuer.valid_to and on > issuer.valid_to):
        raise CertificateRefused("issued_on", f"发证日期{on:%Y年%m月%d日}不在该机构备案有效期内")
    level_label = CERTIFICATE_LEVELS.get(level, level)
    if not IssuerScope.objects.filter(issuer=issuer, occupation=occupation, level=level).exists():
        raise CertificateRefused(
            "occupation", f"“{organisation.name}”的评价范围不含{occupation.name}{level_label}"
        )
    if kind == EMPLOYER:
        # 企业自主评价: for the enterprise's own employees only (issue 9, 9).
        employed = (
            Employment.objects.filter(person=person, employer=organisation, start__lte=on)
            .filter(Q(end__isnull=True) | Q(end__gte=on))
            .exists()
        )
        if not employed:
            raise CertificateRefused("person", "企业自主评价只能为本企业在职职工发证")
    return issuer, kind


def _next_serial(prefix: str) -> int:
    """The next serial under `prefix`, the counter row locked until commit (gap-free)."""
    try:
        with transaction.atomic():
            SerialCounter.objects.get_or_create(prefix=prefix)
    except IntegrityError:  # created at the same moment by another issue: it exists now
        pass
    counter = SerialCounter.objects.select_for_update().get(prefix=prefix)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _shortage(person: Person, occupation: Occupation, level: str, on: dt.date) -> bool:
    region = person.residence_region_id or person.hukou_region_id or ""
    if not region:
        return False
    cities = {region[:6], region[:4] + "00"}
    return any(
        skill_level_at_least(level, s.min_level)
        for s in ShortageOccupation.objects.filter(
            year=on.year, occupation=occupation, region_id__in=cities
        )
    )


@transaction.atomic
def certificate_issue(
    *,
    actor: User | None,
    person: Person,
    occupation: Occupation | str,
    level: str,
    issuer: Organisation,
    issued_on: dt.date,
    supersedes: Certificate | None = None,
) -> Certificate:
    """Issue one certificate: checks the issuer's filing and scope, gives the next national number,
    signs the printed fields, appends the `certificate` fact and audits. With `supersedes`, the old
    certificate (same holder) becomes superseded and its fact is corrected away."""
    require_manage(actor, issuer)
    if isinstance(occupation, str):
        found = Occupation.objects.filter(code=occupation).first()
        if found is None:
            raise CertificateRefused("occupation", f"职业编码“{occupation}”不存在")
        occupation = found
    if level not in CERTIFICATE_LEVELS:
        raise CertificateRefused("level", f"等级“{level}”不是职业技能等级")
    if issued_on > timezone.localdate():
        raise CertificateRefused("issued_on", "发证日期不能晚于今天")
    licence, kind = check_may_issue(
        organisation=issuer, person=person, occupation=occupation, level=level, on=issued_on
    )
    prefix = number_prefix(
        kind=kind,
        agency=licence.agency_code,
        province=(issuer.region_id or "")[:2],
        site=licence.site_code,
        year=issued_on.year,
        level=level,
    )
    number = format_number(prefix, _next_serial(prefix))
    certificate = Certificate(
        number=number,
        person=person,
        holder_name=person.name,
        occupation=occupation,
        level=level,
        issuer=issuer,
        issuer_name=issuer.name,
        issued_on=issued_on,
    )
    certificate.token = signing.sign(signing.signed_content(certificate))
    certificate.fact = fact_append(
        actor=actor,
        subject=person,
        kind=FactKind.CERTIFICATE,
        code=occupation.code,
        level=level,
        date=issued_on,
        issuer=issuer,
        attrs={
            "number": number,
            "issuer_kind": issuer.kind,
            "shortage": _shortage(person, occupation, level, issued_on),
        },
        source=FACT_SOURCE,
        source_ref=number,
    )
    certificate.save()
    audit_record(
        actor=actor,
        action=AuditAction.CERTIFICATE_ISSUE,
        object_type=AuditObject.CERTIFICATE,
        object_id=certificate.pk,
        after=certificate_snapshot(certificate),
        region=issuer.region_id,
    )
    if supersedes is not None:
        supersede(actor=actor, old=supersedes, new=certificate)
    return certificate


# --- batch issue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewCertificate:
    person_id: int
    occupation: str  # occupation code
    level: str
    issued_on: dt.date


@transaction.atomic
def certificates_issue_batch(
    *, actor: User | None, issuer: Organisation, rows: Sequence[NewCertificate]
) -> list[Certificate]:
    """Issue a list of certificates from one issuer: all or nothing, in the order of `rows`;
    an error names the record ("第N条记录：…"). Same checks and writes as `certificate_issue`."""
    require_manage(actor, issuer)
    people = Person.objects.in_bulk({r.person_id for r in rows})
    occupations = Occupation.objects.in_bulk({r.occupation for r in rows})
    issued: list[Certificate] = []
    for number, row in enumerate(rows, start=1):
        person = people.get(row.person_id)
        occupation = occupations.get(row.occupation)
        try:
            if person is None:
                raise CertificateRefused("person", "持证人不存在")
            if occupation is None:
                raise CertificateRefused("occupation", f"职业编码“{row.occupation}”不存在")
            issued.append(
                certificate_issue(
                    actor=actor,
                    person=person,
                    occupation=occupation,
                    level=row.level,
                    issuer=issuer,
                    issued_on=row.issued_on,
                )
            )
        except DomainError as exc:
            raise type(exc)(exc.field, f"第{number}条记录：{exc.message}") from exc
    return issued
