"""`make demo`: a seeded Dongguan and one account per role that can log in.

Idempotent: the city is seeded only into a database without people; accounts, roles and TOTP
devices are created only when missing, with fixed passwords and fixed TOTP secrets, so a second
run changes nothing and prints the same accounts (only the current TOTP code moves on). These are
demonstration credentials, printed on purpose; never run this against a production database.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from jineng.demo.certificates import seed_demo_certificates
from jineng.demo.claims import seed_payouts
from jineng.demo.classes import seed_demo_classes
from jineng.demo.run import SeedResult, seed_city
from jineng.demo.vouchers import seed_demo_vouchers
from jineng.dossier.models import Fact
from jineng.identity.models import (
    BUREAU_ROLES,
    ORG_ROLES,
    TWO_FACTOR_ROLES,
    Employment,
    Person,
    Role,
    User,
)
from jineng.identity.otp import DEVICE_NAME, current_token, secret_base32
from jineng.identity.services import account_create, role_grant
from jineng.organisations.models import Organisation, OrgKind
from jineng.reference.models import Region

DEMO_REGION = "441900"
# (username, password, role). Passwords are fixed so the printed table stays true; ≥ 12 characters
# and unlike the usernames, so Django's password validators accept them.
DEMO_ACCOUNTS: tuple[tuple[str, str, str], ...] = (
    ("demo_worker", "Qingxi-Lychee-2026", Role.WORKER),
    ("demo_org_admin", "Songshan-Lake-2026", Role.ORG_ADMIN),
    ("demo_teacher", "Humen-Bridge-2026", Role.TEACHER),
    ("demo_assessor", "Keyuan-Garden-2026", Role.ASSESSOR),
    ("demo_org_hr", "Guanyin-Hill-2026", Role.ORG_HR),
    ("demo_reviewer", "Dalang-Wool-2026!", Role.BUREAU_REVIEWER),
    ("demo_approver", "Changping-Rail-2026", Role.BUREAU_APPROVER),
    ("demo_finance", "Houjie-Fair-2026!", Role.BUREAU_FINANCE),
    ("demo_auditor", "Shilong-River-2026", Role.AUDITOR),
    ("demo_sysadmin", "Tangxia-Golf-2026", Role.SYSADMIN),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    role_label: str
    scope: str
    totp_secret: str = ""  # base32, for typing into an authenticator app
    totp_code: str = ""  # the code right now (changes every 30 seconds)


def demo_totp_key(username: str) -> str:
    """A fixed 20-byte TOTP key (hex) per demo account, so a re-run prints the same secret."""
    return hashlib.sha1(f"jineng-demo-totp:{username}".encode()).hexdigest()


def _demo_person() -> Person:
    """The showcase worker with a city class-1 gold (seed/showcase.py, index 6), else the first
    person."""
    fact = (
        Fact.objects.filter(
            kind="competition_result", code="city_class1", level="gold", source="seed"
        )
        .exclude(person=None)
        .order_by("person_id")
        .first()
    )
    person = fact.person if fact is not None else Person.objects.order_by("pk").first()
    if person is None:
        raise RuntimeError("数据库中没有人员")
    return person


def _demo_organisation(person: Person) -> Organisation:
    """The demo worker's employer, so the organisation's staff can see the demo worker."""
    job = (
        Employment.objects.filter(person=person, end=None, employer__isnull=False)
        .select_related("employer")
        .order_by("-start")
        .first()
    )
    if job is not None and job.employer is not None:
        return job.employer
    organisation = (
        Organisation.objects.filter(kind=OrgKind.ENTERPRISE, region__code__startswith="4419")
        .order_by("pk")
        .first()
    )
    if organisation is None:
        raise RuntimeError("数据库中没有企业")
    return organisation


def _ensure_device(user: User) -> TOTPDevice:
    key = demo_totp_key(user.username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=key, confirmed=True)
    return device


@transaction.atomic
def demo_accounts() -> list[DemoAccount]:
    person = _demo_person()
    organisation = _demo_organisation(person)
    region = Region.objects.get(code=DEMO_REGION)
    labels = dict(Role.choices)
    accounts = []
    for username, password, role in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            linked = person if role == Role.WORKER else None
            user = account_create(
                actor=None, username=username, password=password, person=linked,
                display_name=f"示范{labels[role]}",
            )  # fmt: skip
        if role in ORG_ROLES:
            role_grant(actor=None, user=user, role=role, organisation=organisation)
            scope = organisation.name
        elif role in BUREAU_ROLES or role == Role.AUDITOR:
            role_grant(actor=None, user=user, role=role, region=region)
            scope = f"{region.name}（{region.code}）及下辖"
        elif role == Role.WORKER:
            role_grant(actor=None, user=user, role=role)
            scope = f"本人：{person.name}（{person.masked_id_number}）"
        else:
            role_grant(actor=None, user=user, role=role)
            scope = "全部"
        secret = code = ""
        if role in TWO_FACTOR_ROLES:
            device = _ensure_device(user)
            secret, code = secret_base32(device), current_token(device)
        accounts.append(
            DemoAccount(username, password, role, str(labels[role]), scope, secret, code)
        )
    return accounts


def demo_setup(
    *, workers: int, seed: int, progress: bool = True
) -> tuple[SeedResult | None, list[DemoAccount]]:
    seeded = None
    if not Person.objects.exists():
        seeded = seed_city(region=DEMO_REGION, workers=workers, seed=seed, progress=progress)
    _seed_demo_courses(seed=seed)
    seed_demo_vouchers(worker=_demo_person(), region=DEMO_REGION)
    seed_demo_classes(organisation=_demo_organisation(_demo_person()), person=_demo_person())
    seed_demo_certificates(person=_demo_person())
    _seed_demo_fraud()
    accounts = demo_accounts()
    _seed_demo_assessment()
    _seed_demo_assessment_manage()
    seed_payouts()  # the finance pages' batches (jineng/demo/claims.py), after the accounts
    return seeded, accounts


def _seed_demo_assessment() -> None:
    """Sessions, attempts, marks and published results at the demo organisation
    (jineng.demo.assessment), after the accounts that mark and review them exist."""
    from jineng.demo.assessment import seed_demo_assessment

    person = _demo_person()
    seed_demo_assessment(organisation=_demo_organisation(person), demo_person=person)


def _seed_demo_fraud() -> None:
    """Planted integrity cases (jineng.demo.fraud) and their flags, so the bureau's 核查疑点
    queue has every kind to show; once, into a database without registers."""
    from jineng.claims.models import RegisterList
    from jineng.demo.fraud import plant_and_check

    if RegisterList.objects.exists():
        return
    plant_and_check(region=DEMO_REGION, workers=30, rate=1.0)


def _seed_demo_assessment_manage() -> None:
    """A bank, a blueprint and a planned session for the management pages
    (jineng.demo.assessment_manage), at the demo organisation."""
    from jineng.demo.assessment_manage import seed_demo_assessment_manage

    person = _demo_person()
    seed_demo_assessment_manage(organisation=_demo_organisation(person), demo_person=person)


def _seed_demo_courses(*, seed: int) -> None:
    """The demo city's catalogue (jineng.learning.seed): 1,000 published courses over its
    providers, a few lessons with a real short video; once, into a database without courses."""
    import numpy as np

    from jineng.learning.models import Course
    from jineng.learning.seed import seed_courses
    from jineng.learning.services.catalogue import PROVIDER_KINDS

    if Course.objects.exists():
        return
    providers = Organisation.objects.filter(
        kind__in=PROVIDER_KINDS, region__code__startswith=DEMO_REGION[:4]
    ).order_by("pk")
    seed_courses(rng=np.random.default_rng(seed), providers=list(providers), count=1000, videos=5)
