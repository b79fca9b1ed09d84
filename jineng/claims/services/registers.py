"""A generic register import for the ghost-trainee checks (issue 10 §5): a .xlsx or CSV list of ID
numbers with dates (退休人员、死亡人员、全日制在校学生、机关事业单位在编人员), its kind chosen at
upload.

Columns (header row 1, names as a person writes them): 身份证号码 (required), 起始日期 (退休、死亡、
入学、入编日期; optional), 截止日期 (毕业、离职日期; optional, empty = still on the list). Every
row is checked first; a file with any bad row is refused whole, with each row's error in Chinese
(row number as in the sheet). ID numbers are stored only as their blind index, never in plain."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.claims.access import holds_role_for
from jineng.claims.models import RegisterEntry, RegisterKind, RegisterList
from jineng.core.errors import DomainError
from jineng.identity.crypto import blind_index
from jineng.identity.models import Role, User
from jineng.identity.validators import is_valid_resident_id
from jineng.imports import cells
from jineng.imports.reading import Cell, UnreadableFile, read_table

COLUMNS = {
    "id_number": ("身份证号码", "身份证号", "公民身份号码", "证件号码"),
    "starts_on": ("起始日期", "开始日期", "退休日期", "死亡日期", "入学日期", "入编日期"),
    "ends_on": ("截止日期", "结束日期", "毕业日期", "离职日期"),
}
MAX_ERRORS = 50
REGISTER_ROLES = (Role.BUREAU_REVIEWER, Role.BUREAU_APPROVER)


@dataclass(frozen=True)
class RowError:
    row: int
    message: str


@dataclass(frozen=True)
class ParsedEntry:
    id_number_index: str
    starts_on: dt.date | None
    ends_on: dt.date | None


class RegisterRejected(DomainError):
    """The file has row errors; `errors` lists them (at most MAX_ERRORS)."""

    def __init__(self, errors: list[RowError]) -> None:
        first = errors[0]
        super().__init__("file", f"名单有 {len(errors)} 行错误，第 {first.row} 行：{first.message}")
        self.errors = errors


def _column(headers: tuple[str, ...], names: tuple[str, ...]) -> int | None:
    wanted = {cells.normalise_header(n) for n in names}
    for i, header in enumerate(headers):
        if cells.normalise_header(header) in wanted:
            return i
    return None


def parse_register(data: bytes, filename: str) -> list[ParsedEntry]:
    """Every row of the file as an entry, or RegisterRejected naming the bad rows."""
    if len(data) > settings.CLAIMS_REGISTER_MAX_BYTES:
        raise DomainError("file", "名单文件过大，请拆分后分别导入")
    try:
        table, _ = read_table(data, filename)
    except UnreadableFile as exc:
        raise DomainError("file", str(exc)) from exc
    where = {k: _column(table.headers, names) for k, names in COLUMNS.items()}
    id_col = where["id_number"]
    if id_col is None:
        raise DomainError("file", "名单缺少“身份证号码”列")
    entries: list[ParsedEntry] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for row in table.rows:

        def cell(key: str, row_cells: tuple[Cell, ...] = row.cells) -> Cell:
            col = where[key]
            return row_cells[col] if col is not None and col < len(row_cells) else None

        try:
            number = cells.identifier(cell("id_number"), "身份证号码")
            if not number:
                raise cells.CellError("身份证号码为空")
            if not is_valid_resident_id(number):
                raise cells.CellError("身份证号码格式或校验位不正确")
            starts = cells.date(cell("starts_on")) if cells.text(cell("starts_on")) else None
            ends = cells.date(cell("ends_on")) if cells.text(cell("ends_on")) else None
            if starts and ends and ends < starts:
                raise cells.CellError("截止日期早于起始日期")
        except cells.CellError as exc:
            errors.append(RowError(row.number, str(exc)))
            if len(errors) >= MAX_ERRORS:
                break
            continue
        index = blind_index(number)
        if index in seen:
            errors.append(RowError(row.number, f"与第 {seen[index]} 行的身份证号码重复"))
            continue
        seen[index] = row.number
        entries.append(ParsedEntry(index, starts, ends))
    if errors:
        raise RegisterRejected(errors)
    if not entries:
        raise DomainError("file", "名单中没有人员")
    return entries


@transaction.atomic
def register_import(
    *,
    actor: User,
    kind: str,
    title: str,
    region: str,
    data: bytes,
    filename: str = "",
) -> RegisterList:
    """A bureau reviewer or approver in `region` imports a register (all rows or none)."""
    if actor is None or not any(holds_role_for(actor, r, region) for r in REGISTER_ROLES):
        raise PermissionDenied("您无权导入比对名单")
    if kind not in RegisterKind.values:
        raise DomainError("kind", "请选择名单类别")
    title = title.strip() or str(RegisterKind(kind).label)
    entries = parse_register(data, filename)
    register = RegisterList.objects.create(
        kind=kind,
        title=title[:200],
        region=region,
        file_name=filename[:200],
        rows=len(entries),
        uploaded_by=actor,
    )
    RegisterEntry.objects.bulk_create(
        [
            RegisterEntry(
                register=register,
                kind=kind,
                id_number_index=e.id_number_index,
                starts_on=e.starts_on,
                ends_on=e.ends_on,
            )
            for e in entries
        ],
        batch_size=5000,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CLAIM_REGISTER_IMPORT,
        object_type=AuditObject.CLAIM_REGISTER,
        object_id=register.pk,
        after={"kind": kind, "rows": len(entries), "file": filename[:200]},
        region=region,
    )
    return register


__all__ = ["RegisterRejected", "RowError", "parse_register", "register_import"]
