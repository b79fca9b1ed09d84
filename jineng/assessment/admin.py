"""Read-only admin for exam-room records and retained parts: they are written only through
`jineng.assessment.services.examroom` and `registration_create` (audited; a closed record must
not change), so the admin shows them and changes nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jineng.assessment.models import (
    RetainedPart,
    RoomAddendum,
    RoomIncident,
    RoomRecord,
    RoomSignature,
    SealOpening,
    VideoReference,
)


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class _Inline(_ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False


class SealInline(_Inline):
    model = SealOpening
    fields = ("seal_numbers", "opened_at", "opened_by", "witness")
    readonly_fields = fields


class IncidentInline(_Inline):
    model = RoomIncident
    fields = ("occurred_at", "registration", "description", "action_taken", "recorded_by")
    readonly_fields = fields


class VideoInline(_Inline):
    model = VideoReference
    fields = ("reference", "starts_at", "ends_at", "recorded_by")
    readonly_fields = fields


class SignatureInline(_Inline):
    model = RoomSignature
    fields = ("person", "user", "signed_at")
    readonly_fields = fields


class AddendumInline(_Inline):
    model = RoomAddendum
    fields = ("text", "written_by", "written_at")
    readonly_fields = fields


@admin.register(RoomRecord)
class RoomRecordAdmin(_ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("session", "room", "created_at", "closed_at")
    list_select_related = ("session",)
    readonly_fields = ("session", "room", "created_at", "closed_at")
    inlines = (SealInline, IncidentInline, VideoInline, SignatureInline, AddendumInline)


@admin.register(RetainedPart)
class RetainedPartAdmin(_ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("registration", "part", "result")
    readonly_fields = ("registration", "part", "result")
