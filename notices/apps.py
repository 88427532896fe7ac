from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Notices")
    # seed_demo's registry (covenant/demo/registry.py).
    demo = "notices.demo.seed"
    demo_second_estate = "notices.demo.seed_second_estate"

    def ready(self):
        from covenant import panels
        from notices import home

        panels.register("home", home.announcements_for_me, order=30)
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
        from notices import tasks  # noqa: F401  registers the tasks notices.dispatch queues by name
        from notices.worker import CatchUpOnConnect

        app.steps["consumer"].add(CatchUpOnConnect)
