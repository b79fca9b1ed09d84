"""Entries carry the region of what they concern, and an auditor or bureau officer reads every
entry concerning their region (an auditor scoped to Dongguan used to see 1 entry of about 40)."""

from __future__ import annotations

import datetime as dt

import pytest

from jineng.api.services import api_token_issue
from jineng.audit.access import audit_entries_visible_to
from jineng.audit.models import AuditEntry
from jineng.audit.regions import common_region
from jineng.audit.services import audit_record, audit_record_batch
from jineng.identity.models import Employment, Role
from jineng.identity.testing import make_user
from jineng.policy.services import simulation_start
from jineng.web.tests.world import World

pytestmark = pytest.mark.django_db


def _last(**filters: object) -> AuditEntry:
    entry = AuditEntry.objects.filter(**filters).order_by("-id").first()
    assert entry is not None, filters
    return entry


def test_common_region_is_the_narrowest_region_holding_all() -> None:
    assert common_region(["441900"]) == "441900"
    assert common_region(["441900", "441302"]) == "440000"
    assert common_region(["4419", "441900"]) == "441900"
    assert common_region(["441900", "330502"]) == ""
    assert common_region([]) == ""


def test_the_region_is_what_the_entry_concerns(world: World) -> None:
    a, b = world.a, world.b
    # the person's residence, the organisation's region, the fact's region, the reveal's person
    assert _last(object_type="person", object_id=str(a.person.pk), action="create").region == (
        "441900"
    )
    assert _last(object_type="person", object_id=str(b.person.pk), action="reveal").region == (
        "330502"
    )
    assert _last(object_type="organisation", object_id=str(a.org.pk)).region == "441900"
    assert _last(object_type="fact", action="fact_append", actor=None).region in {
        "441900",
        "330502",
    }
    # an account's role grant: the region of its roles
    officer = a.users[Role.BUREAU_REVIEWER]
    assert _last(object_type="user", object_id=str(officer.pk), action="grant").region == "441900"
    # a token issued to Dongguan staff, a simulation by a Dongguan officer
    api_token_issue(user=officer)
    issued = _last(action__in=["api_token_issue", "token_issue"], actor=officer)
    assert issued.region == "441900"
    run = simulation_start(actor=officer, on=dt.date(2024, 6, 30))
    assert _last(object_type="simulation_run", object_id=str(run.pk)).region == "441900"
    # an employment: the person's residence
    job = Employment.objects.filter(person=b.person).get()
    entry = audit_record(actor=None, action="update", object_type="employment", object_id=job.pk)
    assert entry.region == "330502"


def test_a_caller_may_name_the_region(world: World) -> None:
    entry = audit_record(
        actor=None, action="import", object_type="imports.people", object_id="x", region="441900"
    )
    assert entry.region == "441900"


def test_a_batch_gives_each_row_the_region_of_its_target(world: World) -> None:
    audit_record_batch(
        actor=None,
        action="create",
        object_type="person",
        rows=[(world.a.person.pk, None, None), (world.b.person.pk, None, None)],
        reason="导入",
    )
    regions = dict(
        AuditEntry.objects.filter(reason="导入").values_list("object_id", "region").order_by("id")
    )
    assert regions == {str(world.a.person.pk): "441900", str(world.b.person.pk): "330502"}


def test_an_action_without_a_target_region_takes_the_actors(world: World) -> None:
    officer = world.a.users[Role.BUREAU_REVIEWER]
    entry = audit_record(
        actor=officer, action="import", object_type="imports.people", object_id="f"
    )
    assert entry.region == "441900"


def test_a_dongguan_auditor_reads_every_entry_concerning_dongguan_and_nothing_else(
    world: World,
) -> None:
    # given the usual work of a Dongguan office: people, their employments and facts imported,
    # a simulation by a Dongguan officer, a token for Dongguan staff
    a, b = world.a, world.b
    officer = a.users[Role.BUREAU_REVIEWER]
    job = Employment.objects.filter(person=a.person).get()
    audit_record_batch(
        actor=officer,
        action="create",
        object_type="employment",
        rows=[(job.pk, None, {"start": "2018-01-01"})],
    )
    simulation_start(actor=officer, on=dt.date(2024, 6, 30))
    api_token_issue(user=a.users[Role.ORG_ADMIN])
    api_token_issue(user=b.users[Role.ORG_ADMIN])
    auditor = a.users[Role.AUDITOR]

    visible = set(audit_entries_visible_to(auditor).values_list("id", flat=True))

    concerning_dongguan = set(
        AuditEntry.objects.filter(region__startswith="4419").values_list("id", flat=True)
    )
    assert len(concerning_dongguan) >= 15
    assert concerning_dongguan <= visible
    assert not AuditEntry.objects.filter(id__in=visible, region__startswith="3305").exists()
    # the Huzhou officer's reveal (its reason) is not among them
    assert not AuditEntry.objects.filter(id__in=visible, reason=b.reveal_reason).exists()


def test_a_province_auditor_reads_both_cities_entries_of_the_province(world: World) -> None:
    province = make_user(Role.AUDITOR, region="440000")
    dongguan = set(
        AuditEntry.objects.filter(region__startswith="4419").values_list("id", flat=True)
    )
    assert dongguan <= set(audit_entries_visible_to(province).values_list("id", flat=True))


def test_a_global_scope_reads_everything_and_anonymous_nothing(world: World) -> None:
    assert audit_entries_visible_to(world.sysadmin).count() == AuditEntry.objects.count()
    assert audit_entries_visible_to(None).count() == 0


def test_everyone_reads_their_own_actions(world: World) -> None:
    officer = world.b.users[Role.BUREAU_REVIEWER]
    own = audit_record(
        actor=officer, action="import", object_type="imports.people", object_id="f", region="441900"
    )
    assert audit_entries_visible_to(officer).filter(pk=own.pk).exists()


def test_a_scope_for_another_account_is_refused(world: World) -> None:
    from jineng.identity.access import scope_of

    with pytest.raises(ValueError):
        audit_entries_visible_to(world.a.users[Role.AUDITOR], scope=scope_of(world.sysadmin))
