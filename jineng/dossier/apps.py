from django.apps import AppConfig


class DossierConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jineng.dossier"
    verbose_name = "档案"
