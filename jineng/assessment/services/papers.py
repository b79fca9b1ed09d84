"""Blueprints (组卷规则), their satisfiability check, drawing papers and scoring them."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jineng.assessment import access, drawing
from jineng.assessment.errors import AssessmentInvalid
from jineng.assessment.models import (
    Blueprint,
    BlueprintRule,
    BlueprintSection,
    BlueprintStatus,
    Difficulty,
    FixedItem,
    Item,
    ItemKind,
    ItemStatus,
    KnowledgePoint,
    Paper,
    PaperItem,
    QuestionBank,
)
from jineng.assessment.scoring import score_response
from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.errors import Conflict, Forbidden, Unprocessable
from jineng.core.states import transition
from jineng.identity.models import Person, User

CHINESE_NUMERALS = "一二三四五六七八九十"


def section_name(section: BlueprintSection) -> str:
    n = section.position + 1
    numeral = CHINESE_NUMERALS[n - 1] if n <= len(CHINESE_NUMERALS) else str(n)
    return f"第{numeral}部分「{section.title}」"


@dataclass(frozen=True)
class BlueprintCheck:
    """`ok` when the bank can supply every rule (and every fixed item is in use); otherwise one
    Chinese sentence per problem, naming the section, the knowledge point and the difficulty."""

    ok: bool
    problems: list[str]
    total_points: Decimal
    item_count: int


@dataclass(frozen=True)
class SectionScore:
    title: str
    possible: Decimal
    scored: Decimal  # objective items so far (subjective ones added when marked)
    pending: int  # items not yet scored (short answers, practical tasks)


@dataclass(frozen=True)
class PaperScore:
    sections: list[SectionScore]
    possible: Decimal
    scored: Decimal
    pass_line: Decimal
    passed: bool | None  # None while any item awaits marking


def _check_draft(actor: User | None, blueprint: Blueprint) -> None:
    if not access.can_manage(actor, blueprint.bank):
        raise Forbidden("blueprint", "无权修改该组卷规则")
    if blueprint.status != BlueprintStatus.DRAFT:
        raise Conflict("blueprint", f"组卷规则「{blueprint.name}」已发布或停用，不能再修改")


def _audit(actor: User | None, action: str, blueprint: Blueprint, after: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=AuditObject.BLUEPRINT,
        object_id=blueprint.pk,
        after=after,
        region=blueprint.bank.organisation.region_id,
    )


@transaction.atomic
def blueprint_create(
    *,
    actor: User | None,
    bank: QuestionBank,
    name: str,
    pass_line: Decimal | None = None,
    fixed: bool = False,
    shuffle_items: bool = True,
) -> Blueprint:
    if not access.can_manage(actor, bank):
        raise Forbidden("bank", "无权为该题库制定组卷规则")
    if not name.strip():
        raise AssessmentInvalid("name", "组卷规则名称不能为空")
    line = Decimal(str(settings.ASSESSMENT_DEFAULT_PASS_LINE)) if pass_line is None else pass_line
    if line < 0:
        raise AssessmentInvalid("pass_line", "合格分数线不能为负数")
    blueprint = Blueprint.objects.create(
        bank=bank, name=name.strip(), pass_line=line, fixed=fixed, shuffle_items=shuffle_items
    )
    _audit(actor, AuditAction.CREATE, blueprint, {"name": blueprint.name, "pass_line": str(line)})
    return blueprint


@transaction.atomic
def section_add(
    *, actor: User | None, blueprint: Blueprint, title: str, kind: str
) -> BlueprintSection:
    _check_draft(actor, blueprint)
    if kind not in ItemKind.values:
        raise AssessmentInvalid("kind", "题型不正确")
    if not title.strip():
        raise AssessmentInvalid("title", "部分名称不能为空")
    position = blueprint.sections.count()
    section = BlueprintSection.objects.create(
        blueprint=blueprint, position=position, title=title.strip(), kind=kind
    )
    _audit(actor, AuditAction.UPDATE, blueprint, {"section": section.title, "kind": kind})
    return section


@transaction.atomic
def rule_add(
    *,
    actor: User | None,
    section: BlueprintSection,
    point: KnowledgePoint,
    difficulty: int,
    count: int,
    points: Decimal,
) -> BlueprintRule:
    blueprint = section.blueprint
    _check_draft(actor, blueprint)
    if blueprint.fixed:
        raise AssessmentInvalid("blueprint", "固定试卷请直接选择试题，不设抽题规则")
    if point.bank_id != blueprint.bank_id:
        raise AssessmentInvalid("point", "鉴定要素不属于该题库")
    if difficulty not in Difficulty.values:
        raise AssessmentInvalid("difficulty", "难度必须是1（易）至5（难）")
    if count < 1:
        raise AssessmentInvalid("count", "题数至少为1")
    if points <= 0:
        raise AssessmentInvalid("points", "每题分值必须大于0")
    rule = BlueprintRule.objects.create(
        section=section, point=point, difficulty=difficulty, count=count, points=points
    )
    _audit(
        actor,
        AuditAction.UPDATE,
        blueprint,
        {"section": section.title, "point": point.code, "difficulty": difficulty, "count": count},
    )
    return rule


@transaction.atomic
def fixed_item_add(
    *, actor: User | None, section: BlueprintSection, item: Item, points: Decimal
) -> FixedItem:
    blueprint = section.blueprint
    _check_draft(actor, blueprint)
    if not blueprint.fixed:
        raise AssessmentInvalid("blueprint", "随机抽题的组卷规则不能指定固定试题")
    if item.bank_id != blueprint.bank_id or item.kind != section.kind:
        raise AssessmentInvalid("item", f"试题不属于该题库或题型与{section_name(section)}不符")
    if points <= 0:
        raise AssessmentInvalid("points", "分值必须大于0")
    if FixedItem.objects.filter(section__blueprint=blueprint, item=item).exists():
        raise Conflict("item", "该试题已在本试卷中")
    fixed = FixedItem.objects.create(
        section=section, item=item, position=section.fixed_items.count(), points=points
    )
    _audit(actor, AuditAction.UPDATE, blueprint, {"section": section.title, "item": item.pk})
    return fixed


def _parents(bank: QuestionBank) -> dict[int, int | None]:
    return dict(KnowledgePoint.objects.filter(bank=bank).values_list("pk", "parent_id"))


def _candidates(blueprint: Blueprint) -> list[drawing.Candidate]:
    kinds = set(blueprint.sections.values_list("kind", flat=True))
    return [
        drawing.Candidate(pk, kind, difficulty, point_id, len(options))
        for pk, kind, difficulty, point_id, options in Item.objects.filter(
            bank_id=blueprint.bank_id, status=ItemStatus.APPROVED, kind__in=kinds
        ).values_list("pk", "kind", "difficulty", "point_id", "options")
    ]


def _rules(blueprint: Blueprint) -> tuple[list[drawing.Rule], list[BlueprintRule]]:
    rows = list(
        BlueprintRule.objects.filter(section__blueprint=blueprint)
        .select_related("section", "point")
        .order_by("section__position", "pk")
    )
    rules = [
        drawing.Rule(
            r.section.position, r.section.kind, r.difficulty, r.point_id, r.count, r.points
        )
        for r in rows
    ]
    return rules, rows


def blueprint_check(*, blueprint: Blueprint) -> BlueprintCheck:
    """Can the bank supply this blueprint now? Counts only approved items; a knowledge point
    covers everything beneath it; nested rules share their items (see `drawing`)."""
    sections = list(blueprint.sections.all())
    problems: list[str] = []
    total = Decimal("0")
    count = 0
    if not sections:
        problems.append(f"组卷规则「{blueprint.name}」还没有任何部分")
    if blueprint.fixed:
        for fixed in FixedItem.objects.filter(section__blueprint=blueprint).select_related(
            "section", "item"
        ):
            total += fixed.points
            count += 1
            if fixed.item.status != ItemStatus.APPROVED:
                problems.append(
                    f"{section_name(fixed.section)}第{fixed.position + 1}题当前为"
                    f"「{fixed.item.get_status_display()}」，请更换为审核通过的试题"
                )
        with_items = set(
            FixedItem.objects.filter(section__blueprint=blueprint).values_list(
                "section_id", flat=True
            )
        )
    else:
        rules, rows = _rules(blueprint)
        for rule in rules:
            total += rule.points * rule.count
            count += rule.count
        by_rule = {id(r): row for r, row in zip(rules, rows, strict=True)}
        for shortage in drawing.shortages(rules, _candidates(blueprint), _parents(blueprint.bank)):
            row = by_rule[id(shortage.rule)]
            nested = "（含下级要素的规则）" if shortage.needed > row.count else ""
            problems.append(
                f"{section_name(row.section)}：鉴定要素「{row.point.code} {row.point.name}」"
                f"难度「{Difficulty(row.difficulty).label}」{nested}需要{shortage.needed}题，"
                f"题库中审核通过的只有{shortage.available}题"
            )
        with_items = {row.section_id for row in rows}
    for section in sections:
        if section.pk not in with_items:
            problems.append(f"{section_name(section)}还没有试题")
    limit = int(settings.ASSESSMENT_MAX_ITEMS_PER_PAPER)
    if count > limit:
        problems.append(f"试卷共{count}题，超过上限{limit}题")
    return BlueprintCheck(ok=not problems, problems=problems, total_points=total, item_count=count)


@transaction.atomic
def blueprint_publish(*, actor: User | None, blueprint: Blueprint) -> Blueprint:
    """Publish after `blueprint_check` passes (`Unprocessable` listing every problem)."""
    if not access.can_manage(actor, blueprint.bank):
        raise Forbidden("blueprint", "无权发布该组卷规则")
    check = blueprint_check(blueprint=blueprint)
    if not check.ok:
        raise Unprocessable("blueprint", "组卷规则不能发布：" + "；".join(check.problems))
    transition(
        obj_or_queryset=blueprint,
        to=BlueprintStatus.PUBLISHED,
        actor=actor,
        reason=f"共{check.item_count}题，满分{check.total_points}分",
        audit_action=AuditAction.BLUEPRINT_PUBLISH,
        published_at=timezone.now(),
    )
    return blueprint


def _fixed_paper(blueprint: Blueprint) -> list[drawing.Drawn]:
    return [
        drawing.Drawn(
            f.section.position, f.position, f.item_id, f.points, tuple(range(len(f.item.options)))
        )
        for f in FixedItem.objects.filter(section__blueprint=blueprint)
        .select_related("section", "item")
        .order_by("section__position", "position")
    ]


@transaction.atomic
def paper_draw(
    *, actor: User | None, blueprint: Blueprint, candidate: Person, seed: str | None = None
) -> Paper:
    """The candidate's paper, drawn from `seed` (a new random one when omitted) and stored with
    each item's version, points and option order. One paper per candidate and blueprint."""
    if not access.can_manage(actor, blueprint.bank):
        raise Forbidden("blueprint", "无权为考生抽取试卷")
    blueprint = (
        Blueprint.objects.select_for_update()
        .select_related("bank__organisation")
        .get(pk=blueprint.pk)
    )
    if blueprint.status != BlueprintStatus.PUBLISHED:
        raise Conflict("blueprint", f"组卷规则「{blueprint.name}」尚未发布，不能抽取试卷")
    if Paper.objects.filter(blueprint=blueprint, candidate=candidate).exists():
        raise Conflict("candidate", f"考生{candidate.name}已有该组卷规则的试卷")
    sections = {s.position: s for s in blueprint.sections.all()}
    if blueprint.fixed:
        problems = blueprint_check(blueprint=blueprint).problems
        if problems:
            raise Unprocessable("blueprint", "不能抽取试卷：" + "；".join(problems))
        seed = ""
        drawn = _fixed_paper(blueprint)
    else:
        seed = seed if seed is not None else secrets.token_hex(16)
        rules, _ = _rules(blueprint)
        try:
            drawn = drawing.draw(
                rules,
                _candidates(blueprint),
                _parents(blueprint.bank),
                seed=f"{blueprint.pk}:{seed}",
                shuffle_items=blueprint.shuffle_items,
            )
        except drawing.Unsatisfiable:
            problems = blueprint_check(blueprint=blueprint).problems
            raise Unprocessable("blueprint", "题库已不足以组卷：" + "；".join(problems)) from None
    paper = Paper.objects.create(blueprint=blueprint, candidate=candidate, seed=seed)
    PaperItem.objects.bulk_create(
        PaperItem(
            paper=paper,
            section=sections[d.section],
            position=d.position,
            item_id=d.item_id,
            points=d.points,
            option_order=list(d.option_order),
        )
        for d in drawn
    )
    Item.objects.filter(pk__in=[d.item_id for d in drawn]).update(
        exposure_count=F("exposure_count") + 1
    )
    audit_record(
        actor=actor,
        action=AuditAction.PAPER_DRAW,
        object_type=AuditObject.EXAM_PAPER,
        object_id=paper.pk,
        after={
            "blueprint": blueprint.pk,
            "candidate": candidate.pk,
            "seed": seed,
            "items": len(drawn),
        },
        region=blueprint.bank.organisation.region_id,
    )
    return paper


