"""The policy pages speak Chinese and hide the machinery (issue 6, section 3): no item ids, codes,
seed file names or bare region codes on any policy page of any role; 我的待遇 shows what the worker
gets, what is pending and what they nearly qualify for, each with what to do next, and the rest
one link away; the catalogue's status is the status on the date; the what-if form offers items and
parameters from lists and refuses an unknown one in Chinese (422 in the API); a wrong check digit
is said to be one; the reading follows the page's language."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from jineng.dossier.services import fact_append
from jineng.identity.models import Person, Role, User
from jineng.identity.testing import make_person, make_user, otp_login
from jineng.organisations.models import Organisation
from jineng.policy import labels
from jineng.policy.models import SimulationRun
from jineng.policy.selectors import policies
from jineng.policy.tests.test_api_explain import (
    DG_CITY_MEDAL,
    HZ_MEDAL,
    ON,
    PolicyWorld,
    api_client,
    build_policy_world,
    medal,
)
from jineng.reference.models import Region

pytestmark = pytest.mark.django_db

OCCUPATION = "6-18-01-01"  # 车工
NB_UPGRADE = "nb.skill_upgrade"
UPLIFT = "dg.skill_upgrade.shortage_uplift"
LIVING = "dg.skill_leader.living_subsidy"

ITEM_ID = re.compile(r"\b[a-z]{2,}\.[a-z_]+\.[a-z_.]+\b")
SEED_FILE = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")
SIX_DIGITS = re.compile(r"(?<![\d,.])\d{6}(?![\d,.])")
ENGINE_PHRASES = re.compile(r"title:|未设置参数|地区 \d|属于 \d|attrs\.|ITEM\.PARAM|expected ")


@dataclass
class PlainWorld:
    pw: PolicyWorld
    dg_worker_person: Person
    dg_worker: User
    dg_org_admin: User
    dg_auditor: User
    sysadmin: User
    dg_org: Organisation


def build_plain_world() -> PlainWorld:
    pw = build_policy_world()
    person = make_person(
        name="莫小工",
        residence_region="441900",
        hukou_region="441900",
        insured=True,
        insured_since=dt.date(2015, 1, 1),
    )
    medal(person, "city_class1", "gold", dt.date(2023, 5, 1), "441900")
    fact_append(
        actor=None,
        subject=person,
        kind="certificate",
        code=OCCUPATION,
        level="3",
        date=dt.date(2023, 3, 1),
        region="441900",
        source="test",
    )
    fact_append(
        actor=None,
        subject=person,
        kind="appointment",
        code="skill_leader_class1",
        date=dt.date(2023, 4, 1),
        region="441900",
        source="test",
    )
    return PlainWorld(
        pw=pw,
        dg_worker_person=person,
        dg_worker=make_user(Role.WORKER, person=person),
        dg_org_admin=make_user(Role.ORG_ADMIN, organisation=pw.dg_org),
        dg_auditor=make_user(Role.AUDITOR, region="441900"),
        sysadmin=make_user(Role.SYSADMIN),
        dg_org=pw.dg_org,
    )


@pytest.fixture
def w(db: None) -> PlainWorld:
    return build_plain_world()


def client_for(user: User) -> Client:
    client = Client()
    otp_login(client, user)
    return client


def visible_text(body: str) -> str:
    """What a person reads: the text and the placeholders, not the markup's attributes."""
    body = re.sub(r"<(script|style|head)\b.*?</\1>", " ", body, flags=re.S)
    placeholders = " ".join(re.findall(r'placeholder="([^"]*)"', body))
    return htmllib.unescape(re.sub(r"<[^>]+>", "\n", body) + "\n" + placeholders)


def internal_codes(body: str) -> list[str]:
    text = visible_text(body)
    regions = set(Region.objects.values_list("code", flat=True))
    found = ITEM_ID.findall(text) + SEED_FILE.findall(text) + ENGINE_PHRASES.findall(text)
    found += [c for c in SIX_DIGITS.findall(text) if c in regions]
    return found


def policy_pages(w: PlainWorld, run: SimulationRun) -> dict[str, tuple[User, list[str]]]:
    items = [i.id for i in policies().items]
    person, org = w.dg_worker_person.pk, w.dg_org.pk
    officer = w.pw.dg_officer
    explain = [
        "/policy/explain/",
        "/policy/explain/?q=莫",
        "/policy/explain/?org_q=东莞",
        f"/policy/explain/?person={person}&on={ON}",
        f"/policy/explain/?person={person}",
        f"/policy/explain/?organisation={org}&on={ON}",
        "/policy/simulate/",
        f"/policy/simulate/{run.pk}/",
    ]
    catalogue = ["/policy/", "/policy/?on=2023-06-30", "/policy/?on=2021-01-01"]
    return {
        "worker": (
            w.dg_worker,
            [
                *catalogue,
                f"/policy/mine/?on={ON}",
                "/policy/mine/",
                f"/policy/mine/others/?on={ON}",
                *(f"/policy/items/{i}/" for i in items),
            ],
        ),
        "org_admin": (w.dg_org_admin, [*catalogue, *(f"/policy/items/{i}/" for i in items[::7])]),
        "officer": (officer, [*catalogue, *explain, *(f"/policy/items/{i}/" for i in items[::5])]),
        "auditor": (w.dg_auditor, [*catalogue, *explain]),
        "sysadmin": (w.sysadmin, [*catalogue, *explain]),
    }


