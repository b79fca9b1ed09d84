"""An officer reaches a learner's ledger from the console's person page (so the site crawl reaches
it too); an officer elsewhere gets neither page."""

from __future__ import annotations

import pytest
from django.test import Client

from jineng.identity.models import Role, User
from jineng.identity.testing import make_user, otp_login
from jineng.learning.tests.conftest import person_of

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    otp_login(client, user)
    return client


def test_the_person_page_links_to_the_learning_ledger(worker: User) -> None:
    person = person_of(worker)
    officer = _client(make_user(Role.BUREAU_REVIEWER, region="441900"))
    page = officer.get(f"/console/people/{person.pk}/").content.decode()
    link = f'href="/learning/people/{person.pk}/records/"'
    assert link in page and "在线学习记录" in page
    assert officer.get(f"/learning/people/{person.pk}/records/").status_code == 200
    elsewhere = _client(make_user(Role.BUREAU_REVIEWER, region="330500"))
    assert elsewhere.get(f"/console/people/{person.pk}/").status_code == 404
    assert elsewhere.get(f"/learning/people/{person.pk}/records/").status_code == 404
