"""The certificate as a W3C Verifiable Credential (VC Data Model 2.0), secured with JOSE
(VC-JOSE-COSE: a compact JWS whose payload is the credential, `typ` `vc+jwt`, `cty` `vc`), signed
with the same Ed25519 key as the QR code (`signing.signing_key`, alg `Ed25519` — EdDSA on
Ed25519 under its fully specified name, RFC 9864; joserfc deprecates the polymorphic `EdDSA`).

Its status lives in two W3C Bitstring Status List credentials published at fixed URLs
(`/credentials/status/revocation`, `/credentials/status/suspension`), one bit per certificate at
index = the certificate's row id (stable, never reused). The revocation bit is set for revoked
and superseded certificates (both permanent: no longer valid); the suspension bit while
suspended, cleared when lifted. The list is GZIP-compressed and Multibase base64url-encoded
(`u…`), at least 16 KB uncompressed (131,072 entries) as the specification asks for privacy, and
is built from the database on each request, so a status change shows at once.

Nothing here is stored: a credential is made from the row when downloaded (deterministic, as
Ed25519 signatures are)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import gzip
import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone
from joserfc import jws
from joserfc.errors import JoseError

from jineng.certificates.models import Certificate, CertificateStatus
from jineng.certificates.signing import ALGORITHM, signing_key, verification_keys
from jineng.dossier.vocabulary import CERTIFICATE_LEVELS

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
MEDIA_TYPE = "application/vc+jwt"
MIN_ENTRIES = 131_072  # 16 KB: the specification's minimum, so one bit does not single anyone out
PURPOSES = {
    "revocation": (CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED),
    "suspension": (CertificateStatus.SUSPENDED,),
}


def _base() -> str:
    return str(getattr(settings, "CERTIFICATES_VERIFY_BASE_URL", "") or "").rstrip("/")


def status_list_url(purpose: str) -> str:
    return f"{_base()}/credentials/status/{purpose}"


def issuer_id() -> str:
    return f"{_base()}/credentials/issuer"


def _midnight(day: dt.date) -> str:
    local = dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())
    return local.isoformat()


def credential_document(certificate: Certificate) -> dict[str, Any]:
    """The unsecured credential (VC 2.0 JSON-LD; terms outside the base context fall under its
    issuer-dependent @vocab)."""
    person = certificate.person
    subject: dict[str, Any] = {
        "type": "OccupationalSkillLevelCertificate",
        "name": certificate.holder_name,
        "documentType": person.get_id_type_display(),
        "documentNumber": person.masked_id_number,  # masked, as on the printed certificate
        "occupation": {"code": certificate.occupation_id, "name": certificate.occupation.name},
        "level": {
            "code": certificate.level,
            "name": CERTIFICATE_LEVELS.get(certificate.level, certificate.level),
        },
        "certificateNumber": certificate.number,
    }
    if certificate.source:
        subject["recordedFrom"] = certificate.source
    return {
        "@context": [VC_CONTEXT],
        "id": f"{_base()}/verify/{certificate.token}",
        "type": ["VerifiableCredential", "OccupationalSkillLevelCredential"],
        "name": "职业技能等级证书",
        "issuer": {"id": issuer_id(), "name": certificate.issuer_name},
        "validFrom": _midnight(certificate.issued_on),
        "credentialSubject": subject,
        "credentialStatus": [
            {
                "id": f"{status_list_url(purpose)}#{certificate.pk}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": purpose,
                "statusListIndex": str(certificate.pk),
                "statusListCredential": status_list_url(purpose),
            }
            for purpose in PURPOSES
        ],
    }


def _secure(document: dict[str, Any]) -> str:
    key = signing_key()
    header = {"alg": ALGORITHM, "typ": "vc+jwt", "cty": "vc", "kid": key.thumbprint()}
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return jws.serialize_compact(header, body.encode(), key, algorithms=[ALGORITHM])


def credential_jwt(certificate: Certificate) -> str:
    """The credential secured as a compact JWS (`application/vc+jwt`)."""
    return _secure(credential_document(certificate))


def read_secured(token: str) -> dict[str, Any] | None:
    """The credential inside a `vc+jwt` signed with one of our keys; None otherwise."""
    try:
        header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
        key = verification_keys().get(str(header.get("kid", "")))
        if key is None or header.get("typ") != "vc+jwt":
            return None
        data = json.loads(jws.deserialize_compact(token, key, algorithms=[ALGORITHM]).payload)
    except (JoseError, ValueError, TypeError, IndexError, binascii.Error):
        return None
    return data if isinstance(data, dict) else None


# --- the status lists --------------------------------------------------------------------------


def encode_bits(indexes: Iterable[int], size: int) -> str:
    """Multibase base64url (no padding, prefix `u`) of the GZIP of the bitstring; index 0 is the
    left-most bit of the first byte."""
    bits = bytearray(size // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()


def decode_bits(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("not multibase base64url")
    raw = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))


def bit_at(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_document(purpose: str) -> dict[str, Any]:
    statuses = PURPOSES[purpose]
    highest = Certificate.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    size = max(MIN_ENTRIES, ((highest // 8) + 1) * 8)
    flagged = Certificate.objects.filter(status__in=statuses).values_list("pk", flat=True)
    url = status_list_url(purpose)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": issuer_id(), "name": "职业技能等级证书核验平台"},
        "validFrom": timezone.now().replace(microsecond=0).isoformat(),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode_bits(flagged.iterator(), size),
        },
    }


def status_list_jwt(purpose: str) -> str:
    return _secure(status_list_document(purpose))
