"""Why a face image or a face check is refused: `DomainError`s with a Chinese reason a person can
act on (the API and the forms map them like every other refusal)."""

from __future__ import annotations

from jineng.core.errors import Conflict, DomainError, Unprocessable


class BadImage(DomainError):
    """Not an image we can read (not JPEG/PNG/WebP, truncated, empty or too large)."""

    default_message = "照片无法识别，请重新拍摄（支持 JPEG、PNG 格式）。"

    def __init__(self, field: str = "image", message: str = "") -> None:
        super().__init__(field, message)


class NoFaceFound(Unprocessable):
    default_message = "照片中未检测到人脸，请正对镜头、保持光线充足后重新拍摄。"

    def __init__(self, field: str = "image", message: str = "") -> None:
        super().__init__(field, message)


class ManyFaces(Unprocessable):
    default_message = "照片中检测到不止一张人脸，请确保只有本人在镜头前后重新拍摄。"

    def __init__(self, field: str = "image", message: str = "") -> None:
        super().__init__(field, message)


class NoApprovedEnrolment(Conflict):
    """A face check needs an approved enrolment photo to compare with."""

    default_message = "尚未采集人脸照片，请先采集本人照片并等待工作人员审核。"

    def __init__(self, field: str = "person", message: str = "") -> None:
        super().__init__(field, message)
