"""Celery task of the faces app: `purge_images_task` deletes face images past their retention
(`services.faces_purge`). Celery beat runs it daily (`BEAT_SCHEDULE`, added to the app's schedule
when the app starts); a deployment that schedules with cron runs `jineng faces purge` instead."""

from __future__ import annotations

from celery import shared_task

PURGE_EVERY_SECONDS = 24 * 3600.0
BEAT_SCHEDULE = {
    "faces.purge_images": {"task": "faces.purge_images", "schedule": PURGE_EVERY_SECONDS},
}


@shared_task(name="faces.purge_images")  # type: ignore[untyped-decorator]
def purge_images_task() -> int:
    """Delete face images and encodings past FACES_RETENTION_DAYS; returns how many records."""
    from jineng.faces.services import faces_purge

    return faces_purge()
