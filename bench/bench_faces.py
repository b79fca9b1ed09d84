"""Benchmark: face comparison with the local provider (issue 8, "Face comparison: time per check
and memory of the provider").

    .venv/bin/python bench/bench_faces.py [--checks 40] [--runs 3] [--side 640]

Each run is a fresh process (so the model load and the peak memory are that run's own):

- load: the first `encode` — importing face_recognition and loading dlib's detector, landmark
  and ResNet models from the face-recognition-models wheel — minus a warm encode;
- per check: what `face_check` spends in the provider for one live capture — decode the JPEG,
  find the one face (HOG), encode it (ResNet, 128 numbers) and compare it with the enrolled
  encoding — timed over `--checks` captures of the astronaut (scikit-image) at a phone frame's
  size (`--side` pixels square, default 640), each a different rescale/shift so nothing repeats;
  the median and p95 of one run are reported, and every capture must match (checked);
  (wall time, and the process's CPU time, which other load on the machine inflates less);
- baseline: the same captures (the first 10) through face_recognition's defaults — HOG with one
  upsampling of the whole image, dlib's usual search and the provider's fallback — CPU time;
- memory: the process's resident set before the provider is first used (Python, Django, NumPy,
  Pillow), its peak (VmHWM) after the checks, and the difference: the provider's own.

No database: the check's two inserts (the FaceCheck row and its audit entry) are measured with
the check-in burst. Single-threaded (dlib's HOG detector is; OMP_NUM_THREADS=1 for NumPy).
Ends with the pasteable block (bench/_common.py).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

sys.path.insert(0, str(_common.ROOT))


def status_kib(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def captures(count: int, side: int) -> list[bytes]:
    from jineng.faces import testing

    base = side / 320  # the portrait is 320 × 320
    images = []
    for n in range(count):
        scale = base * (0.85 + 0.3 * (n % 7) / 6)
        shift = (n * 3 % 25, n * 7 % 40)
        images.append(testing.astronaut_jpeg(scale=scale, shift=shift))
    return images


def child(checks: int, side: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.test")
    import django

    django.setup()
    from jineng.faces import testing
    from jineng.faces.providers import LocalFaceProvider

    enrolment_image = testing.astronaut_jpeg()
    images = captures(checks, side)
    rss_before = status_kib("VmRSS")
    provider = LocalFaceProvider()

    t = time.perf_counter()
    enrolled = provider.encode(enrolment_image)
    first = time.perf_counter() - t
    t = time.perf_counter()
    provider.encode(enrolment_image)
    warm = time.perf_counter() - t

    times, cpu, distances = [], [], []
    for image in images:
        t, c = time.perf_counter(), time.process_time()
        match = provider.compare(enrolled, provider.encode(image))
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        distances.append(match.distance)
        if not match.matched:
            raise SystemExit(f"a capture of the same face did not match: {match.distance:.3f}")
    peak = status_kib("VmHWM")  # the provider's peak, before the baseline below
    # Baseline: face_recognition's defaults (HOG with one upsampling of the whole image), the
    # search LocalFaceProvider falls back to; on the first 10 captures.
    from jineng.faces.providers import _face_recognition, decode_rgb

    fr = _face_recognition()
    baseline = []
    for image in images[:10]:
        t = time.process_time()
        pixels = decode_rgb(image, max_side=800)
        fr.face_encodings(pixels, known_face_locations=fr.face_locations(pixels, 1))
        baseline.append(time.process_time() - t)
    cuts = statistics.quantiles(times, n=20, method="inclusive")
    print(
        json.dumps(
            {
                "load_s": first - warm,
                "check_ms": statistics.median(times) * 1000,
                "check_p95_ms": cuts[18] * 1000,
                "cpu_ms": statistics.median(cpu) * 1000,
                "baseline_cpu_ms": statistics.median(baseline) * 1000,
                "checks_per_s": 1 / statistics.median(cpu),
                "load_1min": os.getloadavg()[0],
                "rss_before_mib": rss_before / 1024,
                "peak_mib": peak / 1024,
                "provider_mib": (peak - rss_before) / 1024,
                "max_distance": max(distances),
            }
        )
    )


FIGURES = [
    _common.Figure("check_ms", "time per check, median (ms)", ".0f"),
    _common.Figure("check_p95_ms", "time per check, p95 (ms)", ".0f"),
    _common.Figure("cpu_ms", "CPU time per check, median (ms)", ".0f"),
    _common.Figure(
        "baseline_cpu_ms", "baseline: face_recognition defaults, CPU per check (ms)", ".0f"
    ),
    _common.Figure(
        "checks_per_s", "checks per second per core (1 / CPU time)", ".1f", higher_is_better=True
    ),
    _common.Figure("load_s", "model load on first use (s)", ".2f"),
    _common.Figure("rss_before_mib", "resident before the provider (MiB)", ".0f"),
    _common.Figure("peak_mib", "peak resident after the checks (MiB)", ".0f"),
    _common.Figure("provider_mib", "the provider's own memory, peak − before (MiB)", ".0f"),
    _common.Figure("max_distance", "largest distance of a match (threshold 0.6)", ".3f"),
    _common.Figure("load_1min", "load average (1 min) at the end of the run", ".1f"),
]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--checks", type=int, default=40, metavar="N", help="checks per run")
    parser.add_argument("--side", type=int, default=640, help="capture size in pixels (square)")
    _common.add_runs_argument(parser)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.checks, args.side)
        return
    report = _common.Report(
        title=f"Face comparison, local provider (dlib via face_recognition), {args.checks} "
        f"checks of {args.side} × {args.side} JPEG captures per run",
        figures=FIGURES,
        notes=[
            "Each run a fresh process; provider time only (decode, detect, encode, compare), "
            "no database. One core (OMP_NUM_THREADS=1)."
        ],
    )
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "JINENG_VAR_DIR": os.environ.get("JINENG_VAR_DIR", "/tmp/jineng-bench-faces"),
    }

    def one(number: int) -> dict[str, float]:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                "--checks",
                str(args.checks),
                "--side",
                str(args.side),
            ],
            capture_output=True,
            text=True,
            check=True,
            env=env,
            cwd=_common.ROOT,
        )
        values: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
        return values

    _common.run_repeated(report, args.runs, one)


if __name__ == "__main__":
    main()
