from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossierConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jineng.dossier"
    verbose_name = _("档案")
