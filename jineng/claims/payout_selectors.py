"""Reads for finance's pages and API: what a batch may be built from, a batch's lines, the
regions a finance officer pays for. Scoped by `jineng.claims.access`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from jineng.claims.access import claims_visible_to
from jineng.claims.models import ClaimStatus, PayoutBatch, PayoutLine, PayoutResultFile
from jineng.core.regioncodes import region_prefix
from jineng.identity.access import Scope
from jineng.identity.models import Role, RoleAssignment, User
from jineng.reference.models import Region


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def finance_regions(user: User) -> list[Choice]:
    """The regions the user holds the finance role for (a batch is built for one of them or a
    town under it)."""
    codes = RoleAssignment.objects.filter(
        user_id=user.pk, role=Role.BUREAU_FINANCE, region__isnull=False
    ).values_list("region_id", flat=True)
    regions = Region.objects.filter(code__in=list(codes)).order_by("code")
    return [Choice(r.code, r.name) for r in regions]


def payable_choices(user: User, *, scope: Scope | None = None) -> tuple[list[Choice], list[Choice]]:
    """The items and the towns of the claims in 待拨付 the user sees: what a batch can be built by."""
    payable = claims_visible_to(user, scope=scope).filter(status=ClaimStatus.PAYABLE)
    items = [
        Choice(item_id, title)
        for item_id, title in payable.values_list("item_id", "item_title")
        .distinct()
        .order_by("item_title", "item_id")
    ]
    codes = sorted(set(payable.values_list("region", flat=True).distinct()))
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    towns = [Choice(code, names.get(code, "未登记区域")) for code in codes]
    return items, towns


def region_within(code: str, regions: list[Choice]) -> bool:
    return any(code.startswith(region_prefix(r.value)) for r in regions)


def batch_lines(batch: PayoutBatch) -> QuerySet[PayoutLine]:
    return batch.lines.select_related("claim", "claim__person", "claim__organisation").order_by(
        "pk"
    )


def batch_result_files(batch: PayoutBatch) -> QuerySet[PayoutResultFile]:
    return batch.result_files.order_by("-imported_at", "-pk")


def region_name(code: str) -> str:
    return Region.objects.filter(code=code).values_list("name", flat=True).first() or "未登记区域"
