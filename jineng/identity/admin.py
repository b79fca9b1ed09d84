"""Back office (Django admin, in Chinese) for people, accounts and role assignments.

Nothing here writes directly: adds, changes and deletions of people, accounts and role
assignments go through the services (so they are validated and audited like anywhere else), lists
go through the access helpers, sensitive numbers are shown masked, and the full value only through
the audited "reveal" action (person_reveal).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.identity.access import people_visible_to
from jineng.identity.crypto import blind_index
from jineng.identity.documents import (
    normalise_bank_account,
    normalise_phone,
    parse_document,
)
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import IdType, Person, RoleAssignment, User
from jineng.identity.selectors import (
    DocumentSearchRefused,
    DocumentSearchThrottled,
    person_search_by_document,
)
from jineng.identity.services import (
    ACCOUNT_FIELDS,
    RevealableField,
    account_create,
    account_update,
    check_role_target,
    person_create,
    person_reveal,
    person_update,
    role_grant,
    role_revoke,
)
from jineng.identity.signals import acting_user

MAX_REVEAL = 20


def add_validation_error(
    form: forms.BaseForm, exc: ValidationFailed, names: dict[str, str]
) -> None:
    """Show a service's ValidationFailed beside the form field it names."""
    field = names.get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


# --- people -----------------------------------------------------------------------------------


