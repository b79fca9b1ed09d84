"""Errors of reference-data imports: each names the row, the column and the reason."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RowError:
    row: int  # line in the file as a person sees it (the header is row 1); 0 for a whole-file error
    column: str
    reason: str
    value: str = ""

    def __str__(self) -> str:
        shown = f"（{self.value}）" if self.value else ""
        where = f"第{self.row}行 " if self.row else ""
        return f"{where}{self.column}{shown}：{self.reason}"


class ImportRejected(Exception):
    """Raised when any row is bad; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__("；".join(str(e) for e in errors[:5]) + ("…" if len(errors) > 5 else ""))
