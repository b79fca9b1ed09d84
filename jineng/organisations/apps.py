from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jineng.organisations"
    verbose_name = "机构"

    def ready(self) -> None:
        from jineng.identity.access import register_people_reach
        from jineng.organisations.access import teaching_reach

        # Organisation staff also see the people teaching at their organisation.
        register_people_reach(teaching_reach)
