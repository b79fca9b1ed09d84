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

from cryptography.fernet import InvalidToken

from jineng.identity.crypto import fernet_for

PURPOSE = b"import-upload"


class UploadUnreadable(Exception):
    """The stored upload cannot be decrypted (the key it was written with is gone) or is damaged."""


def seal(data: bytes) -> bytes:
    """The upload's bytes as stored on disk."""
    return fernet_for(PURPOSE).encrypt(data)


def unseal(stored: bytes) -> bytes:
    """The upload's bytes as uploaded."""
    try:
        return fernet_for(PURPOSE).decrypt(stored)
    except InvalidToken as exc:
        raise UploadUnreadable("上传的文件无法解密（密钥已更换或文件已损坏），请重新上传") from exc
