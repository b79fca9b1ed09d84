"""Two sides that must never see each other: organisation A in Dongguan (441900) and organisation B
in Huzhou (330500, its people living in 吴兴区 330502), each with one worker, one account per role,
a fact and a reveal in the audit trail. Used by the scope matrix, the page tests and the API tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.test import Client

from jineng.dossier.services import fact_append
from jineng.identity.masking import mask_id_number
from jineng.identity.models import BUREAU_ROLES, ORG_ROLES, Employment, Person, Role, User
from jineng.identity.services import person_create, person_reveal
from jineng.identity.testing import make_user, otp_login
from jineng.identity.validators import resident_id_check_char
from jineng.organisations.models import Organisation
from jineng.organisations.services import organisation_create

# Every role that acts inside one organisation or one region; the sysadmin is global.
SIDE_ROLES: tuple[str, ...] = (
    Role.WORKER,
    *sorted(ORG_ROLES),
    *sorted(BUREAU_ROLES),
    Role.AUDITOR,
)


def resident_id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


@dataclass
class Side:
    key: str
    region: str  # the bureau's region
    home: str  # where the side's people live and its organisation is
    org: Organisation
    person: Person
    id_number: str
    phone: str
    reveal_reason: str  # the reason of a reveal done on this side: unique text to look for
    users: dict[str, User] = field(default_factory=dict)

    @property
    def name_part(self) -> str:
        """Part of the name to search with: an answer that echoes the query still must not show
        the full name."""
        return self.person.name[:2]

    @property
    def masked_id(self) -> str:
        return mask_id_number(self.id_number)

    def secrets(self) -> list[str]:
        """Strings that identify this side's rows; none may appear in the other side's answers."""
        return [self.person.name, self.masked_id, self.id_number, self.org.name, self.reveal_reason]


@dataclass
class World:
    a: Side
    b: Side
    sysadmin: User

    def sides(self) -> tuple[Side, Side]:
        return (self.a, self.b)

    def other(self, side: Side) -> Side:
        return self.b if side is self.a else self.a


def build_side(
    key: str, *, region: str, home: str, org_name: str, name: str, first17: str, phone: str
) -> Side:
    org = organisation_create(actor=None, kind="enterprise", name=org_name, region=home)
    id_number = resident_id(first17)
    person = person_create(
        actor=None,
        name=name,
        id_number=id_number,
        phone=phone,
        hukou_region=home,
        residence_region=home,
        education="senior",
        insured=True,
        insured_since=dt.date(2015, 3, 1),
    )
    Employment.objects.create(person=person, employer=org, start=dt.date(2018, 1, 1))
    fact_append(
        actor=None,
        subject=person,
        kind="certificate",
        code="6-18-01-01",
        level="3",
        date=dt.date(2021, 6, 30),
        issuer_name=f"{org_name}评价中心",
        source="test",
    )
    side = Side(
        key=key,
        region=region,
        home=home,
        org=org,
        person=person,
        id_number=id_number,
        phone=phone,
        reveal_reason=f"{key}方核查{name}",
    )
    for role in SIDE_ROLES:
        if role == Role.WORKER:
            user = make_user(role, person=person)
        elif role in ORG_ROLES:
            user = make_user(role, organisation=org)
        else:
            user = make_user(role, region=region)
        side.users[role] = user
    person_reveal(
        actor=side.users[Role.BUREAU_REVIEWER],
        person=person,
        field="id_number",
        reason=side.reveal_reason,
    )
    return side


def build_world() -> World:
    a = build_side(
        "甲",
        region="441900",
        home="441900",
        org_name="东莞精工机械有限公司",
        name="邓志明",
        first17="44190019900101001",
        phone="13800138001",
    )
    b = build_side(
        "乙",
        region="330500",
        home="330502",
        org_name="湖州丝绸织造有限公司",
        name="沈建华",
        first17="33050219850615123",
        phone="13900139002",
    )
    return World(a=a, b=b, sysadmin=make_user(Role.SYSADMIN))


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def login(client: Client, user: User) -> Client:
    """A session past every log-in step (the TOTP step too, for roles that need it)."""
    otp_login(client, user)
    return client


PASSWORD = "长城-Great-Wall-2024!"


def with_password(user: User, password: str = PASSWORD) -> User:
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def totp_code(user: User) -> str:
    """The current code of the user's TOTP device, as the authenticator app would show it."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    assert device is not None, f"{user} has no confirmed TOTP device"
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
