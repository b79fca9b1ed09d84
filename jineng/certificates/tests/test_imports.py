"""Imported historical certificates: legacy 16-digit and national numbers, all rows or none with
each error naming its row and field in Chinese, audited, in the dossier, and verified as
"依据<来源>记录" (never as signed by the platform); the page is the bureau's."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from jineng.audit.models import AuditEntry
from jineng.certificates.models import Certificate, SerialCounter
from jineng.certificates.selectors import verify_by_number
from jineng.certificates.services import certificate_issue
from jineng.certificates.services.imports import ImportRefused, certificates_import, parse_level
from jineng.certificates.tests.conftest import ISSUED_ON, TURNER
from jineng.dossier.models import Fact
from jineng.identity.models import Person, Role
from jineng.identity.testing import make_person, make_user, otp_login
from jineng.organisations.models import Organisation

pytestmark = pytest.mark.django_db
SOURCE = "原东莞市职业技能鉴定指导中心档案"
HEADER = "证书编号,姓名,证件号码,职业编码,等级,发证机构,发证日期"
LEGACY = "1419000000123456"
MODERN = "S123444190001183000007"  # agency 1234, site 190001, 2018, level 3, serial 7
VISITOR = "198.51.100.20"


def _csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def test_legacy_and_national_numbers_import_and_verify_as_recorded(
    evaluation_org: Organisation, holder: Person
) -> None:
    other = make_person(name="李小红", residence_region="441900")
    data = _csv(
        f"{LEGACY},邓志明,{holder.id_number},{TURNER},四级/中级工,东莞市劳动局,2012-06-30",
        f"{MODERN},李小红,{other.id_number},{TURNER},高级工（三级）,东莞市职业技能鉴定中心,2018/11/02",
    )
    created = certificates_import(
        actor=make_user(Role.BUREAU_REVIEWER, region="441900"),
        keeper=evaluation_org,
        source=SOURCE,
        file=data,
        filename="历史证书.csv",
    )
    assert [c.number for c in created] == [LEGACY, MODERN]
    legacy = Certificate.objects.get(number=LEGACY)
    assert legacy.source == SOURCE and legacy.source_ref == "历史证书.csv第2行"
    assert legacy.level == "4" and legacy.issuer_name == "东莞市劳动局"
    answer = verify_by_number(number=LEGACY, name="邓志明", visitor=VISITOR)
    assert answer.outcome == "recorded" and answer.is_valid
    assert answer.headline.endswith(f"依据{SOURCE}记录（历史证书，非本平台签发）")
    assert "签名" not in answer.headline
    assert legacy.fact_id is not None
    fact = Fact.objects.get(pk=legacy.fact_id)
    assert (fact.kind, fact.level, fact.source) == ("certificate", "4", "certificates_import")
    entries = AuditEntry.objects.filter(action="certificate_import")
    assert entries.count() == 2
    assert {e.reason for e in entries} == {f"依据{SOURCE}导入"}
    # the platform's own counter moved past the imported national number
    assert SerialCounter.objects.get(prefix=MODERN[:-6]).last == 7


def test_any_bad_row_refuses_the_whole_file_naming_row_and_field(
    evaluation_org: Organisation, holder: Person, certificate: Certificate
) -> None:
    data = _csv(
        f"{LEGACY},邓志明,{holder.id_number},{TURNER},四级,东莞市劳动局,2012-06-30",
        f"S12,邓志明,{holder.id_number},{TURNER},四级,东莞市劳动局,2012-06-30",
        f"{LEGACY},邓志明,{holder.id_number},{TURNER},四级,东莞市劳动局,2012-06-30",
        f"1419000000654321,邓志强,{holder.id_number},{TURNER},九级,东莞市劳动局,明天",
        f"{certificate.number},邓志明,{holder.id_number},9-99-99,三级,东莞市劳动局,2012-06-30",
    )
    with pytest.raises(ImportRefused) as err:
        certificates_import(actor=None, keeper=evaluation_org, source=SOURCE, file=data)
    message = err.value.message
    assert message.startswith("未导入任何记录")
    assert "第3行“证书编号”：证书编号应为22位" in message
    assert "第4行“证书编号”：与第2行重复" in message
    assert "第5行“姓名”：姓名与该证件号码登记的姓名不一致" in message
    assert "第5行“等级”" in message and "第5行“发证日期”" in message
    assert "第6行“职业编码”：职业编码“9-99-99”不存在" in message
    assert f"第6行“证书编号”：证书编号{certificate.number}已在平台中" in message
    assert Certificate.objects.count() == 1  # only the fixture's: nothing imported
    assert not AuditEntry.objects.filter(action="certificate_import").exists()


def test_an_xlsx_with_an_unknown_person_is_refused(evaluation_org: Organisation) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append([LEGACY, "王五", "110101199003077777", TURNER, "三级", "某局", "2015-01-01"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ImportRefused) as err:
        certificates_import(
            actor=None, keeper=evaluation_org, source=SOURCE, file=out.getvalue(), filename="a.xlsx"
        )
    assert "第2行“证件号码”：平台中没有持该证件的人员" in err.value.message


def test_only_the_bureau_in_region_imports(evaluation_org: Organisation) -> None:
    data = _csv()
    for actor in (
        make_user(Role.ORG_ADMIN, organisation=evaluation_org),
        make_user(Role.BUREAU_REVIEWER, region="330500"),
    ):
        with pytest.raises(PermissionDenied):
            certificates_import(actor=actor, keeper=evaluation_org, source=SOURCE, file=data)


def test_the_level_reads_the_usual_spellings() -> None:
    assert parse_level("三级/高级工") == "3" and parse_level("高级工（三级）") == "3"
    assert parse_level("技师") == "2" and parse_level("高级技师") == "1"
    assert parse_level("5") == "5" and parse_level("特级技师") == "S"


def test_the_bureau_imports_on_the_page(evaluation_org: Organisation, holder: Person) -> None:
    officer = Client()
    otp_login(officer, make_user(Role.BUREAU_REVIEWER, region="441900"))
    assert "/certificates/import/" in officer.get("/certificates/").content.decode()
    upload = SimpleUploadedFile(
        "历史证书.csv",
        _csv(f"{LEGACY},邓志明,{holder.id_number},{TURNER},四级,东莞市劳动局,2012-06-30"),
    )
    resp = officer.post(
        "/certificates/import/", {"keeper": evaluation_org.pk, "source": SOURCE, "file": upload}
    )
    assert resp.status_code == 200 and "已导入1张历史证书" in resp.content.decode()
    html = Client().post("/verify/", {"number": LEGACY, "name": "邓志明"}).content.decode()
    assert f"依据{SOURCE}记录" in html and "历史证书" in html


def test_a_certificate_issued_after_import_does_not_collide(
    evaluation_org: Organisation, holder: Person
) -> None:
    data = _csv(
        f"S123444190001243000001,邓志明,{holder.id_number},{TURNER},三级,东莞市评价中心,2024-01-02"
    )
    certificates_import(actor=None, keeper=evaluation_org, source=SOURCE, file=data)
    issued = certificate_issue(
        actor=None, person=holder, occupation=TURNER, level="3",
        issuer=evaluation_org, issued_on=ISSUED_ON,
    )  # fmt: skip
    assert issued.number == "S123444190001243000002"
