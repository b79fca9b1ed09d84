"""Importing organisations: enterprises, training institutions, colleges, evaluation
organisations, associations, bureaus.

A unified social credit code that fails GB 32100 does not reject the row: the organisation is
imported with `uscc_status=held` and the reason, for manual review, and the report lists it as a
warning (issue 2, item 5: "held for manual review with a reason, never silently accepted or
dropped"). A code too long to store (organisations.services.USCC_MAX_LENGTH) rejects the row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.utils import timezone

from jineng.dossier.services import fact_build, facts_append_bulk
from jineng.identity.errors import ValidationFailed
from jineng.imports import cells
from jineng.imports.access import ImportScope
from jineng.imports.lookups import RegionLookup
from jineng.imports.machinery import Column, RowView, chunked
from jineng.organisations.bulk import NewOrganisation, organisations_bulk_create
from jineng.organisations.models import Organisation, OrgKind, Ownership, UsccStatus
from jineng.organisations.services import SELF_EVALUATION_CODES, check_uscc

if TYPE_CHECKING:
    from jineng.identity.models import User

COLUMNS = (
    Column(
        "name",
        "名称",
        ("机构名称", "单位名称"),
        required=True,
        note="机构全称",
        example="东莞示例职业培训学校",
    ),
    Column(
        "kind",
        "类型",
        ("机构类型",),
        required=True,
        note="企业、职业培训机构、职业（技工）院校、社会培训评价组织、行业协会、人社部门",
        example="职业培训机构",
    ),
    Column(
        "uscc",
        "统一社会信用代码",
        ("信用代码",),
        note="18位，按 GB 32100 校验；校验不通过的代码暂存待核，不拒绝导入",
    ),
    Column(
        "region",
        "所在地",
        ("所在区划", "行政区划"),
        required=True,
        note="行政区划代码或名称",
        example="东莞市",
    ),
    Column("ownership", "性质", ("办学性质",), note="公办/民办", example="民办"),
    Column("designated", "定点培训资质", ("定点培训",), note="是/否", example="是"),
    Column(
        "designated_from",
        "资质起始",
        ("资质起始日期",),
        note="日期，如 2024-01-01",
        example="2024-01-01",
    ),
    Column(
        "designated_to",
        "资质截止",
        ("资质截止日期",),
        note="日期，如 2026-12-31",
        example="2026-12-31",
    ),
    Column(
        "self_evaluation",
        "自主评价备案",
        ("评价备案",),
        note="是/否；是则须填备案日期",
        example="否",
    ),
    Column("filed_on", "备案日期", note="日期"),
)

KIND_ALIASES: dict[str, str] = {
    **{str(label): value for value, label in OrgKind.choices},
    **{value: value for value in OrgKind.values},
    "公司": OrgKind.ENTERPRISE,
    "培训机构": OrgKind.TRAINING_INSTITUTION,
    "职业技能培训机构": OrgKind.TRAINING_INSTITUTION,
    "院校": OrgKind.COLLEGE,
    "职业院校": OrgKind.COLLEGE,
    "技工院校": OrgKind.COLLEGE,
    "技工学校": OrgKind.COLLEGE,
    "职业技术学院": OrgKind.COLLEGE,
    "评价机构": OrgKind.EVALUATION_ORG,
    "评价组织": OrgKind.EVALUATION_ORG,
    "协会": OrgKind.ASSOCIATION,
    "人社局": OrgKind.BUREAU,
}
OWNERSHIP_ALIASES: dict[str, str] = {
    **{str(label): value for value, label in Ownership.choices},
    **{value: value for value in Ownership.values},
    "公有": Ownership.PUBLIC,
    "国有": Ownership.PUBLIC,
    "事业单位": Ownership.PUBLIC,
    "私营": Ownership.PRIVATE,
    "民营": Ownership.PRIVATE,
}
FILING_CODE = SELF_EVALUATION_CODES


@dataclass
class OrganisationRow:
    name: str
    kind: str
    uscc: str
    uscc_status: str
    uscc_reason: str
    region: str | None
    ownership: str
    designated: bool
    designated_from: dt.date | None
    designated_to: dt.date | None
    self_evaluation: bool
    filed_on: dt.date | None


class OrganisationsImporter:
    kind: Literal["organisations"] = "organisations"
    columns = COLUMNS

    def __init__(self, actor: User | None = None) -> None:
        self.access = ImportScope(actor)
        self.regions = RegionLookup()
        self.today = timezone.localdate()

    def _date(self, row: RowView, key: str) -> dt.date | None:
        if not row.has(key):
            return None
        try:
            return cells.date(row.cell(key))
        except cells.CellError as exc:
            row.error(key, str(exc))
            return None

    def _flag(self, row: RowView, key: str) -> bool:
        if not row.has(key):
            return False
        try:
            return cells.boolean(row.cell(key))
        except cells.CellError as exc:
            row.error(key, str(exc))
            return False

    def parse(self, row: RowView) -> OrganisationRow | None:
        name = " ".join(row.text("name").split())  # as organisation_create stores it
        if len(name) > 200:
            row.error("name", "名称超过200个字")
        kind = KIND_ALIASES.get(row.text("kind"), "") if row.has("kind") else ""
        if row.has("kind") and not kind:
            row.error("kind", "未知的机构类型")
        uscc, status, reason = "", UsccStatus.MISSING.value, ""
        if row.has("uscc"):
            try:
                uscc, status, reason = check_uscc(
                    cells.identifier(row.cell("uscc"), "统一社会信用代码")
                )
            except cells.CellError as exc:
                row.error("uscc", str(exc))
            except ValidationFailed as exc:  # too long to store
                row.error("uscc", exc.message)
            if status == UsccStatus.HELD:
                row.warning("uscc", f"{reason}；已导入，标记为待人工核验", value=uscc)
        region = None
        if row.has("region"):
            region = self.regions.find(row.text("region"))
            if region is None:
                row.error("region", "未知的行政区划（应为 GB/T 2260 代码或唯一的名称）")
            elif not self.access.covers(region):
                row.error("region", "所在地不在您的管辖范围内")
        ownership = ""
        if row.has("ownership"):
            ownership = OWNERSHIP_ALIASES.get(row.text("ownership"), "")
            if not ownership:
                row.error("ownership", "性质应为“公办”或“民办”")
        designated = self._flag(row, "designated")
        designated_from = self._date(row, "designated_from")
        designated_to = self._date(row, "designated_to")
        if designated_from and designated_to and designated_to < designated_from:
            row.error("designated_to", "资质截止早于资质起始")
        if (designated_from or designated_to) and not designated:
            row.error("designated", "填写了资质日期，但定点培训资质不是“是”")
        self_evaluation = self._flag(row, "self_evaluation")
        filed_on = self._date(row, "filed_on")
        if self_evaluation and filed_on is None and not row.has("filed_on"):
            row.error("filed_on", "自主评价备案为“是”时须填写备案日期")
        if filed_on is not None and filed_on > self.today:
            row.error("filed_on", "备案日期晚于今天")
        if self_evaluation and kind and kind not in FILING_CODE:
            row.error("self_evaluation", "只有企业和社会培训评价组织可做评价备案")
        return OrganisationRow(
            name=name,
            kind=kind,
            uscc=uscc,
            uscc_status=status,
            uscc_reason=reason,
            region=region,
            ownership=ownership,
            designated=designated,
            designated_from=designated_from,
            designated_to=designated_to,
            self_evaluation=self_evaluation,
            filed_on=filed_on,
        )

    def check_batch(self, items: list[tuple[RowView, OrganisationRow]]) -> None:
        # An organisation is the same one when its USCC is, or (no USCC) its name and region are.
        first_uscc: dict[str, int] = {}
        first_name: dict[tuple[str, str | None], int] = {}
        for row, item in items:
            if item.uscc:
                if item.uscc in first_uscc:
                    row.error("uscc", f"与第{first_uscc[item.uscc]}行统一社会信用代码重复")
                else:
                    first_uscc[item.uscc] = row.number
            else:
                key = (item.name, item.region)
                if key in first_name:
                    row.error("name", f"与第{first_name[key]}行同名同地且均无信用代码，重复")
                else:
                    first_name[key] = row.number
        with_uscc = [(r, i) for r, i in items if i.uscc]
        for chunk in chunked(with_uscc):
            existing = set(
                Organisation.objects.filter(uscc__in=[i.uscc for _, i in chunk]).values_list(
                    "uscc", flat=True
                )
            )
            for row, item in chunk:
                if item.uscc in existing:
                    row.error("uscc", "系统中已有该统一社会信用代码的机构")
        without = [(r, i) for r, i in items if not i.uscc]
        for chunk in chunked(without):
            existing_names = set(
                Organisation.objects.filter(name__in=[i.name for _, i in chunk]).values_list(
                    "name", "region_id"
                )
            )
            for row, item in chunk:
                if (item.name, item.region) in existing_names:
                    row.error("name", "系统中已有同名同地的机构")

    def write(
        self, *, actor: User | None, items: list[tuple[RowView, OrganisationRow]], filename: str
    ) -> int:
        organisations = organisations_bulk_create(
            actor=actor,
            rows=[
                NewOrganisation(
                    kind=i.kind,
                    name=i.name,
                    uscc=i.uscc,
                    region=i.region or "",  # required: rows without one were rejected
                    ownership=i.ownership,
                    designated_training=i.designated,
                    designated_from=i.designated_from,
                    designated_to=i.designated_to,
                    self_evaluation_filed=i.self_evaluation,
                    self_evaluation_filed_on=i.filed_on,
                )
                for _, i in items
            ],
            reason=f"导入 {filename}",
        )
        facts = [
            fact_build(
                subject=o,
                kind="evaluation_filing",
                code=FILING_CODE[OrgKind(o.kind)],
                date=o.self_evaluation_filed_on,
                attrs={"year": o.self_evaluation_filed_on.year},
                source="import",
                source_ref=filename,
                actor=actor,
            )
            for o in organisations
            if o.self_evaluation_filed and o.self_evaluation_filed_on is not None
        ]
        facts_append_bulk(actor=actor, facts=facts, reason=f"导入 {filename}")
        return len(organisations)
