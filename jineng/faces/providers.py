"""Who turns a photo into a face encoding and says whether two encodings are the same person.

`FaceProvider` is the interface; `face_provider()` returns the one named by the FACES_PROVIDER
setting (a dotted path). The default, `LocalFaceProvider`, runs offline on dlib through
`face_recognition` (its weights ship in the `face-recognition-models` wheel; nothing is fetched at
run time). It imports them only when first used, so Django starts without loading 100 MB of
models. `jineng.faces.testing.FakeFaceProvider` decides by a marker in the bytes, for tests.

An encoding is a vector; two encodings match when their Euclidean distance is at most
FACES_DISTANCE_THRESHOLD (read at every comparison, so a deployment or a test can change it).
"""

from __future__ import annotations

import io
import math
import struct
import threading
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string

from jineng.faces.errors import BadImage, ManyFaces, NoFaceFound

__all__ = [
    "FaceEncoding",
    "FaceMatch",
    "FaceProvider",
    "LocalFaceProvider",
    "compare_vectors",
    "face_provider",
    "face_provider_preload",
]


@dataclass(frozen=True)
class FaceEncoding:
    """A face as numbers. `model` names what made it: encodings of different models are not
    comparable."""

    model: str
    vector: tuple[float, ...]

    def to_bytes(self) -> bytes:
        return struct.pack(f"<{len(self.vector)}d", *self.vector)

    @classmethod
    def from_bytes(cls, model: str, data: bytes) -> FaceEncoding:
        return cls(model=model, vector=struct.unpack(f"<{len(data) // 8}d", data))


@dataclass(frozen=True)
class FaceMatch:
    distance: float
    matched: bool


@runtime_checkable
class FaceProvider(Protocol):
    model: str

    def encode(self, image_bytes: bytes) -> FaceEncoding:
        """The one face in the image; raises BadImage, NoFaceFound or ManyFaces (Chinese
        reasons)."""
        ...

    def compare(self, enrolled: FaceEncoding, capture: FaceEncoding) -> FaceMatch: ...


def threshold() -> float:
    return float(settings.FACES_DISTANCE_THRESHOLD)


def compare_vectors(enrolled: FaceEncoding, capture: FaceEncoding) -> FaceMatch:
    """Euclidean distance against the threshold (what face_recognition.compare_faces does)."""
    if enrolled.model != capture.model or len(enrolled.vector) != len(capture.vector):
        raise ValueError(f"encodings of different models: {enrolled.model} / {capture.model}")
    distance = math.dist(enrolled.vector, capture.vector)
    return FaceMatch(distance=distance, matched=distance <= threshold())


def check_size(image_bytes: bytes) -> None:
    if not image_bytes:
        raise BadImage(message="照片为空，请重新拍摄。")
    if len(image_bytes) > settings.FACES_MAX_IMAGE_BYTES:
        limit = settings.FACES_MAX_IMAGE_BYTES // (1024 * 1024)
        raise BadImage(message=f"照片过大（超过 {limit} MB），请重新拍摄。")


MAX_PIXELS = 40_000_000  # a 40-megapixel photo is no live capture


def decode_rgb(image_bytes: bytes, *, max_side: int) -> Any:
    """The image as an RGB numpy array, upright (EXIF orientation applied) and scaled down so
    its longer side is at most `max_side`; BadImage when Pillow cannot read it."""
    import numpy as np
    from PIL import Image, ImageOps, UnidentifiedImageError

    check_size(image_bytes)
    try:
        with Image.open(io.BytesIO(image_bytes)) as opened:
            if opened.format not in {"JPEG", "PNG", "WEBP"}:
                raise BadImage()
            if opened.width * opened.height > MAX_PIXELS:  # read before any pixel is decoded
                raise BadImage(message="照片尺寸过大，请用手机摄像头重新拍摄。")
            opened.draft("RGB", (max_side, max_side))  # a large JPEG decodes at a fraction
            image = ImageOps.exif_transpose(opened).convert("RGB")
    except BadImage:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise BadImage() from None
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side))
    if min(image.size) < 32:
        raise BadImage(message="照片太小，请靠近镜头重新拍摄。")
    return np.asarray(image)


_LOAD_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _face_recognition() -> Any:
    """Import face_recognition (and load dlib's models) once, on first use."""
    with _LOAD_LOCK, warnings.catch_warnings():
        # face_recognition_models imports pkg_resources, deprecated in setuptools (pinned < 81).
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        import face_recognition

        return face_recognition


class LocalFaceProvider:
    """dlib's HOG face detector and its ResNet face encoder (128 numbers, 99.38 % on LFW),
    offline. One face must be found: none or several refuse the photo.

    The face is looked for first on a copy scaled to FACES_DETECT_SIDE without upsampling (a live
    capture shows the face large: this finds faces down to about 1/6 of the frame, several times
    faster), and only when that finds none, by dlib's usual search (one upsampling of the image
    at FACES_MAX_SIDE: smaller faces). It is encoded on the image at FACES_MAX_SIDE."""

    model = "dlib_face_recognition_resnet_model_v1"

    def __init__(self, *, jitters: int = 1) -> None:
        self.jitters = jitters

    def _locate(self, fr: Any, pixels: Any) -> list[tuple[int, int, int, int]]:
        import numpy as np
        from PIL import Image

        height, width = pixels.shape[:2]
        factor = min(1.0, int(settings.FACES_DETECT_SIDE) / max(height, width))
        if factor < 1.0:
            size = (max(1, round(width * factor)), max(1, round(height * factor)))
            small = np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.BILINEAR))
            boxes = fr.face_locations(small, number_of_times_to_upsample=0, model="hog")
            if boxes:
                return [
                    (
                        max(0, round(top / factor)),
                        min(width, round(right / factor)),
                        min(height, round(bottom / factor)),
                        max(0, round(left / factor)),
                    )
                    for top, right, bottom, left in boxes
                ]
        # dlib's usual search (one upsampling, the image as encoded): smaller faces, ~4× slower.
        found: list[tuple[int, int, int, int]] = fr.face_locations(
            pixels, number_of_times_to_upsample=1, model="hog"
        )
        return found

    def encode(self, image_bytes: bytes) -> FaceEncoding:
        pixels = decode_rgb(image_bytes, max_side=int(settings.FACES_MAX_SIDE))
        fr = _face_recognition()
        boxes = self._locate(fr, pixels)
        if not boxes:
            raise NoFaceFound()
        if len(boxes) > 1:
            raise ManyFaces()
        (vector,) = fr.face_encodings(pixels, known_face_locations=boxes, num_jitters=self.jitters)
        return FaceEncoding(model=self.model, vector=tuple(float(x) for x in vector))

    def compare(self, enrolled: FaceEncoding, capture: FaceEncoding) -> FaceMatch:
        return compare_vectors(enrolled, capture)


@lru_cache(maxsize=4)
def _provider(path: str) -> FaceProvider:
    provider: FaceProvider = import_string(path)()
    return provider


def face_provider() -> FaceProvider:
    """The provider FACES_PROVIDER names (one instance per dotted path)."""
    return _provider(str(settings.FACES_PROVIDER))


def face_provider_preload() -> None:
    """Load the local provider's models now rather than on the first check (≈ 4 s, ≈ 100 MiB per
    process): e.g. from a gunicorn `post_fork` hook, so no check-in pays for it."""
    if isinstance(face_provider(), LocalFaceProvider):
        _face_recognition()
