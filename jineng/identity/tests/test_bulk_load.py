import datetime as dt

import pytest
from django.utils import timezone

from jineng.core.bulkload import allocate_ids
from jineng.dossier.bulk_load import facts_loader
from jineng.identity.crypto import blind_index, encrypt
from jineng.identity.models import IdType, Person
from jineng.identity.services.bulk_load import people_loader
from jineng.organisations.bulk import organisations_loader

ID = "11010519491231002X"


def test_an_encrypted_number_without_its_blind_index_is_refused() -> None:
    with pytest.raises(ValueError, match="id_number_index"):
        people_loader(("name", "id_type", "id_number", "birth_date", "sex"))
    with pytest.raises(ValueError, match="phone_index"):
        people_loader(("name", "phone"))


def test_bank_accounts_and_corrections_and_unchecked_usccs_are_not_loadable() -> None:
    with pytest.raises(ValueError, match="银行账号"):
        people_loader(("name", "bank_account"))
    with pytest.raises(ValueError, match="fact_correct"):
        facts_loader(("person", "kind", "supersedes"))
    with pytest.raises(ValueError, match="校验状态"):
        organisations_loader(("name", "uscc"))


@pytest.mark.django_db
def test_loaded_people_read_back_through_the_model_and_are_found_by_their_number() -> None:
    # given one person row built elsewhere, encrypted, with its blind index
    (pk,) = allocate_ids(Person, 1)
    now = timezone.now()
    columns = (
        "id", "name", "id_type", "id_number", "id_number_index", "birth_date", "sex",
        "created_at", "updated_at",
    )  # fmt: skip
    row = (pk, "张三", IdType.RESIDENT.value, encrypt(ID), blind_index(ID), dt.date(1949, 12, 31),
           "F", now, now)  # fmt: skip
    # when it is loaded
    assert people_loader(columns).write([row]) == 1
    # then the model decrypts it and the exact search by number finds it
    person = Person.objects.get(id_number_index=blind_index(ID))
    assert (person.pk, person.name, person.id_number) == (pk, "张三", ID)
