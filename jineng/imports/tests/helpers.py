"""Building spreadsheets for import tests, and counting what the database holds."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

from jineng.audit.models import AuditEntry
from jineng.dossier.models import Fact
from jineng.identity.models import Employment, Person
from jineng.organisations.models import Organisation


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def write_csv(
    path: Path, header: Sequence[str], rows: Sequence[Sequence[object]], encoding: str = "utf-8-sig"
) -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def counts() -> dict[str, int]:
    return {
        "people": Person.objects.count(),
        "employments": Employment.objects.count(),
        "organisations": Organisation.objects.count(),
        "facts": Fact.objects.count(),
        "audit": AuditEntry.objects.count(),
    }
