"""The one import pipeline: read the file → validate every row → report → write.

An importer (people, organisations, facts) declares its columns and supplies three steps:
`parse` (one row → a typed item, recording each bad cell), `check_batch` (checks across rows:
duplicates within the file and against the database, one query per chunk) and `write` (bulk
inserts of the good items). This module runs them the same way for the command, the web upload
page and the Celery task:

- every bad row is reported with its row number, column and reason — all of them, not the first;
- a dry run writes nothing;
- a real run is one transaction: with any bad row and no `skip_bad` nothing is written, with
  `skip_bad` exactly the good rows are; a row's records (person, employment, facts) are written
  together or not at all, and a failure while writing rolls back everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol, TypeVar

from django.db import DatabaseError, IntegrityError, transaction

from jineng.audit.services import audit_record
from jineng.dossier.errors import FactInvalid
from jineng.identity.masking import mask_bank_account, mask_id_number, mask_phone, mask_text
from jineng.imports import cells
from jineng.imports.access import ImportScope
from jineng.imports.reading import Cell, FileInput, UnreadableFile, read_table
from jineng.imports.report import ImportReport, RowIssue, Severity

if TYPE_CHECKING:
    from jineng.identity.models import User

Sensitive = Literal["id_number", "phone", "bank_account"]
T = TypeVar("T")
CHUNK = 1000  # rows per database query in duplicate checks
PROGRESS_EVERY = 500  # rows between two progress reports (the import page's job status)

Progress = Callable[[int, int], None]  # (rows checked, total rows)

_MASKERS = {"id_number": mask_id_number, "phone": mask_phone, "bank_account": mask_bank_account}


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the canonical Chinese header, as written in the template
    aliases: tuple[str, ...] = ()
    required: bool = False  # the column must be present and the cell filled
    sensitive: Sensitive | None = None
    note: str = ""  # what to write in it (shown in the command's help and the template)
    example: str = ""  # the template's sample row


class RowView:
    """One data row as an importer sees it: cells by column key, and where to record problems."""

    def __init__(
        self,
        number: int,
        values: dict[str, Cell],
        columns: dict[str, Column],
        headers: dict[str, str],
    ) -> None:
        self.number = number
        self._values = values
        self._columns = columns
        self._headers = headers  # key → header as written in this file
        self.issues: list[RowIssue] = []

    def cell(self, key: str) -> Cell:
        return self._values.get(key)

    def text(self, key: str) -> str:
        return cells.text(self._values.get(key))

    def has(self, key: str) -> bool:
        return self.text(key) != ""

    @property
    def has_errors(self) -> bool:
        return any(i.severity == "error" for i in self.issues)

    def _masked(self, key: str, value: str | None) -> str:
        shown = self.text(key) if value is None else value
        column = self._columns.get(key)
        if column is not None and column.sensitive is not None:
            return _MASKERS[column.sensitive](shown)
        return mask_text(shown)

    def _add(self, key: str, reason: str, value: str | None, severity: Severity) -> None:
        header = self._headers.get(key) or (
            self._columns[key].header if key in self._columns else ""
        )
        self.issues.append(
            RowIssue(
                row=self.number,
                column=header,
                value=self._masked(key, value) if key else "",
                reason=reason,
                severity=severity,
            )
        )

    def error(self, key: str, reason: str, value: str | None = None) -> None:
        self._add(key, reason, value, "error")

    def warning(self, key: str, reason: str, value: str | None = None) -> None:
        self._add(key, reason, value, "warning")

    def require(self, key: str) -> str:
        """The cell's text, recording "missing" when empty."""
        value = self.text(key)
        if not value:
            self.error(key, "必填项为空")
        return value


class Importer(Protocol[T]):
    @property
    def kind(self) -> Literal["people", "organisations", "facts"]: ...

    @property
    def columns(self) -> tuple[Column, ...]: ...

    def parse(self, row: RowView) -> T | None: ...

    def check_batch(self, items: list[tuple[RowView, T]]) -> None: ...

    def write(
        self, *, actor: User | None, items: list[tuple[RowView, T]], filename: str
    ) -> int: ...


