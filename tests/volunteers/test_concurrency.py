"""Capacity under parallel sign-ups, on PostgreSQL with real parallel connections."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.volunteers.factories import ActivityFactory, team_members
from volunteers import services
from volunteers.models import SignUp

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_in_parallel(count, target):
    """Start `count` threads at one barrier; each gets its own database connection."""
    barrier = threading.Barrier(count)
    outcomes = []

    def worker(index):
        try:
            barrier.wait()
            outcomes.append(("ok", target(index)))
        except Exception as error:
            outcomes.append(("error", error))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_thirty_parallel_sign_up_requests_never_confirm_more_than_the_capacity(steward):
    activity = ActivityFactory(organiser=steward, capacity=5)
    people = team_members(30)

    def sign_up_over_http(index):
        client = Client()
        client.force_login(people[index])
        return client.post(reverse("volunteers:activity_sign_up", args=[activity.pk])).status_code

    outcomes = run_in_parallel(30, sign_up_over_http)
    assert outcomes == [("ok", 302)] * 30
    statuses = list(SignUp.objects.filter(activity=activity).values_list("status", flat=True))
    assert statuses.count(SignUp.Status.CONFIRMED) == 5
    assert statuses.count(SignUp.Status.WAITLISTED) == 25


def test_parallel_cancellations_promote_the_waitlist_in_order_and_never_overfill(steward):
    activity = ActivityFactory(organiser=steward, capacity=4)
    people = team_members(12)
    signups = [services.sign_up(activity_id=activity.pk, user=user) for user in people]
    waitlist = [s.pk for s in signups[4:]]

    def cancel_or_join(index):
        # Two confirmed people cancel while four newcomers sign up, all at once.
        if index < 2:
            return services.cancel_signup(signup_id=signups[index].pk, actor=people[index]).status
        return services.sign_up(activity_id=activity.pk, user=team_members(1)[0]).status

    outcomes = run_in_parallel(6, cancel_or_join)
    assert all(state == "ok" for state, _ in outcomes), outcomes
    confirmed = set(
        SignUp.objects.filter(activity=activity, status=SignUp.Status.CONFIRMED).values_list(
            "pk", flat=True
        )
    )
    assert len(confirmed) == 4
    # The two freed places went to the first two of the waitlist, not to a newcomer.
    assert confirmed == {signups[2].pk, signups[3].pk, *waitlist[:2]}


def test_one_person_signing_up_twice_at_once_gets_one_place(steward):
    activity = ActivityFactory(organiser=steward, capacity=5)
    [person] = team_members(1)
    outcomes = run_in_parallel(
        8, lambda _index: services.sign_up(activity_id=activity.pk, user=person).status
    )
    assert SignUp.objects.filter(activity=activity, user=person).count() == 1
    errors = [value for state, value in outcomes if state == "error"]
    assert len(errors) == 7 and all(isinstance(error, ValidationError) for error in errors)
