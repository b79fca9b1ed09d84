"""Test helpers for any app that uses face checks.

- `FakeFaceProvider` (FACES_PROVIDER="jineng.faces.testing.FakeFaceProvider") decides by a marker
  in the bytes, instantly and without dlib: `fake_face_image("甲")` is a photo of 甲,
  `fake_face_image("甲", offset=0.7)` is 甲 at distance 0.7 (beyond the default threshold),
  `NO_FACE_IMAGE` shows no face, `MANY_FACES_IMAGE` two; anything else is not an image.
- Real images that ship in a package (scikit-image's astronaut, Eileen Collins; scikit-image is a
  dev dependency): `astronaut_jpeg()`, a portrait with one face, and `camera_jpeg()` (a
  photographer seen from behind: no face).
- `fake_camera_y4m(path)`: a .y4m video of the astronaut portrait for Chromium's fake camera
  (`--use-fake-device-for-media-stream --use-file-for-fake-video-capture=PATH`).
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from jineng.faces.errors import BadImage, ManyFaces, NoFaceFound
from jineng.faces.providers import FaceEncoding, FaceMatch, check_size, compare_vectors

FAKE_MARKER = b"jineng-fake-face:"
NO_FACE_IMAGE = b"jineng-fake-face-none"
MANY_FACES_IMAGE = b"jineng-fake-face-many"


def fake_face_image(label: str = "甲", *, offset: float = 0.0) -> bytes:
    """Bytes the fake provider reads as a photo of `label`, `offset` away from `label` itself."""
    return FAKE_MARKER + f"{label}~{offset!r}".encode()


class FakeFaceProvider:
    model = "fake"

    def encode(self, image_bytes: bytes) -> FaceEncoding:
        check_size(image_bytes)
        if NO_FACE_IMAGE in image_bytes:
            raise NoFaceFound()
        if MANY_FACES_IMAGE in image_bytes:
            raise ManyFaces()
        start = image_bytes.find(FAKE_MARKER)
        if start < 0:
            raise BadImage()
        label, _, offset = image_bytes[start + len(FAKE_MARKER) :].decode().partition("~")
        digest = hashlib.sha256(label.encode()).digest()
        # Distinct labels lie ~10 apart (far beyond any threshold); the offset moves along axis 0.
        vector = [b / 25.5 for b in digest[:8]]
        vector[0] += float(offset or 0.0)
        return FaceEncoding(model=self.model, vector=tuple(vector))

    def compare(self, enrolled: FaceEncoding, capture: FaceEncoding) -> FaceMatch:
        return compare_vectors(enrolled, capture)


# --- images that ship in scikit-image -----------------------------------------------------------


def astronaut_rgb() -> Any:
    """The astronaut portrait as an RGB array: the full image also has a badge the HOG detector
    takes for a second face, so the portrait is the upper middle (one face)."""
    from skimage import data

    return data.astronaut()[0:320, 60:380]  # type: ignore[no-untyped-call]


def jpeg(pixels: Any, *, quality: int = 90) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels).convert("RGB").save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def astronaut_jpeg(*, scale: float = 1.0, shift: tuple[int, int] = (0, 0)) -> bytes:
    """The portrait as JPEG, rescaled by `scale` and/or moved by `shift` (down, right) pixels on a
    black canvas of the same size."""
    import numpy as np
    from PIL import Image

    pixels = astronaut_rgb()
    if shift != (0, 0):
        down, right = shift
        moved = np.zeros_like(pixels)
        moved[down:, right:] = pixels[: pixels.shape[0] - down, : pixels.shape[1] - right]
        pixels = moved
    if scale != 1.0:
        image = Image.fromarray(pixels)
        size = (round(image.width * scale), round(image.height * scale))
        pixels = np.asarray(image.resize(size, Image.Resampling.LANCZOS))
    return jpeg(pixels)


def camera_jpeg() -> bytes:
    from skimage import data

    return jpeg(data.camera())  # type: ignore[no-untyped-call]


# --- the fake camera ----------------------------------------------------------------------------


def _write_y4m(path: Path, pixels: Any, frames: int, fps: int) -> None:
    """YUV4MPEG2, 4:2:0 (BT.601), written directly: what ffmpeg writes for the same input."""
    import numpy as np

    rgb = pixels[: pixels.shape[0] // 2 * 2, : pixels.shape[1] // 2 * 2].astype(np.float32)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = 16 + 0.257 * r + 0.504 * g + 0.098 * b
    u = 128 - 0.148 * r - 0.291 * g + 0.439 * b
    v = 128 + 0.439 * r - 0.368 * g - 0.071 * b

    def sub(plane: Any) -> Any:
        return (plane[0::2, 0::2] + plane[1::2, 0::2] + plane[0::2, 1::2] + plane[1::2, 1::2]) / 4

    planes = [np.clip(p, 0, 255).round().astype(np.uint8) for p in (y, sub(u), sub(v))]
    frame = b"FRAME\n" + b"".join(p.tobytes() for p in planes)
    height, width = planes[0].shape
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(frame)


def fake_camera_y4m(path: str | Path, *, seconds: int = 2, fps: int = 10) -> Path:
    """Write a .y4m of the astronaut portrait (640 × 640, still) for Chromium's fake camera, which
    loops it. Made by ffmpeg when it is installed (Debian's ffmpeg), else written directly in the
    same format. Returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    from PIL import Image

    portrait = Image.fromarray(astronaut_rgb()).resize((640, 640), Image.Resampling.LANCZOS)
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        import numpy as np

        _write_y4m(target, np.asarray(portrait), frames=seconds * fps, fps=fps)
        return target
    with tempfile.TemporaryDirectory() as tmp:
        still = Path(tmp) / "astronaut.png"
        portrait.save(still)
        subprocess.run(
            [ffmpeg, "-loglevel", "error", "-y", "-loop", "1", "-i", str(still), "-t", str(seconds),
             "-r", str(fps), "-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe", str(target)],
            check=True,
        )  # fmt: skip
    return target
