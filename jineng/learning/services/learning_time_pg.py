"""The heartbeat's statements on PostgreSQL: two round trips instead of nine to eleven (issue 8
"Measured": ≥ 1,500 heartbeats/s). The decisions — the interval arithmetic of `_measure`, what is
new (`segments.uncovered`), the daily cap — are the same Python functions as on SQLite
(`learning_time._credit_orm`); only the reads and writes around them are fused:

- `read_and_move`: one statement locks the stream row (FOR UPDATE), moves it to this heartbeat's
  position when it is active, has no pending check and this heartbeat is not stale (the same
  conditions under which the ORM path moves it), and returns the stream's previous state with the
  person's progress on the lesson and credited time today, locking both rows when they exist.
- `credit`: one statement appends the segments, upserts the progress (merged segments) and the
  day's total, and counts the credit towards the next real-name check.

Why the guard in `credit`: every sub-select of a statement reads one snapshot, taken before the
stream lock was granted. A heartbeat that waited for that lock behind another one of the same
stream sees the stream row as the other left it (a locked row is re-read), but not a progress or
day row the other *inserted*. So the write statement — a new snapshot, taken while the stream is
locked — first compares the progress and day totals with what was read and writes nothing when
they differ; the caller then reads them again (locked, fresh) and decides again. This happens
only when two heartbeats of one stream race on its first credit of a lesson or a day.
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
    FOR UPDATE
), today AS (
    SELECT credited_ms FROM learning_dailylearning
    WHERE person_id = %(person)s AND day = %(day)s
    FOR UPDATE
)
SELECT old.state, old.last_position_ms, old.last_at, old.last_visible, old.pending_check_id,
       (SELECT count(*) FROM moved),
       (SELECT credited_ms FROM progress), (SELECT segments FROM progress),
       (SELECT completed_at FROM progress), (SELECT credited_ms FROM today)
FROM old
"""

REREAD = """
SELECT (SELECT credited_ms FROM learning_lessonprogress
        WHERE person_id = %(person)s AND lesson_id = %(lesson)s FOR UPDATE),
       (SELECT segments FROM learning_lessonprogress
        WHERE person_id = %(person)s AND lesson_id = %(lesson)s),
       (SELECT completed_at FROM learning_lessonprogress
        WHERE person_id = %(person)s AND lesson_id = %(lesson)s),
       (SELECT credited_ms FROM learning_dailylearning
        WHERE person_id = %(person)s AND day = %(day)s FOR UPDATE)
"""

WRITE = """
WITH guard AS (
    SELECT 1 AS ok
    WHERE (SELECT credited_ms FROM learning_lessonprogress
           WHERE person_id = %(person)s AND lesson_id = %(lesson)s)
          IS NOT DISTINCT FROM %(progress_ms)s::bigint
      AND (SELECT credited_ms FROM learning_dailylearning
           WHERE person_id = %(person)s AND day = %(day)s)
          IS NOT DISTINCT FROM %(day_ms)s::bigint
), progress AS (
    INSERT INTO learning_lessonprogress (person_id, lesson_id, credited_ms, segments, completed_at)
    SELECT %(person)s, %(lesson)s, %(total)s, %(segments)s::jsonb, %(completed_at)s FROM guard
    ON CONFLICT (person_id, lesson_id) DO UPDATE
    SET credited_ms = EXCLUDED.credited_ms, segments = EXCLUDED.segments,
        completed_at = COALESCE(learning_lessonprogress.completed_at, EXCLUDED.completed_at)
    RETURNING id
), today AS (
    INSERT INTO learning_dailylearning (person_id, day, credited_ms)
    SELECT %(person)s, %(day)s, %(gained)s FROM guard
    ON CONFLICT (person_id, day) DO UPDATE
    SET credited_ms = learning_dailylearning.credited_ms + EXCLUDED.credited_ms
), ledger AS (
    INSERT INTO learning_creditedsegment (person_id, lesson_id, stream_id, start_ms, end_ms, at, day)
    SELECT %(person)s, %(lesson)s, %(stream)s, u.a, u.b, %(at)s, %(day)s
    FROM guard, unnest(%(starts)s::bigint[], %(ends)s::bigint[]) AS u(a, b)
), counted AS (
    UPDATE learning_learningstream
    SET credit_since_check_ms = credit_since_check_ms + %(gained)s,
        next_check_after_ms = COALESCE(next_check_after_ms, %(draw)s::bigint)
    FROM guard
    WHERE id = %(stream)s AND %(checks)s
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


def _segments(value: Any) -> list[list[int]]:
    if value is None:
        return []
    if isinstance(value, str | bytes):  # Django loads jsonb as text for JSONField
        value = json.loads(value)
    return [[int(a), int(b)] for a, b in value]


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
        standing=Standing(row[6], _segments(row[7]), row[8], row[9]),
    )


def reread(*, person_id: int, lesson_id: int, day: date) -> Standing:
    with connection.cursor() as cursor:
        cursor.execute(REREAD, {"person": person_id, "lesson": lesson_id, "day": day})
        row = cursor.fetchone()
    return Standing(row[0], _segments(row[1]), row[2], row[3])


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
                "progress_ms": standing.progress_ms,
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
