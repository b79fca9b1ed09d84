"""Loading people and their jobs from rows built elsewhere, already validated and encrypted (the
synthetic city, a migration from a previous system): the identity app's own door into its tables
for volumes where `people_bulk_create` (validation, encryption and one audit entry per record)
would take hours. The caller records what it loaded as one audit entry.

The rows bypass `Person.save`, so an encrypted number must come with its blind index: a loader
whose columns name one without the other is refused before anything is written.
"""

from __future__ import annotations

from collections.abc import Sequence

from jineng.core.bulkload import TableWriter
from jineng.identity.models import Employment, Person

__all__ = ["employments_loader", "people_loader"]

# Encrypted column → the blind index that must be written with it.
_INDEXED = {"id_number": "id_number_index", "phone": "phone_index"}


def people_loader(columns: Sequence[str]) -> TableWriter:
    """A writer of Person rows with these columns (ID number and phone already encrypted, with
    their blind indexes). The bank account is never loaded this way: it needs its owner's
    confirmation (`person_update`), and neither is its blind index (an index without the account
    would make the shared-account checks see an account nobody confirmed)."""
    given = set(columns)
    for encrypted, index in _INDEXED.items():
        if (encrypted in given) != (index in given):
            raise ValueError(f"人员批量写入：{encrypted} 与 {index} 必须同时提供")
    if given & {"bank_account", "bank_account_index"}:
        raise ValueError("人员批量写入：银行账号不能批量写入")
    return TableWriter(Person, columns)


def employments_loader(columns: Sequence[str]) -> TableWriter:
    """A writer of Employment rows with these columns."""
    return TableWriter(Employment, columns)
