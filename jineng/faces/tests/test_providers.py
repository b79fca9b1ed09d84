"""The providers: dlib on the astronaut that ships in scikit-image (same face rescaled or shifted
matches; no face, two faces or no image are refused with the Chinese reason), the threshold as a
setting, the lazy import, and the fake provider other apps' tests use."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from jineng.faces import testing
from jineng.faces.errors import BadImage, ManyFaces, NoFaceFound
from jineng.faces.providers import (
    FaceEncoding,
    FaceProvider,
    LocalFaceProvider,
    compare_vectors,
    face_provider,
)
from jineng.faces.testing import FakeFaceProvider


@pytest.fixture(scope="module")
def dlib() -> LocalFaceProvider:
    return LocalFaceProvider()


@pytest.fixture(scope="module")
def enrolled(dlib: LocalFaceProvider) -> FaceEncoding:
    return dlib.encode(testing.astronaut_jpeg())


@pytest.mark.parametrize(
    "variant",
    [
        {"scale": 0.5},
        {"scale": 0.8},
        {"scale": 1.6},
        {"shift": (20, 30)},
        {"shift": (0, 45)},
    ],
    ids=["half", "80%", "160%", "down-right", "right"],
)
def test_the_same_face_rescaled_or_shifted_matches(
    dlib: LocalFaceProvider, enrolled: FaceEncoding, variant: dict[str, object]
) -> None:
    capture = dlib.encode(testing.astronaut_jpeg(**variant))  # type: ignore[arg-type]

    match = dlib.compare(enrolled, capture)

    assert match.matched
    assert 0.0 <= match.distance < 0.3  # well inside the 0.6 threshold
    assert len(capture.vector) == 128
    assert capture.model == enrolled.model == LocalFaceProvider.model


def test_the_threshold_is_a_setting(dlib: LocalFaceProvider, enrolled: FaceEncoding) -> None:
    capture = dlib.encode(testing.astronaut_jpeg(scale=0.5))  # ≈ 0.21 from the original
    with override_settings(FACES_DISTANCE_THRESHOLD=0.05):
        strict = dlib.compare(enrolled, capture)
    with override_settings(FACES_DISTANCE_THRESHOLD=0.6):
        usual = dlib.compare(enrolled, capture)
    assert strict.distance == usual.distance
    assert (strict.matched, usual.matched) == (False, True)


@pytest.mark.parametrize(
    "image",
    [
        pytest.param(testing.camera_jpeg, id="camera (a photographer from behind)"),
        pytest.param(lambda: testing.jpeg(np.full((240, 320, 3), 128, np.uint8)), id="flat grey"),
    ],
)
def test_an_image_without_a_face_is_refused_with_the_reason(dlib: LocalFaceProvider, image) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NoFaceFound) as refused:
        dlib.encode(image())
    assert refused.value.message == "照片中未检测到人脸，请正对镜头、保持光线充足后重新拍摄。"
    assert refused.value.field == "image"
    assert refused.value.status == 422


def test_two_faces_are_refused(dlib: LocalFaceProvider) -> None:
    portrait = testing.astronaut_rgb()
    with pytest.raises(ManyFaces) as refused:
        dlib.encode(testing.jpeg(np.concatenate([portrait, portrait], axis=1)))
    assert "不止一张人脸" in refused.value.message


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "照片为空"),
        (b"not an image at all", "照片无法识别"),
        (testing.astronaut_jpeg()[:400], "照片无法识别"),  # truncated
        (testing.jpeg(np.zeros((16, 16, 3), np.uint8)), "照片太小"),
    ],
    ids=["empty", "text", "truncated", "tiny"],
)
def test_what_is_not_a_usable_image_is_refused(
    dlib: LocalFaceProvider, data: bytes, words: str
) -> None:
    with pytest.raises(BadImage) as refused:
        dlib.encode(data)
    assert words in refused.value.message


def test_an_image_over_the_size_limit_is_refused_before_it_is_read(dlib: LocalFaceProvider) -> None:
    with override_settings(FACES_MAX_IMAGE_BYTES=1000), pytest.raises(BadImage) as refused:
        dlib.encode(testing.astronaut_jpeg())
    assert "照片过大" in refused.value.message


def test_a_huge_image_is_refused_before_it_is_decoded(dlib: LocalFaceProvider) -> None:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (8000, 6000)).save(buffer, format="PNG")  # 48 megapixels, a few KB
    with pytest.raises(BadImage) as refused:
        dlib.encode(buffer.getvalue())
    assert "尺寸过大" in refused.value.message


def test_a_large_photo_is_scaled_down_and_still_matches(
    dlib: LocalFaceProvider, enrolled: FaceEncoding
) -> None:
    big = testing.astronaut_jpeg(scale=4.0)  # 1280 × 1280, scaled to FACES_MAX_SIDE
    assert dlib.compare(enrolled, dlib.encode(big)).matched


def test_django_starts_without_loading_dlib() -> None:
    code = (
        "import django, sys; django.setup();"
        "import jineng.faces.services, jineng.faces.providers;"
        "from jineng.faces.providers import face_provider; face_provider();"
        "print('face_recognition' in sys.modules, 'dlib' in sys.modules, end=' ');"
        "from jineng.faces.providers import face_provider_preload; face_provider_preload();"
        "print('face_recognition' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.django.test"},
    )
    assert out.stdout.split() == ["False", "False", "True"]  # loaded when asked for


def test_the_setting_selects_the_provider() -> None:
    with override_settings(FACES_PROVIDER="jineng.faces.testing.FakeFaceProvider"):
        assert isinstance(face_provider(), FakeFaceProvider)
    with override_settings(FACES_PROVIDER="jineng.faces.providers.LocalFaceProvider"):
        assert isinstance(face_provider(), LocalFaceProvider)
    assert isinstance(LocalFaceProvider(), FaceProvider)
    assert isinstance(FakeFaceProvider(), FaceProvider)


# --- the fake provider ---------------------------------------------------------------------------


def test_the_fake_provider_decides_by_the_marker() -> None:
    fake = FakeFaceProvider()
    a = fake.encode(testing.fake_face_image("甲"))
    assert fake.compare(a, fake.encode(testing.fake_face_image("甲"))).distance == 0.0
    assert fake.compare(a, fake.encode(testing.fake_face_image("甲", offset=0.5))).matched
    near_miss = fake.compare(a, fake.encode(testing.fake_face_image("甲", offset=0.61)))
    assert not near_miss.matched
    assert near_miss.distance == pytest.approx(0.61)
    assert not fake.compare(a, fake.encode(testing.fake_face_image("乙"))).matched
    with pytest.raises(NoFaceFound):
        fake.encode(testing.NO_FACE_IMAGE)
    with pytest.raises(ManyFaces):
        fake.encode(testing.MANY_FACES_IMAGE)
    with pytest.raises(BadImage):
        fake.encode(b"\xff\xd8 something else")


def test_encodings_of_different_models_are_not_compared() -> None:
    with pytest.raises(ValueError, match="different models"):
        compare_vectors(FaceEncoding("a", (0.0,)), FaceEncoding("b", (0.0,)))


floats = st.floats(min_value=-10, max_value=10, allow_nan=False)


@given(st.lists(floats, min_size=1, max_size=128))
def test_an_encoding_survives_its_stored_form(vector: list[float]) -> None:
    encoding = FaceEncoding("m", tuple(vector))
    assert FaceEncoding.from_bytes("m", encoding.to_bytes()) == encoding


@hypothesis_settings(deadline=None)  # override_settings is slow on its first use
@given(st.lists(st.tuples(floats, floats), min_size=1, max_size=16), st.floats(0.01, 2.0))
def test_matched_means_within_the_threshold(pairs: list[tuple[float, float]], limit: float) -> None:
    a = FaceEncoding("m", tuple(x for x, _ in pairs))
    b = FaceEncoding("m", tuple(y for _, y in pairs))
    with override_settings(FACES_DISTANCE_THRESHOLD=limit):
        match = compare_vectors(a, b)
    assert match.matched == (match.distance <= limit)
    assert match.distance == pytest.approx(float(np.linalg.norm(np.subtract(a.vector, b.vector))))


def test_a_small_face_in_a_wide_frame_is_found_by_the_slower_search(
    dlib: LocalFaceProvider, enrolled: FaceEncoding
) -> None:
    # The portrait (face ≈ 90 px) in the corner of an 800 × 800 frame: too small for the fast
    # search at FACES_DETECT_SIDE (≈ 54 px there), found by the upsampled one.
    frame = np.zeros((800, 800, 3), np.uint8)
    frame[:320, :320] = testing.astronaut_rgb()
    assert dlib.compare(enrolled, dlib.encode(testing.jpeg(frame))).matched
