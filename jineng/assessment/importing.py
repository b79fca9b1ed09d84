"""Importing items into a bank from .xlsx (or .csv), all or nothing.

Uses the import pipeline's pieces (`jineng.imports.reading`, `cells`, `machinery.Column`,
`RowView`, `report.RowIssue`): rows numbered as Excel shows them, headers matched ignoring spaces,
`*` and （必填）, every problem of every row reported with its row, column and reason in Chinese.
A row's content is checked by the same function as `item_create` (`services.banks.item_content`), so
the file can hold nothing a clerk could not type. With any bad row nothing is written; the real
run writes every item through `item_create` (drafts, audited each) in one transaction.

Cells: 题型 单选/多选/判断/填空/简答/操作 (or the full names); 难度 1–5 or 易/较易/中等/较难/难;
选项A…选项H; 答案 for single/multiple choice the letters (`B`, `ACD`), for true/false 正确/错误
(对/错, √/×), for fill-in one answer per blank separated by `；` with alternatives by `|`;
评分表 one criterion a line: `评分内容|配分|扣分说明:扣分|…`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from jineng.assessment import access
from jineng.assessment.errors import AssessmentInvalid
from jineng.assessment.models import (
    Difficulty,
    Item,
    ItemKind,
    ItemStatus,
    KnowledgePoint,
    QuestionBank,
)
from jineng.assessment.services.banks import Criterion, Deduction, item_content, item_create
from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.errors import Forbidden
from jineng.identity.models import User
from jineng.imports import cells
from jineng.imports.machinery import Column, RowView
from jineng.imports.reading import FileInput, UnreadableFile, read_table
from jineng.imports.report import RowIssue

LETTERS = string.ascii_uppercase[:8]
OPTION_KEYS = tuple(f"option_{letter}" for letter in LETTERS)

COLUMNS: tuple[Column, ...] = (
    Column("point", "鉴定要素代码", ("要素代码", "鉴定点代码"), required=True, example="1.1"),
    Column("kind", "题型", required=True, example="单选"),
    Column("difficulty", "难度", required=True, example="中等"),
    Column("stem", "题干", ("题目",), required=True, example="车床主轴转速的选择依据是什么？"),
    *(
        Column(key, f"选项{letter}", example="工件材料" if letter == "A" else "")
        for key, letter in zip(OPTION_KEYS, LETTERS, strict=True)
    ),
    Column("answer", "答案", ("标准答案",), example="A"),
    Column("reference_answer", "参考答案"),
    Column("sheet", "评分表"),
)

KIND_NAMES: dict[str, str] = {
    **{str(k.label): k.value for k in ItemKind},
    "单选": ItemKind.SINGLE,
    "单选题": ItemKind.SINGLE,
    "多选": ItemKind.MULTIPLE,
    "多选题": ItemKind.MULTIPLE,
    "判断": ItemKind.TRUE_FALSE,
    "填空": ItemKind.FILL_IN,
    "简答": ItemKind.SHORT_ANSWER,
    "操作": ItemKind.PRACTICAL,
    "实操": ItemKind.PRACTICAL,
    "操作题": ItemKind.PRACTICAL,
}
DIFFICULTY_NAMES: dict[str, int] = {
    **{str(d.label): d.value for d in Difficulty},
    **{str(d.value): d.value for d in Difficulty},
    "中": Difficulty.MEDIUM,
}
TRUE_WORDS = {"正确", "对", "是", "√", "✓", "T", "TRUE"}
FALSE_WORDS = {"错误", "错", "否", "×", "✗", "F", "FALSE"}
FIELD_COLUMN = {
    "options": "option_A",
    "answer": "answer",
    "sheet": "sheet",
    "stem": "stem",
    "difficulty": "difficulty",
    "reference_answer": "reference_answer",
    "kind": "kind",
    "point": "point",
}


@dataclass
class ItemImportReport:
    filename: str
    dry_run: bool
    total_rows: int = 0
    written: int = 0
    file_error: str = ""
    issues: list[RowIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_error and not any(i.severity == "error" for i in self.issues)


@dataclass(frozen=True)
class _Parsed:
    point: KnowledgePoint
    kind: str
    content: dict[str, Any]
    sheet: tuple[Criterion, ...]


def _map_headers(headers: Sequence[str]) -> tuple[dict[str, int], dict[str, str], list[RowIssue]]:
    by_name = {
        cells.normalise_header(name): column
        for column in COLUMNS
        for name in (column.header, *column.aliases)
    }
    positions: dict[str, int] = {}
    written: dict[str, str] = {}
    issues: list[RowIssue] = []
    for index, header in enumerate(headers):
        if not header:
            continue
        found = by_name.get(cells.normalise_header(header))
        if found is None:
            issues.append(RowIssue(1, header, "", "未知的列，已忽略", "warning"))
        elif found.key not in positions:
            positions[found.key] = index
            written[found.key] = header
    return positions, written, issues


def _answer(kind: str, text: str, option_count: int) -> Any:
    """The 答案 cell in the item's own terms, or raises CellError."""
    if kind in (ItemKind.SINGLE, ItemKind.MULTIPLE):
        letters = [c for c in text.upper() if not c.isspace() and c not in ",，、;；"]
        if not letters or any(c not in LETTERS[:option_count] for c in letters):
            raise cells.CellError(f"答案应为选项字母（A至{LETTERS[max(option_count, 1) - 1]}）")
        indices = [LETTERS.index(c) for c in letters]
        if kind == ItemKind.SINGLE:
            if len(indices) != 1:
                raise cells.CellError("单项选择题只能有一个答案")
            return indices[0]
        return indices
    if kind == ItemKind.TRUE_FALSE:
        word = text.strip().upper()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise cells.CellError("判断题的答案应为“正确”或“错误”")
    if kind == ItemKind.FILL_IN:
        return [
            [a.strip() for a in blank.split("|")]
            for blank in re.split("[；;]", text)
            if blank.strip()
        ]
    if text:
        raise cells.CellError(f"{ItemKind(kind).label}不填答案，请填写参考答案或评分表")
    return None


