"""Benchmark: the policy engine over 1,000,000 synthetic subjects (facts already in memory).

    .venv/bin/python bench/bench_policy.py [--subjects N] [--runs 5] [--sample 2000]

One run reports: evaluate() over all loaded policy documents (the five city documents and the
national base) — cold (first call: builds the population's fact index) and warm (median of the
runs, what a what-if re-run costs); peak memory; and the per-subject explain() path over a random
sample, scaled to the population; and checks that evaluate and explain agree line for line on
the sample.

Memory is measured in a child process that reads the generated population from Parquet (so the
generator's garbage is not counted): the process RSS once the population is in memory, and its
peak while evaluating (sampled every millisecond from /proc; Polars allocates outside Python, so
tracemalloc would not see it), plus getrusage's ru_maxrss.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
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


def machine() -> str:
    model = "?"
    try:
        with open("/proc/cpuinfo") as fh:
            model = next(
                line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{model}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, "
        f"{platform.python_implementation()} {platform.python_version()}, Polars {pl.__version__}"
    )


def child(directory: Path, runs: int) -> None:
    """Evaluate in a fresh process: timings and memory, as JSON on stdout."""
    policies = load_policies()
    population = Population(
        pl.read_parquet(directory / "subjects.parquet"),
        pl.read_parquet(directory / "facts.parquet"),
        True,
    )
    gc.collect()
    held = rss_bytes()
    with PeakRss() as cold_peak:
        t = time.perf_counter()
        budget = evaluate(population, ON, policies, PARAMS)
        cold = time.perf_counter() - t
    warm, cpu = [], []
    with PeakRss() as warm_peak:
        for _ in range(runs):
            t, c = time.perf_counter(), time.process_time()
            budget = evaluate(population, ON, policies, PARAMS)
            warm.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
    result = {
        "held": held,
        "data": population.subjects.estimated_size() + population.facts.estimated_size(),
        "cold": cold,
        "cold_peak": cold_peak.peak,
        "warm": warm,
        "cpu": cpu,
        "warm_peak": warm_peak.peak,
        "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "lines": budget.raw.height,
        "total": budget.total_fen,
        "load": os.getloadavg()[0],
    }
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.runs)
        return

    policies = load_policies()
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f}")
    t = time.perf_counter()
    population = synthetic_population(args.subjects)
    generated = time.perf_counter() - t
    print(
        f"population: {population.subjects.height:,} subjects, {population.facts.height:,} facts "
        f"(generated in {generated:.1f} s); {len(policies.documents)} documents, {len(policies.items)} items"
    )
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        population.subjects.write_parquet(directory / "subjects.parquet")
        population.facts.write_parquet(directory / "facts.parquet")
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(directory), "--runs", str(args.runs)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    r: dict[str, Any] = json.loads(out.strip().splitlines()[-1])

    rng = np.random.default_rng(7)
    n = population.subjects.height
    sids = rng.choice(n, size=min(args.sample, n), replace=False)
    sample = subject_facts_of(population, sids.tolist())
    t = time.perf_counter()
    for sf in sample:
        explain(sf, ON, policies, PARAMS)
    explained = time.perf_counter() - t
    scaled = explained / len(sample) * n

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
    agree = by_eval == by_explain

    warm = r["warm"]
    print()
    print(f"| measure ({n:,} subjects, {population.facts.height:,} facts) | value |")
    print("| --- | --- |")
    print(
        f"| evaluate, warm: median of {len(warm)} runs (a re-run, e.g. a what-if) | **{statistics.median(warm):.2f} s** (min {min(warm):.2f}, max {max(warm):.2f}) |"
    )
    print(
        f"| evaluate, warm: CPU time of the process (all threads), median | {statistics.median(r['cpu']):.2f} s |"
    )
    print(f"| evaluate, cold: first call, includes building the fact index | {r['cold']:.2f} s |")
    print(
        f"| population in memory (Polars estimated size) / process RSS holding it | {r['data'] / MIB:,.0f} MiB / {r['held'] / MIB:,.0f} MiB |"
    )
    print(
        f"| peak RSS while evaluating cold / warm (sampled each ms) | {r['cold_peak'] / MIB:,.0f} MiB / {r['warm_peak'] / MIB:,.0f} MiB |"
    )
    print(
        f"| of which evaluate's own working memory (cold peak − RSS before) | **{(r['cold_peak'] - r['held']) / MIB:,.0f} MiB** |"
    )
    print(f"| process peak RSS (getrusage ru_maxrss) | {r['maxrss'] / MIB:,.0f} MiB |")
    print(
        f"| explain, {len(sample):,} sampled subjects one by one | {explained:.2f} s ({explained / len(sample) * 1000:.2f} ms per subject) |"
    )
    print(
        f"| explain scaled to {n:,} subjects | {scaled:,.0f} s ({scaled / statistics.median(warm):,.0f}× the warm evaluate) |"
    )
    print(f"| evaluate ≡ explain on the sample, every line | {'yes' if agree else 'NO'} |")
    print(f"| entitlement lines / counted total | {r['lines']:,} / {format_yuan(r['total'])} |")
    print(f"| load average during the evaluate runs | {r['load']:.2f} |")
    if not agree:
        raise SystemExit("evaluate and explain disagree on the sample")


if __name__ == "__main__":
    main()
