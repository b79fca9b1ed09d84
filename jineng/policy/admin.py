"""Read-only admin for simulation runs: they are started from the policy pages or the API (through
`simulation_start`, audited) and changed only by their task."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jineng.policy.models import SimulationRun


@admin.register(SimulationRun)
class SimulationRunAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "id",
        "created_at",
        "created_by",
        "on",
        "population",
        "region",
        "status",
        "progress",
    )
    list_filter = ("status", "population")
    search_fields = ("=id", "created_by__username", "region")
    date_hierarchy = "created_at"
    list_select_related = ("created_by",)
    exclude = ("population_facts",)  # uploaded facts may be large; the file name is shown
    readonly_fields = (
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
        "on",
        "overrides",
        "params",
        "population",
        "region",
        "population_file_name",
        "subject_count",
        "status",
        "progress",
        "result",
        "error",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