def simulation_run(officer: User, capture: Callable[..., Any]) -> SimulationRun:
    with capture(execute=True):
        resp = client_for(officer).post(
            "/policy/simulate/",
            {
                "on": ON.isoformat(),
                "population": "city",
                "adj_item": [DG_CITY_MEDAL],
                "adj_parameter": ["table.gold"],
                "adj_value": ["8000"],
                "adj_from": ["2023-01-01"],
            },
        )
    assert resp.status_code == 302, resp.content.decode()
    return SimulationRun.objects.get()


def test_no_policy_page_of_any_role_shows_internal_codes(
    w: PlainWorld, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    run = simulation_run(w.pw.dg_officer, django_capture_on_commit_callbacks)
    problems: dict[str, list[str]] = {}
    for role, (user, urls) in policy_pages(w, run).items():
        client = client_for(user)
        for url in urls:
            resp = client.get(url)
            assert resp.status_code == 200, (role, url, resp.status_code)
            found = internal_codes(resp.content.decode())
            if found:
                problems[f"{role} {url}"] = sorted(set(found))[:8]
    assert problems == {}


def test_the_labels_replace_the_codes_the_engine_speaks_in(w: PlainWorld) -> None:
    body = client_for(w.pw.dg_officer).get(
        f"/policy/explain/?person={w.dg_worker_person.pk}&on={ON}"
    )
    text = visible_text(body.content.decode())
    assert "认定为 “东莞市技术能手”" in text  # not title:dongguan_technical_expert
    assert "车工" in text  # the occupation's name, not 6-18-01-01
    assert "所在地东莞市在本文件适用地区（东莞市）内" in text  # not 地区 441900 属于 4419
    assert "本文件适用于湖州市，所在地东莞市不在其内" in text
    assert "本文件的适用城市由采用城市确定，尚未设定，暂不适用" in text  # not 未设置参数 city
    assert "《关于持续推进“三项工程” 深化“技能人才之都”建设的工作方案》" in text  # not 000_….txt
    assert (
        labels.humanise("由 dg.worldskills.medal 取代 (组 g1)")
        == "由 “世界技能大赛获奖选手奖励” 取代"
    )
    assert (
        labels.humanise("code=provincial_class1 → ¥400,000.00")
        == "省级一类职业技能竞赛 → ¥400,000.00"
    )


def test_the_api_answers_each_code_with_its_label(w: PlainWorld) -> None:
    resp = api_client(w.pw.dg_officer).post(
        "/api/v1/policy/explain",
        {"subject": {"type": "person", "id": w.dg_worker_person.pk}, "on": ON.isoformat()},
        content_type="application/json",
    )
    assert resp.status_code == 200
    body = resp.json()
    assert (body["region"], body["region_label"]) == ("441900", "东莞市")
    assert body["subject_kind_label"] == "个人"
    dg = next(d for d in body["documents"] if d["id"].startswith("dg-"))
    assert (dg["jurisdiction"], dg["jurisdiction_label"]) == ("4419", "东莞市")
    medal_item = next(i for i in body["items"] if i["id"] == DG_CITY_MEDAL)
    assert medal_item["kind"] == "money" and medal_item["kind_label"] == "资金"
    assert (medal_item["beneficiary"], medal_item["beneficiary_label"]) == ("person", "个人")
    assert SEED_FILE.match(medal_item["citation"]["file"])  # the code …
    assert not SEED_FILE.search(medal_item["citation"]["source"])  # … and what a person reads
    for item in body["items"]:
        words = " ".join([item["reason"], item["branch"], item["next_step"], item["missing"]])
        words += " ".join(e["reason"] + e["branch"] + e["trigger"] for e in item["entitlements"])
        assert not ITEM_ID.search(words) and "title:" not in words, (item["id"], words)
    assert "\\u" not in resp.content.decode()  # UTF-8, not escapes


def test_mine_shows_gets_pending_and_nearly_with_next_steps_and_the_rest_behind_a_link(
    w: PlainWorld,
) -> None:
    client = client_for(w.dg_worker)
    body = client.get(f"/policy/mine/?on={ON}").content.decode()

    def section(testid: str) -> str:
        match = re.search(
            rf'<div data-testid="{testid}">(.*?)</div>\s*(?:<h2|<p class="card")', body, re.S
        )
        assert match, testid
        return match.group(1)

    gets, pending, nearly = section("mine-gets"), section("mine-pending"), section("mine-nearly")
    assert f'data-item="{DG_CITY_MEDAL}"' in gets and f'data-item="{NB_UPGRADE}"' in gets
    assert 'data-item="dg.competition.city_technical_expert"' in gets  # a title granted
    assert f'data-item="{LIVING}" data-status="discretionary"' in pending
    assert f'data-item="{UPLIFT}" data-status="condition_failed"' in nearly
    # each with what to do next; the nearly item names the one condition missing
    for part in (gets, pending, nearly):
        assert part.count('data-testid="explain-item"') == part.count(
            'data-testid="item-next-step"'
        )
    assert "还差一项条件：纳入东莞市企业紧缺急需职业(工种)目录" in nearly
    assert "您符合条件，可向人社部门申请领取" in gets
    assert "金额由人社部门在规定区间内审核确定" in pending
    # the rest is one link away, not on the page
    assert 'data-testid="mine-others-link"' in body and "查看其他政策" in body
    assert 'data-item="dg.worldskills.medal"' not in body
    # only person items of documents covering the worker
    assert 'data-item="dg.college.' not in body and 'data-item="hz.' not in body
    assert 'data-item="dg.master_studio.city"' not in body  # a studio's item
    others = client.get(f"/policy/mine/others/?on={ON}").content.decode()
    assert 'data-item="dg.worldskills.medal"' in others
    assert "档案中没有相关记录：竞赛成绩（世界技能大赛；金牌、银牌、铜牌；选手）" in others
    assert 'data-item="dg.college.' not in others and 'data-item="hz.' not in others
    assert f'data-item="{DG_CITY_MEDAL}"' not in others  # what they get is not "other"
    shown = sum(part.count('data-testid="explain-item"') for part in (gets, pending, nearly))
    assert body.count('data-testid="explain-item"') == shown  # nothing else is rendered
    assert len(body) < 60_000  # was ~85 KB with every item of every document


def test_the_catalogue_shows_each_documents_status_on_the_date(w: PlainWorld) -> None:
    client = client_for(w.dg_worker)

    def status(on: str, document: str) -> str:
        body = client.get(f"/policy/?on={on}").content.decode()
        match = re.search(
            rf'data-document="{document}".*?data-testid="document-status" data-status="(\w+)">([^<]+)<',
            body,
            re.S,
        )
        assert match, document
        return f"{match.group(1)} {match.group(2)}"

    hz = "hz-2021-craftsman-programme"  # 2021-10-20 to 2025-12-31
    assert status("2026-12-02", hz) == "expired 已失效"
    assert status("2023-06-30", hz) == "in_force 现行有效"
    assert status("2021-01-01", hz) == "not_yet 尚未施行"
    assert status("2023-06-30", "jm-2018-skilled-workers-pay-draft") == "draft 征求意见稿"
    assert status("2026-12-02", "nb-national-skill-upgrade-subsidy") == "in_force 现行有效"
    explained = client_for(w.pw.dg_officer).get(
        f"/policy/explain/?person={w.dg_worker_person.pk}&on=2026-12-02"
    )
    assert "已失效" in explained.content.decode()
    item = client.get("/policy/items/hz.worldskills.medal/?on=2026-12-02").content.decode()
    assert "（已失效）" in item


def test_the_what_if_form_offers_items_and_parameters_and_refuses_unknown_ones_in_chinese(
    w: PlainWorld,
) -> None:
    client = client_for(w.pw.dg_officer)
    form = client.get("/policy/simulate/").content.decode()
    assert f'<option value="{NB_UPGRADE}">技能提升补贴(取得职业技能等级证书)</option>' in form
    assert re.findall(r"<script\b[^>]*>", form) and all(
        "src=" in tag for tag in re.findall(r"<script\b[^>]*>", form)
    )  # no inline script (CSP script-src 'self')
    params = client.get(f"/policy/items/{NB_UPGRADE}/parameters/").json()
    assert {"path": "table.3", "label": "高级工（三级） 金额", "current": "¥2,000.00"} in params[
        "parameters"
    ]
    resp = client.post(
        "/policy/simulate/",
        {
            "on": ON.isoformat(),
            "population": "city",
            "adj_item": [NB_UPGRADE],
            "adj_parameter": ["table.advanced"],
            "adj_value": ["3000"],
        },
    )
    assert resp.status_code == 400
    text = visible_text(resp.content.decode())
    assert "“技能提升补贴(取得职业技能等级证书)”没有名为“table.advanced”的参数" in text
    assert "高级工（三级） 金额" in text  # the parameters it has, by name
    bad_value = client.post(
        "/policy/simulate/",
        {
            "on": ON.isoformat(),
            "population": "city",
            "adj_item": [NB_UPGRADE],
            "adj_parameter": ["table.3"],
            "adj_value": ["三千"],
        },
    )
    assert "“技能提升补贴(取得职业技能等级证书)”的“高级工（三级） 金额”应为非负数字" in (
        visible_text(bad_value.content.decode())
    )
    assert not SimulationRun.objects.exists()


def test_the_api_refuses_an_unknown_item_or_parameter_with_422_in_chinese(w: PlainWorld) -> None:
    api = api_client(w.pw.dg_officer)

    def post(url: str, body: dict[str, Any]) -> Any:
        return api.post(url, body, content_type="application/json")

    person = {"type": "person", "id": w.dg_worker_person.pk}
    for url, body in (
        ("/api/v1/policy/simulations", {"overrides": [f"{NB_UPGRADE}.table.advanced=3000"]}),
        (
            "/api/v1/policy/explain",
            {"subject": person, "overrides": [f"{NB_UPGRADE}.table.advanced=3000"]},
        ),
        (
            "/api/v1/policy/simulations",
            {"adjustments": [{"item": NB_UPGRADE, "parameter": "table.advanced", "value": "3000"}]},
        ),
    ):
        resp = post(url, body)
        assert resp.status_code == 422, (url, resp.content)
        detail = resp.json()["detail"]
        assert "技能提升补贴(取得职业技能等级证书)" in detail and "table.advanced" in detail
    unknown = post("/api/v1/policy/simulations", {"overrides": ["zz.nothing.value=1"]})
    assert (
        unknown.status_code == 422
        and "没有名为“zz.nothing.value”的政策条目" in unknown.json()["detail"]
    )
    no_equals = post("/api/v1/policy/simulations", {"overrides": ["hz.worldskills.medal"]})
    assert no_equals.status_code == 422 and "expected" not in no_equals.json()["detail"]
    assert not SimulationRun.objects.exists()
    listed = api.get("/api/v1/policy/adjustable-items").json()
    nb = next(i for i in listed if i["id"] == NB_UPGRADE)
    assert {
        "path": "table.3",
        "label": "高级工（三级） 金额",
        "current": "¥2,000.00",
        "unit": "yuan",
    } in nb["parameters"]
    ok = post(
        "/api/v1/policy/explain",
        {
            "subject": person,
            "on": ON.isoformat(),
            "adjustments": [{"item": NB_UPGRADE, "parameter": "table.3", "value": "2500"}],
        },
    )
    assert ok.status_code == 200
    upgrade = next(i for i in ok.json()["items"] if i["id"] == NB_UPGRADE)
    assert upgrade["amount_fen"] == 250_000


def test_a_wrong_check_digit_is_said_to_be_invalid_not_nobody_found(w: PlainWorld) -> None:
    number = w.dg_worker_person.id_number
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    resp = client_for(w.pw.dg_officer).post("/policy/explain/", {"id_number": wrong})
    text = visible_text(resp.content.decode())
    assert "证件号码无效" in text and "校验位" in text
    assert "没有符合条件的人员" not in text
    found = client_for(w.pw.dg_officer).post("/policy/explain/", {"id_number": number})
    assert f"?person={w.dg_worker_person.pk}" in found.content.decode()


def test_the_reading_follows_the_page_language(w: PlainWorld) -> None:
    item = next(
        i for i in policies().items if i.reading and i.reading_en and i.reading != i.reading_en
    )
    assert item.reading is not None and item.reading_en is not None
    zh = client_for(w.dg_worker)
    en = client_for(w.dg_worker)
    en.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    chinese = visible_text(zh.get(f"/policy/items/{item.id}/").content.decode())
    english = visible_text(en.get(f"/policy/items/{item.id}/").content.decode())
    assert labels.humanise(item.reading, words=False) in chinese
    assert item.reading_en not in chinese
    assert labels.humanise(item.reading_en, words=False) in english
    assert labels.humanise(item.reading, words=False) not in english


def test_an_unknown_item_has_no_parameters_page(w: PlainWorld) -> None:
    client = client_for(w.pw.dg_officer)
    assert client.get("/policy/items/hz.nothing/parameters/").status_code == 404
    assert client_for(w.dg_worker).get(f"/policy/items/{HZ_MEDAL}/parameters/").status_code == 403


def test_a_status_quoted_in_a_reason_reads_in_chinese() -> None:
    from jineng.policy.labels import humanise

    assert humanise("基础项目 “技能提升补贴” 未发放 (condition_failed)") == (
        "基础项目 “技能提升补贴” 未发放（条件不符）"
    )
    assert humanise("人数 (n)") == "人数 (n)"  # not a status: left alone
