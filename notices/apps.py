from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Notices")

    def ready(self):
        from covenant.personal_data import (
            register_account_deletion_handler,
            register_personal_data_section,
        )
        from covenant.signals import membership_decided, membership_requested
        from notices import receivers, relay  # noqa: F401 (relay adds its permission)
        from notices.own_kinds import register_own_kinds
        from notices.personal_data import forget_person, notices_of

        register_own_kinds()
        membership_requested.connect(receivers.on_membership_requested, dispatch_uid="notices")
        membership_decided.connect(receivers.on_membership_decided, dispatch_uid="notices")
        register_personal_data_section("notices", notices_of)
        register_account_deletion_handler(forget_person)

        from covenant.celery import app
        from notices.worker import CatchUpOnConnect

        app.steps["consumer"].add(CatchUpOnConnect)
