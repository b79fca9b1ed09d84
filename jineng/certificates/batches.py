"""Batch issue in the background (issue 9, 6: "in a background batch with progress").

`certificate_batch_start` checks every row now (holder, occupation, level, licence scope, the
enterprise's own employees) and refuses the whole list naming the first bad record, so a queued
batch is one that can run; it then enqueues the task after commit. The task issues in chunks of
`CHUNK` rows, one transaction each, through `certificates_issue_batch`, recording progress after
each chunk. A row refused at run time (e.g. the licence was withdrawn meanwhile) fails the batch
with the record's number; the chunks before it stay issued (they are genuine passes) and the
batch says how many.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction

from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.certificates.models import ISSUE_BATCH_STATES, IssueBatch
from jineng.certificates.services import (
    CertificateRefused,
    NewCertificate,
    certificates_issue_batch,
    check_may_issue,
)
from jineng.certificates.services.common import require_manage
from jineng.core.errors import DomainError
from jineng.core.jobs import JobLifecycle
from jineng.dossier.vocabulary import CERTIFICATE_LEVELS
from jineng.identity.models import Person
from jineng.organisations.models import Organisation
from jineng.reference.models import Occupation

if TYPE_CHECKING:
    from jineng.identity.models import User

CHUNK = 200
MAX_ROWS = 100_000
LIFECYCLE = JobLifecycle(ISSUE_BATCH_STATES, heartbeat_field="heartbeat_at")


def _check_rows(issuer: Organisation, rows: Sequence[NewCertificate]) -> None:
    people = Person.objects.in_bulk({r.person_id for r in rows})
    occupations = Occupation.objects.in_bulk({r.occupation for r in rows})
    for number, row in enumerate(rows, start=1):
        try:
            person = people.get(row.person_id)
            occupation = occupations.get(row.occupation)
            if person is None:
                raise CertificateRefused("person", "持证人不存在")
            if occupation is None:
                raise CertificateRefused("occupation", f"职业编码“{row.occupation}”不存在")
            if row.level not in CERTIFICATE_LEVELS:
                raise CertificateRefused("level", f"等级“{row.level}”不是职业技能等级")
            check_may_issue(
                organisation=issuer,
                person=person,
                occupation=occupation,
                level=row.level,
                on=row.issued_on,
            )
        except DomainError as exc:
            raise type(exc)(exc.field, f"第{number}条记录：{exc.message}") from exc


@transaction.atomic
def certificate_batch_start(
    *, actor: User | None, issuer: Organisation, rows: Sequence[NewCertificate]
) -> IssueBatch:
    """Check the list and queue it; the certificates are issued by the task."""
    require_manage(actor, issuer)
    if not rows:
        raise CertificateRefused("rows", "发证名单为空")
    if len(rows) > MAX_ROWS:
        raise CertificateRefused("rows", f"一次最多发证{MAX_ROWS}人，请分批提交")
    _check_rows(issuer, rows)
    batch = IssueBatch.objects.create(
        issuer=issuer,
        requested_by=actor,
        total=len(rows),
        rows=[
            {
                "person": r.person_id,
                "occupation": r.occupation,
                "level": r.level,
                "issued_on": r.issued_on.isoformat(),
            }
            for r in rows
        ],
    )
    audit_record(
        actor=actor,
        action=AuditAction.CERTIFICATE_BATCH_START,
        object_type=AuditObject.CERTIFICATE_BATCH,
        object_id=batch.pk,
        after={"issuer": issuer.pk, "total": batch.total},
        region=issuer.region_id,
    )
    from jineng.certificates.tasks import issue_batch_task

    transaction.on_commit(lambda: issue_batch_task.delay(batch.pk))
    return batch


def certificate_batch_execute(*, batch_id: int) -> None:
    """The task's body: claim, issue chunk by chunk with progress, finish or fail."""
    if not LIFECYCLE.claim(batch_id, issued=0):
        return  # not queued: a re-delivered task
    batch = IssueBatch.objects.select_related("issuer", "requested_by").get(pk=batch_id)
    rows = [
        NewCertificate(
            person_id=int(r["person"]),
            occupation=str(r["occupation"]),
            level=str(r["level"]),
            issued_on=dt.date.fromisoformat(str(r["issued_on"])),
        )
        for r in batch.rows
    ]
    issued = 0
    for start in range(0, len(rows), CHUNK):
        try:
            certificates_issue_batch(
                actor=batch.requested_by, issuer=batch.issuer, rows=rows[start : start + CHUNK]
            )
        except (DomainError, PermissionDenied) as exc:
            message = exc.message if isinstance(exc, DomainError) else str(exc)
            if message.startswith("第") and "条记录：" in message:
                within, _, rest = message[1:].partition("条记录：")
                if within.isdigit():
                    message = f"第{start + int(within)}条记录：{rest}"
            LIFECYCLE.fail(batch_id, f"已发证{issued}人后停止：{message}")
            return
        issued += len(rows[start : start + CHUNK])
        LIFECYCLE.progress(batch_id, issued=issued)
    LIFECYCLE.finish(batch_id, issued=issued)
