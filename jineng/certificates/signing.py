"""The signature a certificate's QR code carries: a compact JWS (RFC 7515) with Ed25519 (alg
`Ed25519`, RFC 9864; joserfc warns that the older polymorphic `EdDSA` name is deprecated).

The payload holds what is printed, so a phone can check it offline with the public key:
`n` number, `h` holder's masked name, `o` occupation code, `l` level, `i` issuer name,
`d` issued_on, and `c` — a digest of the certificate's content (the full name and the holder too),
so a change that the printed fields do not show still breaks the comparison with the record.

Key: the setting `CERTIFICATES_SIGNING_KEY` (PEM text or a path to a PEM file, Ed25519); unset, a
development key generated under VAR_DIR/certificates/ (as the audit anchors do). To rotate, list
the old keys' PEMs (public is enough) in `CERTIFICATES_PREVIOUS_KEYS`: certificates signed before
keep verifying (each token names its key by `kid`, the RFC 7638 thumbprint).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

if TYPE_CHECKING:
    from jineng.certificates.models import Certificate

ALGORITHM = "Ed25519"
TOKEN_TYPE = "jineng-cert+jws"
MAX_TOKEN_LENGTH = 2000


class SigningKeyMissing(RuntimeError):
    """The configured key is not an Ed25519 private key."""


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳修 → 欧**: the family name's first character, the rest hidden."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


@dataclass(frozen=True)
class SignedContent:
    number: str
    masked_name: str
    occupation: str
    level: str
    issuer: str
    issued_on: str  # ISO date
    digest: str


def content_digest(certificate: Certificate) -> str:
    """SHA-256 (base64url, 22 characters = 128 bits) over the certificate's content."""
    content = {
        "number": certificate.number,
        "person": certificate.person_id,
        "holder_name": certificate.holder_name,
        "occupation": certificate.occupation_id,
        "level": certificate.level,
        "issuer": certificate.issuer_id,
        "issuer_name": certificate.issuer_name,
        "issued_on": certificate.issued_on.isoformat(),
    }
    raw = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(raw.encode()).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def signed_content(certificate: Certificate) -> SignedContent:
    return SignedContent(
        number=certificate.number,
        masked_name=mask_name(certificate.holder_name),
        occupation=str(certificate.occupation_id),
        level=certificate.level,
        issuer=certificate.issuer_name,
        issued_on=certificate.issued_on.isoformat(),
        digest=content_digest(certificate),
    )


# --- the key -----------------------------------------------------------------------------------


def _development_key_path() -> Path:
    return Path(settings.VAR_DIR) / "certificates" / "signing-ed25519.pem"


def _generate(path: Path) -> bytes:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return pem


def _pem() -> bytes:
    configured = str(getattr(settings, "CERTIFICATES_SIGNING_KEY", "") or "").strip()
    if configured.startswith("-----BEGIN"):
        return configured.encode()
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise SigningKeyMissing(f"证书签名密钥文件不存在：{path}")
        return path.read_bytes()
    path = _development_key_path()
    if path.is_file():
        return path.read_bytes()
    try:
        return _generate(path)
    except FileExistsError:  # another process generated it first
        return path.read_bytes()


_KEYS: dict[bytes, OKPKey] = {}


def signing_key() -> OKPKey:
    pem = _pem()
    key = _KEYS.get(pem)
    if key is None:
        private = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise SigningKeyMissing("证书签名密钥必须是 Ed25519 私钥")
        key = OKPKey.import_key(pem)
        _KEYS[pem] = key
    return key


def _load_public(item: str) -> OKPKey:
    text = item.strip()
    data = text.encode() if text.startswith("-----BEGIN") else Path(text).read_bytes()
    if b"PRIVATE KEY" in data:
        private = serialization.load_pem_private_key(data, password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise SigningKeyMissing("证书签名密钥必须是 Ed25519 密钥")
        data = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    key = OKPKey.import_key(data)
    if key.as_dict(private=False).get("crv") != "Ed25519":
        raise SigningKeyMissing("证书签名密钥必须是 Ed25519 密钥")
    return key


def verification_keys() -> dict[str, OKPKey]:
    """kid → key: the current key and the previous ones (`CERTIFICATES_PREVIOUS_KEYS`)."""
    current = signing_key()
    keys = {current.thumbprint(): current}
    previous = getattr(settings, "CERTIFICATES_PREVIOUS_KEYS", ()) or ()
    for item in previous:
        key = _load_public(str(item))
        keys.setdefault(key.thumbprint(), key)
    return keys


def public_jwk() -> dict[str, Any]:
    """The public key as a JWK, for offline verifiers (a phone app, a partner system)."""
    return dict(signing_key().as_dict(private=False))


def public_jwks() -> list[dict[str, Any]]:
    """Every key a certificate may be signed with (current first), public parts, with `kid`."""
    return [
        {**key.as_dict(private=False), "kid": kid, "alg": ALGORITHM, "use": "sig"}
        for kid, key in verification_keys().items()
    ]


# --- sign and read ----------------------------------------------------------------------------


def sign(content: SignedContent) -> str:
    key = signing_key()
    payload = {
        "n": content.number,
        "h": content.masked_name,
        "o": content.occupation,
        "l": content.level,
        "i": content.issuer,
        "d": content.issued_on,
        "c": content.digest,
    }
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    header = {"alg": ALGORITHM, "typ": TOKEN_TYPE, "kid": key.thumbprint()}
    return jws.serialize_compact(header, body.encode(), key, algorithms=[ALGORITHM])


def read(token: str) -> SignedContent | None:
    """The content of a token signed with our key; None for anything else (a changed byte, another
    key, another algorithm, not a token at all) — the caller says "cannot be verified"."""
    token = (token or "").strip()
    if not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
        return None
    try:
        header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
        key = (
            verification_keys().get(str(header.get("kid", "")))
            if isinstance(header, dict)
            else None
        )
        if key is None:
            return None
        obj = jws.deserialize_compact(token, key, algorithms=[ALGORITHM])
        if obj.protected.get("typ") != TOKEN_TYPE:
            return None
        data = json.loads(obj.payload)
    except (JoseError, ValueError, TypeError, UnicodeDecodeError, binascii.Error):
        return None
    if not isinstance(data, dict):
        return None
    try:
        return SignedContent(
            number=str(data["n"]),
            masked_name=str(data["h"]),
            occupation=str(data["o"]),
            level=str(data["l"]),
            issuer=str(data["i"]),
            issued_on=str(data["d"]),
            digest=str(data["c"]),
        )
    except KeyError:
        return None
