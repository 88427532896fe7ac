"""Races the database must settle, on PostgreSQL with real parallel connections."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from covenant import services
from covenant.models import Membership, MembershipEvent
from tests.factories import MembershipFactory, UserFactory

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
        thread.join(timeout=30)
    return outcomes


def test_twenty_parallel_requests_for_one_household_leave_one(unit_3_1201):
    user = UserFactory()
    outcomes = run_in_parallel(
        20,
        lambda _index: (
            services.request_membership(user=user, household=unit_3_1201, relation="owner").pk
        ),
    )
    assert Membership.objects.filter(user=user, household=unit_3_1201).count() == 1
    assert sum(1 for state, _ in outcomes if state == "ok") == 1
    errors = [value for state, value in outcomes if state == "error"]
    assert len(errors) == 19
    assert all(isinstance(error, ValidationError) for error in errors)


def test_two_captains_deciding_at_once_leave_one_decision(unit_3_1201, captain_3, admin_user):
    membership = MembershipFactory(household=unit_3_1201)

    def decide(index):
        if index == 0:
            return services.verify_membership(membership_id=membership.pk, actor=captain_3).status
        return services.reject_membership(
            membership_id=membership.pk, actor=admin_user, reason="并发测试"
        ).status

    outcomes = run_in_parallel(2, decide)
    states = sorted(state for state, _ in outcomes)
    assert states == ["error", "ok"]
    assert isinstance(next(v for s, v in outcomes if s == "error"), services.TransitionNotAllowed)
    membership.refresh_from_db()
    winner = next(v for s, v in outcomes if s == "ok")
    assert membership.status == winner
    assert MembershipEvent.objects.filter(membership=membership).count() == 1
