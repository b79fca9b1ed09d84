"""Property: whatever sequence of edits, submissions, reviews and new versions happens to one
question, its versions hold — at most one approved version at a time, statuses move only along
`ITEM_STATES`, an approved version's text never changes, versions are numbered 1..n."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from jineng.assessment import services
from jineng.assessment.models import ITEM_STATES, Item, ItemKind, ItemStatus
from jineng.assessment.tests.support import World, make_world
from jineng.core.errors import DomainError

pytestmark = pytest.mark.django_db

OPS = ("edit", "submit", "approve", "reject", "supersede", "retire")
steps = st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 4)), max_size=14)


@pytest.fixture
def world() -> World:
    return make_world()


@hypothesis_settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps)
def test_versions_hold(world: World, steps: list[tuple[str, int]]) -> None:
    first = services.item_create(
        actor=world.admin,
        bank=world.bank,
        point=world.root,
        kind=ItemKind.TRUE_FALSE,
        difficulty=2,
        stem="车床必须接地。",
        answer=True,
    )
    lineage = [first]
    approved_text: dict[int, str] = {}
    for n, (op, index) in enumerate(steps):
        item = lineage[index % len(lineage)]
        item.refresh_from_db()
        before = {i.pk: i.status for i in Item.objects.filter(pk__in=[v.pk for v in lineage])}
        try:
            if op == "edit":
                services.item_update(actor=world.admin, item=item, stem=f"修改{n}：车床必须接地。")
            elif op == "submit":
                services.item_submit(actor=world.admin, item=item)
            elif op == "approve":
                services.item_approve(actor=world.assessor, item=item)
            elif op == "reject":
                services.item_reject(actor=world.assessor, item=item, reason="表述不清")
            elif op == "supersede":
                lineage.append(
                    services.item_supersede(actor=world.admin, item=item, stem=f"第{n}步新版")
                )
            else:
                services.item_retire(actor=world.assessor, item=item, reason="停用")
        except DomainError:
            after = {i.pk: i.status for i in Item.objects.filter(pk__in=list(before))}
            assert after == before  # a refused step changed nothing
        rows = list(Item.objects.filter(pk__in=[v.pk for v in lineage]).order_by("version"))
        for row in rows:
            old = before.get(row.pk)
            if old is not None and old != row.status:
                assert ITEM_STATES.allows(old, row.status) or (
                    old == ItemStatus.REJECTED and row.status == ItemStatus.DRAFT
                )
            if row.status == ItemStatus.APPROVED:
                approved_text.setdefault(row.pk, row.stem)
            if row.pk in approved_text:
                assert row.stem == approved_text[row.pk]
        assert sum(r.status == ItemStatus.APPROVED for r in rows) <= 1
        assert [r.version for r in rows] == list(range(1, len(rows) + 1))
        assert all(r.supersedes_id == p.pk for p, r in zip(rows, rows[1:], strict=False))
