"""Loading facts built elsewhere (the synthetic city, a migration from a previous system): the
dossier's own door into its table for volumes where `fact_append` row by row would take hours.
Facts stay append-only: the loader writes new rows only, never a correction of an existing one
(`supersedes` is not a loadable column), and the caller records the load as one audit entry."""

from __future__ import annotations

from collections.abc import Sequence

from jineng.core.bulkload import TableWriter
from jineng.dossier.models import Fact

__all__ = ["facts_loader"]


def facts_loader(columns: Sequence[str], *, json_as_text: bool = False) -> TableWriter:
    """A writer of new Fact rows with these columns (`json_as_text`: JSON already encoded)."""
    if "supersedes" in columns:
        raise ValueError("档案批量写入：更正只能通过 fact_correct 逐条进行")
    return TableWriter(Fact, columns, json_as_text=json_as_text)
