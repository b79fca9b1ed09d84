"""Writes the organisation's management pages need that the topic modules lack (issue 9 §10):
renaming a knowledge point, removing a rule or a section from a draft blueprint, and parsing the
item forms' text into the services' terms."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from jineng.assessment import access
from jineng.assessment.errors import AssessmentInvalid
from jineng.assessment.models import (
    Blueprint,
    BlueprintRule,
    BlueprintSection,
    BlueprintStatus,
    FilingStatus,
    ItemKind,
    KnowledgePoint,
    QuestionBank,
)
from jineng.assessment.services.banks import Criterion, Deduction
from jineng.assessment.services.papers import BlueprintCheck, blueprint_check, section_name
from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.errors import Conflict, Forbidden
from jineng.core.states import transition
from jineng.identity.models import User

LETTERS = "ABCDEFGH"
TRUE_WORDS = frozenset({"正确", "对", "是", "√"})
FALSE_WORDS = frozenset({"错误", "错", "否", "×"})


@transaction.atomic
def point_rename(*, actor: User | None, point: KnowledgePoint, name: str) -> KnowledgePoint:
    """A knowledge point's new name (its code, the standard's reference, stays)."""
    point = KnowledgePoint.objects.select_for_update().select_related("bank").get(pk=point.pk)
    if not access.can_manage(actor, point.bank):
        raise Forbidden("point", "无权修改该题库的鉴定要素")
    clean = name.strip()
    if not clean:
        raise AssessmentInvalid("name", "鉴定要素名称不能为空")
    if len(clean) > 100:
        raise AssessmentInvalid("name", "鉴定要素名称不能超过100个字")
    before = point.name
    point.name = clean
    point.save(update_fields=["name"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type=AuditObject.KNOWLEDGE_POINT,
        object_id=point.pk,
        before={"name": before},
        after={"name": clean, "code": point.code},
        region=point.bank.organisation.region_id,
    )
    return point


def _draft_for_removal(actor: User | None, blueprint_id: int, what: str) -> Blueprint:
    """The blueprint locked (a removal cannot cross a publication), or the reason it may not
    change: a published paper's rules are what drawn papers were drawn by."""
    blueprint = Blueprint.objects.select_for_update().select_related("bank__organisation")
    found = blueprint.get(pk=blueprint_id)
    if not access.can_manage(actor, found.bank):
        raise Forbidden("blueprint", "无权修改该组卷规则")
    if found.status != BlueprintStatus.DRAFT:
        raise Conflict(
            "blueprint",
            f"组卷规则「{found.name}」{found.get_status_display()}，不能再删除{what}"
            "（已抽取的试卷依据它组卷）",
        )
    return found


@transaction.atomic
def rule_remove(*, actor: User | None, rule: BlueprintRule) -> BlueprintCheck:
    """Remove one rule of a draft blueprint; the satisfiability check after the removal."""
    section = BlueprintSection.objects.get(pk=rule.section_id)
    blueprint = _draft_for_removal(actor, section.blueprint_id, "抽题规则")
    rule = BlueprintRule.objects.select_related("point").get(pk=rule.pk)
    before = {
        "section": section.title,
        "point": rule.point.code,
        "difficulty": rule.difficulty,
        "count": rule.count,
        "points": str(rule.points),
    }
    rule.delete()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type=AuditObject.BLUEPRINT,
        object_id=blueprint.pk,
        before={"rule": before},
        after={"rule": None},
        reason="删除抽题规则",
        region=blueprint.bank.organisation.region_id,
    )
    return blueprint_check(blueprint=blueprint)


