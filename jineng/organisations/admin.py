"""Back office for organisations and teachers. Adds and changes go through the services, so a
failing credit code is held for review (filter 代码核验 → 待人工核验) and every change is audited."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jineng.identity.admin import add_validation_error
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import User
from jineng.organisations.access import organisations_visible_to
from jineng.organisations.models import Organisation, Teacher, UsccStatus
from jineng.organisations.services import (
    EXTRA_FIELDS,
    organisation_check,
    organisation_create,
    organisation_update,
    teacher_attach,
    teacher_detach,
)


class UsccReviewFilter(admin.SimpleListFilter):
    title = _("代码核验")
    parameter_name = "uscc_review"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(choice.value, str(choice.label)) for choice in UsccStatus]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(uscc_status=self.value()) if self.value() else queryset


class OrganisationForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Organisation
        fields = ["kind", "name", "uscc", "region", "ownership", *EXTRA_FIELDS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            organisation_check(
                kind=data["kind"],
                name=data["name"],
                uscc=data.get("uscc", ""),
                region=data["region"],
                ownership=data.get("ownership", ""),
                exclude_pk=self.instance.pk,
                **{f: data.get(f) for f in EXTRA_FIELDS},
            )
        except ValidationFailed as exc:
            add_validation_error(self, exc, {})
        return data


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = OrganisationForm
    list_display = (
        "name",
        "kind",
        "uscc",
        "uscc_status",
        "region",
        "designated_training",
        "designated_to",
        "self_evaluation_filed",
    )
    list_filter = (UsccReviewFilter, "kind", "ownership", "designated_training")
    list_select_related = ("region",)
    search_fields = ("name", "=uscc")
    autocomplete_fields = ("region",)
    readonly_fields = ("uscc_status", "uscc_review_reason", "created_at")
    fieldsets = (
        (None, {"fields": ("kind", "name", "region", "ownership")}),
        (_("统一社会信用代码"), {"fields": ("uscc", "uscc_status", "uscc_review_reason")}),
        (
            _("资质与备案"),
            {
                "fields": (
                    "designated_training",
                    "designated_from",
                    "designated_to",
                    "self_evaluation_filed",
                    "self_evaluation_filed_on",
                )
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        return organisations_visible_to(request.user).select_related("region")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Organisation, form: Any, change: bool) -> None:
        data = {f: form.cleaned_data.get(f) for f in OrganisationForm.Meta.fields}
        actor: User = request.user  # type: ignore[assignment]
        if change:
            saved = organisation_update(
                actor=actor, organisation=Organisation.objects.get(pk=obj.pk), **data
            )
        else:
            saved = organisation_create(actor=actor, **data)
        obj.pk = saved.pk
        obj.uscc_status, obj.uscc_review_reason = saved.uscc_status, saved.uscc_review_reason
        obj._state.adding = False


class TeacherForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Teacher
        fields = ["person", "organisation", "kind", "subject", "start", "end"]


@admin.register(Teacher)
class TeacherAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = TeacherForm
    list_display = ("person", "organisation", "kind", "subject", "start", "end")
    list_filter = ("kind",)
    list_select_related = ("person", "organisation")
    search_fields = ("person__name", "organisation__name", "subject")
    autocomplete_fields = ("person", "organisation")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Once attached, only the end of the appointment changes (teacher_detach).
        return ("person", "organisation", "kind", "subject", "start") if obj else ()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Teacher]:
        visible = organisations_visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(organisation_id__in=visible)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Teacher, form: Any, change: bool) -> None:
        actor: User = request.user  # type: ignore[assignment]
        data = form.cleaned_data
        if change:
            if "end" in form.changed_data and data.get("end"):
                teacher_detach(actor=actor, teacher=obj, end=data["end"])
            return
        saved = teacher_attach(
            actor=actor,
            organisation=data["organisation"],
            person=data["person"],
            kind=data["kind"],
            subject=data.get("subject", ""),
            start=data.get("start"),
            end=data.get("end"),
        )
        obj.pk = saved.pk
        obj._state.adding = False
