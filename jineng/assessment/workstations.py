"""Workstations by lot (工位抽签, issue 9 §3): which candidates sit in which room, and the draw of
their stations from a recorded seed. Pure functions: the same seed, candidates and station count
always give the same stations, so anyone holding the record can redo the draw."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence


def room_of(position: int, *, candidates: int, rooms: int) -> int:
    """The room (1-based) of the candidate at `position` (0-based, registrations in order): the
    candidates are dealt into the rooms in equal blocks, the last room taking what is left."""
    per_room = max(1, math.ceil(candidates / max(rooms, 1)))
    return min(position // per_room + 1, max(rooms, 1))


def draw(seed: str, candidate_ids: Sequence[int], stations: int) -> dict[int, int]:
    """candidate id → station number (1..stations), distinct, from `seed` alone. Candidates are
    taken in ascending id order so the caller's order does not matter."""
    ids = sorted(set(candidate_ids))
    if stations < len(ids):
        raise ValueError("fewer stations than candidates")
    rng = random.Random(f"jineng-workstations:{seed}")  # noqa: S311 — a lot, not a secret
    picks = rng.sample(range(1, stations + 1), len(ids))
    return dict(zip(ids, picks, strict=True))
