import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from jineng.demo import integrity
from jineng.dossier.models import Fact
from jineng.identity.testing import make_person

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_a_dangling_reference_written_without_row_triggers_is_caught() -> None:
    if not integrity.can_skip_row_triggers():
        pytest.skip("needs a superuser connection")
    person = make_person()
    before = Fact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    dangling = "dossier_fact.person_id: 1 rows reference nothing"
    with pytest.raises(IntegrityError, match=dangling), transaction.atomic():
        integrity.row_triggers(enabled=False)
        with connection.cursor() as cursor:
            for subject in (person.pk, 2_000_000_000):
                cursor.execute(
                    "INSERT INTO dossier_fact (subject_type, person_id, kind, code, level, "
                    "date, region, issuer_name, attrs, source, source_ref, "
                    "correction_reason, recorded_at) VALUES ('person', %s, 'title', "
                    "'city_technical_expert', '', %s, '441900', '', '{}', 'seed', '', '', now())",
                    [subject, dt.date(2020, 1, 1)],
                )
        integrity.row_triggers(enabled=True)
        integrity.verify_foreign_keys(Fact, "t.id > %s", [before])
    assert not Fact.objects.filter(pk__gt=before).exists()


def test_the_check_passes_for_sound_rows() -> None:
    person = make_person()
    before = Fact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    Fact.objects.create(
        subject_type="person", person=person, kind="title", code="city_technical_expert",
        date=dt.date(2020, 1, 1), source="seed",
    )  # fmt: skip
    integrity.verify_foreign_keys(Fact, "t.id > %s", [before])
