from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

REMINDER_INTERVAL = timedelta(minutes=10)


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteers")
    # seed_demo's registry (covenant/demo/registry.py).
    demo = "volunteers.demo.seed"
    demo_second_estate = "volunteers.demo.seed_second_estate"
    demo_unseed = "volunteers.demo.unseed"

    def ready(self):
        from covenant import panels
        from volunteers import home

        panels.register("home", home.captain_messages, order=12)
        panels.register("home", home.my_activities, order=50)
        from covenant.celery import app
        from covenant.personal_data import (
            register_account_deletion_handler,
            register_personal_data_section,
        )
        from volunteers.personal_data import volunteering
        from volunteers.services import forget_volunteer

        register_personal_data_section("volunteering", volunteering)
        from volunteers import notifications

        notifications.register_kinds()
        register_account_deletion_handler(forget_volunteer)
        # The 24-hour reminders, claimed every ten minutes by `celery beat`.
        app.conf.beat_schedule = {
            **(app.conf.beat_schedule or {}),
            "volunteers-send-due-reminders": {
                "task": "volunteers.tasks.send_due_reminders",
                "schedule": REMINDER_INTERVAL,
            },
        }
