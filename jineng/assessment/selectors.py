"""Reads of the assessment app: exposure statistics and bank contents, scoped by the caller."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from jineng.assessment.access import access_bank_by_id
from jineng.assessment.models import Item, KnowledgePoint, PaperItem, QuestionBank
from jineng.identity.access import Scope
from jineng.identity.models import User


@dataclass(frozen=True)
class Exposure:
    item_id: int
    version: int
    papers: int  # how many papers drew this version


def item_exposure(*, item: Item) -> int:
    """Papers that drew this version (counted from the stored papers, not the running counter)."""
    return PaperItem.objects.filter(item=item).values("paper").distinct().count()


def bank_exposure(*, user: User, bank_id: int, scope: Scope | None = None) -> list[Exposure]:
    """Every item version of the bank with the number of papers that drew it, most drawn first."""
    bank = access_bank_by_id(user, bank_id, scope=scope)
    rows = (
        Item.objects.filter(bank=bank)
        .annotate(papers=Count("paper_entries__paper", distinct=True))
        .order_by("-papers", "pk")
        .values_list("pk", "version", "papers")
    )
    return [Exposure(pk, version, papers) for pk, version, papers in rows]


def bank_points(*, bank: QuestionBank) -> QuerySet[KnowledgePoint]:
    return KnowledgePoint.objects.filter(bank=bank).order_by("code")


@dataclass(frozen=True)
class PointSummary:
    name: str
    depth: int
    approved: int  # approved items at this point itself


@dataclass(frozen=True)
class ItemSummary:
    stem: str
    kind_label: str
    difficulty_label: str
    version: int
    status_label: str
    papers: int


@dataclass(frozen=True)
class BlueprintSummary:
    id: int
    name: str
    status_label: str
    pass_line: str
    problems: list[str]


@dataclass(frozen=True)
class BankDetail:
    bank: QuestionBank
    points: list[PointSummary]
    status_counts: list[tuple[str, int]]  # (status label, items)
    most_drawn: list[ItemSummary]
    blueprints: list[BlueprintSummary]


def _tree(points: list[KnowledgePoint], counts: dict[int, int]) -> list[PointSummary]:
    children: dict[int | None, list[KnowledgePoint]] = {}
    for p in points:
        children.setdefault(p.parent_id, []).append(p)
    out: list[PointSummary] = []

    def walk(parent: int | None, depth: int) -> None:
        for p in sorted(children.get(parent, []), key=lambda p: p.code):
            out.append(PointSummary(p.name, depth, counts.get(p.pk, 0)))
            walk(p.pk, depth + 1)

    walk(None, 0)
    return out


def bank_detail(*, user: User, bank_id: object, scope: Scope | None = None) -> BankDetail:
    """What the bank page and the API show: the tree of knowledge points with approved items,
    items by status, the most drawn items, each blueprint with its check."""
    from jineng.assessment.models import Blueprint, ItemStatus
    from jineng.assessment.services import blueprint_check

    bank = access_bank_by_id(user, bank_id, scope=scope)
    points = list(KnowledgePoint.objects.filter(bank=bank))
    approved = dict(
        Item.objects.filter(bank=bank, status=ItemStatus.APPROVED)
        .values("point")
        .annotate(n=Count("pk"))
        .values_list("point", "n")
    )
    by_status = dict(
        Item.objects.filter(bank=bank)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    status_counts = [
        (str(s.label), by_status[s.value]) for s in ItemStatus if by_status.get(s.value)
    ]
    drawn = (
        Item.objects.filter(bank=bank)
        .annotate(papers=Count("paper_entries__paper", distinct=True))
        .filter(papers__gt=0)
        .order_by("-papers", "pk")[:10]
    )
    most_drawn = [
        ItemSummary(
            stem=i.stem[:40],
            kind_label=i.get_kind_display(),
            difficulty_label=i.get_difficulty_display(),
            version=i.version,
            status_label=i.get_status_display(),
            papers=i.papers,
        )
        for i in drawn
    ]
    blueprints = [
        BlueprintSummary(
            id=b.pk,
            name=b.name,
            status_label=b.get_status_display(),
            pass_line=f"{b.pass_line.normalize():f}",
            problems=blueprint_check(blueprint=b).problems,
        )
        for b in Blueprint.objects.filter(bank=bank).order_by("pk")
    ]
    return BankDetail(bank, _tree(points, approved), status_counts, most_drawn, blueprints)
