"""POST /api/v1/policy/explain: a dossier subject (scoped by the caller) or a whole facts document,
answered item by item with integer fen, schedules and the quoted clause.

Expected amounts are read from the policy files themselves (yuan × 100), not from the engine."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
import yaml
from django.test import Client

from jineng.api.services import api_token_issue
from jineng.dossier.services import fact_append
from jineng.identity.models import Person, Role, User
from jineng.identity.services import employment_record
from jineng.identity.testing import make_organisation, make_person, make_user
from jineng.organisations.models import Organisation
from jineng.policy.engine.loader import DATA_DIR

pytestmark = pytest.mark.django_db

ON = dt.date(2023, 6, 30)
HZ_MEDAL = "hz.worldskills.medal"
DG_CITY_MEDAL = "dg.competition.city_class1_medal"


@cache
def policy_item(file: str, item_id: str) -> dict[str, Any]:
    """The item as written in its YAML file."""
    data = yaml.safe_load((DATA_DIR / file).read_text(encoding="utf-8"))
    for item in data["items"]:
        if item["id"] == item_id:
            return dict(item)
    raise KeyError(item_id)


def table_fen(file: str, item_id: str, level: str) -> int:
    """A by-category amount from the file, in fen (the file writes yuan)."""
    return int(policy_item(file, item_id)["amount"]["table"][level]) * 100


@dataclass
class PolicyWorld:
    """Huzhou (bureau region 330500, people in 吴兴区 330502) and Dongguan (441900)."""

    hz_officer: User
    hz_auditor: User
    hz_finance: User
    dg_officer: User
    gold: Person  # WorldSkills gold, player, 2022-10-15
    silver: Person  # WorldSkills silver, player, 2023-03-01
    bronze_cs: Person  # China Skills bronze, player, 2023-04-20
    dg_person: Person  # Dongguan city class-1 gold, player, 2023-05-01
    gold_worker: User  # the gold medallist's own account
    hz_org: Organisation
    dg_org: Organisation


def medal(person: Person, code: str, level: str, on: dt.date, region: str) -> None:
    fact_append(
        actor=None,
        subject=person,
        kind="competition_result",
        code=code,
        level=level,
        date=on,
        region=region,
        attrs={"role": "player"},
        source="test",
    )


def build_policy_world() -> PolicyWorld:
    gold = make_person(name="沈一鸣", residence_region="330502", hukou_region="330502")
    silver = make_person(name="钱二妹", residence_region="330502")
    bronze_cs = make_person(name="吴三立", residence_region="330502")
    dg_person = make_person(name="邓东城", residence_region="441900")
    medal(gold, "worldskills", "gold", dt.date(2022, 10, 15), "330502")
    medal(silver, "worldskills", "silver", dt.date(2023, 3, 1), "330502")
    medal(bronze_cs, "chinaskills", "bronze", dt.date(2023, 4, 20), "330502")
    medal(dg_person, "city_class1", "gold", dt.date(2023, 5, 1), "441900")
    return PolicyWorld(
        hz_officer=make_user(Role.BUREAU_REVIEWER, region="330500"),
        hz_auditor=make_user(Role.AUDITOR, region="330500"),
        hz_finance=make_user(Role.BUREAU_FINANCE, region="330500"),
        dg_officer=make_user(Role.BUREAU_REVIEWER, region="441900"),
        gold=gold,
        silver=silver,
        bronze_cs=bronze_cs,
        dg_person=dg_person,
        gold_worker=make_user(Role.WORKER, person=gold),
        hz_org=make_organisation(kind="enterprise", name="湖州织造有限公司", region="330502"),
        dg_org=make_organisation(kind="enterprise", name="东莞模具有限公司", region="441900"),
    )


@pytest.fixture
def pw(db: None) -> PolicyWorld:
    return build_policy_world()


def api_client(user: User) -> Client:
    _, raw = api_token_issue(user=user)
    return Client(headers={"authorization": f"Bearer {raw}"})


def explain(user: User, body: dict[str, Any]) -> Any:
    return api_client(user).post("/api/v1/policy/explain", body, content_type="application/json")


def person_body(person: Person, **extra: Any) -> dict[str, Any]:
    return {"subject": {"type": "person", "id": person.pk}, "on": ON.isoformat(), **extra}


def item_of(body: dict[str, Any], item_id: str) -> dict[str, Any]:
    found = [i for i in body["items"] if i["id"] == item_id]
    assert len(found) == 1, f"{item_id} not listed"
    return dict(found[0])


def test_explain_a_huzhou_gold_medallist_in_fen_with_the_quoted_clause(pw: PolicyWorld) -> None:
    resp = explain(pw.hz_officer, person_body(pw.gold))
    assert resp.status_code == 200, resp.content
    body = resp.json()
    fen = table_fen("hz.yaml", HZ_MEDAL, "gold")
    assert fen == 100_000_000  # 100万元
    medal_item = item_of(body, HZ_MEDAL)
    assert medal_item["status"] == "paid"
    assert medal_item["amount_fen"] == fen
    assert isinstance(medal_item["amount_fen"], int)
    assert medal_item["amount"] == "¥1,000,000.00"
    assert medal_item["schedule"] == [
        {"date": "2022-10-15", "amount_fen": fen, "amount": "¥1,000,000.00"}
    ]
    written = policy_item("hz.yaml", HZ_MEDAL)["citation"]
    assert medal_item["citation"] == {
        "file": written["file"],
        "section": written["section"],
        "article": written["article"],
        "quote": written["quote"],
        "source": "《关于新时代湖州工匠培育工程的实施意见》",  # the title, not the file name
    }
    assert "100万元" in medal_item["citation"]["quote"]
    assert medal_item["branch"]  # the medal branch taken is named
    assert body["subject_id"] == f"P{pw.gold.pk}"
    assert body["on"] == ON.isoformat()
    assert body["total_fen"] == fen  # nothing else pays for this record
    # every item of the applicable documents is listed, the unpaid ones with a reason
    china = item_of(body, "hz.chinaskills.medal")
    assert china["status"] == "condition_failed"
    assert china["amount_fen"] == 0 and china["reason"]
    applicable = {d["id"] for d in body["documents"] if d["applicable"]}
    assert "hz-2021-craftsman-programme" in applicable
    assert "dg-2022-skills-capital" not in applicable


def test_the_answer_is_exactly_what_the_response_schema_would_give(pw: PolicyWorld) -> None:
    """The view answers its typed rows as JSON itself (no second validation by ninja): the answer
    must be ExplainOut's, field for field, as ninja would have serialised it."""
    from jineng.api.policy.schemas import ExplainOut

    resp = explain(pw.hz_officer, person_body(pw.gold))
    assert resp.status_code == 200, resp.content
    assert resp["Content-Type"].startswith("application/json")
    body = resp.json()
    assert ExplainOut.model_validate(body).model_dump(mode="json") == body


