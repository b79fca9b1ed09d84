from django.contrib import admin

from jineng.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["prefix", "user", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["prefix", "user__username"]
    readonly_fields = ["user", "prefix", "created_at", "expires_at", "last_used_at"]

    def has_add_permission(self, request: object) -> bool:  # tokens are issued by POST /auth/token
        return False
