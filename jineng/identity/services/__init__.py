"""Every write to people, accounts and roles; each one audited with masked values.

One module per topic (`people`, `people_bulk`, `employment`, `accounts`, `roles`); every public
name is re-exported here, so callers write `from jineng.identity.services import person_create`.

Permissions (checked before anything is written; `actor=None` is the system itself — imports,
seeding, migrations):
- create a person: system administrator, bureau officer, organisation admin or HR;
- update a person: system administrator; bureau officer whose region covers the person's
  residence; organisation admin or HR for a person they can see (not their identity document);
  the person themself for phone, bank account and education;
- reveal a sensitive field: see `jineng.identity.access.can_reveal_person`;
- grant or revoke a role: system administrator; an organisation admin for teacher, assessor and HR
  roles at their own organisation;
- create or change an account: system administrator.
The auditor never writes. `actor=None` has every permission: pages and API endpoints always pass
the logged-in user, never None.
"""

from jineng.identity.services.accounts import (
    ACCOUNT_FIELDS,
    account_create,
    account_update,
)
from jineng.identity.services.employment import (
    employment_end,
    employment_record,
    employment_snapshot,
)
from jineng.identity.services.people import (
    DOCUMENT_FIELDS,
    PERSON_FIELDS,
    REVEALABLE_FIELDS,
    SELF_SERVICE_FIELDS,
    RevealableField,
    people_find_by_number,
    person_create,
    person_find_by_document,
    person_reveal,
    person_snapshot,
    person_update,
)
from jineng.identity.services.people_bulk import NewEmployment, NewPerson, people_bulk_create
from jineng.identity.services.roles import (
    ORG_GRANTABLE_ROLES,
    check_role_target,
    role_grant,
    role_revoke,
)

__all__ = [
    "ACCOUNT_FIELDS",
    "DOCUMENT_FIELDS",
    "ORG_GRANTABLE_ROLES",
    "PERSON_FIELDS",
    "REVEALABLE_FIELDS",
    "SELF_SERVICE_FIELDS",
    "NewEmployment",
    "NewPerson",
    "RevealableField",
    "account_create",
    "account_update",
    "check_role_target",
    "employment_end",
    "employment_record",
    "employment_snapshot",
    "people_bulk_create",
    "people_find_by_number",
    "person_create",
    "person_find_by_document",
    "person_reveal",
    "person_snapshot",
    "person_update",
    "role_grant",
    "role_revoke",
]
