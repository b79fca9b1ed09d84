"""The W3C Verifiable Credential: VC 2.0 JSON secured as a compact JWS with the QR's Ed25519 key
(verified here with the published public key); its status in the Bitstring Status Lists flips
with revocation and suspension (and back when a suspension is lifted); an edited credential does
not verify."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client
from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import OKPKey

from jineng.certificates.credentials import (
    MIN_ENTRIES,
    bit_at,
    credential_jwt,
    decode_bits,
    read_secured,
)
from jineng.certificates.models import Certificate
from jineng.certificates.services import (
    certificate_reinstate,
    certificate_revoke,
    certificate_suspend,
)
from jineng.identity.models import Person, Role
from jineng.identity.testing import make_user, otp_login

pytestmark = pytest.mark.django_db


def _public_key() -> OKPKey:
    keys = Client().get("/api/v1/certificates/jwks").json()["keys"]
    return OKPKey.import_key(keys[0])


def _verify(token: str) -> dict[str, object]:
    """What an outside verifier does: the published key, the JWS signature, the payload."""
    obj = jws.deserialize_compact(token, _public_key(), algorithms=["Ed25519"])
    assert obj.protected["typ"] == "vc+jwt" and obj.protected["cty"] == "vc"
    data = json.loads(obj.payload)
    assert isinstance(data, dict)
    return data


def _status_bit(purpose: str, index: int) -> bool:
    resp = Client().get(f"/credentials/status/{purpose}")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/vc+jwt"
    status_list = _verify(resp.content.decode())
    assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    subject = status_list["credentialSubject"]
    assert isinstance(subject, dict) and subject["statusPurpose"] == purpose
    bits = decode_bits(str(subject["encodedList"]))
    assert len(bits) * 8 >= MIN_ENTRIES
    return bit_at(bits, index)


def test_the_credential_is_vc2_signed_with_the_qr_key(certificate: Certificate) -> None:
    document = _verify(credential_jwt(certificate))
    assert document["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert document["type"] == ["VerifiableCredential", "OccupationalSkillLevelCredential"]
    subject = document["credentialSubject"]
    assert isinstance(subject, dict)
    assert subject["certificateNumber"] == certificate.number and subject["name"] == "邓志明"
    assert subject["level"] == {"code": "3", "name": "高级工（三级）"}
    assert certificate.person.id_number not in json.dumps(document, ensure_ascii=False)
    entries = document["credentialStatus"]
    assert isinstance(entries, list)
    assert {e["statusPurpose"] for e in entries} == {"revocation", "suspension"}
    assert {e["statusListIndex"] for e in entries} == {str(certificate.pk)}
    assert read_secured(credential_jwt(certificate)) == document


def test_an_edited_credential_does_not_verify(certificate: Certificate) -> None:
    head, body, sig = credential_jwt(certificate).split(".")
    document = _verify(credential_jwt(certificate))
    document["credentialSubject"]["level"] = {"code": "1", "name": "高级技师（一级）"}  # type: ignore[index]
    forged_body = base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()
    forged = f"{head}.{forged_body}.{sig}"
    with pytest.raises(BadSignatureError):
        jws.deserialize_compact(forged, _public_key(), algorithms=["Ed25519"])
    assert read_secured(forged) is None


def test_revocation_and_suspension_flip_the_status_bits(certificate: Certificate) -> None:
    index = certificate.pk
    assert not _status_bit("revocation", index) and not _status_bit("suspension", index)
    certificate_suspend(actor=None, certificate=certificate, reason="调查")
    assert _status_bit("suspension", index) and not _status_bit("revocation", index)
    certificate_reinstate(actor=None, certificate=certificate, reason="调查结束")
    assert not _status_bit("suspension", index)
    certificate_revoke(actor=None, certificate=certificate, reason="冒名顶替")
    assert _status_bit("revocation", index) and not _status_bit("suspension", index)
    assert not _status_bit("revocation", index + 1)
    assert Client().get("/credentials/status/other").status_code == 404


def test_the_holder_downloads_the_credential(certificate: Certificate, holder: Person) -> None:
    client = Client()
    otp_login(client, make_user(Role.WORKER, person=holder))
    resp = client.get(f"/certificates/{certificate.number}/credential/")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/vc+jwt"
    subject = _verify(resp.content.decode())["credentialSubject"]
    assert isinstance(subject, dict) and subject["certificateNumber"] == certificate.number
    stranger = Client()
    otp_login(stranger, make_user(Role.BUREAU_REVIEWER, region="330500"))
    assert stranger.get(f"/certificates/{certificate.number}/credential/").status_code == 404
