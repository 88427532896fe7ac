"""factory_boy factories of the volunteers area."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from tests.factories import UserFactory
from volunteers.models import Activity, ServiceEntry, SignUp, Volunteer


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    user = factory.SubFactory(UserFactory)
    status = Volunteer.Status.APPROVED
    skills = "急救"
    availability = "周末上午"


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    organiser = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"楼道清理 {n}")
    category = Activity.Category.STAIRWELLS
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=2))
    ends_at = factory.LazyAttribute(lambda obj: obj.starts_at + datetime.timedelta(hours=2))
    place = "3栋楼道"
    capacity = 5


class SignUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignUp

    activity = factory.SubFactory(ActivityFactory)
    user = factory.SubFactory(UserFactory)
    status = SignUp.Status.CONFIRMED
    queued_at = factory.LazyFunction(timezone.now)


class ServiceEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceEntry

    user = factory.SubFactory(UserFactory)
    served_on = factory.LazyFunction(timezone.localdate)
    hours = Decimal("2.00")


def team_members(count):
    """Approved volunteers, as many as asked."""
    return [VolunteerFactory().user for _ in range(count)]
