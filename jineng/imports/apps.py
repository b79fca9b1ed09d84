from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jineng.imports"
    verbose_name = _("批量导入")

    def ready(self) -> None:
        # The hourly purge of unconfirmed uploads joins the Celery beat schedule (additive: other
        # apps' entries are kept).
        from config.celery import app
        from jineng.imports.tasks import BEAT_SCHEDULE

        schedule = dict(app.conf.beat_schedule or {})
        for name, entry in BEAT_SCHEDULE.items():
            schedule.setdefault(name, entry)
        app.conf.beat_schedule = schedule
