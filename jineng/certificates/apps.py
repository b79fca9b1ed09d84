from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jineng.certificates"
    label = "certificates"
    verbose_name = "职业技能等级证书"
