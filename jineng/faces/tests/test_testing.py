"""The fake camera for browser tests: a .y4m of the astronaut, made by ffmpeg or, without it,
written directly — both a valid YUV4MPEG2 stream whose frame still shows the face."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from jineng.faces import testing
from jineng.faces.providers import LocalFaceProvider


def first_frame_rgb(path: Path) -> Any:
    data = path.read_bytes()
    header, _, rest = data.partition(b"\n")
    fields = {f[:1]: f[1:] for f in header.split()[1:]}
    width, height = int(fields[b"W"]), int(fields[b"H"])
    assert rest.startswith(b"FRAME")
    frame = rest[rest.index(b"\n") + 1 :]
    y = np.frombuffer(frame[: width * height], np.uint8).reshape(height, width).astype(float)
    u = np.frombuffer(frame[width * height : width * height * 5 // 4], np.uint8)
    v = np.frombuffer(frame[width * height * 5 // 4 : width * height * 3 // 2], np.uint8)
    u = u.reshape(height // 2, width // 2).repeat(2, 0).repeat(2, 1).astype(float) - 128
    v = v.reshape(height // 2, width // 2).repeat(2, 0).repeat(2, 1).astype(float) - 128
    rgb = np.stack([y + 1.402 * v, y - 0.344 * u - 0.714 * v, y + 1.772 * u], axis=-1)
    return np.clip(rgb, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("maker", ["ffmpeg", "direct"])
def test_the_fake_camera_file_shows_the_face(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, maker: str
) -> None:
    if maker == "ffmpeg" and shutil.which("ffmpeg") is None:
        pytest.skip("Debian's ffmpeg is not installed")
    if maker == "direct":
        monkeypatch.setattr(shutil, "which", lambda name: None)

    path = testing.fake_camera_y4m(tmp_path / "cam" / "face.y4m", seconds=1, fps=5)

    header = path.read_bytes().split(b"\n", 1)[0]
    assert header.startswith(b"YUV4MPEG2 W640 H640 F5:1")
    assert path.stat().st_size >= 5 * (640 * 640 * 3 // 2)  # five 4:2:0 frames
    provider = LocalFaceProvider()
    frame = provider.encode(testing.jpeg(first_frame_rgb(path)))
    assert provider.compare(provider.encode(testing.astronaut_jpeg()), frame).matched
