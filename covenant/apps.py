from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CovenantConfig(AppConfig):
    name = "covenant"
    verbose_name = _("Estate and residents")

    def ready(self):
        from covenant import (
            admin_district,  # noqa: F401 - registers the community level in the admin
            personal_data,  # noqa: F401 - registers the core's data sections
            signin,
        )

        signin.connect_signals()
