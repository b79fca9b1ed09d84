from typing import Any

import pytest
from django.db import connection

from jineng.identity.crypto import blind_index
from jineng.identity.models import IdType, Person
from jineng.identity.services import people_find_by_number, person_find_by_document
from jineng.identity.testing import make_person

pytestmark = pytest.mark.django_db

NUMBER = "441900198503010015"


@pytest.fixture
def person() -> Person:
    return make_person(id_number=NUMBER, phone="13812345678", bank_account="6222021234567890123")


def test_raw_sql_shows_ciphertext_not_the_values(person: Person) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, bank_account, id_number_index FROM identity_person"
            " WHERE id = %s",
            [person.pk],
        )
        id_number, phone, bank_account, index = cursor.fetchone()
    row = " ".join([id_number, phone, bank_account, index])
    for plaintext in (NUMBER, "13812345678", "6222021234567890123", "98503010"):
        assert plaintext not in row
    assert id_number.startswith("gAAAAA")  # a Fernet token
    assert index == blind_index(NUMBER)


def test_two_encryptions_of_the_same_number_differ() -> None:
    person = make_person(id_type=IdType.PASSPORT, id_number="12345678")
    other = make_person(id_type=IdType.TAIWAN, id_number="12345678")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, id_number_index FROM identity_person WHERE id IN (%s, %s)",
            [person.pk, other.pk],
        )
        (c1, i1), (c2, i2) = cursor.fetchall()
    assert c1 != c2  # random IV: ciphertext does not reveal equal numbers
    assert i1 == i2  # the blind index does, which is what lookup needs


def test_lookup_by_blind_index_finds_the_person(person: Person) -> None:
    assert person_find_by_document(id_number=NUMBER) == person
    assert person_find_by_document(id_number=" 4419 0019 8503 0100 15 ") == person


def test_lookup_respects_the_document_type(person: Person) -> None:
    assert person_find_by_document(id_number=NUMBER, id_type=IdType.PASSPORT) is None


def test_lookup_of_an_unknown_or_empty_number_finds_nobody(person: Person) -> None:
    assert person_find_by_document(id_number="11010519491231002X") is None
    assert person_find_by_document(id_number="") is None


def test_search_by_number_across_document_types() -> None:
    person = make_person(id_type=IdType.PASSPORT, id_number="12345678")
    other = make_person(id_type=IdType.TAIWAN, id_number="12345678")
    assert people_find_by_number(id_number="12345678") == [person, other]


def test_lookup_uses_one_query(person: Person, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        person_find_by_document(id_number=NUMBER)