class DocumentLookupForm(forms.Form):
    id_type = forms.ChoiceField(
        label=gettext_lazy("证件类型"), choices=IdType.choices, initial=IdType.RESIDENT
    )
    id_number = forms.CharField(
        label=gettext_lazy("证件号码"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class PersonAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    new_id_number = forms.CharField(label=gettext_lazy("证件号码"), max_length=40, required=False)
    new_phone = forms.CharField(label=gettext_lazy("手机号码"), max_length=20, required=False)
    new_bank_account = forms.CharField(
        label=gettext_lazy("银行账号"), max_length=40, required=False
    )

    # Service field → form field, for errors.
    ERROR_FIELDS = {
        "id_number": "new_id_number",
        "phone": "new_phone",
        "bank_account": "new_bank_account",
    }

    class Meta:
        model = Person
        fields = [
            "name",
            "id_type",
            "hukou_region",
            "residence_region",
            "education",
            "insured",
            "insured_since",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("new_id_number", "new_phone", "new_bank_account"):
                self.fields[name].help_text = _("留空则不修改；当前值见上方（已脱敏）")
        else:
            self.fields["new_id_number"].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            number = data.get("new_id_number", "")
            id_type = data.get("id_type") or self.instance.id_type
            if number or (self.instance.pk and "id_type" in self.changed_data):
                document = parse_document(id_type, number or self.instance.id_number)
                duplicate = Person.objects.filter(
                    id_type=document.id_type, id_number_index=blind_index(document.number)
                ).exclude(pk=self.instance.pk)
                if duplicate.exists():
                    raise ValidationFailed("id_number", _("该证件号码已登记"))
            normalise_phone(data.get("new_phone", ""))
            normalise_bank_account(data.get("new_bank_account", ""))
        except ValidationFailed as exc:
            add_validation_error(self, exc, self.ERROR_FIELDS)
        return data


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = PersonAdminForm
    list_display = (
        "name",
        "id_type",
        "masked_id_number",
        "masked_phone",
        "sex",
        "birth_date",
        "residence_region",
    )
    list_filter = ("id_type", "sex", "education", "insured")
    list_select_related = ("residence_region",)
    search_fields = ("name",)
    # A number typed here would land in the address (?q=…) and so in access logs and history:
    # the search box takes names only; a full number goes through "按证件号查找" (POST).
    search_help_text = gettext_lazy("输入姓名查询；按证件号码查找请用右上角的“按证件号查找”")
    change_list_template = "identity/admin/person_change_list.html"
    autocomplete_fields = ("hukou_region", "residence_region")
    readonly_fields = (
        "masked_id_number",
        "masked_phone",
        "masked_bank_account",
        "birth_date",
        "sex",
        "created_at",
        "updated_at",
    )
    actions = ["reveal_id_numbers", "reveal_phones", "reveal_bank_accounts"]
    show_full_result_count = False

    def get_fieldsets(self, request: HttpRequest, obj: Person | None = None) -> Any:
        identity: tuple[str, ...] = ("name", "id_type", "new_id_number")
        contact: tuple[str, ...] = ("new_phone", "new_bank_account")
        if obj is not None:
            identity = ("name", "id_type", "masked_id_number", "new_id_number", "birth_date", "sex")
            contact = ("masked_phone", "new_phone", "masked_bank_account", "new_bank_account")
        return (
            (_("身份"), {"fields": identity}),
            (_("联系与账户"), {"fields": contact}),
            (
                _("户籍、常住地与社保"),
                {
                    "fields": (
                        "hukou_region",
                        "residence_region",
                        "education",
                        "insured",
                        "insured_since",
                    )
                },
            ),
        )

    @admin.display(description=gettext_lazy("证件号码"))
    def masked_id_number(self, obj: Person) -> str:
        return obj.masked_id_number

    @admin.display(description=gettext_lazy("手机号码"))
    def masked_phone(self, obj: Person) -> str:
        return obj.masked_phone

    @admin.display(description=gettext_lazy("银行账号"))
    def masked_bank_account(self, obj: Person) -> str:
        return obj.masked_bank_account

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        return people_visible_to(request.user).select_related("residence_region")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Person], search_term: str
    ) -> tuple[QuerySet[Person], bool]:
        """Names only: a term with digits finds nobody (numbers are searched by POST, through
        `person_search_by_document`, which is permission-checked, audited and rate-limited)."""
        if any(c.isdigit() for c in search_term):
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "find-by-document/",
                self.admin_site.admin_view(self.find_by_document_view),
                name="identity_person_find_by_document",
            )
        ]
        return own + super().get_urls()

    def find_by_document_view(self, request: HttpRequest) -> HttpResponse:
        """按证件号查找: the number is sent by POST (never in the address) to the one selector
        every search by number goes through; a find opens the person's page, by id."""
        form = DocumentLookupForm(request.POST if request.method == "POST" else None)
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("按证件号查找"),
            "form": form,
        }
        status = 200
        if request.method == "POST" and form.is_valid():
            try:
                found = person_search_by_document(
                    user=cast(User, request.user),
                    id_number=form.cleaned_data["id_number"],
                    id_type=form.cleaned_data["id_type"],
                )
            except DocumentSearchThrottled as exc:
                context["error"], status = exc.message, 429
            except DocumentSearchRefused as exc:
                context["error"], status = exc.message, 403
            except ValidationFailed as exc:
                context["error"], status = exc.message, 400
            else:
                if found is not None:
                    return redirect(reverse("admin:identity_person_change", args=[found.pk]))
                context["not_found"] = True
            # The number typed is not echoed back.
            context["form"] = DocumentLookupForm(initial={"id_type": form.cleaned_data["id_type"]})
        response = TemplateResponse(
            request, "identity/admin/find_by_document.html", context, status=status
        )
        add_never_cache_headers(response)
        return response

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # people are never deleted: facts, claims and the audit trail refer to them

    def save_model(self, request: HttpRequest, obj: Person, form: Any, change: bool) -> None:
        data = form.cleaned_data
        actor: User = request.user  # type: ignore[assignment]
        if not change:
            created = person_create(
                actor=actor,
                name=data["name"],
                id_type=data["id_type"],
                id_number=data["new_id_number"],
                phone=data.get("new_phone", ""),
                bank_account=data.get("new_bank_account", ""),
                hukou_region=data.get("hukou_region"),
                residence_region=data.get("residence_region"),
                education=data.get("education", ""),
                insured=data.get("insured", False),
                insured_since=data.get("insured_since"),
            )
            obj.pk, obj.id_number = created.pk, created.id_number
            obj._state.adding = False
            return
        person = Person.objects.get(pk=obj.pk)
        fields: dict[str, Any] = {
            name: data[name] for name in form.changed_data if name in PersonAdminForm.Meta.fields
        }
        for form_name, field in (
            ("new_id_number", "id_number"),
            ("new_phone", "phone"),
            ("new_bank_account", "bank_account"),
        ):
            if data.get(form_name):
                fields[field] = data[form_name]
        if fields:
            person_update(actor=actor, person=person, **fields)

    def _reveal(
        self,
        request: HttpRequest,
        queryset: QuerySet[Person],
        field: RevealableField,
        label: str,
    ) -> HttpResponse | None:
        """Reveal through person_reveal (permission-checked, audited), after asking why.
        The values are rendered on this response only: never in a message, a cookie or a log."""
        people = list(queryset.order_by("pk")[: MAX_REVEAL + 1])
        if len(people) > MAX_REVEAL:
            self.message_user(request, _("一次最多查看%(n)s人") % {"n": MAX_REVEAL}, messages.ERROR)
            return None
        reason = (request.POST.get("reveal_reason") or "").strip()
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("查看完整%(label)s") % {"label": label},
            "label": label,
            "people": people,
            "action": request.POST.get("action"),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        if request.POST.get("confirm") and reason:
            actor = cast(User, request.user)
            rows = []
            for person in people:
                try:
                    value = person_reveal(actor=actor, person=person, field=field, reason=reason)
                except PermissionDenied:
                    value = None
                rows.append((person, value))
            context["rows"] = rows
        elif request.POST.get("confirm"):
            context["error"] = _("请填写查看原因")
        response = TemplateResponse(request, "identity/admin/reveal.html", context)
        add_never_cache_headers(response)
        return response

    @admin.action(description=gettext_lazy("查看完整证件号码（记入审计）"))
    def reveal_id_numbers(self, request: HttpRequest, queryset: QuerySet[Person]) -> Any:
        return self._reveal(request, queryset, "id_number", _("证件号码"))

    @admin.action(description=gettext_lazy("查看完整手机号码（记入审计）"))
    def reveal_phones(self, request: HttpRequest, queryset: QuerySet[Person]) -> Any:
        return self._reveal(request, queryset, "phone", _("手机号码"))

    @admin.action(description=gettext_lazy("查看完整银行账号（记入审计）"))
    def reveal_bank_accounts(self, request: HttpRequest, queryset: QuerySet[Person]) -> Any:
        return self._reveal(request, queryset, "bank_account", _("银行账号"))


