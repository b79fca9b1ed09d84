"""Entry points of the imports, shared by the `jineng import` command, the web upload page and
the Celery task. Each reads the file, validates every row, and writes per `dry_run`/`skip_bad`
(see `machinery.run_import`); the returned report lists every problem and `to_xlsx()` renders it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from jineng.imports.facts import FactsImporter
from jineng.imports.machinery import Progress, run_import
from jineng.imports.organisations import OrganisationsImporter
from jineng.imports.people import PeopleImporter
from jineng.imports.reading import FileInput
from jineng.imports.report import ImportReport

if TYPE_CHECKING:
    from jineng.identity.models import User


def import_people(
    *,
    actor: User | None,
    file: FileInput,
    dry_run: bool = False,
    skip_bad: bool = False,
    filename: str = "",
    progress: Progress | None = None,
    update_existing: bool = False,
) -> ImportReport:
    """`update_existing`: a registered person in the actor's scope is updated (the changes are
    in `report.changes`) instead of refused."""
    name = filename or (Path(file).name if isinstance(file, str | Path) else "")
    return run_import(
        PeopleImporter(actor, update_existing=update_existing, filename=name),
        actor=actor,
        file=file,
        filename=filename,
        dry_run=dry_run,
        skip_bad=skip_bad,
        progress=progress,
    )


def import_organisations(
    *,
    actor: User | None,
    file: FileInput,
    dry_run: bool = False,
    skip_bad: bool = False,
    filename: str = "",
    progress: Progress | None = None,
) -> ImportReport:
    return run_import(
        OrganisationsImporter(actor),
        actor=actor,
        file=file,
        filename=filename,
        dry_run=dry_run,
        skip_bad=skip_bad,
        progress=progress,
    )


def import_facts(
    *,
    actor: User | None,
    file: FileInput,
    dry_run: bool = False,
    skip_bad: bool = False,
    filename: str = "",
    progress: Progress | None = None,
) -> ImportReport:
    return run_import(
        FactsImporter(actor),
        actor=actor,
        file=file,
        filename=filename,
        dry_run=dry_run,
        skip_bad=skip_bad,
        progress=progress,
    )


IMPORTS: dict[str, Callable[..., ImportReport]] = {
    "people": import_people,
    "organisations": import_organisations,
    "facts": import_facts,
}
