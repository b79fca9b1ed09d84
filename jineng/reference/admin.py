from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from jineng.reference.models import Occupation, OccupationCategory, Region, ShortageOccupation

if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin[Any]
else:  # ModelAdmin is not subscriptable at run time without django-stubs-ext
    ModelAdmin = admin.ModelAdmin


class ReadOnlyAdmin(ModelAdmin):
    """Reference data loaded from the shipped files (`jineng load_reference`): view only."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    show_full_result_count = False


@admin.register(OccupationCategory)
class OccupationCategoryAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")


@admin.register(Occupation)
class OccupationAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "major_category", "category", "is_green", "is_digital")
    list_filter = ("major_category", "is_green", "is_digital")
    search_fields = ("code", "name")
    list_select_related = ("category",)


@admin.register(ShortageOccupation)
class ShortageOccupationAdmin(ReadOnlyAdmin):
    """Lists change only through `shortage_list_import` (audited): `jineng import_shortage_list`."""

    list_display = ("region", "year", "occupation", "min_level", "note")
    list_filter = ("year", "min_level", ("region", admin.RelatedOnlyFieldListFilter))
    search_fields = ("occupation__code", "occupation__name", "region__name")
    list_select_related = ("region", "occupation")
    ordering = ("region", "-year", "occupation")
