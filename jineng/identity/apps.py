from django.apps import AppConfig


class IdentityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jineng.identity"
    verbose_name = "人员与账号"

    def ready(self) -> None:
        from jineng.identity import signals  # noqa: F401  (password changes → audit trail)
