"""What-if simulations through the API and the service: queued → running → done in the background
(eagerly here), a budget whose totals equal the sum of the per-subject explanations, the sign of a
what-if delta, and who may start or read a run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone

from jineng.audit.models import AuditEntry
from jineng.core.jobs import JOB_TIME_LIMIT
from jineng.identity.models import User
from jineng.policy import selectors, services
from jineng.policy.models import SimulationRun, SimulationStatus
from jineng.policy.tests.test_api_explain import (
    HZ_MEDAL,
    ON,
    PolicyWorld,
    api_client,
    build_policy_world,
    table_fen,
)

pytestmark = pytest.mark.django_db

RAISE_GOLD = f"{HZ_MEDAL}.table.gold=1500000@2022-01-01"
CUT_SILVER = f"{HZ_MEDAL}.table.silver=400000@2023-01-01"


@pytest.fixture
def pw(db: None) -> PolicyWorld:
    return build_policy_world()


@pytest.fixture(params=["subject_facts_document", "load_population_from_dossier"])
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Both ways of loading the city: the per-subject fallback, and the engine's column-wise
    loader when it is installed."""
    if request.param == "subject_facts_document":
        monkeypatch.setattr(services, "_dossier_loader", lambda: None)
    elif services._dossier_loader() is None:
        pytest.skip("jineng.policy.population.load_population_from_dossier is not there yet")
    yield str(request.param)


def start(user: User, capture: Callable[..., Any], **body: Any) -> tuple[Any, SimulationRun | None]:
    with capture(execute=True):
        resp = api_client(user).post(
            "/api/v1/policy/simulations", body, content_type="application/json"
        )
    run = SimulationRun.objects.filter(pk=resp.json().get("id")).first()
    return resp, run


def explained_total(user: User, people: list[Any]) -> int:
    return sum(
        selectors.explain_subject(
            user=user, subject_type="person", subject_id=p.pk, on=ON
        ).total_fen
        for p in people
    )


def row(result: dict[str, Any], item_id: str, year: int) -> dict[str, Any]:
    found = [r for r in result["rows"] if (r["item_id"], r["year"]) == (item_id, year)]
    assert len(found) == 1, (item_id, year, result["rows"])
    return dict(found[0])


