from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jineng.faces"
    label = "faces"
    verbose_name = _("人脸核验")

    def ready(self) -> None:
        # The daily purge of face images past their retention joins the Celery beat schedule
        # (additive: other apps' entries are kept).
        from config.celery import app
        from jineng.faces.tasks import BEAT_SCHEDULE

        schedule = dict(app.conf.beat_schedule or {})
        for name, entry in BEAT_SCHEDULE.items():
            schedule.setdefault(name, entry)
        app.conf.beat_schedule = schedule
