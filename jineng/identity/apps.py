from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jineng.identity"
    verbose_name = _("人员与账号")

    def ready(self) -> None:
        from jineng.identity import signals  # noqa: F401  (password changes → audit trail)
