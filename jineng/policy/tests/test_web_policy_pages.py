"""The policy pages: the explanation beside the quoted clause (in Chinese), searching the subject in
scope, "我的待遇", the simulation form (auditor read-only), the budget table and chart, and the
catalogue."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jineng.identity.models import User
from jineng.identity.testing import otp_login
from jineng.policy.models import SimulationRun, SimulationStatus
from jineng.policy.tests.test_api_explain import (
    HZ_MEDAL,
    ON,
    PolicyWorld,
    build_policy_world,
    policy_item,
    table_fen,
)
from jineng.web.policy.views import _nice_ceiling, budget_chart

pytestmark = pytest.mark.django_db

QUOTE = policy_item("hz.yaml", HZ_MEDAL)["citation"]["quote"]


@pytest.fixture
def pw(db: None) -> PolicyWorld:
    return build_policy_world()


def client_for(user: User) -> Client:
    client = Client()
    otp_login(client, user)
    return client


def html(resp: Any) -> str:
    return str(resp.content.decode())


def block(body: str, testid: str, item: str) -> str:
    """The <article> of one item on the explanation page."""
    match = re.search(
        rf'<article[^>]*data-testid="{testid}" data-item="{re.escape(item)}"[^>]*>.*?</article>',
        body,
        re.S,
    )
    assert match, f"{item} not on the page"
    return match.group(0)


def test_an_officer_reads_a_persons_explanation_beside_the_clause(pw: PolicyWorld) -> None:
    resp = client_for(pw.hz_officer).get(f"/policy/explain/?person={pw.gold.pk}&on={ON}")
    assert resp.status_code == 200
    body = html(resp)
    assert 'lang="zh-Hans"' in body
    assert "应享合计" in body and "已审查但不享受" in body and "政策解读" in body
    fen = table_fen("hz.yaml", HZ_MEDAL, "gold")
    assert f'data-testid="explain-total" data-fen="{fen}"' in body
    paid = block(body, "explain-item", HZ_MEDAL)
    assert 'data-status="paid"' in paid
    assert "¥1,000,000.00" in paid
    assert QUOTE in paid  # the clause beside the amount
    assert "2022-10-15" in paid  # the payment date
    assert "世界技能大赛" in paid and "金牌" in paid  # the trigger fact in words
    # considered and not paid, with the reason and its own clause
    china = block(body, "explain-item", "hz.chinaskills.medal")
    assert 'data-status="condition_failed"' in china and 'data-testid="item-reason"' in china
    assert policy_item("hz.yaml", "hz.chinaskills.medal")["citation"]["quote"] in china
    # the paid section comes first
    assert body.index(f'data-item="{HZ_MEDAL}"') < body.index('data-item="hz.chinaskills.medal"')
    assert pw.gold.masked_id_number in body


def test_the_date_and_the_document_filter_change_the_answer(pw: PolicyWorld) -> None:
    client = client_for(pw.hz_officer)
    before = html(client.get(f"/policy/explain/?person={pw.gold.pk}&on=2022-10-14"))
    assert 'data-testid="explain-total" data-fen="0"' in before
    only_nb = html(
        client.get(
            f"/policy/explain/?person={pw.gold.pk}&on={ON}&policy=nb-national-skill-upgrade-subsidy"
        )
    )
    assert f'data-item="{HZ_MEDAL}"' not in only_nb
    assert 'data-item="nb.skill_upgrade"' in only_nb


def test_out_of_scope_people_are_404_without_their_data(pw: PolicyWorld) -> None:
    client = client_for(pw.dg_officer)
    resp = client.get(f"/policy/explain/?person={pw.gold.pk}&on={ON}")
    assert resp.status_code == 404
    assert pw.gold.name not in html(resp) and QUOTE not in html(resp)
    assert client.get(f"/policy/explain/?organisation={pw.hz_org.pk}").status_code == 404


def test_search_by_name_number_and_organisation_stays_in_scope(pw: PolicyWorld) -> None:
    hz = client_for(pw.hz_officer)
    found = html(hz.get("/policy/explain/?q=沈一"))
    assert pw.gold.name in found and f"?person={pw.gold.pk}" in found
    dg = client_for(pw.dg_officer)
    assert pw.gold.name not in html(dg.get("/policy/explain/?q=沈一"))
    by_number = html(hz.post("/policy/explain/", {"id_number": pw.gold.id_number}))
    assert f"?person={pw.gold.pk}" in by_number
    assert pw.gold.id_number not in by_number  # never echoed
    assert pw.gold.name not in html(dg.post("/policy/explain/", {"id_number": pw.gold.id_number}))
    orgs = html(hz.get("/policy/explain/?org_q=湖州"))
    assert f"?organisation={pw.hz_org.pk}" in orgs and pw.dg_org.name not in orgs
    org_page = hz.get(f"/policy/explain/?organisation={pw.hz_org.pk}&on={ON}")
    assert org_page.status_code == 200 and pw.hz_org.name in html(org_page)


def test_a_worker_reads_their_own_entitlements_only(pw: PolicyWorld) -> None:
    client = client_for(pw.gold_worker)
    body = html(client.get(f"/policy/mine/?on={ON}"))
    assert "我的待遇" in body and pw.gold.name in body
    assert QUOTE in block(body, "explain-item", HZ_MEDAL)
    assert client.get(f"/policy/explain/?person={pw.silver.pk}").status_code == 403
    assert client.get("/policy/simulate/").status_code == 403


def test_the_auditor_sees_runs_but_cannot_start_one(
    pw: PolicyWorld, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = client_for(pw.hz_auditor)
    page = html(client.get("/policy/simulate/"))
    assert 'data-testid="simulation-read-only"' in page
    assert 'data-testid="simulation-form"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post("/policy/simulate/", {"on": ON.isoformat(), "population": "city"})
    assert resp.status_code == 403
    assert not SimulationRun.objects.exists()


def test_an_officer_runs_a_what_if_and_reads_the_budget_and_chart(
    pw: PolicyWorld, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = client_for(pw.hz_officer)
    form = html(client.get("/policy/simulate/"))
    # the item is offered by its title; its parameters come from its parameters page
    assert f'<option value="{HZ_MEDAL}">世界技能大赛获奖选手奖励</option>' in form
    override = f"{HZ_MEDAL}.table.gold=1500000@2022-01-01"
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            "/policy/simulate/",
            {
                "on": ON.isoformat(),
                "population": "city",
                "adj_item": [HZ_MEDAL, "", ""],
                "adj_parameter": ["table.gold", "", ""],
                "adj_value": ["1,500,000", "", ""],
                "adj_from": ["2022-01-01", "", ""],
            },
        )
    assert resp.status_code == 302
    run = SimulationRun.objects.get()
    assert resp["Location"] == f"/policy/simulate/{run.pk}/"
    assert (run.status, run.overrides) == (SimulationStatus.DONE, [override])
    body = html(client.get(resp["Location"]))
    assert 'data-running="false"' in body and "已完成" in body
    assert "“世界技能大赛获奖选手奖励”金牌 金额 调整为 1500000元（自 2022-01-01 起）" in body
    delta = 150_000_000 - table_fen("hz.yaml", HZ_MEDAL, "gold")
    assert f'data-testid="budget-delta" data-fen="{delta}"' in body
    gold_row = re.search(
        rf'<tr data-testid="budget-row" data-item="{HZ_MEDAL}" data-year="2022">.*?</tr>',
        body,
        re.S,
    )
    assert (
        gold_row
        and f'data-fen="{delta}"' in gold_row.group(0)
        and "+500,000.00" in gold_row.group(0)
    )
    assert '<svg class="chart"' in body
    bars = re.findall(r'data-series="(\w+)" data-year="(\d+)" data-fen="(\d+)"', body)
    assert ("scenario", "2022", "150000000") in bars
    assert ("baseline", "2022", str(table_fen("hz.yaml", HZ_MEDAL, "gold"))) in bars
    # the auditor of the region reads the same result; the Dongguan officer gets 404
    assert client_for(pw.hz_auditor).get(resp["Location"]).status_code == 200
    assert client_for(pw.dg_officer).get(resp["Location"]).status_code == 404


def test_a_bad_override_is_shown_on_the_form_and_queues_nothing(pw: PolicyWorld) -> None:
    resp = client_for(pw.hz_officer).post(
        "/policy/simulate/",
        {
            "on": ON.isoformat(),
            "population": "city",
            "adj_item": ["hz.no"],
            "adj_parameter": ["value"],
            "adj_value": ["1"],
        },
    )
    assert resp.status_code == 400
    assert "没有名为“hz.no”的政策条目" in html(resp)
    assert not SimulationRun.objects.exists()


def test_an_uploaded_facts_file_is_simulated(
    pw: PolicyWorld, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    lines = [
        {
            "subject": {"id": f"U{n}", "kind": "person", "region": "330502"},
            "facts": [
                {
                    "id": "F1",
                    "kind": "competition_result",
                    "code": "worldskills",
                    "level": "silver",
                    "date": "2023-02-01",
                    "attrs": {"role": "player"},
                }
            ],
        }
        for n in range(2)
    ]
    upload = SimpleUploadedFile(
        "名单.jsonl", "\n".join(json.dumps(x, ensure_ascii=False) for x in lines).encode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        resp = client_for(pw.hz_officer).post(
            "/policy/simulate/", {"on": ON.isoformat(), "population": "file", "facts_file": upload}
        )
    assert resp.status_code == 302
    run = SimulationRun.objects.get()
    assert (run.population, run.population_file_name, run.subject_count) == (
        "file",
        "名单.jsonl",
        2,
    )
    assert run.result is not None
    assert run.result["baseline_fen"] == 2 * table_fen("hz.yaml", HZ_MEDAL, "silver")


def test_the_catalogue_lists_documents_and_items_with_their_clauses(pw: PolicyWorld) -> None:
    client = client_for(pw.gold_worker)  # any logged-in user
    body = html(client.get("/policy/"))
    assert "政策目录" in body
    assert 'data-document="hz-2021-craftsman-programme"' in body
    assert "现行有效" in body and "征求意见稿" in body  # jm is a draft for comment
    assert "<dd>湖州市</dd>" in body and "<dd>东莞市</dd>" in body  # names, not codes
    assert "3305" not in body and "4419" not in body
    assert QUOTE in body
    item = html(client.get(f"/policy/items/{HZ_MEDAL}/"))
    assert QUOTE in item and "按等级分档：金牌 ¥1,000,000.00" in item
    assert f"- id: {HZ_MEDAL}" not in item  # the file as written is for the bureau's analysts
    assert client.get(f"/policy/items/{HZ_MEDAL}/source.yaml").status_code == 403
    source = client_for(pw.hz_officer).get(f"/policy/items/{HZ_MEDAL}/source.yaml")
    assert f"- id: {HZ_MEDAL}" in source.content.decode()
    assert client.get("/policy/items/hz.nothing/").status_code == 404
    anonymous = Client().get("/policy/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_the_chart_scale() -> None:
    assert [_nice_ceiling(f) for f in (1, 100, 101, 250_00, 150_000_000)] == [
        100,
        100,
        200,
        50_000,
        200_000_000,
    ]
    chart = budget_chart(
        [
            {"year": 2022, "baseline_fen": 100_000_000, "scenario_fen": 150_000_000},
            {"year": 2023, "baseline_fen": 0, "scenario_fen": 50_000_000},
        ]
    )
    assert chart is not None
    heights = {(g.year, b.series): b.height for g in chart.years for b in g.bars}
    # the axis tops at 200万: 100万 is half the plot, 150万 three quarters
    assert heights == {
        (2022, "baseline"): 100,
        (2022, "scenario"): 150,
        (2023, "baseline"): 0,
        (2023, "scenario"): 50,
    }
    assert [t.label for t in chart.ticks] == ["0", "50万", "100万", "150万", "200万"]
    assert budget_chart([]) is None


def test_runs_are_read_only_in_the_admin(
    pw: PolicyWorld, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    from jineng.identity.models import Role
    from jineng.identity.testing import make_user
    from jineng.policy.services import simulation_start

    with django_capture_on_commit_callbacks(execute=True):
        run = simulation_start(actor=pw.hz_officer, on=ON)
    admin = client_for(make_user(Role.SYSADMIN))
    listing = admin.get("/admin/policy/simulationrun/")
    assert listing.status_code == 200 and f"/admin/policy/simulationrun/{run.pk}/" in html(listing)
    detail = admin.get(f"/admin/policy/simulationrun/{run.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in html(detail)  # nothing to save
    assert admin.get("/admin/policy/simulationrun/add/").status_code == 403
    assert (
        admin.post(f"/admin/policy/simulationrun/{run.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert SimulationRun.objects.filter(pk=run.pk).exists()
