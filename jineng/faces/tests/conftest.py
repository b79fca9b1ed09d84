"""Fixtures of the faces tests: the fake provider (instant) by default, the real dlib provider
where a test asks for it (`real_provider`), and the astronaut's JPEGs made once per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings

from jineng.faces import testing
from jineng.identity.models import Person, Role, User
from jineng.identity.testing import make_person, make_user

FAKE = "jineng.faces.testing.FakeFaceProvider"
LOCAL = "jineng.faces.providers.LocalFaceProvider"


@pytest.fixture(autouse=True)
def fake_provider(request: pytest.FixtureRequest) -> Iterator[None]:
    path = LOCAL if "real_provider" in request.fixturenames else FAKE
    with override_settings(FACES_PROVIDER=path):
        yield


@pytest.fixture
def real_provider() -> None:
    """Marks a test as using dlib (see `fake_provider`)."""


@pytest.fixture(scope="session")
def astronaut() -> bytes:
    return testing.astronaut_jpeg()


@pytest.fixture
def person(db: None) -> Person:
    return make_person(residence_region="441900")


@pytest.fixture
def officer(db: None) -> User:
    return make_user(Role.BUREAU_REVIEWER, region="441900")


@pytest.fixture
def other_officer(db: None) -> User:
    return make_user(Role.BUREAU_APPROVER, region="441900")


@pytest.fixture
def outsider(db: None) -> User:
    """A reviewer of another city (深圳)."""
    return make_user(Role.BUREAU_REVIEWER, region="440300")
