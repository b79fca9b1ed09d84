"""Celery tasks of the audit app. A deployment schedules `jineng.audit.tasks.audit_anchor` with
Celery beat (docs/architecture.md, "The audit trail: keys, chains, anchors"); running it twice
only writes two anchors."""

from __future__ import annotations

from pathlib import Path

from celery import shared_task


@shared_task(name="jineng.audit.tasks.audit_anchor")  # type: ignore[untyped-decorator]
def audit_anchor(out_dir: str | None = None) -> str:
    """Write a signed anchor (under `out_dir`, default VAR_DIR/audit/anchors/); returns its path."""
    import datetime as dt

    from django.utils import timezone

    from jineng.audit.anchor import audit_anchor as write_anchor

    out = None
    if out_dir:
        out = Path(out_dir) / f"anchor-{timezone.now().astimezone(dt.UTC):%Y%m%dT%H%M%S%fZ}.json"
    _, path = write_anchor(out=out)
    return str(path)


@shared_task(name="jineng.audit.tasks.audit_verify")  # type: ignore[untyped-decorator]
def audit_verify() -> bool:
    """Verify the chains and store the outcome for the audit page."""
    from jineng.audit.anchor import audit_verification_record
    from jineng.audit.services import audit_verify as verify

    result = verify()
    audit_verification_record(result)
    return result.ok
