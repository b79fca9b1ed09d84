"""Banks, knowledge points and items: create, edit (until first use), review, supersede, file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jineng.assessment import access
from jineng.assessment.errors import AssessmentInvalid
from jineng.assessment.models import (
    CHOICE_KINDS,
    Difficulty,
    FilingStatus,
    Item,
    ItemKind,
    ItemStatus,
    KnowledgePoint,
    PaperItem,
    QuestionBank,
)
from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.errors import Conflict, Forbidden
from jineng.core.states import transition
from jineng.identity.models import User
from jineng.organisations.models import Organisation
from jineng.reference.models import Occupation, SkillLevel


@dataclass(frozen=True)
class Deduction:
    """扣分项: what is wrong and how many points it costs."""

    reason: str
    points: Decimal


@dataclass(frozen=True)
class Criterion:
    """A line of a practical task's scoring sheet (评分表): what is assessed, its points, and
    the deductions an assessor applies."""

    criterion: str
    points: Decimal
    deductions: Sequence[Deduction] = field(default_factory=tuple)


EDITABLE_FIELDS = frozenset(
    {"point", "difficulty", "stem", "options", "answer", "reference_answer", "sheet"}
)


def _decimal(value: object, field_name: str, what: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise AssessmentInvalid(field_name, f"{what}必须是数字") from None
    if not number.is_finite() or number <= 0:
        raise AssessmentInvalid(field_name, f"{what}必须大于0")
    if number != number.quantize(Decimal("0.01")):
        raise AssessmentInvalid(field_name, f"{what}最多保留两位小数")
    return number


def _clean_options(kind: str, options: Sequence[str]) -> list[str]:
    cleaned = [str(o).strip() for o in options]
    if kind in CHOICE_KINDS:
        limit = int(settings.ASSESSMENT_MAX_OPTIONS)
        if not 2 <= len(cleaned) <= limit:
            raise AssessmentInvalid("options", f"选择题需要2至{limit}个选项")
        if any(not o for o in cleaned):
            raise AssessmentInvalid("options", "选项不能为空")
        if len(set(cleaned)) != len(cleaned):
            raise AssessmentInvalid("options", "选项不能重复")
        return cleaned
    if cleaned:
        raise AssessmentInvalid("options", f"{ItemKind(kind).label}不设选项")
    return []


def _clean_answer(kind: str, options: list[str], answer: Any) -> Any:
    if kind == ItemKind.SINGLE:
        if (
            isinstance(answer, bool)
            or not isinstance(answer, int)
            or not 0 <= answer < len(options)
        ):
            raise AssessmentInvalid("answer", "单项选择题的答案必须是其中一个选项")
        return answer
    if kind == ItemKind.MULTIPLE:
        if not isinstance(answer, (list, tuple)) or not answer:
            raise AssessmentInvalid("answer", "多项选择题的答案至少包含一个选项")
        picks = sorted(set(answer))
        if len(picks) != len(answer) or any(
            isinstance(a, bool) or not isinstance(a, int) or not 0 <= a < len(options)
            for a in picks
        ):
            raise AssessmentInvalid("answer", "多项选择题的答案只能是不重复的选项")
        if len(picks) < 2:
            raise AssessmentInvalid("answer", "多项选择题的答案至少包含两个选项")
        return picks
    if kind == ItemKind.TRUE_FALSE:
        if not isinstance(answer, bool):
            raise AssessmentInvalid("answer", "判断题的答案必须是“正确”或“错误”")
        return answer
    if kind == ItemKind.FILL_IN:
        if not isinstance(answer, (list, tuple)) or not answer:
            raise AssessmentInvalid("answer", "填空题至少需要一个空的答案")
        blanks: list[list[str]] = []
        for n, accepted in enumerate(answer, start=1):
            values = [accepted] if isinstance(accepted, str) else list(accepted)
            values = [str(v).strip() for v in values if str(v).strip()]
            if not values:
                raise AssessmentInvalid("answer", f"第{n}个空没有答案")
            blanks.append(values)
        return blanks
    if answer not in (None, "", []):
        raise AssessmentInvalid(
            "answer", f"{ItemKind(kind).label}不设标准答案，请填写参考答案或评分表"
        )
    return None


def _clean_sheet(kind: str, sheet: Sequence[Criterion]) -> list[dict[str, Any]]:
    if kind != ItemKind.PRACTICAL:
        if sheet:
            raise AssessmentInvalid("sheet", "只有操作技能题设评分表")
        return []
    if not sheet:
        raise AssessmentInvalid("sheet", "操作技能题需要评分表（至少一项评分内容）")
    rows: list[dict[str, Any]] = []
    for n, line in enumerate(sheet, start=1):
        name = line.criterion.strip()
        if not name:
            raise AssessmentInvalid("sheet", f"评分表第{n}项没有评分内容")
        points = _decimal(line.points, "sheet", f"评分表第{n}项的配分")
        deductions = []
        for m, d in enumerate(line.deductions, start=1):
            cost = _decimal(d.points, "sheet", f"评分表第{n}项第{m}个扣分项的扣分")
            if cost > points:
                raise AssessmentInvalid("sheet", f"评分表第{n}项第{m}个扣分项扣分超过该项配分")
            if not d.reason.strip():
                raise AssessmentInvalid("sheet", f"评分表第{n}项第{m}个扣分项没有扣分说明")
            deductions.append({"reason": d.reason.strip(), "points": str(cost)})
        rows.append({"criterion": name, "points": str(points), "deductions": deductions})
    return rows


def sheet_of(item: Item) -> list[Criterion]:
    """The scoring sheet of a practical item as dataclasses."""
    return [
        Criterion(
            criterion=row["criterion"],
            points=Decimal(row["points"]),
            deductions=tuple(
                Deduction(d["reason"], Decimal(d["points"])) for d in row["deductions"]
            ),
        )
        for row in item.sheet
    ]


def item_content(
    *,
    kind: str,
    stem: str,
    options: Sequence[str],
    answer: Any,
    reference_answer: str,
    sheet: Sequence[Criterion],
    difficulty: int,
) -> dict[str, Any]:
    """The item's fields checked and normalised for its kind (`AssessmentInvalid` naming the
    field); shared by `item_create`, the edits and the .xlsx import."""
    if kind not in ItemKind.values:
        raise AssessmentInvalid("kind", "题型不正确")
    if difficulty not in Difficulty.values:
        raise AssessmentInvalid("difficulty", "难度必须是1（易）至5（难）")
    if not stem.strip():
        raise AssessmentInvalid("stem", "题干不能为空")
    clean_options = _clean_options(kind, options)
    reference = reference_answer.strip()
    if kind == ItemKind.SHORT_ANSWER and not reference:
        raise AssessmentInvalid("reference_answer", "简答题需要参考答案")
    return {
        "stem": stem.strip(),
        "options": clean_options,
        "answer": _clean_answer(kind, clean_options, answer),
        "reference_answer": reference,
        "sheet": _clean_sheet(kind, sheet),
        "difficulty": difficulty,
    }


def _item_snapshot(item: Item) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "difficulty": item.difficulty,
        "point": item.point.code,
        "version": item.version,
        "status": item.status,
    }


@transaction.atomic
def bank_create(
    *,
    actor: User | None,
    organisation: Organisation,
    occupation: Occupation,
    level: str,
    name: str,
) -> QuestionBank:
    if level not in SkillLevel.values:
        raise AssessmentInvalid("level", "等级不正确")
    if not name.strip():
        raise AssessmentInvalid("name", "题库名称不能为空")
    bank = QuestionBank(
        organisation=organisation, occupation=occupation, level=level, name=name.strip()
    )
    if not access.can_manage(actor, bank):
        raise Forbidden("bank", "无权为该机构建立题库")
    if QuestionBank.objects.filter(
        organisation=organisation, occupation=occupation, level=level, name=bank.name
    ).exists():
        raise Conflict("name", f"题库「{bank.name}」已存在")
    bank.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=AuditObject.QUESTION_BANK,
        object_id=bank.pk,
        after={"name": bank.name, "occupation": occupation.code, "level": level},
        region=organisation.region_id,
    )
    return bank


@transaction.atomic
def point_add(
    *,
    actor: User | None,
    bank: QuestionBank,
    code: str,
    name: str,
    parent: KnowledgePoint | None = None,
) -> KnowledgePoint:
    """A knowledge point (鉴定要素) of the bank, under `parent` (a point of the same bank)."""
    if not access.can_manage(actor, bank):
        raise Forbidden("bank", "无权修改该题库的鉴定要素")
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise AssessmentInvalid("code" if not code else "name", "鉴定要素的代码和名称都不能为空")
    if parent is not None and parent.bank_id != bank.pk:
        raise AssessmentInvalid("parent", "上级要素不属于该题库")
    if KnowledgePoint.objects.filter(bank=bank, code=code).exists():
        raise Conflict("code", f"鉴定要素代码「{code}」在该题库中已存在")
    point = KnowledgePoint.objects.create(bank=bank, parent=parent, code=code, name=name)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=AuditObject.KNOWLEDGE_POINT,
        object_id=point.pk,
        after={
            "bank": bank.pk,
            "code": code,
            "name": name,
            "parent": parent.code if parent else "",
        },
        region=bank.organisation.region_id,
    )
    return point


@transaction.atomic
def item_create(
    *,
    actor: User | None,
    bank: QuestionBank,
    point: KnowledgePoint,
    kind: str,
    difficulty: int,
    stem: str,
    options: Sequence[str] = (),
    answer: Any = None,
    reference_answer: str = "",
    sheet: Sequence[Criterion] = (),
) -> Item:
    """A new item (draft, version 1). Checks the content for its kind (`AssessmentInvalid`
    naming the field)."""
    if not access.can_author(actor, bank):
        raise Forbidden("bank", "无权在该题库中命题")
    if point.bank_id != bank.pk:
        raise AssessmentInvalid("point", "鉴定要素不属于该题库")
    content = item_content(
        kind=kind,
        stem=stem,
        options=options,
        answer=answer,
        reference_answer=reference_answer,
        sheet=sheet,
        difficulty=difficulty,
    )
    item = Item.objects.create(bank=bank, point=point, kind=kind, author=actor, **content)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=AuditObject.QUESTION_ITEM,
        object_id=item.pk,
        after=_item_snapshot(item),
        region=bank.organisation.region_id,
    )
    return item


def item_was_drawn(item: Item) -> bool:
    return PaperItem.objects.filter(item=item).exists()


def _merged(item: Item, changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise AssessmentInvalid(sorted(unknown)[0], "该项不能修改")
    point = changes.get("point", item.point)
    if point.bank_id != item.bank_id:
        raise AssessmentInvalid("point", "鉴定要素不属于该题库")
    content = item_content(
        kind=item.kind,
        stem=changes.get("stem", item.stem),
        options=changes.get("options", item.options),
        answer=changes.get("answer", item.answer),
        reference_answer=changes.get("reference_answer", item.reference_answer),
        sheet=changes.get("sheet", sheet_of(item)),
        difficulty=changes.get("difficulty", item.difficulty),
    )
    content["point"] = point
    return content


@transaction.atomic
def item_update(*, actor: User | None, item: Item, **changes: Any) -> Item:
    """Edit an item still in draft or rejected (a rejected item returns to draft). An item that
    has been drawn into a paper, or approved, is never edited: use `item_supersede`."""
    item = Item.objects.select_for_update().select_related("bank__organisation").get(pk=item.pk)
    if not access.can_author(actor, item.bank):
        raise Forbidden("item", "无权修改该试题")
    if item_was_drawn(item):
        raise Conflict("item", "该试题已被抽入试卷，不能修改，请生成新版本")
    if item.status not in (ItemStatus.DRAFT, ItemStatus.REJECTED):
        raise Conflict(
            "item", f"该试题当前为「{item.get_status_display()}」，不能修改，请生成新版本"
        )
    before = _item_snapshot(item)
    for name, value in _merged(item, changes).items():
        setattr(item, name, value)
    item.save()
    if item.status == ItemStatus.REJECTED:
        transition(obj_or_queryset=item, to=ItemStatus.DRAFT, actor=actor, reason="修改后重新编辑")
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type=AuditObject.QUESTION_ITEM,
        object_id=item.pk,
        before=before,
        after={**_item_snapshot(item), "changed": sorted(changes)},
        region=item.bank.organisation.region_id,
    )
    return item


@transaction.atomic
def item_supersede(*, actor: User | None, item: Item, **changes: Any) -> Item:
    """A new version of an approved item with `changes` (a draft, reviewed like any item); the
    old version stays in use until the new one is approved, then it is superseded."""
    item = Item.objects.select_for_update().select_related("bank__organisation").get(pk=item.pk)
    if not access.can_author(actor, item.bank):
        raise Forbidden("item", "无权修改该试题")
    if item.status != ItemStatus.APPROVED:
        raise Conflict(
            "item", f"只有审核通过的试题才能生成新版本，该试题当前为「{item.get_status_display()}」"
        )
    if Item.objects.filter(supersedes=item).exists():
        raise Conflict("item", "该试题已有新版本，请在新版本上修改")
    content = _merged(item, changes)
    new = Item.objects.create(
        bank=item.bank,
        kind=item.kind,
        version=item.version + 1,
        supersedes=item,
        author=actor,
        **content,
    )
    audit_record(
        actor=actor,
        action=AuditAction.ITEM_SUPERSEDE,
        object_type=AuditObject.QUESTION_ITEM,
        object_id=new.pk,
        before={"supersedes": item.pk, "version": item.version},
        after={**_item_snapshot(new), "changed": sorted(changes)},
        region=item.bank.organisation.region_id,
    )
    return new


def item_submit(*, actor: User | None, item: Item) -> Item:
    if not access.can_author(actor, item.bank):
        raise Forbidden("item", "无权提交该试题")
    transition(obj_or_queryset=item, to=ItemStatus.SUBMITTED, actor=actor, reason="提交审核")
    return item


def _check_reviewer(actor: User | None, item: Item) -> None:
    if not access.can_review(actor, item.bank):
        raise Forbidden("item", "无权审核该试题")
    if actor is not None and item.author_id == actor.pk:
        raise Forbidden("item", "不能审核自己编写的试题，请由其他考评员审核")


@transaction.atomic
def item_approve(*, actor: User | None, item: Item, reason: str = "") -> Item:
    """Approve a submitted item (never by its author); a new version's approval supersedes the
    version it replaces."""
    _check_reviewer(actor, item)
    transition(
        obj_or_queryset=item,
        to=ItemStatus.APPROVED,
        actor=actor,
        reason=reason or "审核通过",
        audit_action=AuditAction.ITEM_REVIEW,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
        review_reason=reason,
    )
    old = item.supersedes
    if old is not None and old.status == ItemStatus.APPROVED:
        transition(
            obj_or_queryset=old,
            to=ItemStatus.SUPERSEDED,
            actor=actor,
            reason=f"由第{item.version}版替代",
            audit_action=AuditAction.ITEM_SUPERSEDE,
        )
    return item


@transaction.atomic
def item_reject(*, actor: User | None, item: Item, reason: str) -> Item:
    _check_reviewer(actor, item)
    if not reason.strip():
        raise AssessmentInvalid("reason", "驳回需要填写审核意见")
    transition(
        obj_or_queryset=item,
        to=ItemStatus.REJECTED,
        actor=actor,
        reason=reason.strip(),
        audit_action=AuditAction.ITEM_REVIEW,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
        review_reason=reason.strip()[:200],
    )
    return item


def item_retire(*, actor: User | None, item: Item, reason: str) -> Item:
    """Take an item out of use (drawn papers keep it)."""
    if not access.can_review(actor, item.bank):
        raise Forbidden("item", "无权停用该试题")
    if not reason.strip():
        raise AssessmentInvalid("reason", "停用需要填写原因")
    transition(obj_or_queryset=item, to=ItemStatus.RETIRED, actor=actor, reason=reason.strip())
    return item


def bank_file(
    *, actor: User | None, bank: QuestionBank, filed_on: dt.date, reference: str = ""
) -> QuestionBank:
    """Record the bank's filing (题库备案) on `filed_on`: by the bureau over the developer's
    region. Filed banks earn the developer a subsidy (000 art. 20)."""
    if not access.can_file(actor, bank):
        raise Forbidden("bank", "无权办理该题库的备案")
    if filed_on > timezone.localdate():
        raise AssessmentInvalid("filed_on", "备案日期不能晚于今天")
    transition(
        obj_or_queryset=bank,
        to=FilingStatus.FILED,
        actor=actor,
        reason=f"备案{('，文号' + reference.strip()) if reference.strip() else ''}",
        filed_on=filed_on,
        filing_reference=reference.strip()[:60],
    )
    return bank


def bank_filing_withdraw(*, actor: User | None, bank: QuestionBank, reason: str) -> QuestionBank:
    if not access.can_file(actor, bank):
        raise Forbidden("bank", "无权撤销该题库的备案")
    if not reason.strip():
        raise AssessmentInvalid("reason", "撤销备案需要填写原因")
    transition(
        obj_or_queryset=bank,
        to=FilingStatus.WITHDRAWN,
        actor=actor,
        reason=reason.strip(),
        audit_action=AuditAction.BANK_FILE,
    )
    return bank
