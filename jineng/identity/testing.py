"""Helpers for tests in every app: accounts with roles, people, organisations, OTP log-in.

    officer = make_user(Role.BUREAU_REVIEWER, region="441900")
    otp_login(client, officer)          # logged in, TOTP step passed
    client.get("/console/")

All writes go through the services (so they are audited like real ones), with `actor=None`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from jineng.identity.models import BUREAU_ROLES, ORG_ROLES, TWO_FACTOR_ROLES, Person, Role, User
from jineng.identity.otp import DEVICE_NAME, current_token
from jineng.identity.services import person_create, role_grant
from jineng.identity.validators import resident_id_check_char
from jineng.organisations.models import Organisation, OrgKind
from jineng.reference.models import Region

DEFAULT_PASSWORD = "correct-horse-battery-staple"
DEFAULT_REGION = "441900"  # 东莞市
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

_serial = itertools.count(1)


def resident_id(
    *, area: str = DEFAULT_REGION, birth: dt.date = dt.date(1990, 1, 1), serial: int = 1
) -> str:
    """A valid GB 11643 number; odd serials are men, even women."""
    first17 = f"{area}{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def next_resident_id(area: str = DEFAULT_REGION) -> str:
    n = next(_serial)
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=(n * 37) % 15000)
    return resident_id(area=area, birth=birth, serial=n)


def _code(region: Region | str | None) -> str | None:
    if region is None:
        return None
    return region.code if isinstance(region, Region) else region


def make_person(
    *,
    name: str | None = None,
    id_number: str | None = None,
    residence_region: Region | str | None = DEFAULT_REGION,
    **fields: Any,
) -> Person:
    area = _code(residence_region) or DEFAULT_REGION
    return person_create(
        actor=None,
        name=name or f"测试人员{next(_serial)}",
        id_number=id_number or next_resident_id(area),
        residence_region=residence_region,
        **fields,
    )


def make_organisation(
    *,
    kind: str = OrgKind.TRAINING_INSTITUTION,
    name: str | None = None,
    region: Region | str = DEFAULT_REGION,
    **fields: Any,
) -> Organisation:
    from jineng.organisations.services import organisation_create

    return organisation_create(
        actor=None, kind=kind, name=name or f"测试机构{next(_serial)}", region=region, **fields
    )


def make_device(user: User, *, confirmed: bool = True) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=confirmed)


def make_user(
    role: str,
    organisation: Organisation | None = None,
    region: Region | str | None = None,
    password: str | None = DEFAULT_PASSWORD,
    verified: bool = True,
    *,
    username: str | None = None,
    person: Person | None = None,
) -> User:
    """An account holding `role`, scoped as the role needs:
    - organisation roles: `organisation` (a new training institution in `region` if omitted);
    - bureau roles and auditor: `region` (default 441900 东莞市);
    - worker: linked to `person` (a new person living in `region` if omitted).
    `verified=True` gives TOTP roles a confirmed device, so `otp_login` (or the OTP page with
    `current_token`) completes the log-in; `verified=False` leaves them to enrol."""
    region_code = _code(region) or DEFAULT_REGION
    if role == Role.WORKER and person is None:
        person = make_person(residence_region=region_code)
    user = User.objects.create_user(
        username=username or f"{role}-{next(_serial)}", password=password, person=person
    )
    if role in ORG_ROLES:
        organisation = organisation or make_organisation(region=region_code)
        role_grant(actor=None, user=user, role=role, organisation=organisation)
    elif role in BUREAU_ROLES or role == Role.AUDITOR:
        role_grant(actor=None, user=user, role=role, region=region_code)
    else:
        role_grant(actor=None, user=user, role=role)
    user.refresh_from_db()
    if verified and role in TWO_FACTOR_ROLES:
        make_device(user)
    return user


def otp_login(client: Client, user: User) -> TOTPDevice:
    """Log `user` in on `client` with the TOTP step passed (a confirmed device is created if the
    user has none). Works for any account; for roles without TOTP it is a plain log-in."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or make_device(user)
    client.force_login(user, backend=MODEL_BACKEND)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def login(client: Client, user: User) -> None:
    """Log in without the TOTP step (to test what an unverified session may do)."""
    client.force_login(user, backend=MODEL_BACKEND)


__all__ = [
    "DEFAULT_PASSWORD",
    "current_token",
    "login",
    "make_device",
    "make_organisation",
    "make_person",
    "make_user",
    "next_resident_id",
    "otp_login",
    "resident_id",
]