def _entry_name(entry: PaperItem) -> str:
    return f"{section_name(entry.section)}第{entry.position + 1}题"


@transaction.atomic
def paper_score(*, actor: User | None, paper: Paper, answers: Mapping[int, Any]) -> PaperScore:
    """Score the objective items of `paper` against its stored items and option order.

    `answers` maps each paper entry's id to the response as the candidate saw the paper:
    option positions as displayed (single: one, multiple: a list), true/false a bool, fill-in a
    list of strings. Unanswered items score 0; short answers and practical tasks are stored and
    left for the assessors. A paper is scored once (later changes go through a correction)."""
    paper = (
        Paper.objects.select_for_update()
        .select_related("blueprint__bank__organisation")
        .get(pk=paper.pk)
    )
    if not access.can_manage(actor, paper.blueprint.bank):
        raise Forbidden("paper", "无权为该试卷评分")
    if paper.scored_at is not None:
        raise Conflict("paper", "该试卷已评分，成绩只能通过更正程序修改")
    entries = list(paper.entries.select_related("item", "section"))
    known = {e.pk for e in entries}
    stray = sorted(set(answers) - known)
    if stray:
        raise AssessmentInvalid("answers", "作答中有不属于该试卷的题目")
    objective = Decimal("0")
    for entry in entries:
        response = answers.get(entry.pk)
        try:
            score = score_response(
                kind=entry.item.kind,
                key=entry.item.answer,
                option_order=tuple(entry.option_order),
                response=response,
                points=entry.points,
            )
        except ValueError as err:
            raise AssessmentInvalid(
                "answers", f"{_entry_name(entry)}的作答格式不正确：{err}"
            ) from None
        entry.response = response
        entry.score = score
        if score is not None:
            objective += score
    PaperItem.objects.bulk_update(entries, ["response", "score"])
    Paper.objects.filter(pk=paper.pk).update(scored_at=timezone.now(), objective_score=objective)
    paper.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditAction.PAPER_SCORE,
        object_type=AuditObject.EXAM_PAPER,
        object_id=paper.pk,
        after={"objective_score": str(objective), "answered": len(answers)},
        region=paper.blueprint.bank.organisation.region_id,
    )
    return paper_result(paper=paper)


def paper_result(*, paper: Paper) -> PaperScore:
    """Totals per section and overall from the stored scores; `passed` once nothing is pending."""
    sections: dict[int, tuple[BlueprintSection, list[PaperItem]]] = {}
    for entry in paper.entries.select_related("section"):
        sections.setdefault(entry.section.position, (entry.section, []))[1].append(entry)
    out: list[SectionScore] = []
    for position in sorted(sections):
        section, entries = sections[position]
        out.append(
            SectionScore(
                title=section.title,
                possible=sum((e.points for e in entries), Decimal("0")),
                scored=sum((e.score for e in entries if e.score is not None), Decimal("0")),
                pending=sum(1 for e in entries if e.score is None),
            )
        )
    possible = sum((s.possible for s in out), Decimal("0"))
    scored = sum((s.scored for s in out), Decimal("0"))
    pending = any(s.pending for s in out) or paper.scored_at is None
    line = paper.blueprint.pass_line
    return PaperScore(
        sections=out,
        possible=possible,
        scored=scored,
        pass_line=line,
        passed=None if pending else scored >= line,
    )
