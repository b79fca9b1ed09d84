from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jineng.organisations"
    verbose_name = _("机构")

    def ready(self) -> None:
        from jineng.identity.access import register_people_reach
        from jineng.organisations.access import teaching_reach

        # Organisation staff also see the people teaching at their organisation.
        register_people_reach(teaching_reach)