@dataclass
class _HeaderMap:
    positions: dict[str, int]  # column key → index in the row
    written: dict[str, str]  # column key → header as written
    issues: list[RowIssue]
    missing: list[str]


def _map_headers(headers: Sequence[str], columns: Sequence[Column]) -> _HeaderMap:
    by_name: dict[str, Column] = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            by_name[cells.normalise_header(name)] = column
    positions: dict[str, int] = {}
    written: dict[str, str] = {}
    issues: list[RowIssue] = []
    for index, header in enumerate(headers):
        if not header:
            continue
        found = by_name.get(cells.normalise_header(header))
        if found is None:
            issues.append(RowIssue(1, header, "", "未知的列，已忽略", "warning"))
        elif found.key in positions:
            issues.append(
                RowIssue(1, header, "", f"与“{written[found.key]}”重复，已忽略", "warning")
            )
        else:
            positions[found.key] = index
            written[found.key] = header
    missing = [c.header for c in columns if c.required and c.key not in positions]
    return _HeaderMap(positions, written, issues, missing)


def chunked(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def run_import(
    importer: Importer[T],
    *,
    actor: User | None,
    file: FileInput,
    filename: str = "",
    dry_run: bool,
    skip_bad: bool,
    progress: Progress | None = None,
) -> ImportReport:
    ImportScope(actor).require(importer.kind)  # PermissionDenied before the file is read
    report = ImportReport(kind=importer.kind, filename=filename, dry_run=dry_run, skip_bad=skip_bad)
    try:
        table, report.filename = read_table(file, filename)
    except UnreadableFile as exc:
        report.file_error = str(exc)
        return report
    headers = _map_headers(table.headers, importer.columns)
    if headers.missing:
        report.file_error = f"缺少必填列：{'、'.join(headers.missing)}"
        report.issues = headers.issues
        return report
    columns = {c.key: c for c in importer.columns}
    rows = [
        RowView(
            source.number,
            {
                key: source.cells[index] if index < len(source.cells) else None
                for key, index in headers.positions.items()
            },
            columns,
            headers.written,
        )
        for source in table.rows
    ]
    report.total_rows = len(rows)
    if progress is not None:
        progress(0, report.total_rows)
    parsed: list[tuple[RowView, T]] = []
    for done, row in enumerate(rows):
        if progress is not None and done and done % PROGRESS_EVERY == 0:
            progress(done, report.total_rows)
        for column in importer.columns:
            if column.required and column.key in headers.positions and not row.has(column.key):
                row.error(column.key, "必填项为空")
        item = importer.parse(row)
        if item is not None and not row.has_errors:
            parsed.append((row, item))
    importer.check_batch(parsed)
    if progress is not None:
        progress(report.total_rows, report.total_rows)
    good = [(row, item) for row, item in parsed if not row.has_errors]
    # Update mode (people): the changes of the rows that will be written, listed before writing.
    report.update_existing = bool(getattr(importer, "update_existing", False))
    good_numbers = {row.number for row, _ in good}
    report.changes = [c for c in getattr(importer, "changes", ()) if c.row in good_numbers]
    order = {c.key: i for i, c in enumerate(importer.columns)}
    header_order = {headers.written.get(k, ""): i for k, i in order.items()}
    report.issues = headers.issues + sorted(
        (issue for row in rows for issue in row.issues),
        key=lambda i: (i.row, header_order.get(i.column, len(order))),
    )
    if dry_run or not good or (report.rejected_rows and not skip_bad):
        return report
    try:
        with transaction.atomic():
            written = importer.write(actor=actor, items=good, filename=report.filename)
            audit_record(
                actor=actor,
                action="import",
                object_type=f"imports.{importer.kind}",
                object_id=report.filename[:40] or "upload",
                after={
                    "rows": report.total_rows,
                    "written": written,
                    "rejected_rows": len(report.rejected_rows),
                    "skip_bad": skip_bad,
                },
            )
    except (IntegrityError, DatabaseError, FactInvalid) as exc:
        # e.g. the same ID number inserted by someone else between our check and our write
        report.write_error = f"{type(exc).__name__}: {mask_text(str(exc))[:300]}"
        return report
    report.written = written
    report.updated = int(getattr(importer, "updated", 0))
    return report
