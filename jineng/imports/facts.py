"""Importing historical dossier facts: certificates, competition results, titles, appointments,
studio approvals and the other kinds of docs/policy-schema.md, as a city brings them over from
the national systems.

The subject is a person found by ID number through the blind index (证件类型 + 证件号码), or an
organisation found by its unified social credit code (统一社会信用代码) — exactly one per row. Codes
and levels take the schema's codes or their Chinese names (高级工 → 3, 金牌 → gold, 世界技能大赛 →
worldskills). Money is yuan with at most two decimals, stored as integer fen.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from django.utils import timezone

from jineng.dossier.errors import FactInvalid
from jineng.dossier.models import Fact, FactKind
from jineng.dossier.services import fact_build, facts_append_bulk
from jineng.dossier.vocabulary import (
    CERTIFICATE_LEVELS,
    CODE_LABELS,
    COMPETITION_RESULTS,
    COMPETITION_ROLES,
    DESIGNATION_LEVELS,
    check_code_and_level,
)
from jineng.identity.crypto import blind_index
from jineng.identity.models import IdType, Person
from jineng.imports import cells
from jineng.imports.access import ImportScope
from jineng.imports.lookups import ID_TYPE_ALIASES, OccupationLookup, RegionLookup
from jineng.imports.machinery import Column, RowView, chunked
from jineng.organisations.models import Organisation
from jineng.reference.models import SKILL_LEVEL_RANK, ShortageOccupation

if TYPE_CHECKING:
    from jineng.identity.models import User

COLUMNS = (
    Column("id_type", "证件类型", note="人员事实：居民身份证（默认）等", example="居民身份证"),
    Column(
        "id_number",
        "证件号码",
        ("身份证号码", "身份证号"),
        sensitive="id_number",
        note="人员事实填写（系统中已有的人员）",
        example="11010519491231002X",
    ),
    Column("uscc", "统一社会信用代码", ("信用代码",), note="机构事实填写（与证件号码二选一）"),
    Column("name", "姓名", ("名称",), note="可选：填写则须与系统记录一致", example="张三"),
    Column(
        "kind",
        "类别",
        ("事实类别",),
        required=True,
        note="职业技能等级证书、竞赛成绩、称号、聘任、技能大师工作室……",
        example="职业技能等级证书",
    ),
    Column(
        "code",
        "代码",
        ("职业编码", "编码"),
        note="证书/培训/学徒：职业编码；竞赛：世界技能大赛等；称号、聘任：代码",
        example="6-18-01-01",
    ),
    Column(
        "level",
        "等级",
        note="证书：初级工…高级技师或 5…1；竞赛：金牌/银牌/铜牌/优胜奖；工作室：市级/省级/国家级",
        example="高级工",
    ),
    Column(
        "date",
        "日期",
        ("发证日期", "获奖日期", "认定日期"),
        required=True,
        note="不晚于今天，如 2023-06-30",
        example="2023-06-30",
    ),
    Column("amount", "金额(元)", ("金额",), note="元，最多两位小数"),
    Column("issuer", "发证机构", ("认定机构", "颁发单位"), example="东莞市职业技能鉴定中心"),
    Column("issuer_uscc", "发证机构代码", ("发证机构统一社会信用代码",), note="18位"),
    Column("region", "区划", ("行政区划",), note="空：主体所在地"),
    Column("source_ref", "证书编号", ("编号", "来源编号"), example="S000000000000001"),
    Column("role", "角色", note="竞赛：选手（默认）、教练、专家、承办单位、选手所在单位、集训单位"),
    Column("prize", "奖金(元)", ("竞赛奖金",), note="竞赛外部奖金，元"),
    Column("months", "月数", note="聘任、学徒的月数（学徒：实际培训月数）"),
    Column("filed_months", "备案月数", ("备案期限",), note="学徒：备案的培训期限（月）"),
    Column("hours", "学时", note="培训学时"),
    Column("attrs", "其他属性", note='JSON 对象，如 {"international": true}'),
)


def _aliases(mapping: Mapping[str, str], extra: Mapping[str, str] | None = None) -> dict[str, str]:
    found = {code: code for code in mapping}
    found.update({label: code for code, label in mapping.items()})
    found.update(extra or {})
    return found


KIND_ALIASES = _aliases(
    {value: str(label) for value, label in FactKind.choices},
    {
        "证书": "certificate",
        "职业资格证书": "certificate",
        "竞赛": "competition_result",
        "荣誉": "title",
        "荣誉称号": "title",
        "工作室": "studio",
        "技能大师工作室认定": "studio",
        "培训": "training",
        "学徒": "apprenticeship",
        "其他": "event",
    },
)
CODE_ALIASES = {kind: _aliases(labels) for kind, labels in CODE_LABELS.items()}
CODE_ALIASES["studio"]["技能大师工作室（技师工作站）"] = "master_studio"
LEVEL_ALIASES: dict[str, dict[str, str]] = {
    "certificate": _aliases(
        CERTIFICATE_LEVELS,
        {
            "初级": "5",
            "初级工": "5",
            "五级": "5",
            "中级": "4",
            "中级工": "4",
            "四级": "4",
            "高级": "3",
            "高级工": "3",
            "三级": "3",
            "技师": "2",
            "二级": "2",
            "高级技师": "1",
            "一级": "1",
        },
    ),
    "competition_result": _aliases(
        COMPETITION_RESULTS, {"金奖": "gold", "银奖": "silver", "铜奖": "bronze"}
    ),
    "studio": _aliases(DESIGNATION_LEVELS),
    "training_base": _aliases(DESIGNATION_LEVELS),
    "evaluation_filing": _aliases(DESIGNATION_LEVELS),
}
LEVEL_ALIASES["training"] = LEVEL_ALIASES["certificate"]
ROLE_ALIASES = _aliases(COMPETITION_ROLES)
_OCCUPATION_KINDS = ("certificate", "training", "apprenticeship")


@dataclass
class FactRow:
    subject_key: tuple[str, str]  # ("person", id_type|index) or ("organisation", uscc)
    id_number: str
    name: str
    kind: str
    code: str
    level: str
    date: dt.date
    amount_fen: int | None
    issuer_name: str
    issuer_uscc: str
    region: str
    source_ref: str
    attrs: dict[str, Any] = field(default_factory=dict)
    subject: Person | Organisation | None = None
    issuer: Organisation | None = None


class FactsImporter:
    kind: Literal["facts"] = "facts"
    columns = COLUMNS

    def __init__(self, actor: User | None = None) -> None:
        self.access = ImportScope(actor)
        self.regions = RegionLookup()
        self.occupations = OccupationLookup()
        self.today = timezone.localdate()
        # (city code, year, occupation) → lowest level on the list (certificate attrs.shortage)
        self.shortage = {
            (region, year, occupation): SKILL_LEVEL_RANK.get(level, 1)
            for region, year, occupation, level in ShortageOccupation.objects.values_list(
                "region_id", "year", "occupation_id", "min_level"
            )
        }

    def _money(self, row: RowView, key: str) -> int | None:
        if not row.has(key):
            return None
        try:
            return cells.yuan_to_fen(row.cell(key))
        except cells.CellError as exc:
            row.error(key, str(exc))
            return None

    def _whole(self, row: RowView, key: str) -> int | None:
        if not row.has(key):
            return None
        value = row.text(key)
        if not value.isdigit():
            row.error(key, "应为不小于0的整数")
            return None
        return int(value)

    def _subject_key(self, row: RowView) -> tuple[tuple[str, str], str] | None:
        has_person, has_org = row.has("id_number"), row.has("uscc")
        if has_person == has_org:
            row.error("id_number", "证件号码（人员）与统一社会信用代码（机构）须且只须填写一个")
            return None
        try:
            if has_org:
                return ("organisation", cells.identifier(row.cell("uscc"), "统一社会信用代码")), ""
            number = cells.identifier(row.cell("id_number"), "证件号码")
        except cells.CellError as exc:
            row.error("uscc" if has_org else "id_number", str(exc))
            return None
        id_type = IdType.RESIDENT.value
        if row.has("id_type"):
            found = ID_TYPE_ALIASES.get(row.text("id_type"))
            if found is None:
                row.error("id_type", "未知的证件类型")
                return None
            id_type = found
        return ("person", f"{id_type}|{blind_index(number)}"), number

    def parse(self, row: RowView) -> FactRow | None:
        subject = self._subject_key(row)
        kind = KIND_ALIASES.get(row.text("kind"), "") if row.has("kind") else ""
        if row.has("kind") and not kind:
            row.error("kind", "未知的事实类别")
        raw_code, raw_level = row.text("code"), row.text("level")
        code = CODE_ALIASES.get(kind, {}).get(raw_code, raw_code)
        level = LEVEL_ALIASES.get(kind, {}).get(raw_level, raw_level)
        code_reported = False
        if kind in _OCCUPATION_KINDS and code:
            found = self.occupations.find(code)
            if found is None:
                row.error("code", "未知的职业编码（2022年版职业分类大典）")
                code_reported = True
            code = found or code
        if kind:
            for key, reason in check_code_and_level(kind, code, level):
                if not (key == "code" and code_reported):
                    row.error(key, reason)
        date = None
        if row.has("date"):
            try:
                date = cells.date(row.cell("date"))
            except cells.CellError as exc:
                row.error("date", str(exc))
            else:
                if date > self.today:
                    row.error("date", "日期晚于今天（历史事实）")
                elif date.year < 1950:
                    row.error("date", "日期早于1950年")
        region = ""
        if row.has("region"):
            region = self.regions.find(row.text("region")) or ""
            if not region:
                row.error("region", "未知的行政区划")
        attrs: dict[str, Any] = {}
        if row.has("attrs"):
            try:
                loaded = json.loads(row.text("attrs"))
                if not isinstance(loaded, dict):
                    raise ValueError
                attrs.update(loaded)
            except ValueError:
                row.error("attrs", '其他属性应为 JSON 对象，如 {"international": true}')
        if row.has("role"):
            role = ROLE_ALIASES.get(row.text("role"))
            if kind != "competition_result":
                row.error("role", "只有竞赛成绩可填写角色")
            elif role is None:
                row.error("role", "未知的角色")
            else:
                attrs["role"] = role
        elif kind == "competition_result":
            attrs.setdefault("role", "player")
        prize = self._money(row, "prize")
        if prize is not None:
            attrs["prize_fen"] = prize
        for key in ("months", "hours", "filed_months"):
            number = self._whole(row, key)
            if number is not None:
                attrs[key] = number
        if "filed_months" in attrs and kind != "apprenticeship":
            row.error("filed_months", "只有学徒记录可填写备案月数")
        amount = self._money(row, "amount")
        if subject is None or not kind or date is None or row.has_errors:
            return None
        issuer_uscc = ""
        if row.has("issuer_uscc"):
            try:
                issuer_uscc = cells.identifier(row.cell("issuer_uscc"), "统一社会信用代码")
            except cells.CellError as exc:
                row.error("issuer_uscc", str(exc))
        return FactRow(
            subject_key=subject[0],
            id_number=subject[1],
            name=row.text("name"),
            kind=kind,
            code=code,
            level=level,
            date=date,
            amount_fen=amount,
            issuer_name=row.text("issuer"),
            issuer_uscc=issuer_uscc,
            region=region,
            source_ref=row.text("source_ref"),
            attrs=attrs,
        )

    def _find_subjects(self, items: list[tuple[RowView, FactRow]]) -> None:
        person_items = [(r, i) for r, i in items if i.subject_key[0] == "person"]
        for chunk in chunked(person_items):
            indexes = {i.subject_key[1].split("|", 1)[1] for _, i in chunk}
            found = {
                f"{p.id_type}|{p.id_number_index}": p
                for p in Person.objects.filter(id_number_index__in=indexes).only(
                    "id", "name", "id_type", "id_number_index", "residence_region", "hukou_region"
                )
            }
            for row, item in chunk:
                person = found.get(item.subject_key[1])
                if person is not None and not self.access.covers(person.residence_region_id):
                    person = None  # out of scope reads as unknown: no hint that it exists
                if person is None:
                    row.error(
                        "id_number", "系统中没有该证件号码的人员（请先导入人员）", item.id_number
                    )
                elif item.name and item.name != person.name:
                    row.error("name", "姓名与系统中该证件号码的人员不符")
                else:
                    item.subject = person
        org_items = [(r, i) for r, i in items if i.subject_key[0] == "organisation"]
        for chunk in chunked(org_items):
            orgs = {
                o.uscc: o
                for o in Organisation.objects.filter(
                    uscc__in={i.subject_key[1] for _, i in chunk}
                ).only("id", "name", "uscc", "region")
            }
            for row, item in chunk:
                org = orgs.get(item.subject_key[1])
                if org is not None and not self.access.covers(org.region_id):
                    org = None
                if org is None:
                    row.error("uscc", "系统中没有该统一社会信用代码的机构（请先导入机构）")
                elif item.name and item.name != org.name:
                    row.error("name", "名称与系统中该信用代码的机构不符")
                else:
                    item.subject = org

    def _find_issuers(self, items: list[tuple[RowView, FactRow]]) -> None:
        usccs = {i.issuer_uscc for _, i in items if i.issuer_uscc}
        by_uscc = {
            o.uscc: o
            for o in Organisation.objects.filter(uscc__in=usccs).only("id", "name", "uscc", "kind")
        }
        names = sorted({i.issuer_name for _, i in items if i.issuer_name and not i.issuer_uscc})
        by_name: dict[str, list[Organisation]] = {}
        for chunk in chunked(names):
            for org in Organisation.objects.filter(name__in=list(chunk)).only("id", "name", "kind"):
                by_name.setdefault(org.name, []).append(org)
        for row, item in items:
            if item.issuer_uscc:
                item.issuer = by_uscc.get(item.issuer_uscc)
                if item.issuer is None:
                    row.warning("issuer_uscc", "系统中没有该发证机构，仅记录名称")
            elif item.issuer_name and len(by_name.get(item.issuer_name, [])) == 1:
                item.issuer = by_name[item.issuer_name][0]
            if item.issuer is not None:
                item.attrs.setdefault("issuer_kind", item.issuer.kind)

    def _mark_shortage(self, item: FactRow) -> None:
        if item.kind != "certificate" or "shortage" in item.attrs or item.subject is None:
            return
        region = item.region or (
            (item.subject.residence_region_id or item.subject.hukou_region_id or "")
            if isinstance(item.subject, Person)
            else item.subject.region_id
        )
        city = region[:4] + "00" if region else ""
        lowest = self.shortage.get((city, item.date.year, item.code))
        item.attrs["shortage"] = (
            lowest is not None and SKILL_LEVEL_RANK.get(item.level, 0) >= lowest
        )

    def check_batch(self, items: list[tuple[RowView, FactRow]]) -> None:
        self._find_subjects(items)
        self._find_issuers(items)
        first: dict[tuple[object, ...], int] = {}
        keyed: list[tuple[RowView, FactRow, tuple[object, ...]]] = []
        for row, item in items:
            if item.subject is None:
                continue
            key = (item.subject_key, item.kind, item.code, item.level, item.date, item.source_ref)
            if key in first:
                row.error(
                    "", f"与第{first[key]}行是同一事实（主体、类别、代码、等级、日期、编号相同）"
                )
            else:
                first[key] = row.number
                keyed.append((row, item, key))
        # Already in the dossier: one query per chunk over the subjects of the chunk.
        for chunk in chunked(keyed):
            people = {i.subject.pk for _, i, _ in chunk if isinstance(i.subject, Person)}
            orgs = {i.subject.pk for _, i, _ in chunk if isinstance(i.subject, Organisation)}
            existing = set(
                Fact.objects.filter(person_id__in=people).values_list(
                    "person_id", "kind", "code", "level", "date", "source_ref"
                )
            ) | {
                (-pk, *rest)
                for pk, *rest in Fact.objects.filter(organisation_id__in=orgs).values_list(
                    "organisation_id", "kind", "code", "level", "date", "source_ref"
                )
            }
            for row, item, _ in chunk:
                assert item.subject is not None
                pk = item.subject.pk if isinstance(item.subject, Person) else -item.subject.pk
                if (pk, item.kind, item.code, item.level, item.date, item.source_ref) in existing:
                    row.error("", "档案中已有相同事实（如需更改，请使用更正）")
        for row, item in items:
            if item.subject is None or row.has_errors:
                continue
            self._mark_shortage(item)
            try:
                self._build(item, actor=None)  # the same checks the write will make
            except FactInvalid as exc:
                row.error("attrs" if exc.field == "attrs" else "", exc.message)

    def _build(self, item: FactRow, *, actor: User | None) -> Fact:
        assert item.subject is not None
        return fact_build(
            subject=item.subject,
            kind=item.kind,
            code=item.code,
            level=item.level,
            date=item.date,
            amount_fen=item.amount_fen,
            issuer=item.issuer,
            issuer_name=item.issuer_name,
            region=item.region,
            attrs=item.attrs,
            source="import",
            source_ref=item.source_ref,
            actor=actor,
        )

    def write(
        self, *, actor: User | None, items: list[tuple[RowView, FactRow]], filename: str
    ) -> int:
        facts = [self._build(item, actor=actor) for _, item in items]
        facts_append_bulk(actor=actor, facts=facts, reason=f"导入 {filename}")
        return len(facts)
