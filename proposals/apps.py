from celery.schedules import crontab
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Golden ideas")
    # seed_demo's registry (covenant/demo/registry.py). Priority work links the
    # volunteers' demo activities, so their demo goes first.
    demo = "proposals.demo.seed"
    demo_second_estate = "proposals.demo.seed_second_estate"
    demo_unseed = "proposals.demo.unseed"
    demo_after = ("volunteers",)

    def ready(self):
        from covenant import panels
        from proposals import home

        panels.register("home", home.waiting_for_role, order=10)
        panels.register("home", home.open_votes, order=20)
        panels.register("home", home.my_ideas, order=40)
        panels.register("home", home.followed_deliberations, order=60)
        from covenant.celery import app
        from covenant.personal_data import (
            register_account_deletion_handler,
            register_personal_data_section,
        )

        # The rooms' Celery tasks, registered in every process (web too): services queue
        # them by name through proposals.dispatch, which never imports them.
        from proposals import notifications, personal_data, tasks  # noqa: F401
        from proposals.deliberations import services
        from proposals.ideas.panels import building_open_ideas

        register_personal_data_section("golden_ideas", personal_data.collect)
        register_personal_data_section("owners_votes", personal_data.collect_ballots)
        register_account_deletion_handler(services.leave_deliberations)
        register_account_deletion_handler(personal_data.forget_ballots)
        notifications.register_kinds()
        panels.register("building", building_open_ideas, order=20)
        self._watch_reference_data()
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

    @staticmethod
    def _watch_reference_data():
        from django.db.models.signals import post_delete, post_save

        from covenant.models import Building
        from proposals.ideas.reference import reference_changed
        from proposals.models import Campaign, Category

        for model in (Category, Building, Campaign):
            for signal in (post_save, post_delete):
                signal.connect(
                    reference_changed, sender=model, dispatch_uid=f"reference-{model.__name__}"
                )
