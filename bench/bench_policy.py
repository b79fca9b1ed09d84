"""Benchmark: the policy engine over 1,000,000 synthetic subjects (facts already in memory).

    .venv/bin/python bench/bench_policy.py [--subjects 1000000] [--runs 3] [--sample 2000]

Pure Python, no database. The synthetic population is generated once and written to Parquet;
each run then reads it in a fresh child process (so the generator's garbage is not counted) and
reports: evaluate() over all loaded policy documents (the five city documents and the national
base) — cold (the first call: builds the population's fact index) and warm (the second call in
the same process, what a what-if re-run costs), wall and CPU time; memory — the process RSS once
the population is in memory, its peak while evaluating (sampled every millisecond from /proc;
Polars allocates outside Python, so tracemalloc would not see it), and getrusage's ru_maxrss;
and, in this process, the per-subject explain() path over a random `--sample`, scaled to the
population. Once, after the runs: evaluate and explain must agree line for line on the sample
(the benchmark fails otherwise). Ends with the pasteable block (bench/_common.py): every run,
median, min, max, machine and load average before and after.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from jineng.policy.engine.evaluate import evaluate
from jineng.policy.engine.explain import explain, explain_population
from jineng.policy.engine.loader import load_policies
from jineng.policy.engine.money import format_yuan
from jineng.policy.engine.population import (
    Population,
    population_from_subject_facts,
    subject_facts_of,
)
from jineng.policy.engine.synthetic import XX_CITY, synthetic_population

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

ON = date(2025, 6, 30)
PARAMS = {"city": XX_CITY}
MIB = 2**20


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakRss:
    """Samples the process RSS every millisecond while active."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes())
            time.sleep(0.001)

    def __enter__(self) -> PeakRss:
        self.peak = rss_bytes()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())


def child(directory: Path) -> None:
    """Evaluate in a fresh process, cold then warm: timings and memory, as JSON on stdout."""
    policies = load_policies()
    population = Population(
        pl.read_parquet(directory / "subjects.parquet"),
        pl.read_parquet(directory / "facts.parquet"),
        True,
    )
    gc.collect()
    held = rss_bytes()
    with PeakRss() as cold_peak:
        t, c = time.perf_counter(), time.process_time()
        budget = evaluate(population, ON, policies, PARAMS)
        cold, cold_cpu = time.perf_counter() - t, time.process_time() - c
    with PeakRss() as warm_peak:
        t, c = time.perf_counter(), time.process_time()
        budget = evaluate(population, ON, policies, PARAMS)
        warm, warm_cpu = time.perf_counter() - t, time.process_time() - c
    result = {
        "held_mib": held / MIB,
        "data_mib": (population.subjects.estimated_size() + population.facts.estimated_size())
        / MIB,
        "cold_s": cold,
        "cold_cpu_s": cold_cpu,
        "cold_peak_mib": cold_peak.peak / MIB,
        "working_mib": (cold_peak.peak - held) / MIB,
        "warm_s": warm,
        "warm_cpu_s": warm_cpu,
        "warm_peak_mib": warm_peak.peak / MIB,
        "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # KiB → MiB
        "lines": budget.raw.height,
        "total_fen": budget.total_fen,
    }
    print(json.dumps(result))


FIGURES = [
    _common.Figure("warm_s", "evaluate, warm: the second call (a re-run, e.g. a what-if) (s)"),
    _common.Figure("warm_cpu_s", "evaluate, warm: CPU time of the process, all threads (s)"),
    _common.Figure("cold_s", "evaluate, cold: the first call, builds the fact index (s)"),
    _common.Figure("cold_cpu_s", "evaluate, cold: CPU time (s)"),
    _common.Figure("data_mib", "population in memory, Polars estimated size (MiB)", ",.0f"),
    _common.Figure("held_mib", "process RSS holding the population (MiB)", ",.0f"),
    _common.Figure("cold_peak_mib", "peak RSS while evaluating cold (MiB)", ",.0f"),
    _common.Figure("warm_peak_mib", "peak RSS while evaluating warm (MiB)", ",.0f"),
    _common.Figure(
        "working_mib", "evaluate's own working memory, cold peak − RSS before (MiB)", ",.0f"
    ),
    _common.Figure("maxrss_mib", "process peak RSS, getrusage ru_maxrss (MiB)", ",.0f"),
    _common.Figure("explain_ms", "explain, sampled subjects one by one (ms per subject)"),
    _common.Figure("explain_scaled_s", "explain scaled to the population (s)", ",.0f"),
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    _common.add_runs_argument(parser, default=3)
    parser.add_argument("--subjects", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument("--sample", type=int, default=2000, help="explained one by one")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    report = _common.Report(f"Policy engine over {args.subjects:,} subjects (in memory)", FIGURES)
    policies = load_policies()
    t = time.perf_counter()
    population = synthetic_population(args.subjects)
    generated = time.perf_counter() - t
    n = population.subjects.height
    print(
        f"population: {n:,} subjects, {population.facts.height:,} facts "
        f"(generated in {generated:.1f} s); {len(policies.documents)} documents, "
        f"{len(policies.items)} items",
        flush=True,
    )
    rng = np.random.default_rng(7)
    sids = rng.choice(n, size=min(args.sample, n), replace=False)
    sample = subject_facts_of(population, sids.tolist())
    answers: set[tuple[int, int]] = set()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        population.subjects.write_parquet(directory / "subjects.parquet")
        population.facts.write_parquet(directory / "facts.parquet")

        def one(number: int) -> dict[str, float]:
            command = [sys.executable, str(Path(__file__).resolve()), "--child", str(directory)]
            out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            values: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
            answers.add((values.pop("lines"), values.pop("total_fen")))
            t = time.perf_counter()
            for sf in sample:
                explain(sf, ON, policies, PARAMS)
            explained = time.perf_counter() - t
            values["explain_ms"] = explained / len(sample) * 1000
            values["explain_scaled_s"] = explained / len(sample) * n
            return values

        for number in range(1, args.runs + 1):
            report.add(one(number))

    agree = evaluates_as_explains(sample, policies)
    (lines, total), *others = sorted(answers)
    report.notes += [
        f"{n:,} subjects, {population.facts.height:,} facts (jineng/policy/engine/synthetic.py); "
        f"{len(policies.documents)} documents, {len(policies.items)} items; "
        f"{lines:,} entitlement lines, counted total {format_yuan(total)}"
        + (" (differing between runs!)" if others else "")
        + f"; evaluate ≡ explain on the {len(sample):,} sampled subjects, every line: "
        + ("yes" if agree else "NO"),
    ]
    report.print()
    if not agree:
        raise SystemExit("evaluate and explain disagree on the sample")


def evaluates_as_explains(sample: list[Any], policies: Any) -> bool:
    """evaluate over the sample equals explain_population over it, line for line."""
    columns = [
        "subject_id",
        "item_id",
        "fact_id",
        "status",
        "fen",
        "amount_fen",
        "min_fen",
        "max_fen",
    ]
    by_eval = sorted(
        evaluate(population_from_subject_facts(sample), ON, policies, PARAMS)
        .lines.select(columns)
        .with_columns(pl.col("status").cast(pl.String))
        .iter_rows()
    )
    by_explain = sorted(
        (
            e.subject_id,
            e.item_id,
            e.fact_id,
            str(e.status),
            e.fen,
            e.amount_fen,
            e.min_fen,
            e.max_fen,
        )
        for x in explain_population(sample, ON, policies, PARAMS)
        for e in x.entitlements
    )
    return by_eval == by_explain


if __name__ == "__main__":
    main()
