"""Issue appends a `certificate` fact; revocation corrects it away and the verification says
revoked with its reason; the licence scope and the filing are checked; both are audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from jineng.audit.models import AuditEntry
from jineng.certificates.models import Certificate, CertificateStatus
from jineng.certificates.numbers import parse_number
from jineng.certificates.selectors import verify_by_number
from jineng.certificates.services import (
    CertificateRefused,
    NewCertificate,
    ScopeEntry,
    certificate_issue,
    certificate_revoke,
    certificates_issue_batch,
    issuer_register,
)
from jineng.certificates.tests.conftest import ISSUED_ON, TURNER
from jineng.core.errors import Conflict
from jineng.dossier.models import Fact
from jineng.dossier.selectors import subject_facts_document
from jineng.identity.models import Employment, Person, Role
from jineng.identity.testing import make_organisation, make_person, make_user
from jineng.organisations.models import Organisation, OrgKind

pytestmark = pytest.mark.django_db


def test_issue_appends_a_certificate_fact(certificate: Certificate, holder: Person) -> None:
    assert certificate.fact_id is not None
    fact = Fact.objects.get(pk=certificate.fact_id)
    assert (fact.kind, fact.code, fact.level, fact.date) == ("certificate", TURNER, "3", ISSUED_ON)
    assert fact.person_id == holder.pk and fact.issuer_id == certificate.issuer_id
    assert fact.attrs["number"] == certificate.number and fact.source_ref == certificate.number
    document = subject_facts_document(subject=holder)
    kinds = [(f["kind"], f.get("code"), f.get("level")) for f in document["facts"]]
    assert ("certificate", TURNER, "3") in kinds
    entry = AuditEntry.objects.get(action="certificate_issue", object_id=str(certificate.pk))
    assert entry.after is not None and entry.after["number"] == certificate.number


def test_number_follows_the_national_format(
    certificate: Certificate, evaluation_org: Organisation, holder: Person
) -> None:
    parts = parse_number(certificate.number)
    assert (parts.kind, parts.agency, parts.province, parts.site) == ("S", "1234", "44", "190001")
    assert (parts.year, parts.level, parts.serial) == ("24", "3", 1)
    second = certificate_issue(
        actor=None, person=make_person(), occupation=TURNER, level="3",
        issuer=evaluation_org, issued_on=ISSUED_ON,
    )  # fmt: skip
    assert parse_number(second.number).serial == 2  # gap-free under one prefix
    other_level = certificate_issue(
        actor=None, person=holder, occupation=TURNER, level="4",
        issuer=evaluation_org, issued_on=ISSUED_ON,
    )  # fmt: skip
    assert parse_number(other_level.number).serial == 1


def test_revoke_corrects_the_fact_and_verification_says_revoked(
    certificate: Certificate, holder: Person
) -> None:
    officer = make_user(Role.BUREAU_REVIEWER, region="441900")
    revoked = certificate_revoke(actor=officer, certificate=certificate, reason="考试成绩造假")
    assert revoked.status == CertificateStatus.REVOKED
    assert revoked.revoked_by_id == officer.pk and revoked.revoked_at is not None
    correction = Fact.objects.get(supersedes_id=certificate.fact_id)
    assert (correction.kind, correction.code) == ("event", "certificate_revoked")
    assert "考试成绩造假" in correction.correction_reason
    current = Fact.objects.filter(person=holder).current()
    assert not current.filter(kind="certificate", source="certificates").exists()
    result = verify_by_number(number=certificate.number, name="邓志明", visitor="1.2.3.4")
    assert result.outcome == "revoked" and not result.is_valid
    assert result.revoked_reason == "考试成绩造假" and result.revoked_on is not None
    assert AuditEntry.objects.filter(
        action="certificate_revoke", object_id=str(certificate.pk)
    ).exists()
    with pytest.raises(Conflict):
        certificate_revoke(actor=officer, certificate=revoked, reason="再次")


def test_revoke_needs_a_reason_and_the_right_actor(certificate: Certificate) -> None:
    with pytest.raises(Exception) as err:
        certificate_revoke(actor=None, certificate=certificate, reason="  ")
    assert "原因" in str(err.value)
    stranger = make_user(Role.BUREAU_REVIEWER, region="330500")
    with pytest.raises(PermissionDenied):
        certificate_revoke(actor=stranger, certificate=certificate, reason="无权")
    auditor = make_user(Role.AUDITOR, region="441900")
    with pytest.raises(PermissionDenied):
        certificate_revoke(actor=auditor, certificate=certificate, reason="无权")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


def test_outside_the_licence_scope_is_refused(evaluation_org: Organisation, holder: Person) -> None:
    with pytest.raises(CertificateRefused) as err:
        certificate_issue(
            actor=None, person=holder, occupation=TURNER, level="2",
            issuer=evaluation_org, issued_on=ISSUED_ON,
        )  # fmt: skip
    assert "评价范围" in err.value.message
    assert not Certificate.objects.exists() and not Fact.objects.filter(source="certificates")


def test_an_enterprise_needs_its_filing_and_its_own_employee(holder: Person) -> None:
    firm = make_organisation(kind=OrgKind.ENTERPRISE, name="东莞精工机械有限公司", region="441900")
    issuer_register(
        actor=None, organisation=firm, agency_code="4321", site_code="190002",
        scope=[ScopeEntry(TURNER, "4")],
    )  # fmt: skip
    with pytest.raises(CertificateRefused) as err:
        certificate_issue(actor=None, person=holder, occupation=TURNER, level="4",
                          issuer=firm, issued_on=ISSUED_ON)  # fmt: skip
    assert "备案" in err.value.message
    firm.self_evaluation_filed = True
    firm.save()
    with pytest.raises(CertificateRefused) as err:
        certificate_issue(actor=None, person=holder, occupation=TURNER, level="4",
                          issuer=firm, issued_on=ISSUED_ON)  # fmt: skip
    assert "在职职工" in err.value.message
    Employment.objects.create(person=holder, employer=firm, start=dt.date(2020, 1, 1))
    issued = certificate_issue(actor=None, person=holder, occupation=TURNER, level="4",
                               issuer=firm, issued_on=ISSUED_ON)  # fmt: skip
    assert issued.number.startswith("Y4321441900022")


def test_organisation_staff_of_another_organisation_may_not_issue(
    evaluation_org: Organisation, holder: Person
) -> None:
    other = make_organisation(kind=OrgKind.EVALUATION_ORG, name="别家评价中心", region="441900")
    admin = make_user(Role.ORG_ADMIN, organisation=other)
    with pytest.raises(PermissionDenied):
        certificate_issue(actor=admin, person=holder, occupation=TURNER, level="3",
                          issuer=evaluation_org, issued_on=ISSUED_ON)  # fmt: skip
    own_admin = make_user(Role.ORG_ADMIN, organisation=evaluation_org)
    issued = certificate_issue(actor=own_admin, person=holder, occupation=TURNER, level="3",
                               issuer=evaluation_org, issued_on=ISSUED_ON)  # fmt: skip
    assert issued.status == CertificateStatus.VALID


def test_batch_is_all_or_nothing_and_names_the_record(evaluation_org: Organisation) -> None:
    people = [make_person() for _ in range(3)]
    rows = [NewCertificate(p.pk, TURNER, "4", ISSUED_ON) for p in people]
    bad = [*rows[:2], NewCertificate(people[2].pk, TURNER, "1", ISSUED_ON)]
    with pytest.raises(CertificateRefused) as err:
        certificates_issue_batch(actor=None, issuer=evaluation_org, rows=bad)
    assert err.value.message.startswith("第3条记录：")
    assert not Certificate.objects.exists()
    issued = certificates_issue_batch(actor=None, issuer=evaluation_org, rows=rows)
    assert [c.person_id for c in issued] == [p.pk for p in people]
    assert sorted(parse_number(c.number).serial for c in issued) == [1, 2, 3]


def test_superseding_replaces_the_fact(
    certificate: Certificate, evaluation_org: Organisation, holder: Person
) -> None:
    new = certificate_issue(
        actor=None, person=holder, occupation=TURNER, level="3", issuer=evaluation_org,
        issued_on=dt.date(2024, 6, 1), supersedes=certificate,
    )  # fmt: skip
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.SUPERSEDED
    assert certificate.superseded_by_id == new.pk
    current = Fact.objects.filter(person=holder, source="certificates").current()
    assert [f.attrs.get("number") for f in current.filter(kind="certificate")] == [new.number]
