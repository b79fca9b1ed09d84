from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _revoke_tokens(*, actor: Any, user: Any, reason: str, **_: Any) -> None:
    from jineng.api.models import RevokeReason
    from jineng.api.services import api_tokens_revoke_all

    api_tokens_revoke_all(actor=actor, user=user, reason=RevokeReason(reason))


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jineng.api"
    verbose_name = _("接口")

    def ready(self) -> None:
        from jineng.identity.signals import credentials_invalidated

        # A password change or a logout revokes the account's API tokens.
        credentials_invalidated.connect(_revoke_tokens, dispatch_uid="jineng.api.revoke_tokens")