# --- accounts and roles -----------------------------------------------------------------------


class RoleInline(admin.TabularInline):  # type: ignore[type-arg]
    model = RoleAssignment
    fields = ("role", "organisation", "region", "granted_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = gettext_lazy("角色授权（在“角色授权”中增删）")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "display_name", "person", "is_active", "last_login")
    list_filter = ("is_active", "roles__role")
    search_fields = ("username", "display_name")
    raw_id_fields = ("person",)
    readonly_fields = ("is_staff", "is_superuser", "last_login", "date_joined")
    inlines = [RoleInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (gettext_lazy("账号信息"), {"fields": ("display_name", "person", "email")}),
        (gettext_lazy("状态"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (gettext_lazy("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "display_name", "person", "password1", "password2"),
            },
        ),
    )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: the audit trail keeps pointing at the account

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Django's change-password page; the save is audited by `jineng.identity.signals`
        (one entry, naming the account and the administrator, no hash)."""
        with acting_user(request.user):  # type: ignore[arg-type]
            return super().user_change_password(request, id, form_url)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """Through the account services (validated, audited like anywhere else): the add form
        through account_create, the change form through account_update with the changed fields.
        Passwords change on Django's own page (audited by `jineng.identity.signals`)."""
        actor = cast(User, request.user)
        data = form.cleaned_data
        if not change:
            created = account_create(
                actor=actor,
                username=data["username"],
                password=data.get("password1") if data.get("set_usable_password", True) else None,
                person=data.get("person"),
                display_name=data.get("display_name", ""),
            )
            obj.pk, obj.password = created.pk, created.password
            obj._state.adding = False
            return
        fields = {f: data[f] for f in form.changed_data if f in ACCOUNT_FIELDS}
        if fields:
            account_update(actor=actor, user=User.objects.get(pk=obj.pk), **fields)


class RoleAssignmentForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "organisation", "region"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role"):
            try:
                check_role_target(data["role"], data.get("organisation"), data.get("region"))
            except ValidationFailed as exc:
                add_validation_error(self, exc, {})
        return data


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = RoleAssignmentForm
    list_display = ("user", "role", "organisation", "region", "granted_at")
    list_filter = ("role",)
    list_select_related = ("user", "organisation", "region")
    search_fields = ("user__username", "user__display_name")
    autocomplete_fields = ("user", "organisation", "region")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke and grant instead: both are audited

    def save_model(
        self, request: HttpRequest, obj: RoleAssignment, form: Any, change: bool
    ) -> None:
        granted = role_grant(
            actor=request.user,  # type: ignore[arg-type]
            user=obj.user,
            role=obj.role,
            organisation=obj.organisation,
            region=obj.region,
        )
        obj.pk = granted.pk
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: RoleAssignment) -> None:
        role_revoke(
            actor=request.user,  # type: ignore[arg-type]
            user=obj.user,
            role=obj.role,
            organisation=obj.organisation,
            region=obj.region,
            reason="管理后台撤销",
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RoleAssignment]) -> None:
        for assignment in queryset.select_related("user", "organisation", "region"):
            self.delete_model(request, assignment)


# The TOTP device admin lives beside this module; importing it registers it.
from jineng.identity import admin_devices  # noqa: E402, F401
