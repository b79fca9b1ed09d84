import datetime as dt

import pytest
from django.http import Http404

from jineng.dossier.selectors import person_timeline
from jineng.dossier.services import fact_append, fact_correct
from jineng.identity.testing import make_person, make_user

pytestmark = pytest.mark.django_db


def test_the_timeline_is_in_date_order_and_shows_corrections() -> None:
    # given
    person = make_person(residence_region="441900")
    medal = fact_append(
        actor=None, subject=person, kind="competition_result", code="city_class1",
        level="silver", date=dt.date(2024, 10, 20), attrs={"role": "player"}, source="import",
    )  # fmt: skip
    certificate = fact_append(
        actor=None, subject=person, kind="certificate", code="6-18-01-01", level="4",
        date=dt.date(2019, 6, 1), source="import",
    )  # fmt: skip
    corrected = fact_correct(actor=None, fact=medal, reason="应为金牌", level="gold")
    officer = make_user("bureau_reviewer", region="441900")
    # when
    timeline = person_timeline(user=officer, person=person)
    # then
    assert [(e.fact_id, e.status) for e in timeline] == [
        (certificate.pk, "current"),
        (medal.pk, "corrected"),
        (corrected.pk, "current"),
    ]
    first, old, new = timeline
    assert (first.kind_label, first.code_label, first.level_label) == (
        "职业技能等级证书",
        "车工",
        "中级工（四级）",
    )
    assert (old.corrected_by, old.level_label) == (corrected.pk, "银牌")
    assert (new.supersedes, new.level_label, new.correction_reason) == (
        medal.pk,
        "金牌",
        "应为金牌",
    )
    assert new.code_label == "市级一类职业技能竞赛"


def test_a_person_out_of_scope_is_not_found() -> None:
    person = make_person(residence_region="441900")
    elsewhere = make_user("bureau_reviewer", region="330500")
    with pytest.raises(Http404):
        person_timeline(user=elsewhere, person=person)


def test_a_worker_sees_their_own_timeline() -> None:
    worker = make_user("worker", region="441900")
    assert worker.person is not None
    fact_append(
        actor=None, subject=worker.person, kind="training", code="6-18-01-01", level="5",
        date=dt.date(2024, 3, 1), attrs={"hours": 80}, source="import",
    )  # fmt: skip
    assert [e.kind for e in person_timeline(user=worker, person=worker.person)] == ["training"]


def test_an_employment_shows_the_employers_name_not_its_id() -> None:
    from jineng.organisations.services import organisation_create

    person = make_person(residence_region="441900")
    employer = organisation_create(
        actor=None, kind="enterprise", name="东莞市测试精密有限公司", region="441900"
    )
    fact_append(
        actor=None, subject=person, kind="employment", code=str(employer.pk),
        date=dt.date(2020, 3, 1), attrs={"employer_kind": "enterprise"}, source="import",
    )  # fmt: skip
    officer = make_user("bureau_reviewer", region="441900")
    (entry,) = person_timeline(user=officer, person=person)
    assert (entry.kind_label, entry.code_label) == ("就业", "东莞市测试精密有限公司")
