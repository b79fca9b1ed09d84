from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jineng.assessment"
    label = "assessment"
    verbose_name = "技能等级认定"
