from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jineng.assessment"
    label = "assessment"
    verbose_name = "技能等级认定"

    def ready(self) -> None:
        # The sweep that submits exam attempts whose time is up joins the Celery beat schedule
        # (additive: other apps' entries are kept).
        from config.celery import app
        from jineng.assessment.tasks import BEAT_SCHEDULE

        schedule = dict(app.conf.beat_schedule or {})
        for name, entry in BEAT_SCHEDULE.items():
            schedule.setdefault(name, entry)
        app.conf.beat_schedule = schedule
