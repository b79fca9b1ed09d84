"""Writes of the policy app: what-if simulations (预算测算) run in the background.

`simulation_start` checks who may start and what was asked (dates, overrides, an uploaded facts
file), records the run (audited) and enqueues the task after commit. `simulation_execute` is the
task's body: it claims a queued run (a redelivered task finds it claimed and does nothing), loads
the population, evaluates the baseline and the what-if with the engine, and stores the budget.
Progress is coarse: 10 loaded, 50 baseline, 90 what-if, 100 done.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Any, TypedDict

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from jineng.audit.services import audit_record
from jineng.core.jobs import DONE, FAILED, JobLifecycle
from jineng.identity.access import people_visible_to, scope_of
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import User
from jineng.organisations.access import organisations_visible_to
from jineng.policy.engine.budget import Budget, WhatIf
from jineng.policy.engine.errors import FactsError
from jineng.policy.engine.evaluate import evaluate
from jineng.policy.engine.facts import SubjectFacts, parse_subject_facts
from jineng.policy.engine.model import Policies
from jineng.policy.engine.population import Population, population_from_subject_facts
from jineng.policy.models import (
    SIMULATION_RUN_STATES,
    PopulationSource,
    SimulationRun,
    SimulationStatus,
)
from jineng.policy.selectors import (
    can_start_simulation,
    check_overrides,
    policies,
    read_subject_facts,
)
from jineng.policy.tasks import simulation_execute_task

logger = logging.getLogger(__name__)

AUDIT_OBJECT_TYPE = "simulation_run"
MAX_OVERRIDES = 50
MAX_UPLOAD_SUBJECTS = 200_000

# --- the result stored on a run (JSON) --------------------------------------------------------


class BudgetRow(TypedDict):
    item_id: str
    title: str
    document: str
    year: int
    baseline_count: int
    baseline_fen: int
    scenario_count: int
    scenario_fen: int
    delta_fen: int
    # discretionary entitlements (ranges a reviewer decides within), what-if side
    discretionary_count: int
    discretionary_min_fen: int
    discretionary_max_fen: int
    # entitlements whose amount the text leaves to other rules (counted, 0 fen), what-if side
    unstated_count: int


class YearTotal(TypedDict):
    year: int
    baseline_count: int
    baseline_fen: int
    scenario_count: int
    scenario_fen: int
    delta_fen: int


class ItemTotal(TypedDict):
    item_id: str
    title: str
    document: str
    baseline_count: int
    baseline_fen: int
    scenario_count: int
    scenario_fen: int
    delta_fen: int


class SimulationResult(TypedDict):
    on: str
    overrides: list[str]
    subjects: int
    facts: int
    population_loader: str  # which loader built the population (see _load_population)
    baseline_fen: int
    scenario_fen: int
    delta_fen: int
    rows: list[BudgetRow]  # by item and year
    years: list[YearTotal]
    items: list[ItemTotal]
    elapsed_ms: int


# --- start ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FactsUpload:
    """An uploaded population: facts documents in the facts JSON format."""

    name: str
    documents: list[dict[str, Any]]


def read_facts_upload(*, name: str, content: bytes) -> FactsUpload:
    """A JSON file holding one facts document, a list of them, or {"subjects": [...]}; or JSON
    Lines (one document a line). Each document is checked against the facts format here, so a bad
    file is refused before a run is queued."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed("population", "文件须为 UTF-8 编码的 JSON") from None
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError:
        try:
            data = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise ValidationFailed(
                "population", f"不是有效的 JSON 或 JSON Lines（第 {exc.lineno} 行）"
            ) from None
    if isinstance(data, dict) and isinstance(data.get("subjects"), list):
        data = data["subjects"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise ValidationFailed("population", "文件应为事实文档或事实文档的列表")
    return facts_upload_from_documents(name=name, documents=data)


def facts_upload_from_documents(*, name: str, documents: list[dict[str, Any]]) -> FactsUpload:
    """Check each facts document (and the population as a whole) before a run is queued."""
    if not documents:
        raise ValidationFailed("population", "文件中没有任何对象")
    if len(documents) > MAX_UPLOAD_SUBJECTS:
        raise ValidationFailed("population", f"一次最多 {MAX_UPLOAD_SUBJECTS} 个对象")
    parsed = []
    for index, document in enumerate(documents, start=1):
        try:
            parsed.append(parse_subject_facts(document))
        except FactsError as exc:
            raise ValidationFailed("population", f"第 {index} 个对象：{exc}") from None
    try:
        population_from_subject_facts(parsed)
    except FactsError as exc:
        raise ValidationFailed("population", str(exc)) from None
    return FactsUpload(name=name[:200], documents=documents)


def _common_prefix(prefixes: Sequence[str]) -> str:
    if not prefixes:
        return ""
    first, last = min(prefixes), max(prefixes)
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    return first[:size]


@transaction.atomic
def simulation_start(
    *,
    actor: User,
    on: dt.date,
    overrides: Sequence[str] = (),
    population: str | FactsUpload = PopulationSource.CITY,
    params: Mapping[str, str] | None = None,
) -> SimulationRun:
    """Queue a what-if run over the actor's scope of the dossier ("city") or an uploaded facts
    file. Bureau roles and the system administrator only (the auditor reads runs, never starts)."""
    if not can_start_simulation(actor):
        raise PermissionDenied("无权发起预算测算")
    scope = scope_of(actor)
    if not scope.is_global and not scope.region_prefixes:
        raise PermissionDenied("账号未配置管辖区域")
    if len([o for o in overrides if o.strip()]) > MAX_OVERRIDES:
        raise ValidationFailed("overrides", f"参数调整最多 {MAX_OVERRIDES} 条")
    cleaned = check_overrides(overrides)
    if isinstance(population, FactsUpload):
        source, file_name, facts = PopulationSource.FILE, population.name, population.documents
    elif population == PopulationSource.CITY:
        source, file_name, facts = PopulationSource.CITY, "", None
    else:
        raise ValidationFailed("population", "测算人群应为 city 或上传的事实文件")
    run = SimulationRun.objects.create(
        created_by=actor,
        on=on,
        overrides=list(cleaned),
        params=dict(params or {}),
        population=source,
        region="" if scope.is_global else _common_prefix(scope.region_prefixes),
        population_file_name=file_name,
        population_facts=facts,
    )
    audit_record(
        actor=actor,
        action="simulation_start",
        object_type=AUDIT_OBJECT_TYPE,
        object_id=run.pk,
        after={
            "on": on.isoformat(),
            "overrides": list(cleaned),
            "population": source,
            "file": file_name,
            "region": run.region,
        },
    )
    run_id = run.pk
    transaction.on_commit(lambda: simulation_execute_task.delay(run_id))
    return run


# --- execute (the task) -----------------------------------------------------------------------


# Claim, progress, finish and failure (`jineng.core.jobs`); the error stored on a run is masked.
LIFECYCLE = JobLifecycle(SIMULATION_RUN_STATES, error_limit=4000)
# Shown on a run whose worker stopped without a word (killed, or past the one time limit).
STALE_RUN_MESSAGE = "测算超时未完成，已停止；请重新发起测算"


def _set(run_id: int, **fields: Any) -> None:
    """Write to a running run: its progress, or (`status=`) its outcome, status-checked."""
    status = fields.pop("status", None)
    if status == DONE:
        LIFECYCLE.finish(run_id, **fields)
    elif status == FAILED:
        LIFECYCLE.fail(run_id, str(fields.get("error", "")))
    elif status is None:
        LIFECYCLE.progress(run_id, **fields)
    else:
        raise ValueError(f"a run is not set to {status!r} here")


def _dossier_loader() -> Callable[..., Population] | None:
    """The engine engineer's column-wise loader (`jineng.policy.population`
    `load_population_from_dossier(*, on, region)`) when it is there; else None."""
    try:
        module = import_module("jineng.policy.population")
    except ModuleNotFoundError:
        return None
    loader = getattr(module, "load_population_from_dossier", None)
    if not callable(loader) or not {"on", "region"} <= inspect.signature(loader).parameters.keys():
        return None
    return loader  # type: ignore[no-any-return]


def _restrict(population: Population, subject_ids: set[str]) -> Population:
    """Only the given subjects (and their facts), sids renumbered as the row index again."""
    subjects = population.subjects
    keep = subjects.filter(pl.col("subject_id").is_in(sorted(subject_ids)))
    if keep.height == subjects.height:
        return population
    renumber = keep.select("sid", pl.int_range(pl.len(), dtype=pl.UInt32).alias("new_sid"))
    facts = (
        population.facts.join(renumber, on="sid", how="inner", maintain_order="left")
        .with_columns(pl.col("new_sid").alias("sid"))
        .select(population.facts.columns)
    )
    subjects = (
        keep.join(renumber, on="sid", maintain_order="left")
        .with_columns(pl.col("new_sid").alias("sid"))
        .select(subjects.columns)
    )
    return Population(subjects, facts, population.facts_sorted)


def _load_population(run: SimulationRun) -> tuple[Population, str]:
    """The run's population and the name of what loaded it."""
    if run.population == PopulationSource.FILE:
        documents = run.population_facts or []
        return (
            population_from_subject_facts(parse_subject_facts(d) for d in documents),
            "upload",
        )
    # The dossier as the starter may see it now: their scope, through the access helpers.
    people = people_visible_to(run.created_by).order_by("pk")
    organisations = organisations_visible_to(run.created_by).order_by("pk")
    loader = _dossier_loader()
    if loader is not None:
        population = loader(on=run.on, region=run.region or None)
        if scope_of(run.created_by).is_global:
            return population, "load_population_from_dossier"
        # The loader filters by the subject's region; the access helpers decide exactly who is
        # in scope (e.g. people by residence region only), so keep just those.
        visible = {f"P{pk}" for pk in people.values_list("pk", flat=True)}
        visible |= {f"O{pk}" for pk in organisations.values_list("pk", flat=True)}
        return _restrict(population, visible), "load_population_from_dossier"
    # Fallback: one facts document per subject (two queries each), until the bulk loader lands.
    subjects: list[SubjectFacts] = [
        *(read_subject_facts(p, run.on) for p in people.iterator(chunk_size=500)),
        *(read_subject_facts(o, run.on) for o in organisations.iterator(chunk_size=500)),
    ]
    return population_from_subject_facts(subjects), "subject_facts_document"


def _count(row: Mapping[str, Any] | None) -> int:
    if row is None:
        return 0
    return int(
        row["paid_count"]
        + row["discretionary_count"]
        + row["waiting_count"]
        + row.get("unstated_count", 0)
    )


def _by_key(frame: Any, keys: Sequence[str]) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {tuple(r[k] for k in keys): r for r in frame.to_dicts()}


def budget_result(
    whatif: WhatIf,
    loaded: Policies,
    *,
    population: Population,
    loader: str,
    elapsed_ms: int,
) -> SimulationResult:
    """The aggregate result stored on a run: per item and year, per year, per item, totals."""
    titles = {i.id: (i.title, i.document_id) for i in loaded.items}
    rows: list[BudgetRow] = []
    base = _by_key(whatif.baseline.by_item_year(), ["item_id", "year"])
    new = _by_key(whatif.scenario.by_item_year(), ["item_id", "year"])
    for key in sorted(base.keys() | new.keys()):
        item_id, year = str(key[0]), int(key[1])
        b, n = base.get(key), new.get(key)
        title, document = titles.get(item_id, (item_id, ""))
        rows.append(
            BudgetRow(
                item_id=item_id,
                title=title,
                document=document,
                year=year,
                baseline_count=_count(b),
                baseline_fen=int(b["total_fen"]) if b else 0,
                scenario_count=_count(n),
                scenario_fen=int(n["total_fen"]) if n else 0,
                delta_fen=(int(n["total_fen"]) if n else 0) - (int(b["total_fen"]) if b else 0),
                discretionary_count=int(n["discretionary_count"]) if n else 0,
                discretionary_min_fen=int(n["discretionary_min_fen"]) if n else 0,
                discretionary_max_fen=int(n["discretionary_max_fen"]) if n else 0,
                unstated_count=int(n["unstated_count"]) if n else 0,
            )
        )
    years: dict[int, YearTotal] = {}
    items: dict[str, ItemTotal] = {}
    for r in rows:
        y = years.setdefault(
            r["year"],
            YearTotal(
                year=r["year"],
                baseline_count=0,
                baseline_fen=0,
                scenario_count=0,
                scenario_fen=0,
                delta_fen=0,
            ),
        )
        i = items.setdefault(
            r["item_id"],
            ItemTotal(
                item_id=r["item_id"],
                title=r["title"],
                document=r["document"],
                baseline_count=0,
                baseline_fen=0,
                scenario_count=0,
                scenario_fen=0,
                delta_fen=0,
            ),
        )
        for total in (y, i):
            total["baseline_count"] += r["baseline_count"]
            total["baseline_fen"] += r["baseline_fen"]
            total["scenario_count"] += r["scenario_count"]
            total["scenario_fen"] += r["scenario_fen"]
            total["delta_fen"] += r["delta_fen"]
    return SimulationResult(
        on=whatif.baseline.on.isoformat(),
        overrides=list(whatif.overrides),
        subjects=len(population),
        facts=population.facts.height,
        population_loader=loader,
        baseline_fen=whatif.baseline.total_fen,
        scenario_fen=whatif.scenario.total_fen,
        delta_fen=whatif.delta_fen,
        rows=rows,
        years=[years[y] for y in sorted(years)],
        items=[items[k] for k in sorted(items)],
        elapsed_ms=elapsed_ms,
    )


def _empty_result(run: SimulationRun, loader: str) -> SimulationResult:
    return SimulationResult(
        on=run.on.isoformat(),
        overrides=list(run.overrides),
        subjects=0,
        facts=0,
        population_loader=loader,
        baseline_fen=0,
        scenario_fen=0,
        delta_fen=0,
        rows=[],
        years=[],
        items=[],
        elapsed_ms=0,
    )


def simulation_execute(*, run_id: int) -> None:
    """Carry out a queued run (the task's body). Failures are recorded on the run, not raised:
    the page shows them and nothing else depends on the task's outcome."""
    if not LIFECYCLE.claim(run_id, progress=0):
        return  # already running or finished: a redelivered task does nothing
    run = SimulationRun.objects.select_related("created_by").get(pk=run_id)
    started = timezone.now()
    try:
        population, loader = _load_population(run)
        _set(run_id, progress=10, subject_count=len(population))
        if len(population) == 0:
            result = _empty_result(run, loader)
        else:
            loaded = policies()
            params = {str(k): str(v) for k, v in (run.params or {}).items()}
            baseline: Budget = evaluate(population, run.on, loaded, params)
            _set(run_id, progress=50)
            overrides = tuple(str(o) for o in run.overrides)
            scenario = (
                evaluate(population, run.on, loaded, params, overrides) if overrides else baseline
            )
            _set(run_id, progress=90)
            elapsed = int((timezone.now() - started).total_seconds() * 1000)
            result = budget_result(
                WhatIf(baseline=baseline, scenario=scenario, overrides=overrides),
                loaded,
                population=population,
                loader=loader,
                elapsed_ms=elapsed,
            )
    except Exception as exc:  # the run records any failure; the traceback goes to the log
        logger.exception("simulation run %s failed", run_id)
        _set(run_id, status=SimulationStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        return
    _set(run_id, status=SimulationStatus.DONE, progress=100, result=result)
