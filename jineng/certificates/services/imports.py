"""Importing historical certificates (issued before the platform, or by a predecessor) from .xlsx
or CSV, so that they verify too: "依据<来源>记录" instead of a signature made at issue.

All or nothing: every row is checked first and any error refuses the whole file, each error naming
the row and the field in Chinese ("第3行“证书编号”：…"). Legacy 16-digit numbers (before the 2020
template) are accepted as well as the 22-character national number. Each certificate is stored
with its source and file row, signed like an issued one (so a row edited afterwards is still
reported as altered), appended to the holder's dossier as a `certificate` fact and audited.

Only the bureau over the record keeper's region (or a system administrator) imports: an
organisation may not add certificates to the public verification on its own word."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.functions import Greatest
from django.utils import timezone

from jineng.audit.services import audit_record_batch
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.certificates import signing
from jineng.certificates.models import Certificate, SerialCounter
from jineng.certificates.numbers import (
    NumberInvalid,
    is_valid_number,
    normalise_number,
    parse_number,
)
from jineng.certificates.services.common import certificate_snapshot
from jineng.core.errors import DomainError
from jineng.dossier.models import FactKind
from jineng.dossier.services import fact_append
from jineng.identity.access import resolve_scope
from jineng.identity.crypto import blind_index, normalise
from jineng.identity.models import Person
from jineng.imports.cells import CellError, date, identifier, normalise_header, text
from jineng.imports.reading import Cell, FileInput, UnreadableFile, read_table
from jineng.organisations.models import Organisation
from jineng.reference.models import Occupation

if TYPE_CHECKING:
    from jineng.identity.models import User

IMPORT_FACT_SOURCE = "certificates_import"
MAX_ERRORS_SHOWN = 20

# header → field; a few spellings each (the sheets come from different archives)
COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("证书编号", "证书号", "证书号码"),
    "name": ("姓名", "持证人", "持证人姓名"),
    "id_number": ("证件号码", "身份证号", "身份证号码"),
    "occupation": ("职业编码", "职业代码"),
    "level": ("等级", "技能等级", "证书等级"),
    "issuer": ("发证机构", "发证单位", "颁证机构"),
    "issued_on": ("发证日期", "颁证日期"),
}
LABELS = {field: names[0] for field, names in COLUMNS.items()}
LEVEL_WORDS = {
    "5": ("5", "五级", "初级工", "初级"),
    "4": ("4", "四级", "中级工", "中级"),
    "3": ("3", "三级", "高级工", "高级"),
    "2": ("2", "二级", "技师"),
    "1": ("1", "一级", "高级技师"),
    "S": ("S", "特级技师"),
}


@dataclass(frozen=True)
class RowError:
    """One refused cell: the spreadsheet row (header = 1), the column's Chinese label, and the
    whole sentence naming both (`第3行“证书编号”：…`)."""

    row: int
    field: str
    message: str


class ImportRefused(DomainError):
    """The file cannot be imported; `message` lists the rows and fields at fault (400) and
    `rows` holds every one of them (the API answers them as a list)."""

    def __init__(
        self,
        field: str = "",
        message: str = "",
        value: object = None,
        rows: tuple[RowError, ...] = (),
    ) -> None:
        super().__init__(field, message, value)
        self.rows = rows

    def __reduce__(self) -> tuple[object, ...]:
        return (self.__class__, (self.field, self.message, self.value, self.rows))


@dataclass(frozen=True)
class ImportedCertificate:
    row: int
    number: str
    person: Person
    occupation: Occupation
    level: str
    issuer_name: str
    issued_on: dt.date


def parse_level(value: str) -> str:
    """ "三级/高级工", "高级工（三级）", "3" → "3"; CellError otherwise."""
    cleaned = value.replace("（", "/").replace("）", "").replace("(", "/").replace(")", "")
    found = {
        code
        for code, words in LEVEL_WORDS.items()
        for part in cleaned.split("/")
        if part.strip().upper() in words
    }
    if len(found) != 1:
        raise CellError(f"等级“{value}”无法识别（应为 五级/初级工 … 一级/高级技师 或 特级技师）")
    return found.pop()


def _number(cell: Cell) -> str:
    number = normalise_number(identifier(cell, "证书编号"))
    if is_valid_number(number, legacy_ok=True):
        return number
    try:
        parse_number(number)
    except NumberInvalid as exc:
        raise CellError(f"{exc.message}（历史证书也可为16位数字）") from exc
    raise CellError("证书编号格式不正确")  # pragma: no cover - parse_number raised above


def may_import(actor: User | None, keeper: Organisation) -> bool:
    if actor is None:
        return True
    scope = resolve_scope(actor, None)
    if scope.read_only:
        return False
    return scope.is_global or scope.covers_region(keeper.region_id, as_bureau=True)


def _check(file: FileInput, filename: str) -> tuple[list[ImportedCertificate], list[RowError], str]:  # noqa: C901 - one pass, one error list
    try:
        table, name = read_table(file, filename)
    except UnreadableFile as exc:
        raise ImportRefused("file", str(exc)) from exc
    headers = [normalise_header(h) for h in table.headers]
    where: dict[str, int] = {}
    for field, names in COLUMNS.items():
        for alias in names:
            if normalise_header(alias) in headers:
                where[field] = headers.index(normalise_header(alias))
                break
    missing = [LABELS[f] for f in COLUMNS if f not in where]
    if missing:
        raise ImportRefused("file", f"缺少列：{'、'.join(missing)}")
    if not table.rows:
        raise ImportRefused("file", "文件中没有证书记录")

    def cell(cells: tuple[Cell, ...], field: str) -> Cell:
        index = where[field]
        return cells[index] if index < len(cells) else None

    indexes = {}
    for row in table.rows:
        raw = cell(row.cells, "id_number")
        if not isinstance(raw, float):
            indexes[row.number] = blind_index(normalise(text(raw)))
    people = {
        p.id_number_index: p
        for p in Person.objects.filter(id_number_index__in=set(indexes.values()))
    }
    occupations = Occupation.objects.in_bulk(
        {text(cell(r.cells, "occupation")) for r in table.rows}
    )
    numbers_in_file: dict[str, int] = {}
    candidates: list[tuple[int, str]] = []
    errors: list[RowError] = []
    rows: list[ImportedCertificate] = []
    for row in table.rows:

        def fail(field: str, message: str, row_number: int = row.number) -> None:
            label = LABELS[field]
            errors.append(RowError(row_number, label, f"第{row_number}行“{label}”：{message}"))

        values: dict[str, object] = {}
        for field in COLUMNS:
            if text(cell(row.cells, field)) == "":
                fail(field, "不能为空")
        if errors and errors[-1].row == row.number:
            continue
        try:
            values["number"] = _number(cell(row.cells, "number"))
        except CellError as exc:
            fail("number", str(exc))
        else:
            number = str(values["number"])
            if number in numbers_in_file:
                fail("number", f"与第{numbers_in_file[number]}行重复")
            numbers_in_file.setdefault(number, row.number)
            candidates.append((row.number, number))
        person = people.get(indexes.get(row.number, ""))
        if row.number not in indexes:
            fail("id_number", "证件号码被 Excel 存成了数字（已丢失位数），请把该列设为“文本”")
        elif person is None:
            fail("id_number", "平台中没有持该证件的人员，请先登记人员信息")
        elif "".join(text(cell(row.cells, "name")).split()) != "".join(person.name.split()):
            fail("name", "姓名与该证件号码登记的姓名不一致")
        occupation = occupations.get(text(cell(row.cells, "occupation")))
        if occupation is None:
            fail("occupation", f"职业编码“{text(cell(row.cells, 'occupation'))}”不存在")
        try:
            values["level"] = parse_level(text(cell(row.cells, "level")))
        except CellError as exc:
            fail("level", str(exc))
        try:
            issued_on = date(cell(row.cells, "issued_on"))
        except CellError as exc:
            fail("issued_on", str(exc))
        else:
            if issued_on > timezone.localdate():
                fail("issued_on", "发证日期不能晚于今天")
            values["issued_on"] = issued_on
        issuer = text(cell(row.cells, "issuer"))
        if len(issuer) > 200:
            fail("issuer", "发证机构名称不能超过200字")
        if errors and errors[-1].row == row.number:
            continue
        assert person is not None and occupation is not None
        rows.append(
            ImportedCertificate(
                row=row.number,
                number=str(values["number"]),
                person=person,
                occupation=occupation,
                level=str(values["level"]),
                issuer_name=issuer,
                issued_on=values["issued_on"],  # type: ignore[arg-type]
            )
        )
    existing = set(
        Certificate.objects.filter(number__in=[n for _, n in candidates]).values_list(
            "number", flat=True
        )
    )
    for row_number, number in candidates:
        if number in existing:
            label = LABELS["number"]
            errors.append(
                RowError(
                    row_number, label, f"第{row_number}行“{label}”：证书编号{number}已在平台中"
                )
            )
    errors.sort(key=lambda e: e.row)
    return rows, errors, name


def _reserve_serial(number: str) -> None:
    """An imported national number under a prefix this platform also issues from: the counter
    moves past it, so issue never hands out the same number."""
    if len(number) != 22:
        return
    parts = parse_number(number)
    counter, _ = SerialCounter.objects.get_or_create(prefix=parts.prefix)
    SerialCounter.objects.filter(pk=counter.pk).update(last=Greatest("last", parts.serial))


@transaction.atomic
def certificates_import(
    *,
    actor: User | None,
    keeper: Organisation,
    source: str,
    file: FileInput,
    filename: str = "",
) -> list[Certificate]:
    """Import every row of the file or none; returns the certificates created."""
    if not may_import(actor, keeper):
        raise PermissionDenied("只有记录保管单位所在地的人社部门可以导入历史证书")
    source = " ".join((source or "").split())
    if not source:
        raise ImportRefused("source", "请填写记录来源（如“原市职业技能鉴定中心档案”）")
    if len(source) > 100:
        raise ImportRefused("source", "记录来源不能超过100字")
    rows, errors, name = _check(file, filename)
    if errors:
        shown = "；".join(e.message for e in errors[:MAX_ERRORS_SHOWN])
        more = (
            f"；另有{len(errors) - MAX_ERRORS_SHOWN}处错误"
            if len(errors) > MAX_ERRORS_SHOWN
            else ""
        )
        raise ImportRefused(
            "file", f"未导入任何记录，请改正后重新上传：{shown}{more}", rows=tuple(errors)
        )
    created: list[Certificate] = []
    for row in rows:
        _reserve_serial(row.number)
        certificate = Certificate(
            number=row.number,
            person=row.person,
            holder_name=row.person.name,
            occupation=row.occupation,
            level=row.level,
            issuer=keeper,
            issuer_name=row.issuer_name,
            issued_on=row.issued_on,
            source=source,
            source_ref=f"{name or '上传文件'}第{row.row}行"[:200],
        )
        certificate.token = signing.sign(signing.signed_content(certificate))
        certificate.fact = fact_append(
            actor=actor,
            subject=row.person,
            kind=FactKind.CERTIFICATE,
            code=row.occupation.code,
            level=row.level,
            date=row.issued_on,
            issuer_name=row.issuer_name,
            attrs={"number": row.number, "recorded_from": source},
            source=IMPORT_FACT_SOURCE,
            source_ref=row.number,
        )
        created.append(certificate)
    Certificate.objects.bulk_create(created)
    audit_record_batch(
        actor=actor,
        action=AuditAction.CERTIFICATE_IMPORT,
        object_type=AuditObject.CERTIFICATE,
        rows=[(c.pk, None, {**certificate_snapshot(c), "source": source}) for c in created],
        reason=f"依据{source}导入",
        region=keeper.region_id,
    )
    return created


__all__ = ["ImportRefused", "RowError", "certificates_import", "parse_level"]
