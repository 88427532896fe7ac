from celery.schedules import crontab
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Golden ideas")

    def ready(self):
        from covenant.celery import app
        from covenant.personal_data import register_personal_data_section
        from proposals import notifications, personal_data

        register_personal_data_section("golden_ideas", personal_data.collect)
        notifications.register_kinds()
        app.conf.beat_schedule = {
            **(app.conf.beat_schedule or {}),
            # Photos whose task was lost (broker down at upload) are processed late, not never.
            "proposals-process-waiting-photos": {
                "task": "proposals.tasks.process_waiting_photos",
                "schedule": 5 * 60,
            },
            # New ideas join their themes overnight; staff may regroup at any time.
            "proposals-regroup-ideas": {
                "task": "proposals.tasks.regroup_all_estates",
                "schedule": crontab(minute=30, hour=3),
            },
        }
