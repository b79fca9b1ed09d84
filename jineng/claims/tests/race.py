"""Run one piece of work on N threads at once (each on its own database connection)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def race(work: Callable[[], T], workers: int) -> list[T | BaseException]:
    barrier = threading.Barrier(workers)
    results: list[T | BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            try:
                outcome: T | BaseException = work()
            except BaseException as exc:  # noqa: BLE001 - reported to the test
                outcome = exc
            with lock:
                results.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
