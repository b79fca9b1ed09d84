"""Fact rows as the seeder collects them before they are written (see run._write_chunk)."""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from typing import Any

from jineng.demo.context import SeedContext

# One encoder for all facts: json.dumps with options builds a new encoder per call.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@lru_cache(maxsize=65536)
def day(ordinal: int) -> dt.date:
    return dt.date.fromordinal(ordinal)


class FactRows:
    """Collects fact tuples for the chunk."""

    def __init__(self, region: str, residence: list[str] | None = None) -> None:
        self.rows: list[tuple[Any, ...]] = []
        self.region = region  # the city: organisations' facts
        self.residence = residence  # per person of the chunk: the 镇街 where they live

    def person(
        self,
        who: int,
        kind: str,
        code: str,
        level: str,
        date: dt.date,
        attrs: dict[str, Any],
        *,
        issuer: int | None = None,
        issuer_name: str = "",
        amount_fen: int | None = None,
    ) -> None:
        self.rows.append(
            (
                who,
                None,
                kind,
                code,
                level,
                date,
                amount_fen,
                self.residence[who] if self.residence is not None else self.region,
                issuer,
                issuer_name,
                _JSON(attrs),
            )
        )

    def organisation(
        self,
        org: int,
        kind: str,
        code: str,
        level: str,
        date: dt.date,
        attrs: dict[str, Any],
        *,
        issuer_name: str = "",
    ) -> None:
        self.rows.append(
            (
                None,
                org,
                kind,
                code,
                level,
                date,
                None,
                self.region,
                None,
                issuer_name,
                _JSON(attrs),
            )
        )


def competition_issuer(ctx: SeedContext, code: str) -> str:
    if code.startswith("city"):
        return ctx.employers.bureau_name
    if code.startswith("provincial"):
        return ctx.employers.province_bureau_name
    if code == "worldskills":
        return "世界技能组织"
    return "人力资源和社会保障部"
