"""Any page number a URL can carry gives a page of the list, never an error: page 1 for anything
that is not a plain number, the last page for anything past it (64 bits and beyond)."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from jineng.identity.models import Role
from jineng.web.pagination import MAX_PAGE, page_number, paginate
from jineng.web.tests.world import World, login


@given(st.one_of(st.none(), st.text(), st.integers().map(str)))
def test_any_page_text_gives_a_bounded_number(raw: str | None) -> None:
    number = page_number(raw)
    assert 1 <= number <= MAX_PAGE


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, 1),
        ("", 1),
        ("3", 3),
        (" 3 ", 3),
        ("0", 1),
        ("-5", 1),
        ("1e400", 1),
        ("٣", 1),
        ("3.0", 1),
        ("18446744073709551617", MAX_PAGE),
        ("9" * 5000, MAX_PAGE),
    ],
)
def test_page_numbers(raw: str | None, expected: int) -> None:
    assert page_number(raw) == expected


@given(st.one_of(st.text(max_size=30), st.integers(min_value=-(2**70), max_value=2**70).map(str)))
def test_paginate_always_gives_an_existing_page(raw: str) -> None:
    request = RequestFactory().get("/", {"page": raw})
    page = paginate(request, list(range(120)), per_page=50)
    assert 1 <= page.number <= 3
    if raw.strip().isascii() and raw.strip().isdigit() and int(raw) > 3:
        assert page.number == 3 and list(page.object_list) == list(range(100, 120))


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["18446744073709551617", "abc", "-1", "0" * 40 + "2"])
def test_a_console_search_with_any_page_number_shows_a_page(world: World, page: str) -> None:
    client = login(Client(), world.a.users[Role.BUREAU_REVIEWER])
    resp = client.get("/console/", {"q": world.a.name_part, "page": page})
    assert resp.status_code == 200
    assert world.a.person.name in resp.content.decode()