def test_explain_a_dongguan_city_class1_gold(pw: PolicyWorld) -> None:
    body = explain(pw.dg_officer, person_body(pw.dg_person)).json()
    fen = table_fen("dg.yaml", DG_CITY_MEDAL, "gold")
    assert fen == 500_000  # 0.5万元
    item = item_of(body, DG_CITY_MEDAL)
    assert (item["status"], item["amount_fen"], item["amount"]) == ("paid", fen, "¥5,000.00")
    assert item["citation"]["quote"] == policy_item("dg.yaml", DG_CITY_MEDAL)["citation"]["quote"]
    assert body["total_fen"] == fen


def test_out_of_scope_subject_is_404_and_carries_no_data(pw: PolicyWorld) -> None:
    resp = explain(pw.dg_officer, person_body(pw.gold))
    assert resp.status_code == 404
    assert set(resp.json()) == {"detail"}
    assert pw.gold.name.encode() not in resp.content
    assert b"worldskills" not in resp.content
    # an organisation outside the region, and an id that does not exist, answer the same
    org = explain(pw.dg_officer, {"subject": {"type": "organisation", "id": pw.hz_org.pk}})
    assert org.status_code == 404
    missing = explain(pw.dg_officer, {"subject": {"type": "person", "id": 999_999}})
    assert missing.status_code == 404 and missing.json() == resp.json()


