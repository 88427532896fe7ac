from celery.schedules import crontab
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Golden ideas")

    def ready(self):
        from covenant.celery import app
        from covenant.personal_data import (
            register_account_deletion_handler,
            register_personal_data_section,
        )
        from proposals import notifications, personal_data
        from proposals.deliberations import services

        register_personal_data_section("golden_ideas", personal_data.collect)
        register_personal_data_section("owners_votes", personal_data.collect_ballots)
        register_account_deletion_handler(services.leave_deliberations)
        register_account_deletion_handler(personal_data.forget_ballots)
        notifications.register_kinds()
        app.conf.beat_schedule = {
            **(app.conf.beat_schedule or {}),
            # Photos whose task was lost (broker down at upload) are processed late, not never.
            "proposals-process-waiting-photos": {
                "task": "proposals.tasks.process_waiting_photos",
                "schedule": 5 * 60,
            },
            "proposals-close-due-votes": {
                "task": "proposals.tasks.close_due_votes",
                "schedule": 60,
            },
            # New ideas join their themes overnight; staff may regroup at any time.
            "proposals-regroup-ideas": {
                "task": "proposals.tasks.regroup_all_estates",
                "schedule": crontab(minute=30, hour=3),
            },
        }
