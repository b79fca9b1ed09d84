"""Load scenario files (docs/policy-schema.md, "Scenario tests") and check an explanation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jineng.policy.engine import yamlio
from jineng.policy.engine.facts import SubjectFacts, parse_subject_facts
from jineng.policy.engine.outcome import COUNTED, PRECEDENCE, Entitlement, Status

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    return value


@dataclass(frozen=True)
class Scenario:
    file: str
    name: str
    on: date
    params: Mapping[str, str]
    overrides: tuple[str, ...]
    subject: SubjectFacts
    others: tuple[SubjectFacts, ...]  # `population:` — other subjects ranked with it for quotas
    expect: Mapping[str, Mapping[str, Any]]

    @property
    def id(self) -> str:
        return f"{self.file}:{self.name}"


def _subject_facts(raw: Mapping[str, Any]) -> SubjectFacts:
    return parse_subject_facts(_iso({"subject": raw["subject"], "facts": raw.get("facts") or []}))


def load_scenarios(path: Path) -> list[Scenario]:
    data = yamlio.load(path.read_text(encoding="utf-8"), name=path.name) or []
    out = []
    for raw in data:
        on = raw["on"] if isinstance(raw["on"], date) else date.fromisoformat(str(raw["on"]))
        out.append(
            Scenario(
                file=path.name,
                name=str(raw["name"]),
                on=on,
                params={str(k): str(v) for k, v in (raw.get("params") or {}).items()},
                overrides=tuple(raw.get("overrides") or ()),
                subject=_subject_facts(raw),
                others=tuple(_subject_facts(o) for o in raw.get("population") or ()),
                expect=raw.get("expect") or {},
            )
        )
    return out


def all_scenario_files() -> list[Path]:
    return sorted(SCENARIO_DIR.glob("*.yaml"))


@dataclass(frozen=True)
class Line:
    """What both engine paths give per entitlement (evaluate lines carry no reason)."""

    status: Status
    fen: int
    min_fen: int
    max_fen: int
    reason: str | None = None


def lines_of(ents: tuple[Entitlement, ...]) -> tuple[Line, ...]:
    return tuple(Line(e.status, e.fen, e.min_fen, e.max_fen, e.reason) for e in ents)


def check(
    expect: Mapping[str, Mapping[str, Any]], by_item: Mapping[str, tuple[Line, ...]]
) -> list[str]:
    """Problems (empty when the lines meet every expectation). An item with no line (no trigger
    fact) has status condition_failed; several lines: the first status in PRECEDENCE, fen summed."""
    problems = []
    for item_id, want in expect.items():
        ents = by_item.get(item_id, ())
        statuses = {e.status for e in ents}
        status = next((s for s in PRECEDENCE if s in statuses), Status.CONDITION_FAILED)
        counted = [e for e in ents if e.status in COUNTED]
        got = {
            "status": str(status),
            "fen": sum(e.fen for e in ents),
            "min_fen": sum(e.min_fen for e in counted),
            "max_fen": sum(e.max_fen for e in counted),
            "count": len(ents),
        }
        for key, value in want.items():
            if key == "reason":
                if any(e.reason is None for e in ents):
                    continue
                reasons = " ".join(e.reason or "" for e in ents)
                if str(value) not in reasons:
                    problems.append(f"{item_id}: reason {value!r} not in {reasons!r}")
            elif key not in got:
                problems.append(f"{item_id}: unknown expectation {key!r}")
            elif got[key] != value:
                problems.append(f"{item_id}: {key} expected {value!r}, got {got[key]!r}")
    return problems
