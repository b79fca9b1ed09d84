"""The heartbeat's statements on PostgreSQL: two round trips, autocommitted, instead of nine to
eleven in a transaction (issue 8 "Measured": ≥ 1,500 heartbeats/s). The decisions — the interval
arithmetic of `_measure`, what is new (`segments.uncovered`), the daily cap — are the same Python
functions as on SQLite (`learning_time._heartbeat_orm`); only the reads and writes are fused:

- `read_and_move`: one statement locks the stream row, moves it to this heartbeat's position when
  it is active, has no pending check and this heartbeat is not stale (the conditions under which
  the ORM path moves it), and returns the stream's previous state with the person's progress on
  the lesson and credited time today. Heartbeats of one stream are serialised here: each sees the
  position the one before it left, so the intervals they measure never overlap in wall time.
- `credit`: one statement appends the segments, upserts the progress (merged segments) and the
  day's total, and counts the credit towards the next real-name check — guarded: it locks the
  progress and day rows (FOR UPDATE re-reads a row a concurrent writer changed) and writes
  nothing unless they are still what the decision was made from (compare-and-swap; the upserts
  repeat the comparison for a row another writer inserted meanwhile, and each later write reads
  the one before through RETURNING, so all or none happen). Every credit of a person changes the
  day's row, so the day's row puts all of a person's writes in one order. The caller then reads
  them again (`reread`) and decides again, so a concurrent heartbeat, another device's or a
  check's void is never overwritten and no millisecond is credited twice or past the daily cap.

No transaction spans the two: a process that dies between them has moved the stream without
crediting that interval (credit lost, never doubled). The tests run both statements on
PostgreSQL (tests/test_heartbeat_queries.py, test_concurrency.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection

READ = """
WITH old AS (
    SELECT state, last_position_ms, last_at, last_visible, pending_check_id
    FROM learning_learningstream
    WHERE id = %(stream)s AND person_id = %(person)s AND lesson_id = %(lesson)s
    FOR UPDATE
), moved AS (
    UPDATE learning_learningstream AS s
    SET last_position_ms = %(pos)s, last_at = %(at)s, last_visible = %(visible)s
    FROM old
    WHERE s.id = %(stream)s AND old.state = 'active' AND old.pending_check_id IS NULL
      AND (old.last_at IS NULL OR old.last_at < %(at)s)
    RETURNING s.id
), progress AS (
    SELECT credited_ms, segments, completed_at FROM learning_lessonprogress
    WHERE person_id = %(person)s AND lesson_id = %(lesson)s
), today AS (
    SELECT credited_ms FROM learning_dailylearning
    WHERE person_id = %(person)s AND day = %(day)s
)
SELECT old.state, old.last_position_ms, old.last_at, old.last_visible, old.pending_check_id,
       (SELECT count(*) FROM moved),
       (SELECT credited_ms FROM progress), (SELECT segments::text FROM progress),
       (SELECT completed_at FROM progress), (SELECT credited_ms FROM today)
FROM old
"""

REREAD = """
SELECT (SELECT credited_ms FROM learning_lessonprogress
        WHERE person_id = %(person)s AND lesson_id = %(lesson)s),
       (SELECT segments::text FROM learning_lessonprogress
        WHERE person_id = %(person)s AND lesson_id = %(lesson)s),
       (SELECT completed_at FROM learning_lessonprogress
        WHERE person_id = %(person)s AND lesson_id = %(lesson)s),
       (SELECT credited_ms FROM learning_dailylearning
        WHERE person_id = %(person)s AND day = %(day)s)
