"""Issuing training vouchers by roster import (issue 8 §7): a .xlsx/.csv list of 姓名 and 证件号码,
all or nothing — any bad row refuses the whole file, naming every row and column in Chinese, and
nothing is issued (the voucher rules are `jineng.learning.services.vouchers`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction

from jineng.core.errors import DomainError
from jineng.core.regioncodes import region_prefix
from jineng.identity.models import Person
from jineng.identity.services import person_find_by_document
from jineng.imports.machinery import Column, RowView, _map_headers
from jineng.imports.reading import FileInput, UnreadableFile, read_table
from jineng.imports.report import RowIssue
from jineng.learning.models import (
    ACTIVE_VOUCHER_STATUSES,
    TrainingVoucher,
    VoucherBatch,
    VoucherBatchKind,
)
from jineng.learning.services.vouchers import (
    VoucherInvalid,
    _require_bureau,
    _terms,
    _write_batch,
)
from jineng.reference.models import Occupation, Region

if TYPE_CHECKING:
    from jineng.identity.models import User


class VoucherImportRefused(DomainError):
    """A roster with bad rows (400): nothing was issued; `issues` names every row and column."""

    def __init__(self, issues: list[RowIssue], message: str = "") -> None:
        shown = "；".join(str(i) for i in issues[:5])
        more = f"；另有 {len(issues) - 5} 处错误" if len(issues) > 5 else ""
        super().__init__("file", message or f"名单有误，未发放任何培训券：{shown}{more}")
        self.issues = issues

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.__class__, (self.issues, self.message))


ROSTER_COLUMNS = (
    Column("name", "姓名", ("学员姓名",), required=True, example="张三"),
    Column(
        "id_number",
        "证件号码",
        ("身份证号", "身份证号码", "公民身份号码"),
        required=True,
        sensitive="id_number",
        note="居民身份证号码",
        example="441900199001011234",
    ),
)


def _roster_people(rows: list[RowView], region: Region) -> list[Person]:
    prefix = region_prefix(region.code)
    first: dict[str, int] = {}
    found: list[tuple[RowView, Person]] = []
    for row in rows:
        name = row.require("name")
        number = row.require("id_number")
        if not name or not number:
            continue
        key = "".join(number.split()).upper()
        if key in first:
            row.error("id_number", f"与第{first[key]}行重复")
            continue
        first[key] = row.number
        try:
            person = person_find_by_document(id_number=number)
        except DomainError:
            person = None
        region_code = person.residence_region_id if person is not None else None
        if person is None or not (region_code or "").startswith(prefix):
            # The same answer for "not registered" and "lives elsewhere": no hint either way.
            row.error("id_number", "本地区未登记该人员")
            continue
        if person.name != " ".join(name.split()):
            row.error("name", "姓名与证件号码不符")
            continue
        found.append((row, person))
    holders = set(
        TrainingVoucher.objects.filter(
            person__in=[p for _, p in found], status__in=ACTIVE_VOUCHER_STATUSES
        ).values_list("person_id", flat=True)
    )
    for row, person in found:
        if person.pk in holders:
            row.error("id_number", "该人员已有一张未使用的培训券")
    return [p for _, p in found if p.pk not in holders]


@transaction.atomic
def voucher_batch_import(
    *,
    actor: User | None,
    region: Region | str,
    name: str,
    value_fen: int,
    file: FileInput,
    filename: str = "",
    occupations: Sequence[Occupation | str] = (),
    validity_days: int | None = None,
    on: dt.date | None = None,
) -> VoucherBatch:
    """Issue a voucher to each person of a roster (.xlsx/.csv with the columns 姓名, 证件号码),
    all or nothing: any bad row raises VoucherImportRefused naming every row and column, and
    nothing is issued. A person must be registered and live under `region` (one answer for both,
    so a roster cannot probe other regions) and hold no active voucher."""
    terms = _terms(
        region=region,
        name=name,
        value_fen=value_fen,
        occupations=occupations,
        validity_days=validity_days,
        on=on,
    )
    _require_bureau(actor, terms.region)
    try:
        table, filename = read_table(file, filename)
    except UnreadableFile as exc:
        raise VoucherInvalid("file", str(exc)) from exc
    headers = _map_headers(table.headers, ROSTER_COLUMNS)
    if headers.missing:
        raise VoucherInvalid("file", f"缺少必填列：{'、'.join(headers.missing)}")
    columns = {c.key: c for c in ROSTER_COLUMNS}
    rows = [
        RowView(
            source.number,
            {
                key: source.cells[index] if index < len(source.cells) else None
                for key, index in headers.positions.items()
            },
            columns,
            headers.written,
        )
        for source in table.rows
    ]
    if not rows:
        raise VoucherInvalid("file", "名单中没有数据行")
    people = _roster_people(rows, terms.region)
    issues = [i for row in rows for i in row.issues if i.severity == "error"]
    if issues:
        raise VoucherImportRefused(issues)
    return _write_batch(
        actor=actor,
        terms=terms,
        kind=VoucherBatchKind.ROSTER,
        rule=f"名单导入：{filename}"[:200],
        people=people,
        reason=f"名单导入 {filename}"[:200],
    )
