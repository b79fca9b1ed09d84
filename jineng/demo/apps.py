from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The synthetic city: `jineng seed_city` (any size, for benchmarks and the integrity checks'
    known answers) and `jineng demo_setup` (the demo city with one account per role). It writes
    every domain's tables, so it sits above them all (docs/architecture.md, "Layers")."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "jineng.demo"
    label = "demo"
    verbose_name = _("演示城市")