"""

WRITE = """
WITH seen AS (
    SELECT (SELECT ARRAY[credited_ms::text, segments::text] FROM learning_lessonprogress
            WHERE person_id = %(person)s AND lesson_id = %(lesson)s FOR UPDATE) AS progress,
           (SELECT credited_ms FROM learning_dailylearning
            WHERE person_id = %(person)s AND day = %(day)s FOR UPDATE) AS day_ms
), guard AS (
    SELECT 1 AS ok FROM seen
    WHERE seen.progress IS NOT DISTINCT FROM %(progress_seen)s::text[]
      AND seen.day_ms IS NOT DISTINCT FROM %(day_ms)s::bigint
), today AS (
    INSERT INTO learning_dailylearning (person_id, day, credited_ms)
    SELECT %(person)s, %(day)s, %(gained)s FROM guard
    ON CONFLICT (person_id, day) DO UPDATE
    SET credited_ms = learning_dailylearning.credited_ms + EXCLUDED.credited_ms
    WHERE learning_dailylearning.credited_ms IS NOT DISTINCT FROM %(day_ms)s::bigint
    RETURNING 1 AS ok
), progress AS (
    INSERT INTO learning_lessonprogress (person_id, lesson_id, credited_ms, segments, completed_at)
    SELECT %(person)s, %(lesson)s, %(total)s, %(segments)s::jsonb, %(completed_at)s FROM today
    ON CONFLICT (person_id, lesson_id) DO UPDATE
    SET credited_ms = EXCLUDED.credited_ms, segments = EXCLUDED.segments,
        completed_at = COALESCE(learning_lessonprogress.completed_at, EXCLUDED.completed_at)
    WHERE ARRAY[learning_lessonprogress.credited_ms::text, learning_lessonprogress.segments::text]
          IS NOT DISTINCT FROM %(progress_seen)s::text[]
    RETURNING id
), ledger AS (
    INSERT INTO learning_creditedsegment (person_id, lesson_id, stream_id, start_ms, end_ms, at, day)
    SELECT %(person)s, %(lesson)s, %(stream)s, u.a, u.b, %(at)s, %(day)s
    FROM progress, unnest(%(starts)s::bigint[], %(ends)s::bigint[]) AS u(a, b)
), counted AS (
    UPDATE learning_learningstream
    SET credit_since_check_ms = credit_since_check_ms + %(gained)s,
        next_check_after_ms = COALESCE(next_check_after_ms, %(draw)s::bigint)
    FROM progress
    WHERE learning_learningstream.id = %(stream)s AND %(checks)s
    RETURNING credit_since_check_ms, next_check_after_ms
)
SELECT progress.id, counted.credit_since_check_ms, counted.next_check_after_ms
FROM progress LEFT JOIN counted ON true
"""


@dataclass(frozen=True)
class Standing:
    """The person's progress on the lesson and credited time today, as read (None: no row)."""

    progress_ms: int | None
    segments: list[list[int]]
    segments_text: str  # as PostgreSQL prints the jsonb, for the guard
    completed_at: datetime | None
    day_ms: int | None


@dataclass(frozen=True)
class StreamRead:
    state: str
    prev_pos: int | None
    prev_at: datetime | None
    prev_visible: bool
    pending_check_id: int | None
    moved: bool
    standing: Standing


def _standing(progress_ms: Any, segments: Any, completed_at: Any, day_ms: Any) -> Standing:
    text = segments if isinstance(segments, str) else json.dumps(segments)
    value = json.loads(text) if segments is not None else []
    return Standing(
        progress_ms, [[int(a), int(b)] for a, b in value], text or "", completed_at, day_ms
    )


def read_and_move(
    *,
    stream_id: int,
    person_id: int,
    lesson_id: int,
    pos: int,
    visible: bool,
    at: datetime,
    day: date,
) -> StreamRead | None:
    with connection.cursor() as cursor:
        cursor.execute(
            READ,
            {
                "stream": stream_id,
                "person": person_id,
                "lesson": lesson_id,
                "pos": pos,
                "visible": visible,
                "at": at,
                "day": day,
            },
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return StreamRead(
        state=row[0],
        prev_pos=row[1],
        prev_at=row[2],
        prev_visible=bool(row[3]),
        pending_check_id=row[4],
        moved=bool(row[5]),
        standing=_standing(row[6], row[7], row[8], row[9]),
    )


def reread(*, person_id: int, lesson_id: int, day: date) -> Standing:
    with connection.cursor() as cursor:
        cursor.execute(REREAD, {"person": person_id, "lesson": lesson_id, "day": day})
        row = cursor.fetchone()
    return _standing(row[0], row[1], row[2], row[3])


@dataclass(frozen=True)
class Written:
    progress_id: int
    credit_since_check_ms: int | None  # None: checks are off
    next_check_after_ms: int | None


def credit(
    *,
    stream_id: int,
    person_id: int,
    lesson_id: int,
    standing: Standing,
    parts: list[tuple[int, int]],
    merged: list[tuple[int, int]],
    total: int,
    gained: int,
    completed_at: datetime | None,
    at: datetime,
    day: date,
    checks: bool,
    draw: int | None,
) -> Written | None:
    """Write one credit; None when the guard found the standing changed (module docstring)."""
    with connection.cursor() as cursor:
        cursor.execute(
            WRITE,
            {
                "stream": stream_id,
                "person": person_id,
                "lesson": lesson_id,
                "progress_seen": None
                if standing.progress_ms is None
                else [str(standing.progress_ms), standing.segments_text],
                "day_ms": standing.day_ms,
                "total": total,
                "segments": json.dumps([list(p) for p in merged]),
                "completed_at": completed_at,
                "day": day,
                "gained": gained,
                "at": at,
                "starts": [a for a, _ in parts],
                "ends": [b for _, b in parts],
                "checks": checks,
                "draw": draw,
            },
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return Written(int(row[0]), row[1], row[2])
