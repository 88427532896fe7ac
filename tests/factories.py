"""factory_boy factories for the community core."""

import datetime
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress

from covenant.models import (
    Building,
    Community,
    Household,
    Membership,
    Role,
    RoleGrant,
    User,
)

PASSWORD = "correct-horse-battery-staple"


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community
        django_get_or_create = ["name"]

    name = "碧海花园"
    address = "广东省台山市"


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building
        django_get_or_create = ["community", "number"]

    community = factory.SubFactory(CommunityFactory)
    number = factory.Sequence(lambda n: n + 1)
    floor_count = 18


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household
        django_get_or_create = ["building", "unit"]

    building = factory.SubFactory(BuildingFactory)
    floor = 12
    unit = factory.LazyAttributeSequence(lambda obj, n: f"{obj.floor}{n % 90 + 1:02d}")
    floor_area = Decimal("89.50")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Sequence(lambda n: f"居民{n}")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(user, create, extracted, **kwargs):
        """Sign-in needs a verified address, as after the confirmation mail."""
        if create and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    household = factory.SubFactory(HouseholdFactory)
    relation = Membership.Relation.OWNER
    status = Membership.Status.REQUESTED

    class Params:
        verified = factory.Trait(
            status=Membership.Status.VERIFIED,
            decided_at=factory.Faker("date_time", tzinfo=datetime.UTC),
        )
        rejected = factory.Trait(
            status=Membership.Status.REJECTED,
            rejection_reason="请带房产证到物业服务中心",
            decided_at=factory.Faker("date_time", tzinfo=datetime.UTC),
        )


class RoleGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleGrant

    user = factory.SubFactory(UserFactory)
    community = factory.SubFactory(CommunityFactory)
    role = Role.PROPERTY_STAFF
    building = None
