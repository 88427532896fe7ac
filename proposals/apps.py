from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Golden ideas")

    def ready(self):
        from covenant.personal_data import register_personal_data_section
        from proposals import personal_data

        register_personal_data_section("golden_ideas", personal_data.collect)