def test_a_run_goes_from_queued_to_done_with_coarse_progress(
    pw: PolicyWorld,
    loader: str,
    django_capture_on_commit_callbacks: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    progress: list[int] = []
    real_set = services._set

    def spy(run_id: int, **fields: Any) -> None:
        if "progress" in fields:
            progress.append(fields["progress"])
        real_set(run_id, **fields)

    monkeypatch.setattr(services, "_set", spy)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = services.simulation_start(actor=pw.hz_officer, on=ON, overrides=[RAISE_GOLD])
    run.refresh_from_db()
    assert (run.status, run.progress, run.result) == (SimulationStatus.QUEUED, 0, None)
    assert len(callbacks) == 1
    callbacks[0]()  # the commit: the task runs (eagerly, in process)
    run.refresh_from_db()
    assert run.status == SimulationStatus.DONE, run.error
    assert progress == [10, 50, 90, 100]
    assert run.started_at is not None and run.finished_at is not None
    # the three Huzhou people and the Huzhou enterprise; Dongguan's are out of the scope
    assert run.subject_count == 4
    assert run.result is not None and run.result["population_loader"] == loader
    # a second delivery of the task does nothing
    services.simulation_execute(run_id=run.pk)
    assert progress == [10, 50, 90, 100]


def test_budget_totals_equal_the_sum_of_explanations(
    pw: PolicyWorld, loader: str, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    resp, run = start(pw.hz_officer, django_capture_on_commit_callbacks, on=ON.isoformat())
    assert resp.status_code == 202
    # the test's transaction commits (and the task runs) after the answer was sent
    assert run is not None and resp.json() == {"id": run.pk, "status": "queued"}
    body = api_client(pw.hz_officer).get(f"/api/v1/policy/simulations/{run.pk}").json()
    assert (body["status"], body["progress"]) == ("done", 100)
    result = body["result"]
    people = [pw.gold, pw.silver, pw.bronze_cs]
    expected = explained_total(pw.hz_officer, people)
    assert expected == (
        table_fen("hz.yaml", HZ_MEDAL, "gold")
        + table_fen("hz.yaml", HZ_MEDAL, "silver")
        + table_fen("hz.yaml", "hz.chinaskills.medal", "bronze")
    )
    assert result["baseline_fen"] == expected
    assert result["scenario_fen"] == expected and result["delta_fen"] == 0
    assert sum(r["baseline_fen"] for r in result["rows"]) == expected
    assert sum(y["baseline_fen"] for y in result["years"]) == expected
    gold = row(result, HZ_MEDAL, 2022)
    assert (gold["baseline_count"], gold["baseline_fen"]) == (
        1,
        table_fen("hz.yaml", HZ_MEDAL, "gold"),
    )
    assert row(result, "hz.chinaskills.medal", 2023)["baseline_count"] == 1
    assert result["subjects"] == 4
    # no per-subject line is stored or returned
    assert f"P{pw.gold.pk}" not in resp.content.decode() + str(run.result)


def test_what_if_deltas_have_the_sign_of_the_change(
    pw: PolicyWorld, loader: str, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    _, run = start(
        pw.hz_finance,
        django_capture_on_commit_callbacks,
        on=ON.isoformat(),
        overrides=[RAISE_GOLD, CUT_SILVER],
    )
    assert run is not None and run.status == SimulationStatus.DONE, run and run.error
    result = run.result
    assert result is not None
    gold, silver = row(result, HZ_MEDAL, 2022), row(result, HZ_MEDAL, 2023)
    assert gold["delta_fen"] == 150_000_000 - table_fen("hz.yaml", HZ_MEDAL, "gold") > 0
    assert silver["delta_fen"] == 40_000_000 - table_fen("hz.yaml", HZ_MEDAL, "silver") < 0
    assert row(result, "hz.chinaskills.medal", 2023)["delta_fen"] == 0
    assert result["delta_fen"] == gold["delta_fen"] + silver["delta_fen"]
    assert result["scenario_fen"] - result["baseline_fen"] == result["delta_fen"]
    # dated after every medal: the change touches nothing
    _, later = start(
        pw.hz_finance,
        django_capture_on_commit_callbacks,
        on=ON.isoformat(),
        overrides=[f"{HZ_MEDAL}.table.gold=1500000@2023-01-01"],
    )
    assert later is not None and later.result is not None and later.result["delta_fen"] == 0


def test_the_auditor_reads_runs_but_cannot_start_one(
    pw: PolicyWorld, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    before = SimulationRun.objects.count()
    resp, _ = start(pw.hz_auditor, django_capture_on_commit_callbacks, on=ON.isoformat())
    assert resp.status_code == 403
    assert SimulationRun.objects.count() == before
    assert not AuditEntry.objects.filter(action="simulation_start").exists()
    _, run = start(pw.hz_officer, django_capture_on_commit_callbacks, on=ON.isoformat())
    assert run is not None
    read = api_client(pw.hz_auditor).get(f"/api/v1/policy/simulations/{run.pk}")
    assert read.status_code == 200 and read.json()["status"] == "done"
    entry = AuditEntry.objects.get(action="simulation_start")
    assert (entry.object_type, entry.object_id) == ("simulation_run", str(run.pk))


def test_runs_of_another_region_are_404(
    pw: PolicyWorld, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    _, run = start(pw.hz_officer, django_capture_on_commit_callbacks, on=ON.isoformat())
    assert run is not None
    other = api_client(pw.dg_officer).get(f"/api/v1/policy/simulations/{run.pk}")
    assert other.status_code == 404 and set(other.json()) == {"detail"}
    assert api_client(pw.gold_worker).get(f"/api/v1/policy/simulations/{run.pk}").status_code == 404


def test_an_uploaded_population_is_simulated(
    pw: PolicyWorld, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    facts = [
        {
            "subject": {"id": f"U{n}", "kind": "person", "region": "330502"},
            "facts": [
                {
                    "id": f"U{n}F1",
                    "kind": "competition_result",
                    "code": "worldskills",
                    "level": level,
                    "date": "2023-02-01",
                    "attrs": {"role": "player"},
                }
            ],
        }
        for n, level in enumerate(["gold", "gold", "bronze"])
    ]
    resp, run = start(
        pw.hz_officer,
        django_capture_on_commit_callbacks,
        on=ON.isoformat(),
        population="file",
        facts=facts,
        overrides=[RAISE_GOLD],
    )
    assert resp.status_code == 202, resp.content
    assert run is not None and run.result is not None
    medal = row(run.result, HZ_MEDAL, 2023)
    assert medal["baseline_count"] == 3
    assert medal["baseline_fen"] == 2 * table_fen("hz.yaml", HZ_MEDAL, "gold") + table_fen(
        "hz.yaml", HZ_MEDAL, "bronze"
    )
    assert medal["delta_fen"] == 2 * (150_000_000 - table_fen("hz.yaml", HZ_MEDAL, "gold"))
    assert run.subject_count == 3 and run.result["population_loader"] == "upload"


def test_bad_requests_queue_nothing(
    pw: PolicyWorld, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    bad_override, _ = start(
        pw.hz_officer, django_capture_on_commit_callbacks, overrides=["hz.nothing.here=1"]
    )
    assert (bad_override.status_code, bad_override.json()["field"]) == (422, "overrides")
    no_facts, _ = start(pw.hz_officer, django_capture_on_commit_callbacks, population="file")
    assert no_facts.status_code == 400
    bad_facts, _ = start(
        pw.hz_officer,
        django_capture_on_commit_callbacks,
        population="file",
        facts=[{"subject": {"id": "U1"}, "facts": []}],
    )
    assert (bad_facts.status_code, bad_facts.json()["field"]) == (400, "population")
    assert not SimulationRun.objects.exists()


def test_a_failed_run_records_its_error(
    pw: PolicyWorld,
    django_capture_on_commit_callbacks: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(run: SimulationRun) -> Any:
        raise RuntimeError("数据库连接中断")

    monkeypatch.setattr(services, "_load_population", broken)
    _, run = start(pw.hz_officer, django_capture_on_commit_callbacks, on=ON.isoformat())
    assert run is not None
    assert run.status == SimulationStatus.FAILED
    assert "数据库连接中断" in run.error and run.result is None and run.finished_at is not None


def test_the_budget_of_the_seeded_period_leaves_out_later_facts(
    pw: PolicyWorld, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    _, run = start(pw.hz_officer, django_capture_on_commit_callbacks, on="2022-12-31")
    assert run is not None and run.result is not None
    assert [(r["item_id"], r["year"]) for r in run.result["rows"]] == [(HZ_MEDAL, 2022)]
    assert run.result["baseline_fen"] == table_fen("hz.yaml", HZ_MEDAL, "gold")
    assert dt.date.fromisoformat(run.result["on"]) == dt.date(2022, 12, 31)


def test_a_run_whose_worker_died_reads_as_failed_not_running(pw: PolicyWorld) -> None:
    # Queued, never executed (no worker picks it up here), then claimed by a worker that dies:
    # past the one job time limit, reading the run fails it with a message instead of "running".
    run = services.simulation_start(actor=pw.hz_officer, on=ON)
    long_ago = timezone.now() - JOB_TIME_LIMIT - dt.timedelta(minutes=1)
    SimulationRun.objects.filter(pk=run.pk).update(
        status=SimulationStatus.RUNNING, started_at=long_ago, finished_at=None
    )
    seen = selectors.access_simulation_run_by_id(pw.hz_officer, run.pk)
    assert seen.status == SimulationStatus.FAILED
    assert seen.error == services.STALE_RUN_MESSAGE

    # A run that started a minute ago is left to its worker.
    SimulationRun.objects.filter(pk=run.pk).update(
        status=SimulationStatus.RUNNING,
        started_at=timezone.now() - dt.timedelta(minutes=1),
        error="",
    )
    assert selectors.access_simulation_run_by_id(pw.hz_officer, run.pk).status == (
        SimulationStatus.RUNNING
    )
