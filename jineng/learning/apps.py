from django.apps import AppConfig


class LearningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jineng.learning"
    label = "learning"
    verbose_name = "学习培训"
