"""The demo city's certificates: an evaluation organisation of Dongguan licensed for 车工, and the
demo worker's certificates in each status the verification answers — valid, suspended (with its
reason), revoked (with its reason) — plus one historical certificate imported from an archive
(依据…记录). Once, into a database without certificates."""

from __future__ import annotations

import datetime as dt

from jineng.certificates.models import Certificate
from jineng.certificates.services import (
    ScopeEntry,
    certificate_issue,
    certificate_revoke,
    certificate_suspend,
    issuer_register,
)
from jineng.certificates.services.imports import certificates_import
from jineng.identity.models import Person
from jineng.organisations.models import Organisation, OrgKind

TURNER = "6-18-01-01"  # 车工
ARCHIVE = "原东莞市职业技能鉴定指导中心档案"


def seed_demo_certificates(*, person: Person, region: str = "441900") -> list[Certificate]:
    if Certificate.objects.exists():
        return []
    org = (
        Organisation.objects.filter(
            kind=OrgKind.EVALUATION_ORG, region__code__startswith=region[:4]
        )
        .order_by("pk")
        .first()
    )
    if org is None:
        return []
    issuer_register(
        actor=None,
        organisation=org,
        agency_code="1234",
        site_code=f"{region[2:6]}01",
        scope=[ScopeEntry(TURNER, level) for level in ("5", "4", "3")],
    )
    issued = [
        certificate_issue(
            actor=None, person=person, occupation=TURNER, level=level, issuer=org, issued_on=day
        )
        for level, day in (("5", dt.date(2021, 6, 18)), ("4", dt.date(2023, 7, 5)))
    ]
    suspended = certificate_issue(
        actor=None, person=person, occupation=TURNER, level="3", issuer=org,
        issued_on=dt.date(2025, 4, 22),
    )  # fmt: skip
    certificate_suspend(actor=None, certificate=suspended, reason="考评过程接到举报，正在调查核实")
    revoked = certificate_issue(
        actor=None, person=person, occupation=TURNER, level="3", issuer=org,
        issued_on=dt.date(2025, 5, 9),
    )  # fmt: skip
    certificate_revoke(actor=None, certificate=revoked, reason="同一等级重复发证，予以撤销")
    rows = (
        "证书编号,姓名,证件号码,职业编码,等级,发证机构,发证日期\n"
        f"1419000000102345,{person.name},{person.id_number},{TURNER},初级工,"
        "东莞市职业技能鉴定指导中心,2012-06-30\n"
    )
    imported = certificates_import(
        actor=None, keeper=org, source=ARCHIVE, file=rows.encode(), filename="历史证书.csv"
    )
    return [*issued, suspended, revoked, *imported]