def test_a_worker_explains_themself_only(pw: PolicyWorld) -> None:
    own = explain(pw.gold_worker, person_body(pw.gold))
    assert own.status_code == 200
    assert item_of(own.json(), HZ_MEDAL)["amount_fen"] == table_fen("hz.yaml", HZ_MEDAL, "gold")
    other = explain(pw.gold_worker, person_body(pw.silver))
    assert other.status_code == 404
    assert pw.silver.name.encode() not in other.content
    org = explain(pw.gold_worker, {"subject": {"type": "organisation", "id": pw.hz_org.pk}})
    assert org.status_code == 404
    document = {"subject": {"id": "X1", "kind": "person", "region": "330502"}, "facts": []}
    assert explain(pw.gold_worker, document).status_code == 403


def test_organisation_staff_may_explain_nobody(pw: PolicyWorld) -> None:
    hr = make_user(Role.ORG_HR, organisation=pw.hz_org)
    assert explain(hr, person_body(pw.gold)).status_code == 403
    org = explain(hr, {"subject": {"type": "organisation", "id": pw.hz_org.pk}})
    assert org.status_code == 403


def test_the_auditor_explains_in_their_region(pw: PolicyWorld) -> None:
    resp = explain(pw.hz_auditor, person_body(pw.silver))
    assert resp.status_code == 200
    item = item_of(resp.json(), HZ_MEDAL)
    assert item["amount_fen"] == table_fen("hz.yaml", HZ_MEDAL, "silver")


def test_an_organisation_in_scope_is_explained(pw: PolicyWorld) -> None:
    resp = explain(pw.hz_officer, {"subject": {"type": "organisation", "id": pw.hz_org.pk}})
    assert resp.status_code == 200
    body = resp.json()
    assert body["subject_id"] == f"O{pw.hz_org.pk}"
    assert body["total_fen"] == 0
    assert body["items"] and all(i["status"] != "paid" for i in body["items"])


def test_a_whole_facts_document_is_explained_without_the_dossier(pw: PolicyWorld) -> None:
    document = {
        "subject": {"id": "X1", "kind": "person", "region": "330502", "attrs": {}},
        "facts": [
            {
                "id": "F1",
                "kind": "competition_result",
                "code": "worldskills",
                "level": "bronze",
                "date": "2023-01-10",
                "attrs": {"role": "player"},
            }
        ],
        "on": ON.isoformat(),
    }
    resp = explain(pw.hz_officer, document)
    assert resp.status_code == 200, resp.content
    item = item_of(resp.json(), HZ_MEDAL)
    assert item["amount_fen"] == table_fen("hz.yaml", HZ_MEDAL, "bronze")
    assert item["entitlements"][0]["fact_id"] == "F1"
    bad = explain(pw.hz_officer, {**document, "facts": [{"id": "F1", "kind": "nonsense"}]})
    assert bad.status_code == 400
    assert bad.json()["field"] == "facts"


def test_policy_filter_and_what_if_overrides(pw: PolicyWorld) -> None:
    only = explain(pw.hz_officer, person_body(pw.gold, policy="hz")).json()
    assert {i["document"] for i in only["items"]} == {"hz-2021-craftsman-programme"}
    assert [d["id"] for d in only["documents"]] == ["hz-2021-craftsman-programme"]
    raised = explain(
        pw.hz_officer,
        person_body(pw.gold, overrides=[f"{HZ_MEDAL}.table.gold=1500000@2022-01-01"]),
    ).json()
    assert item_of(raised, HZ_MEDAL)["amount_fen"] == 150_000_000
    # dated after the medal: the medal is still judged under the version of its own date
    later = explain(
        pw.hz_officer,
        person_body(pw.gold, overrides=[f"{HZ_MEDAL}.table.gold=1500000@2023-01-01"]),
    ).json()
    assert item_of(later, HZ_MEDAL)["amount_fen"] == table_fen("hz.yaml", HZ_MEDAL, "gold")


