"""The access helpers: a user of one organisation or region sees none of another's rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from jineng.dossier.access import facts_visible_to
from jineng.dossier.models import Fact
from jineng.identity.access import access_person_by_id, people_visible_to, scope_of
from jineng.identity.models import Person, Role, User
from jineng.identity.services import employment_record, role_grant
from jineng.identity.testing import make_organisation, make_person, make_user
from jineng.organisations.access import access_organisation_by_id, organisations_visible_to
from jineng.organisations.models import Organisation, OrgKind
from jineng.organisations.services import teacher_attach

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR_AGO = TODAY - dt.timedelta(days=365)


@dataclass
class World:
    org_a: Organisation  # 湖州 吴兴区
    org_b: Organisation  # 湖州 南浔区
    org_c: Organisation  # 东莞
    employee_a: Person  # works at A, lives in 吴兴
    teacher_a: Person  # teaches at A, lives in 南浔
    employee_b: Person  # works at B, lives in 南浔
    dongguan: Person  # works at C, lives in 东莞
    former_a: Person  # left A last month, lives in 东莞
    future_a: Person  # starts at A next month, lives nowhere recorded
    facts: dict[str, Fact]


def _fact(subject: Person | Organisation) -> Fact:
    if isinstance(subject, Person):
        return Fact.objects.create(
            subject_type="person", person=subject, kind="event", date=YEAR_AGO, source="test"
        )
    return Fact.objects.create(
        subject_type="organisation",
        organisation=subject,
        kind="event",
        date=YEAR_AGO,
        source="test",
    )


@pytest.fixture
def world() -> World:
    org_a = make_organisation(name="吴兴培训学校", region="330502")
    org_b = make_organisation(name="南浔职校", kind=OrgKind.COLLEGE, region="330503")
    org_c = make_organisation(name="东莞电子厂", kind=OrgKind.ENTERPRISE, region="441900")
    employee_a = make_person(name="甲", residence_region="330502")
    teacher_a = make_person(name="乙", residence_region="330503")
    employee_b = make_person(name="丙", residence_region="330503")
    dongguan = make_person(name="丁", residence_region="441900")
    former_a = make_person(name="戊", residence_region="441900")
    future_a = make_person(name="己", residence_region=None)
    employment_record(actor=None, person=employee_a, employer=org_a, start=YEAR_AGO)
    employment_record(actor=None, person=employee_b, employer=org_b, start=YEAR_AGO)
    employment_record(actor=None, person=dongguan, employer=org_c, start=YEAR_AGO)
    employment_record(
        actor=None,
        person=former_a,
        employer=org_a,
        start=YEAR_AGO,
        end=TODAY - dt.timedelta(days=30),
    )
    employment_record(
        actor=None, person=future_a, employer=org_a, start=TODAY + dt.timedelta(days=30)
    )
    teacher_attach(actor=None, organisation=org_a, person=teacher_a, kind="part")
    subjects: dict[str, Person | Organisation] = {
        "org_a": org_a,
        "org_b": org_b,
        "org_c": org_c,
        "employee_a": employee_a,
        "teacher_a": teacher_a,
        "employee_b": employee_b,
        "dongguan": dongguan,
        "former_a": former_a,
        "future_a": future_a,
    }
    facts = {name: _fact(subject) for name, subject in subjects.items()}
    return World(
        org_a, org_b, org_c, employee_a, teacher_a, employee_b, dongguan, former_a, future_a, facts
    )


def _names(qs: QuerySet[Any]) -> set[str]:
    return set(qs.values_list("name", flat=True))


def _fact_subjects(world: World, user: User) -> set[str]:
    visible = set(facts_visible_to(user).values_list("pk", flat=True))
    return {name for name, fact in world.facts.items() if fact.pk in visible}


ALL_PEOPLE = {"甲", "乙", "丙", "丁", "戊", "己"}
ALL_ORGS = {"吴兴培训学校", "南浔职校", "东莞电子厂"}


def test_a_worker_sees_only_themself(world: World) -> None:
    worker = make_user(Role.WORKER, person=world.employee_a)
    assert _names(people_visible_to(worker)) == {"甲"}
    assert _names(organisations_visible_to(worker)) == set()
    assert _fact_subjects(world, worker) == {"employee_a"}


@pytest.mark.parametrize("role", [Role.ORG_ADMIN, Role.TEACHER, Role.ASSESSOR, Role.ORG_HR])
def test_organisation_staff_see_current_employees_and_teachers_of_their_organisation(
    world: World, role: str
) -> None:
    staff = make_user(role, organisation=world.org_a)
    assert _names(people_visible_to(staff)) == {"甲", "乙"}  # not the former, not the future
    assert _names(organisations_visible_to(staff)) == {"吴兴培训学校"}
    assert _fact_subjects(world, staff) == {"org_a", "employee_a", "teacher_a"}


def test_staff_of_one_organisation_see_nothing_of_another(world: World) -> None:
    staff_b = make_user(Role.ORG_ADMIN, organisation=world.org_b)
    assert _names(people_visible_to(staff_b)) == {"丙"}
    assert _names(organisations_visible_to(staff_b)) == {"南浔职校"}
    for person in (world.employee_a, world.teacher_a, world.dongguan):
        with pytest.raises(Http404):
            access_person_by_id(staff_b, person.pk)
    with pytest.raises(Http404):
        access_organisation_by_id(staff_b, world.org_a.pk)


@pytest.mark.parametrize(
    "role", [Role.BUREAU_REVIEWER, Role.BUREAU_APPROVER, Role.BUREAU_FINANCE, Role.AUDITOR]
)
def test_a_city_officer_sees_residents_and_organisations_of_the_whole_city(
    world: World, role: str
) -> None:
    officer = make_user(role, region="330500")
    assert _names(people_visible_to(officer)) == {"甲", "乙", "丙"}
    assert _names(organisations_visible_to(officer)) == {"吴兴培训学校", "南浔职校"}
    assert _fact_subjects(world, officer) == {
        "org_a",
        "org_b",
        "employee_a",
        "teacher_a",
        "employee_b",
    }


def test_a_district_officer_sees_only_the_district(world: World) -> None:
    officer = make_user(Role.BUREAU_REVIEWER, region="330503")
    assert _names(people_visible_to(officer)) == {"乙", "丙"}
    assert _names(organisations_visible_to(officer)) == {"南浔职校"}
    with pytest.raises(Http404):
        access_person_by_id(officer, world.employee_a.pk)


def test_a_provincial_officer_sees_the_whole_province(world: World) -> None:
    officer = make_user(Role.BUREAU_REVIEWER, region="330000")
    assert _names(people_visible_to(officer)) == {"甲", "乙", "丙"}


def test_an_officer_of_another_city_sees_none_of_this_one(world: World) -> None:
    officer = make_user(Role.BUREAU_REVIEWER, region="441900")
    assert _names(people_visible_to(officer)) == {"丁", "戊"}
    assert _names(organisations_visible_to(officer)) == {"东莞电子厂"}
    assert _fact_subjects(world, officer) == {"org_c", "dongguan", "former_a"}
    for person in (world.employee_a, world.teacher_a, world.employee_b, world.future_a):
        with pytest.raises(Http404):
            access_person_by_id(officer, person.pk)


def test_a_sysadmin_sees_everything(world: World) -> None:
    admin = make_user(Role.SYSADMIN)
    assert _names(people_visible_to(admin)) == ALL_PEOPLE
    assert _names(organisations_visible_to(admin)) == ALL_ORGS
    assert _fact_subjects(world, admin) == set(world.facts)


def test_roles_add_up(world: World) -> None:
    user = make_user(Role.ORG_HR, organisation=world.org_b)
    role_grant(actor=None, user=user, role=Role.AUDITOR, region="441900")
    assert _names(people_visible_to(user)) == {"丙", "丁", "戊"}
    assert _names(organisations_visible_to(user)) == {"南浔职校", "东莞电子厂"}


def test_anonymous_inactive_and_roleless_users_see_nothing(world: World) -> None:
    inactive = make_user(Role.SYSADMIN)
    inactive.is_active = False
    inactive.save()
    roleless = User.objects.create_user("nobody", password="x" * 12)
    for user in (AnonymousUser(), inactive, roleless, None):
        assert not people_visible_to(user).exists()
        assert not organisations_visible_to(user).exists()
        assert not facts_visible_to(user).exists()


def test_access_by_id_returns_the_row_in_scope(world: World) -> None:
    officer = make_user(Role.BUREAU_REVIEWER, region="330500")
    assert access_person_by_id(officer, world.employee_b.pk) == world.employee_b
    assert access_person_by_id(officer, str(world.employee_b.pk)) == world.employee_b
    assert access_organisation_by_id(officer, world.org_b.pk) == world.org_b


@pytest.mark.parametrize("bad_id", ["abc", "", None, "1; DROP TABLE", 10**12])
def test_malformed_or_missing_ids_are_404(world: World, bad_id: object) -> None:
    admin = make_user(Role.SYSADMIN)
    with pytest.raises(Http404):
        access_person_by_id(admin, bad_id)  # type: ignore[arg-type]
    with pytest.raises(Http404):
        access_organisation_by_id(admin, bad_id)  # type: ignore[arg-type]


def test_people_visible_to_is_one_query_without_duplicates(
    world: World, django_assert_num_queries: Any
) -> None:
    staff = make_user(Role.ORG_ADMIN, organisation=world.org_a)
    employment_record(actor=None, person=world.teacher_a, employer=world.org_a, start=YEAR_AGO)
    qs = people_visible_to(staff)
    with django_assert_num_queries(1):
        names = list(qs.values_list("name", flat=True))
    assert sorted(names) == ["乙", "甲"]


def test_scope_of_describes_the_user(world: World) -> None:
    officer = make_user(Role.BUREAU_APPROVER, region="330503")
    role_grant(actor=None, user=officer, role=Role.AUDITOR, region="441900")
    role_grant(actor=None, user=officer, role=Role.BUREAU_APPROVER, region="330500")
    scope = scope_of(officer)
    assert scope.roles == {Role.BUREAU_APPROVER, Role.AUDITOR}
    assert scope.region_prefixes == ("3305", "4419")
    assert scope.bureau_region_prefixes == ("3305",)
    assert scope.organisation_ids == frozenset()
    assert (scope.is_global, scope.can_reveal, scope.read_only) == (False, True, False)


def test_scope_of_an_auditor_is_read_only_and_cannot_reveal() -> None:
    scope = scope_of(make_user(Role.AUDITOR, region="330500"))
    assert (scope.read_only, scope.can_reveal, scope.region_prefixes) == (True, False, ("3305",))


def test_scope_of_organisation_staff_lists_their_organisations(world: World) -> None:
    staff = make_user(Role.TEACHER, organisation=world.org_a)
    role_grant(actor=None, user=staff, role=Role.ASSESSOR, organisation=world.org_b)
    scope = scope_of(staff)
    assert scope.organisation_ids == {world.org_a.pk, world.org_b.pk}
    assert scope.roles_at(world.org_a.pk) == {Role.TEACHER}
    assert (scope.is_global, scope.can_reveal, scope.region_prefixes) == (False, False, ())


def test_a_scope_computed_once_gives_the_same_reads_without_reading_it_again(
    world: World, django_assert_num_queries: Any, django_assert_max_num_queries: Any
) -> None:
    """The helpers take `scope=scope_of(user)` so a request reads the role assignments once; the
    rows are the same as without it, and each read is then at most one query (none when the
    scope is empty)."""
    users = [
        make_user(Role.WORKER, person=world.employee_a),
        make_user(Role.ORG_ADMIN, organisation=world.org_a),
        make_user(Role.BUREAU_REVIEWER, region="330503"),
        make_user(Role.AUDITOR, region="441900"),
        make_user(Role.SYSADMIN),
    ]
    for user in users:
        scope = scope_of(user)
        with django_assert_num_queries(0):
            people = people_visible_to(user, scope=scope)
            organisations = organisations_visible_to(user, scope=scope)
            facts = facts_visible_to(user, scope=scope)
        assert _names(people) == _names(people_visible_to(user))
        assert _names(organisations) == _names(organisations_visible_to(user))
        assert set(facts) == set(facts_visible_to(user))
        for person in (world.employee_a, world.dongguan):
            visible = people_visible_to(user).filter(pk=person.pk).exists()
            with django_assert_max_num_queries(1):
                if visible:
                    assert access_person_by_id(user, person.pk, scope=scope) == person
                else:
                    with pytest.raises(Http404):
                        access_person_by_id(user, person.pk, scope=scope)
        for org in (world.org_a, world.org_c):
            visible = organisations_visible_to(user).filter(pk=org.pk).exists()
            with django_assert_max_num_queries(1):
                if visible:
                    assert access_organisation_by_id(user, org.pk, scope=scope) == org
                else:
                    with pytest.raises(Http404):
                        access_organisation_by_id(user, org.pk, scope=scope)


def test_a_scope_of_another_account_is_refused(world: World) -> None:
    """Passing a wider scope computed for someone else must never widen a read."""
    admin_scope = scope_of(make_user(Role.SYSADMIN))
    worker = make_user(Role.WORKER, person=world.employee_a)
    for read in (
        lambda: people_visible_to(worker, scope=admin_scope),
        lambda: organisations_visible_to(worker, scope=admin_scope),
        lambda: facts_visible_to(worker, scope=admin_scope),
        lambda: access_person_by_id(worker, world.dongguan.pk, scope=admin_scope),
        lambda: access_organisation_by_id(worker, world.org_c.pk, scope=admin_scope),
    ):
        with pytest.raises(ValueError):
            read()
    for anonymous in (AnonymousUser(), None):
        with pytest.raises(ValueError):
            people_visible_to(anonymous, scope=admin_scope)
    # an anonymous user's own (empty) scope is accepted and sees nothing
    assert not people_visible_to(None, scope=scope_of(None)).exists()
    inactive = make_user(Role.SYSADMIN)
    inactive.is_active = False
    inactive.save()
    assert not people_visible_to(inactive, scope=scope_of(inactive)).exists()
