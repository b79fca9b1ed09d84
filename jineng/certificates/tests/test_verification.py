"""Verification never says valid for an edited, forged or revoked certificate: a token with one
changed byte or signed by another key is unverifiable; a row edited after issue is reported as
altered, naming the field; a wrong name answers like an unknown number."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import override_settings

from jineng.certificates import signing
from jineng.certificates.models import Certificate
from jineng.certificates.numbers import NumberInvalid
from jineng.certificates.selectors import verify_by_number, verify_by_token
from jineng.core.errors import RateLimited

pytestmark = pytest.mark.django_db
VISITOR = "203.0.113.9"


def _other_key_pem() -> str:
    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


def test_a_genuine_certificate_is_valid_by_number_and_by_token(certificate: Certificate) -> None:
    by_number = verify_by_number(number=certificate.number, name="邓志明", visitor=VISITOR)
    assert by_number.outcome == "valid" and by_number.holder == "邓志明"
    assert by_number.level == "高级工（三级）" and by_number.issuer == "东莞市技能评价中心"
    by_token = verify_by_token(token=certificate.token, visitor=VISITOR)
    assert by_token.outcome == "valid" and by_token.holder == "邓**"
    assert by_token.number == certificate.number and by_token.altered == ()


def test_a_wrong_name_answers_like_an_unknown_number(certificate: Certificate) -> None:
    wrong = verify_by_number(number=certificate.number, name="邓志", visitor=VISITOR)
    unknown_number = certificate.number[:-6] + "999999"
    unknown = verify_by_number(number=unknown_number, name="邓志明", visitor=VISITOR)
    assert wrong == unknown
    assert wrong.outcome == "not_found" and wrong.number == "" and wrong.holder == ""


def test_a_malformed_number_is_refused_saying_why(certificate: Certificate) -> None:
    with pytest.raises(NumberInvalid) as err:
        verify_by_number(number="S123", name="邓志明", visitor=VISITOR)
    assert "22位" in err.value.message


@pytest.mark.parametrize("part", [0, 1, 2])
def test_a_token_with_one_changed_byte_is_unverifiable(certificate: Certificate, part: int) -> None:
    pieces = certificate.token.split(".")
    target = pieces[part]
    middle = len(target) // 2
    flipped = "B" if target[middle] != "B" else "C"
    pieces[part] = target[:middle] + flipped + target[middle + 1 :]
    tampered = ".".join(pieces)
    assert tampered != certificate.token
    result = verify_by_token(token=tampered, visitor=VISITOR)
    assert result.outcome == "unverifiable" and result.number == ""


def test_a_token_signed_by_another_key_is_unverifiable(certificate: Certificate) -> None:
    content = signing.signed_content(certificate)
    with override_settings(CERTIFICATES_SIGNING_KEY=_other_key_pem()):
        forged = signing.sign(content)
    assert forged.split(".")[1] == certificate.token.split(".")[1]  # same claims
    assert verify_by_token(token=forged, visitor=VISITOR).outcome == "unverifiable"


def test_garbage_is_unverifiable(certificate: Certificate) -> None:
    for token in ["", "abc", "a.b.c", "." * 2, "x" * 5000]:
        assert verify_by_token(token=token, visitor=VISITOR).outcome == "unverifiable"


def test_a_row_edited_after_issue_is_reported_as_altered_naming_the_field(
    certificate: Certificate,
) -> None:
    Certificate.objects.filter(pk=certificate.pk).update(level="2")  # behind the services' back
    by_number = verify_by_number(number=certificate.number, name="邓志明", visitor=VISITOR)
    assert by_number.outcome == "altered" and not by_number.is_valid
    assert [(a.label, a.signed, a.recorded) for a in by_number.altered] == [
        ("等级", "高级工（三级）", "技师（二级）")
    ]
    by_token = verify_by_token(token=certificate.token, visitor=VISITOR)
    assert by_token.outcome == "altered"
    assert [a.label for a in by_token.altered] == ["等级"]


def test_an_edited_date_and_a_re_signed_row_token_are_caught(certificate: Certificate) -> None:
    # Someone with the database (not the key) edits the date and copies a token of another row.
    Certificate.objects.filter(pk=certificate.pk).update(issued_on=dt.date(2020, 1, 1))
    result = verify_by_token(token=certificate.token, visitor=VISITOR)
    assert result.outcome == "altered"
    assert ("发证日期", "2024-05-20", "2020-01-01") in [
        (a.label, a.signed, a.recorded) for a in result.altered
    ]


def test_a_changed_full_name_with_the_same_mask_is_caught_by_the_digest(
    certificate: Certificate,
) -> None:
    Certificate.objects.filter(pk=certificate.pk).update(holder_name="邓志强")
    result = verify_by_number(number=certificate.number, name="邓志强", visitor=VISITOR)
    assert result.outcome == "altered"
    assert [a.label for a in result.altered] == ["持证人或发证机构信息"]


def test_a_revoked_row_set_back_to_valid_is_altered(certificate: Certificate) -> None:
    from jineng.certificates.services import certificate_revoke

    certificate_revoke(actor=None, certificate=certificate, reason="冒名顶替")
    Certificate.objects.filter(pk=certificate.pk).update(status="valid", revoked_reason="")
    result = verify_by_number(number=certificate.number, name="邓志明", visitor=VISITOR)
    assert result.outcome == "altered"
    assert [a.label for a in result.altered] == ["状态"]


def test_verification_is_rate_limited_per_visitor(certificate: Certificate) -> None:
    with override_settings(CERTIFICATES_VERIFY_RATE="3/m"):
        for _ in range(3):
            verify_by_token(token=certificate.token, visitor="198.51.100.7")
        with pytest.raises(RateLimited) as err:
            verify_by_token(token=certificate.token, visitor="198.51.100.7")
        assert "频繁" in err.value.message
        # another visitor is not affected
        assert verify_by_token(token=certificate.token, visitor=VISITOR).outcome == "valid"


def test_the_published_key_verifies_a_token_offline(certificate: Certificate) -> None:
    from django.test import Client
    from joserfc import jws
    from joserfc.jwk import OKPKey

    body = Client().get("/api/v1/certificates/jwks").json()
    (jwk,) = body["keys"]
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and "d" not in jwk
    key = OKPKey.import_key(jwk)
    payload = jws.deserialize_compact(certificate.token, key, algorithms=["Ed25519"]).payload
    assert certificate.number.encode() in payload


def test_after_a_rotation_old_certificates_verify_while_their_key_is_listed(
    certificate: Certificate,
) -> None:
    old_public = signing.signing_key().as_pem(private=False).decode()
    with override_settings(CERTIFICATES_SIGNING_KEY=_other_key_pem()):
        assert verify_by_token(token=certificate.token, visitor=VISITOR).outcome == "unverifiable"
        with override_settings(CERTIFICATES_PREVIOUS_KEYS=[old_public]):
            assert verify_by_token(token=certificate.token, visitor=VISITOR).outcome == "valid"
            assert len(signing.public_jwks()) == 2