def test_the_xx_city_document_applies_where_its_city_parameter_says(pw: PolicyWorld) -> None:
    def xx(body: dict[str, Any]) -> dict[str, Any]:
        found = [d for d in body["documents"] if d["id"].startswith("xx-")]
        assert len(found) == 1
        return dict(found[0])

    unset = explain(pw.dg_officer, person_body(pw.dg_person)).json()
    assert xx(unset)["applicable"] is False and "city" not in xx(unset)["reason"]
    assert xx(unset)["reason"] == "本文件的适用城市由采用城市确定，尚未设定，暂不适用"
    dongguan = explain(pw.dg_officer, person_body(pw.dg_person, params={"city": "4419"})).json()
    assert xx(dongguan)["applicable"] is True
    assert any(i["id"].startswith("xx.") for i in dongguan["items"])


def test_bad_input_is_400_with_the_field(pw: PolicyWorld) -> None:
    unknown = explain(pw.hz_officer, person_body(pw.gold, policy="zz-unknown"))
    assert (unknown.status_code, unknown.json()["field"]) == (400, "policy")
    override = explain(pw.hz_officer, person_body(pw.gold, overrides=["no.such.item=1"]))
    assert (override.status_code, override.json()["field"]) == (422, "overrides")
    ref_with_facts = explain(
        pw.hz_officer, {"subject": {"type": "person", "id": pw.gold.pk}, "facts": []}
    )
    assert ref_with_facts.status_code == 400


def test_no_token_is_401() -> None:
    resp = Client().post(
        "/api/v1/policy/explain",
        {"subject": {"type": "person", "id": 1}},
        content_type="application/json",
    )
    assert resp.status_code == 401


@pytest.mark.parametrize("who", ["hz_officer", "gold_worker"])
def test_explaining_a_dossier_person_takes_four_queries(
    pw: PolicyWorld, who: str, django_assert_num_queries: Any
) -> None:
    """Token → account, the account's scope (read once for the role check and the scoped read),
    the person within that scope, their employments and facts together. No timing here: the
    query count is what a regression would change."""
    employment_record(actor=None, person=pw.gold, employer=pw.hz_org, start=dt.date(2020, 1, 1))
    client = api_client(getattr(pw, who))
    first = client.post("/api/v1/policy/explain", person_body(pw.gold), "application/json")
    assert first.status_code == 200  # the first use also stamps the token's last use
    with django_assert_num_queries(4):
        resp = client.post("/api/v1/policy/explain", person_body(pw.gold), "application/json")
    assert resp.status_code == 200
    assert resp.json() == first.json()


def test_explaining_an_organisation_takes_four_queries(
    pw: PolicyWorld, django_assert_num_queries: Any
) -> None:
    client = api_client(pw.hz_officer)
    body = {"subject": {"type": "organisation", "id": pw.hz_org.pk}}
    assert client.post("/api/v1/policy/explain", body, "application/json").status_code == 200
    with django_assert_num_queries(4):
        resp = client.post("/api/v1/policy/explain", body, "application/json")
    assert resp.status_code == 200


def test_out_of_scope_is_404_after_three_queries(
    pw: PolicyWorld, django_assert_num_queries: Any
) -> None:
    client = api_client(pw.dg_officer)
    first = client.post("/api/v1/policy/explain", person_body(pw.gold), "application/json")
    assert first.status_code == 404
    with django_assert_num_queries(3):
        resp = client.post("/api/v1/policy/explain", person_body(pw.gold), "application/json")
    assert resp.status_code == 404
