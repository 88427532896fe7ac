"""The volunteers area tells people through the notices app: the reminder the day before,
a changed time or place, and a place freed from the waitlist."""

import datetime

from django.utils import timezone, translation

from notices.kinds import render_text
from notices.models import Notification
from tests.factories import UserFactory
from tests.volunteers.factories import ActivityFactory, SignUpFactory, VolunteerFactory
from volunteers import notifications, services, tasks


def told(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind)


def test_the_reminder_reaches_each_confirmed_volunteer_once(steward):
    soon = ActivityFactory(
        organiser=steward, title="楼道清理", starts_at=timezone.now() + datetime.timedelta(hours=5)
    )
    signup = SignUpFactory(activity=soon)

    tasks.send_due_reminders()
    tasks.send_due_reminders()

    reminder = told(signup.user, notifications.REMINDER).get()
    with translation.override("en"):
        assert render_text(reminder).startswith("Tomorrow: “楼道清理” at")
    assert reminder.url == soon.get_absolute_url()


def test_a_new_time_is_told_to_everyone_confirmed_or_waiting(
    steward, django_capture_on_commit_callbacks
):
    activity = ActivityFactory(organiser=steward, capacity=1)
    confirmed = SignUpFactory(activity=activity)
    waiting = SignUpFactory(activity=activity, status="waitlisted")
    fields = {name: getattr(activity, name) for name in services.ACTIVITY_FIELDS}
    later = activity.starts_at + datetime.timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        services.update_activity(
            activity_id=activity.pk,
            actor=steward,
            **{**fields, "starts_at": later, "ends_at": later + datetime.timedelta(hours=2)},
        )

    assert told(confirmed.user, notifications.CHANGED).count() == 1
    assert told(waiting.user, notifications.CHANGED).count() == 1
    assert not told(steward, notifications.CHANGED).exists()


def test_a_place_freed_is_told_to_whoever_moves_up(steward):
    activity = ActivityFactory(organiser=steward, capacity=1)
    people = [UserFactory() for _ in range(2)]
    for person in people:
        VolunteerFactory(user=person)
    first, _second = (services.sign_up(activity_id=activity.pk, user=person) for person in people)

    services.cancel_signup(signup_id=first.pk, actor=people[0])

    assert told(people[1], notifications.PROMOTED).count() == 1
    assert not told(people[0], notifications.PROMOTED).exists()
