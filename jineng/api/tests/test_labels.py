"""Every code the API returns comes with its Chinese label (`sex: "M"` → `sex_label: "男"`), the
facts document is typed (no loose objects), and schema titles are Chinese."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from jineng.api.services import api_token_issue
from jineng.identity.models import Role, User
from jineng.web.tests.world import World

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


def api_client(user: User) -> Client:
    _, raw = api_token_issue(user=user)
    return Client(headers={"authorization": f"Bearer {raw}"})


def test_a_person_comes_with_labels(world: World) -> None:
    client = api_client(world.a.users[Role.BUREAU_REVIEWER])
    body = client.get(f"/api/v1/people/{world.a.person.pk}").json()
    assert (body["sex"], body["sex_label"]) == ("M", "男")
    assert (body["education"], body["education_label"]) == ("senior", "高中/中专/技校")
    assert (body["id_type"], body["id_type_label"]) == ("resident", "居民身份证")
    assert (body["residence_region"], body["residence_region_name"]) == ("441900", "广东省东莞市")
    assert body["hukou_region_name"] == "广东省东莞市"
    (fact,) = body["facts"]
    assert fact["kind_label"] == "职业技能等级证书"
    assert fact["code"] == "6-18-01-01" and fact["code_label"] == "车工"
    assert (fact["level"], fact["level_label"]) == ("3", "高级工（三级）")
    assert fact["status_label"] == "有效"
    listed = client.get("/api/v1/people", {"q": world.a.name_part}).json()["items"][0]
    assert (listed["sex_label"], listed["residence_region_name"]) == ("男", "广东省东莞市")


def test_the_facts_document_is_typed_and_labelled(world: World) -> None:
    client = api_client(world.a.users[Role.BUREAU_REVIEWER])
    body = client.get(f"/api/v1/people/{world.a.person.pk}/facts").json()
    subject = body["subject"]
    assert (subject["kind"], subject["kind_label"]) == ("person", "个人")
    assert subject["sex_label"] == "男"
    assert subject["region_name"] == "广东省东莞市"
    attrs = subject["attrs"]
    assert attrs["insured"] is True and attrs["education_label"] == "高中/中专/技校"
    assert "hukou_region" not in attrs  # beside the masked number it would give digits away
    (fact,) = body["facts"]
    assert (fact["kind_label"], fact["code_label"], fact["level_label"]) == (
        "职业技能等级证书",
        "车工",
        "高级工（三级）",
    )


def test_an_organisation_comes_with_labels(world: World) -> None:
    client = api_client(world.a.users[Role.BUREAU_REVIEWER])
    body = client.get(f"/api/v1/organisations/{world.a.org.pk}").json()
    assert (body["kind"], body["kind_label"]) == ("enterprise", "企业")
    assert body["region_name"] == "广东省东莞市"
    assert body["uscc_status_label"] in {"校验通过", "待人工核验", "未提供"}
    listed = client.get("/api/v1/organisations").json()["items"][0]
    assert listed["kind_label"] == "企业"


def test_region_children_come_with_level_labels(world: World) -> None:
    client = api_client(world.b.users[Role.BUREAU_REVIEWER])
    children = client.get("/api/v1/regions/330500/children").json()
    assert children and all(c["level_label"] for c in children)


@pytest.fixture
def schema(db: None) -> dict[str, Any]:
    body: dict[str, Any] = Client().get("/api/v1/openapi.json").json()
    return body


OURS = [
    "ErrorOut",
    "TokenOut",
    "MeOut",
    "PersonOut",
    "PersonDetailOut",
    "EmploymentOut",
    "FactOut",
    "RevealIn",
    "RevealOut",
    "OrganisationOut",
    "OrganisationDetailOut",
    "RegionChildOut",
    "FactsDocumentOut",
    "SubjectJSONOut",
    "FactJSONOut",
    "FactAttrsOut",
    "PersonAttrsOut",
    "OrganisationAttrsOut",
]


def test_schemas_and_their_fields_have_chinese_titles(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    for name in OURS:
        component = components[name]
        assert CJK.search(component["title"]), name
        for field, prop in component["properties"].items():
            assert CJK.search(prop.get("title", "")), f"{name}.{field}"


def test_labels_are_documented_beside_their_codes(schema: dict[str, Any]) -> None:
    person = schema["components"]["schemas"]["PersonDetailOut"]
    for label in ("sex_label", "id_type_label", "education_label", "residence_region_name"):
        assert label in person["properties"] and label in person["required"], label


def test_the_facts_document_has_no_loose_objects(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    subject_attrs = components["SubjectJSONOut"]["properties"]["attrs"]
    refs = {s["$ref"].rsplit("/", 1)[1] for s in subject_attrs["oneOf"]}
    assert refs == {"PersonAttrsOut", "OrganisationAttrsOut"}
    fact_attrs = components["FactAttrsOut"]
    assert {"shortage", "role", "months", "prize_fen"} <= set(fact_attrs["properties"])
    kinds = components["FactJSONOut"]["properties"]["kind"]
    assert "$ref" in kinds or "enum" in kinds
