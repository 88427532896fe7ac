"""Personas of the volunteers area, on top of tests/conftest.py's."""

import pytest

from tests.factories import MembershipFactory, UserFactory
from tests.volunteers.factories import ActivityFactory, VolunteerFactory


@pytest.fixture
def volunteer(unit_3_1201):
    """A verified resident of building 3 on the team."""
    user = UserFactory(email="volunteer@example.org", name="志愿者小黄")
    MembershipFactory(user=user, household=unit_3_1201, verified=True)
    VolunteerFactory(user=user, roster_name="3栋黄姨")
    return user


@pytest.fixture
def applicant(unit_3_1201):
    """A verified resident who has applied and waits for an answer."""
    user = UserFactory(email="applicant@example.org", name="报名的陈叔")
    MembershipFactory(user=user, household=unit_3_1201, verified=True)
    VolunteerFactory(user=user, status="applied")
    return user


@pytest.fixture
def activity(steward):
    """An activity of five places, in two days, organised by the steward."""
    return ActivityFactory(organiser=steward, title="楼道杂物清理", capacity=5)
