from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jineng.claims"
    label = "claims"
    verbose_name = "待遇申领与拨付"
