"""The bank account's blind index is kept in step wherever the account is set: the model's save
(person_create / person_update, the admin, the people import), the bulk create, and the backfill
migration for rows written before the index existed. Bulk loaders cannot write either."""

import importlib

import pytest
from django.apps import apps as django_apps

from jineng.identity.crypto import blind_index
from jineng.identity.models import Person
from jineng.identity.services import NewPerson, people_bulk_create, person_create, person_update
from jineng.identity.services.bulk_load import people_loader
from jineng.identity.testing import resident_id

pytestmark = pytest.mark.django_db

ACCOUNT = "6222020200001234567"
OTHER = "6217000000009876543"


def _stored_index(person: Person) -> str:
    return Person.objects.filter(pk=person.pk).values_list("bank_account_index", flat=True).get()


def test_create_and_update_keep_the_index_in_step_with_the_account() -> None:
    person = person_create(
        actor=None,
        name="张伟",
        id_number=resident_id(serial=1),
        bank_account="6222 0202 0000 1234 567",
    )
    assert _stored_index(person) == blind_index(ACCOUNT)
    person_update(actor=None, person=person, bank_account=OTHER)
    assert _stored_index(person) == blind_index(OTHER)
    person_update(actor=None, person=person, bank_account="")
    assert _stored_index(person) == ""


def test_bulk_create_writes_the_index() -> None:
    with_account, without = people_bulk_create(
        actor=None,
        rows=[
            NewPerson(name="张伟", id_number=resident_id(serial=1), bank_account=ACCOUNT),
            NewPerson(name="李娜", id_number=resident_id(serial=2)),
        ],
    )
    assert _stored_index(with_account) == blind_index(ACCOUNT)
    assert _stored_index(without) == ""


def test_the_index_cannot_be_bulk_loaded_without_the_owner_confirming_the_account() -> None:
    with pytest.raises(ValueError, match="银行账号"):
        people_loader(("name", "bank_account_index"))


def test_the_migration_backfills_rows_written_before_the_index() -> None:
    # given two people whose index is missing (rows from before the migration)
    first = person_create(
        actor=None, name="张伟", id_number=resident_id(serial=1), bank_account=ACCOUNT
    )
    second = person_create(actor=None, name="李娜", id_number=resident_id(serial=2))
    Person.objects.update(bank_account_index="")
    # when the migration's backfill runs
    migration = importlib.import_module("jineng.identity.migrations.0003_person_bank_account_index")
    migration.backfill(django_apps, None)
    # then the account's index is there, and a person without an account has none
    assert _stored_index(first) == blind_index(ACCOUNT)
    assert _stored_index(second) == ""
