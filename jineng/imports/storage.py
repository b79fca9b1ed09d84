"""Uploads awaiting confirmation, encrypted at rest.

An upload of the import page holds full ID numbers, phones and bank accounts until its owner
confirms or cancels it. The file under MEDIA_ROOT/imports/ is therefore Fernet ciphertext (the
`cryptography` library, as `jineng.identity.crypto` uses for fields) under a key derived from
settings.FIELD_KEY for this purpose only (HMAC-SHA256 of "import-upload"), so a copy of the media
directory or its backup holds no plaintext. Rotation works as for fields: FIELD_KEY is a
comma-separated list, newest first, and older keys still decrypt. Files are deleted on confirm
(once written), on cancel, and 24 hours after the upload (`jobs.import_uploads_purge`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

PURPOSE = b"import-upload"


class UploadUnreadable(Exception):
    """The stored upload cannot be decrypted (the key it was written with is gone) or is damaged."""


@lru_cache(maxsize=4)
def _fernet(field_key: str) -> MultiFernet:
    keys = [k for k in field_key.split(",") if k]
    return MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(hmac.new(k.encode(), PURPOSE, hashlib.sha256).digest()))
            for k in keys
        ]
    )


def seal(data: bytes) -> bytes:
    """The upload's bytes as stored on disk."""
    return _fernet(settings.FIELD_KEY).encrypt(data)


def unseal(stored: bytes) -> bytes:
    """The upload's bytes as uploaded."""
    try:
        return _fernet(settings.FIELD_KEY).decrypt(stored)
    except InvalidToken as exc:
        raise UploadUnreadable("上传的文件无法解密（密钥已更换或文件已损坏），请重新上传") from exc
