from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jineng.reference"
    verbose_name = "参考数据"
