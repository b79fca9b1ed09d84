"""The certificate PDF: the CJK font parsed once per process still gives each document its own
subset — two certificates with different names, made one after the other, each read back with
their own text and none of the other's; a name with a character outside the reduced font (GB 2312)
is printed from the full font."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from jineng.certificates.models import Certificate
from jineng.certificates.pdf import certificate_pdf
from jineng.certificates.services import certificate_issue
from jineng.certificates.tests.conftest import ISSUED_ON, TURNER
from jineng.core.pdf import _reduced_charset
from jineng.identity.testing import make_person
from jineng.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    pages = PdfReader(io.BytesIO(data)).pages
    return "".join("".join(page.extract_text().replace("\x00", "").split()) for page in pages)


def test_consecutive_pdfs_each_carry_their_own_text(
    certificate: Certificate, evaluation_org: Organisation
) -> None:
    other = certificate_issue(
        actor=None,
        person=make_person(name="欧阳霁雯", residence_region="441900"),
        occupation=TURNER,
        level="4",
        issuer=evaluation_org,
        issued_on=ISSUED_ON,
    )
    first, second, again = (
        certificate_pdf(certificate),
        certificate_pdf(other),
        certificate_pdf(certificate),
    )
    text_first, text_second = _text(first), _text(second)
    assert certificate.number in text_first and "邓志明" in text_first
    assert other.number in text_second and "欧阳霁雯" in text_second
    assert "霁" not in text_first and "邓志明" not in text_second
    assert "职业技能等级证书" in text_second and "四级" in text_second
    assert _text(again) == text_first


def test_a_name_outside_gb2312_is_printed_from_the_full_font(evaluation_org: Organisation) -> None:
    name = "王喆堃"  # 喆 and 堃 are not in GB 2312
    assert not set(name) <= set(_reduced_charset())
    rare = certificate_issue(
        actor=None,
        person=make_person(name=name, residence_region="441900"),
        occupation=TURNER,
        level="4",
        issuer=evaluation_org,
        issued_on=ISSUED_ON,
    )
    assert name in _text(certificate_pdf(rare))