@transaction.atomic
def section_remove(*, actor: User | None, section: BlueprintSection) -> BlueprintCheck:
    """Remove a section of a draft blueprint with its rules or fixed items; the later sections
    move up one place (第三部分 becomes 第二部分). The check after the removal."""
    blueprint = _draft_for_removal(actor, section.blueprint_id, "试卷部分")
    section = BlueprintSection.objects.get(pk=section.pk)
    before = {
        "section": section_name(section),
        "kind": section.kind,
        "rules": section.rules.count(),
        "fixed_items": section.fixed_items.count(),
    }
    position = section.position
    section.delete()
    # one at a time, lowest first: the (blueprint, position) constraint holds after each step
    for later in BlueprintSection.objects.filter(
        blueprint=blueprint, position__gt=position
    ).order_by("position"):
        later.position -= 1
        later.save(update_fields=["position"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type=AuditObject.BLUEPRINT,
        object_id=blueprint.pk,
        before={"section": before},
        after={"section": None},
        reason="删除试卷部分",
        region=blueprint.bank.organisation.region_id,
    )
    return blueprint_check(blueprint=blueprint)


def bank_filing_request(*, actor: User | None, bank: QuestionBank) -> QuestionBank:
    """The developer asks the bureau to file the bank (题库备案申请); the bureau then records
    the filing (`bank_file`) or sends the request back (`bank_filing_return`)."""
    if not access.can_manage(actor, bank):
        raise Forbidden("bank", "无权为该题库申请备案")
    if not bank.items.filter(status="approved").exists():
        raise AssessmentInvalid("bank", f"题库「{bank.name}」还没有审核通过的试题，不能申请备案")
    transition(
        obj_or_queryset=bank,
        to=FilingStatus.REQUESTED,
        actor=actor,
        reason="申请备案",
        audit_action=AuditAction.BANK_FILE,
    )
    return bank


def bank_filing_return(*, actor: User | None, bank: QuestionBank, reason: str) -> QuestionBank:
    """The bureau sends a filing request back to the developer, saying why."""
    if not access.can_file(actor, bank):
        raise Forbidden("bank", "无权办理该题库的备案")
    if not reason.strip():
        raise AssessmentInvalid("reason", "退回备案申请需要填写原因")
    if bank.filing_status != FilingStatus.REQUESTED:
        raise AssessmentInvalid("bank", f"题库「{bank.name}」没有待办理的备案申请")
    transition(
        obj_or_queryset=bank,
        to=FilingStatus.UNFILED,
        actor=actor,
        reason=reason.strip(),
        audit_action=AuditAction.BANK_FILE,
    )
    return bank


def options_from_text(text: str) -> list[str]:
    """One option a line (blank lines ignored)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def answer_from_text(kind: str, text: str) -> Any:
    """The 标准答案 as typed on the form: letters for choices (`B`, `ACD`), 正确/错误 for
    true/false, blanks separated by `；` with alternatives by `|` for fill-in."""
    value = text.strip()
    if kind in (ItemKind.SHORT_ANSWER, ItemKind.PRACTICAL):
        return None
    if not value:
        raise AssessmentInvalid("answer", f"{ItemKind(kind).label}需要填写标准答案")
    if kind in (ItemKind.SINGLE, ItemKind.MULTIPLE):
        letters = re.sub(r"[\s,，、]", "", value).upper()
        if not letters or any(ch not in LETTERS for ch in letters):
            raise AssessmentInvalid("answer", "选择题的答案请填写选项字母，如 B 或 ACD")
        indices = [LETTERS.index(ch) for ch in letters]
        if kind == ItemKind.SINGLE:
            if len(indices) != 1:
                raise AssessmentInvalid("answer", "单项选择题只能有一个答案字母")
            return indices[0]
        return indices
    if kind == ItemKind.TRUE_FALSE:
        if value in TRUE_WORDS:
            return True
        if value in FALSE_WORDS:
            return False
        raise AssessmentInvalid("answer", "判断题的答案请填写“正确”或“错误”")
    return [
        [alt.strip() for alt in blank.split("|") if alt.strip()]
        for blank in re.split(r"[；;]", value)
        if blank.strip()
    ]


def _points(text: str, where: str) -> Decimal:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        raise AssessmentInvalid("sheet", f"{where}的分数“{text.strip()}”不是数字") from None


def sheet_from_text(text: str) -> list[Criterion]:
    """One criterion a line: `评分内容|配分|扣分说明:扣分|…`."""
    rows: list[Criterion] = []
    for n, line in enumerate([x for x in text.splitlines() if x.strip()], start=1):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 2:
            raise AssessmentInvalid("sheet", f"评分表第{n}行应为“评分内容|配分|扣分说明:扣分”")
        deductions = []
        for m, raw in enumerate(parts[2:], start=1):
            reason, sep, cost = raw.replace("：", ":").rpartition(":")
            if not sep:
                raise AssessmentInvalid("sheet", f"评分表第{n}行第{m}个扣分项应为“扣分说明:扣分”")
            deductions.append(
                Deduction(reason.strip(), _points(cost, f"评分表第{n}行第{m}个扣分项"))
            )
        rows.append(Criterion(parts[0], _points(parts[1], f"评分表第{n}行"), tuple(deductions)))
    return rows


def answer_as_text(kind: str, answer: Any) -> str:
    """The stored answer back in the form's terms (for a new version's form)."""
    if answer is None:
        return ""
    if kind == ItemKind.SINGLE:
        return LETTERS[int(answer)]
    if kind == ItemKind.MULTIPLE:
        return "".join(LETTERS[int(a)] for a in answer)
    if kind == ItemKind.TRUE_FALSE:
        return "正确" if answer else "错误"
    return "；".join("|".join(blank) for blank in answer)


def sheet_as_text(sheet: list[dict[str, Any]]) -> str:
    lines = []
    for row in sheet:
        parts = [row["criterion"], row["points"]]
        parts += [f"{d['reason']}:{d['points']}" for d in row["deductions"]]
        lines.append("|".join(parts))
    return "\n".join(lines)
