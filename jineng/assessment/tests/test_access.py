"""Who sees banks and papers: the organisation's staff, the bureau over its region, the candidate."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jineng.assessment import services
from jineng.assessment.access import (
    access_bank_by_id,
    access_paper_by_id,
    banks_visible_to,
    papers_visible_to,
)
from jineng.assessment.tests.support import World, approved_single, make_world
from jineng.assessment.tests.test_papers import published_blueprint
from jineng.core.errors import NotFound
from jineng.identity.access import scope_of
from jineng.identity.models import Role
from jineng.identity.testing import make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return make_world()


def test_banks_by_role(world: World) -> None:
    assert list(banks_visible_to(world.assessor)) == [world.bank]
    assert list(banks_visible_to(make_user(Role.BUREAU_REVIEWER, region="440000"))) == [world.bank]
    assert list(banks_visible_to(make_user(Role.AUDITOR, region="441900"))) == [world.bank]
    assert not banks_visible_to(make_user(Role.BUREAU_REVIEWER, region="440300")).exists()
    assert not banks_visible_to(make_user(Role.ORG_ADMIN)).exists()
    assert not banks_visible_to(make_user(Role.WORKER)).exists()


def test_access_bank_out_of_scope_and_malformed_look_alike(world: World) -> None:
    stranger = make_user(Role.ORG_ADMIN)
    messages = set()
    for bank_id in (world.bank.pk, "abc", 10**9):
        with pytest.raises(NotFound) as err:
            access_bank_by_id(stranger, bank_id)
        messages.add(err.value.message)
    assert len(messages) == 1
    scope = scope_of(world.admin)
    with CaptureQueriesContext(connection) as queries:
        assert access_bank_by_id(world.admin, world.bank.pk, scope=scope) == world.bank
    assert len(queries) == 1


def test_papers_for_the_candidate_and_the_organisation_only(world: World) -> None:
    approved_single(world, world.root)
    blueprint = published_blueprint(world, count=1)
    candidate = make_person()
    paper = services.paper_draw(actor=world.admin, blueprint=blueprint, candidate=candidate)
    own = make_user(Role.WORKER, person=candidate)
    other = make_user(Role.WORKER, person=make_person())
    assert access_paper_by_id(own, paper.pk) == paper
    assert access_paper_by_id(world.assessor, paper.pk) == paper
    with pytest.raises(NotFound):
        access_paper_by_id(other, paper.pk)
    assert not papers_visible_to(make_user(Role.ORG_ADMIN)).exists()


def test_scope_of_another_account_is_refused(world: World) -> None:
    with pytest.raises(ValueError):
        banks_visible_to(world.admin, scope=scope_of(world.assessor))