def _points(value: str, where: str) -> Decimal:
    try:
        return Decimal(value.strip())
    except InvalidOperation:
        raise cells.CellError(f"{where}的分值“{value.strip()}”不是数字") from None


def _sheet(text: str) -> tuple[Criterion, ...]:
    rows: list[Criterion] = []
    for n, line in enumerate((ln for ln in re.split("[\n\r]+", text) if ln.strip()), start=1):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 2:
            raise cells.CellError(f"第{n}行应写成“评分内容|配分|扣分说明:扣分”")
        deductions = []
        for part in parts[2:]:
            reason, sep, cost = part.replace("：", ":").rpartition(":")
            if not sep:
                raise cells.CellError(f"第{n}行的扣分项“{part}”应写成“扣分说明:扣分”")
            deductions.append(Deduction(reason, _points(cost, f"第{n}行扣分项")))
        rows.append(Criterion(parts[0], _points(parts[1], f"第{n}行"), tuple(deductions)))
    return tuple(rows)


def _parse(row: RowView, points: dict[str, KnowledgePoint]) -> _Parsed | None:
    code = row.require("point")
    point = points.get(code)
    if code and point is None:
        row.error("point", "题库中没有这个鉴定要素代码")
    kind_text = row.require("kind")
    kind = KIND_NAMES.get(kind_text.replace(" ", ""))
    if kind_text and kind is None:
        row.error("kind", "题型应为单选、多选、判断、填空、简答或操作")
    difficulty_text = row.require("difficulty")
    difficulty = DIFFICULTY_NAMES.get(difficulty_text)
    if difficulty_text and difficulty is None:
        row.error("difficulty", "难度应为1至5，或易、较易、中等、较难、难")
    stem = row.require("stem")
    options = [row.text(k) for k in OPTION_KEYS]
    while options and not options[-1]:
        options.pop()
    if kind is None or point is None or difficulty is None or not stem:
        return None
    try:
        answer = _answer(kind, row.text("answer"), len(options))
    except cells.CellError as err:
        row.error("answer", str(err))
        return None
    try:
        sheet = _sheet(row.text("sheet")) if kind == ItemKind.PRACTICAL else ()
    except cells.CellError as err:
        row.error("sheet", f"评分表{err}")
        return None
    if kind != ItemKind.PRACTICAL and row.has("sheet"):
        row.error("sheet", "只有操作技能题填写评分表")
        return None
    try:
        content = item_content(
            kind=kind,
            stem=stem,
            options=options,
            answer=answer,
            reference_answer=row.text("reference_answer"),
            sheet=sheet,
            difficulty=difficulty,
        )
    except AssessmentInvalid as err:
        row.error(FIELD_COLUMN.get(err.field, ""), err.message)
        return None
    return _Parsed(point, kind, content, sheet)


def items_import(
    *,
    actor: User | None,
    bank: QuestionBank,
    file: FileInput,
    filename: str = "",
    dry_run: bool = False,
) -> ItemImportReport:
    """Check every row of the file and, unless `dry_run` or any row is bad, create every item
    (drafts awaiting review) in one transaction. `Forbidden` for someone who may not write items
    in the bank (before the file is read)."""
    if not access.can_author(actor, bank):
        raise Forbidden("bank", "无权向该题库导入试题")
    report = ItemImportReport(filename=filename, dry_run=dry_run)
    try:
        table, report.filename = read_table(file, filename)
    except UnreadableFile as exc:
        report.file_error = str(exc)
        return report
    positions, written, report.issues = _map_headers(table.headers)
    missing = [c.header for c in COLUMNS if c.required and c.key not in positions]
    if missing:
        report.file_error = f"缺少必填列：{'、'.join(missing)}"
        return report
    columns = {c.key: c for c in COLUMNS}
    points = {p.code: p for p in KnowledgePoint.objects.filter(bank=bank)}
    existing = set(
        Item.objects.filter(bank=bank)
        .exclude(status__in=[ItemStatus.SUPERSEDED, ItemStatus.RETIRED])
        .values_list("kind", "stem")
    )
    seen: dict[tuple[str, str], int] = {}
    parsed: list[_Parsed] = []
    rows: list[RowView] = []
    for source in table.rows:
        row = RowView(
            source.number,
            {k: source.cells[i] if i < len(source.cells) else None for k, i in positions.items()},
            columns,
            written,
        )
        rows.append(row)
        item = _parse(row, points)
        if item is None:
            continue
        key = (item.kind, item.content["stem"])
        if key in existing:
            row.error("stem", "题库中已有题型和题干相同的试题")
        elif key in seen:
            row.error("stem", f"与第{seen[key]}行的题型和题干相同")
        else:
            seen[key] = row.number
            parsed.append(item)
    report.total_rows = len(rows)
    report.issues += [issue for row in rows for issue in row.issues]
    if dry_run or not report.ok or not parsed:
        return report
    with transaction.atomic():
        for item in parsed:
            content = dict(item.content)
            content.pop("sheet")
            content.pop("stem")
            item_create(
                actor=actor,
                bank=bank,
                point=item.point,
                kind=item.kind,
                stem=item.content["stem"],
                sheet=item.sheet,
                **content,
            )
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            object_type=AuditObject.QUESTION_BANK,
            object_id=bank.pk,
            after={"rows": report.total_rows, "written": len(parsed), "file": report.filename[:60]},
            region=bank.organisation.region_id,
        )
    report.written = len(parsed)
    return report
