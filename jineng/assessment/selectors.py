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
