"""Read-only admin for the audit trail: it can be searched and read, never added to or edited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jineng.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "id",
        "at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "region",
        "reason",
    )
    list_filter = ("action", "object_type", "chain")
    search_fields = ("=object_id", "actor_label", "=hash")
    date_hierarchy = "at"
    readonly_fields = (
        "at",
        "actor",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "region",
        "before",
        "after",
        "reason",
        "chain",
        "seq",
        "key_id",
        "prev_hash",
        "hash",
    )
    list_select_related = False
    show_full_result_count = False  # a count(*) over millions of rows on every page is wasted

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
