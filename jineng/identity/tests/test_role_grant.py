import pytest
from django.core.exceptions import PermissionDenied

from jineng.audit.models import AuditEntry
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import Role, RoleAssignment, User
from jineng.identity.services import role_grant, role_revoke
from jineng.identity.testing import make_organisation, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def account() -> User:
    return User.objects.create_user("li.lei", password="correct-horse-battery")


def test_a_bureau_role_is_granted_for_a_region_and_audited(account: User) -> None:
    admin = make_user(Role.SYSADMIN)

    assignment = role_grant(actor=admin, user=account, role=Role.BUREAU_REVIEWER, region="330500")

    assert (assignment.role, assignment.region_id, assignment.organisation_id) == (
        "bureau_reviewer",
        "330500",
        None,
    )
    entry = AuditEntry.objects.get(action="grant", object_id=str(account.pk))
    assert entry.actor_id == admin.pk
    assert entry.after == {"role": "bureau_reviewer", "organisation": None, "region": "330500"}


def test_granting_a_role_twice_returns_the_same_assignment_and_audits_once(account: User) -> None:
    first = role_grant(actor=None, user=account, role=Role.AUDITOR, region="441900")
    second = role_grant(actor=None, user=account, role=Role.AUDITOR, region="441900")
    assert first == second
    assert AuditEntry.objects.filter(action="grant", object_id=str(account.pk)).count() == 1


@pytest.mark.parametrize(
    ("role", "with_org", "region", "field"),
    [
        (Role.TEACHER, False, None, "organisation"),
        (Role.TEACHER, True, "441900", "region"),
        (Role.BUREAU_FINANCE, False, None, "region"),
        (Role.AUDITOR, True, "441900", "organisation"),
        (Role.SYSADMIN, False, "441900", "role"),
        ("mayor", False, None, "role"),
        (Role.BUREAU_FINANCE, False, "999999", "region"),
    ],
)
def test_a_role_needs_the_right_scope(
    account: User, role: str, with_org: bool, region: str | None, field: str
) -> None:
    organisation = make_organisation() if with_org else None
    with pytest.raises(ValidationFailed) as excinfo:
        role_grant(actor=None, user=account, role=role, organisation=organisation, region=region)
    assert excinfo.value.field == field
    assert not RoleAssignment.objects.filter(user=account).exists()


def test_a_sysadmin_role_opens_the_admin_and_revoking_closes_it(account: User) -> None:
    role_grant(actor=None, user=account, role=Role.SYSADMIN)
    account.refresh_from_db()
    assert (account.is_staff, account.is_superuser) == (True, True)

    role_revoke(actor=None, user=account, role=Role.SYSADMIN, reason="离职")

    account.refresh_from_db()
    assert (account.is_staff, account.is_superuser) == (False, False)
    entry = AuditEntry.objects.get(action="revoke")
    assert entry.before == {"role": "sysadmin", "organisation": None, "region": None}
    assert entry.reason == "离职"


def test_an_org_admin_may_grant_teacher_roles_at_their_own_organisation(account: User) -> None:
    org = make_organisation()
    org_admin = make_user(Role.ORG_ADMIN, organisation=org)
    role_grant(actor=org_admin, user=account, role=Role.TEACHER, organisation=org)
    assert RoleAssignment.objects.filter(user=account, role=Role.TEACHER).exists()


@pytest.mark.parametrize(
    ("role", "own_org", "region"),
    [
        (Role.TEACHER, False, None),  # another organisation
        (Role.ORG_ADMIN, True, None),  # admins are made by the bureau's sysadmin
        (Role.BUREAU_REVIEWER, False, "441900"),
        (Role.SYSADMIN, False, None),
    ],
)
def test_an_org_admin_may_grant_nothing_else_and_nothing_is_written(
    account: User, role: str, own_org: bool, region: str | None
) -> None:
    org = make_organisation()
    org_admin = make_user(Role.ORG_ADMIN, organisation=org)
    target_org = (
        (org if own_org else make_organisation())
        if role in (Role.TEACHER, Role.ORG_ADMIN)
        else None
    )
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        role_grant(actor=org_admin, user=account, role=role, organisation=target_org, region=region)
    assert not RoleAssignment.objects.filter(user=account).exists()
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("role", [Role.BUREAU_APPROVER, Role.AUDITOR, Role.WORKER])
def test_officers_auditors_and_workers_may_not_grant_roles(account: User, role: str) -> None:
    with pytest.raises(PermissionDenied):
        role_grant(actor=make_user(role), user=account, role=Role.WORKER)


def test_revoking_a_role_that_is_not_held_is_refused(account: User) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        role_revoke(actor=None, user=account, role=Role.AUDITOR, region="441900")
    assert excinfo.value.field == "role"
