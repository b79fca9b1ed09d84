import io

import pytest
from django.core.management import call_command

from jineng.reference.loading import ensure_reference_loaded, expected_counts, load_reference
from jineng.reference.models import Occupation, Region, ShortageOccupation

pytestmark = pytest.mark.django_db


def test_test_database_already_holds_reference_data() -> None:
    assert ensure_reference_loaded() is False
    assert Region.objects.count() == expected_counts().regions


def test_load_is_idempotent() -> None:
    first = load_reference()
    second = load_reference()
    assert first == second
    assert second.regions == 3214 + 41352  # GB/T 2260 + 乡镇/街道
    assert second.occupations == 1631
    assert second.occupation_categories == 416
    assert second.shortage_entries == expected_counts().shortage_entries == 147


def test_reload_restores_names_but_keeps_an_officers_shortage_edits() -> None:
    Occupation.objects.filter(code="6-18-01-01").update(name="改错的名字")
    ShortageOccupation.objects.filter(
        region_id="441900", year=2024, occupation_id="6-18-01-01"
    ).update(min_level="3", note="本地调整")
    load_reference()
    assert Occupation.objects.get(code="6-18-01-01").name == "车工"
    entry = ShortageOccupation.objects.get(
        region_id="441900", year=2024, occupation_id="6-18-01-01"
    )
    assert (entry.min_level, entry.note) == ("3", "本地调整")


def test_ensure_loads_into_an_empty_database() -> None:
    ShortageOccupation.objects.all().delete()
    Occupation.objects.all().delete()
    assert ensure_reference_loaded() is True
    assert Occupation.objects.count() == 1631


def test_command_prints_counts() -> None:
    out = io.StringIO()
    call_command("load_reference", stdout=out)
    assert "行政区划 44566" in out.getvalue()
    assert "职业 1631" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_transactional_test_sees_reference_data() -> None:
    # Runs with real commits; the conftest hook reloads the data after the flush at its end.
    assert Region.objects.filter(code="441900").exists()
