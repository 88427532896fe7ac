"""factory_boy factories of the volunteers area."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from covenant.models import Membership, RoleGrant
from tests.factories import CommunityFactory, UserFactory
from volunteers.models import Activity, ServiceEntry, SignUp, Volunteer


def estate_of_person(user, *, roles_first: bool):
    """Where a person belongs, as the migration 0003 reads it; the shared test estate
    (碧海花园) for someone without a role or a home."""
    grant = RoleGrant.objects.filter(user=user).order_by("pk").first()
    home = (
        Membership.objects.filter(user=user, status=Membership.Status.VERIFIED)
        .select_related("household__building__community")
        .order_by("requested_at", "pk")
        .first()
    )
    by_grant = grant.community if grant else None
    by_home = home.household.building.community if home else None
    found = (by_grant or by_home) if roles_first else (by_home or by_grant)
    return found or CommunityFactory()


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    user = factory.SubFactory(UserFactory)
    community = factory.LazyAttribute(lambda obj: estate_of_person(obj.user, roles_first=False))
    status = Volunteer.Status.APPROVED
    skills = "急救"
    availability = "周末上午"


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    organiser = factory.SubFactory(UserFactory)
    community = factory.LazyAttribute(lambda obj: estate_of_person(obj.organiser, roles_first=True))
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
