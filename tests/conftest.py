"""Shared fixtures: the estate and its people, as named personas.

Building 3 and building 5 of the estate; the resident lives in 3-1201, the neighbour in
5-0802. Each persona is a fresh user from the database, so cached roles never leak
between tests.
"""

import os

import pytest
from django.conf import settings
from django.db.models.signals import post_migrate

from covenant.models import Membership, Role
from tests.factories import (
    BuildingFactory,
    CommunityFactory,
    HouseholdFactory,
    MembershipFactory,
    RoleGrantFactory,
    UserFactory,
)


def pytest_runtest_setup(item):
    """Server-marked tests run only where their server is configured.

    The embedded run leaves them out by marker (see the Makefile). If one is selected
    without its server anyway, it is skipped on a developer's machine and fails in CI,
    where a missing server is an error, never a silent skip.
    """
    missing = {
        "postgres": settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        "redis": not settings.REDIS_URL,
    }
    for marker, is_missing in missing.items():
        if item.get_closest_marker(marker) and is_missing:
            reason = f"needs the {marker} server, which is not configured"
            if os.environ.get("CI"):
                pytest.fail(f"{reason} (CI must provide it)", pytrace=False)
            pytest.skip(reason)


def _reseed_categories(sender, **kwargs):
    """A flush (each transactional test, the accessibility test's module) empties the
    tables the migrations filled; flush sends post_migrate, and the idea categories of
    migration proposals 0002 come back, as a fresh database has them."""
    from importlib import import_module

    from django.apps import apps

    if sender.label == "proposals":
        import_module("proposals.migrations.0002_search_index_and_categories").seed_categories(
            apps, None
        )


post_migrate.connect(_reseed_categories, dispatch_uid="tests-reseed-categories")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def community(db):
    return CommunityFactory()


@pytest.fixture
def building_3(community):
    return BuildingFactory(community=community, number=3)


@pytest.fixture
def building_5(community):
    return BuildingFactory(community=community, number=5)


@pytest.fixture
def unit_3_1201(building_3):
    return HouseholdFactory(building=building_3, floor=12, unit="1201")


@pytest.fixture
def unit_5_0802(building_5):
    return HouseholdFactory(building=building_5, floor=8, unit="0802")


@pytest.fixture
def visitor():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


@pytest.fixture
def newcomer(db):
    """Signed in, confirmed email, no household yet."""
    return UserFactory(email="newcomer@example.org", name="新住户小陈")


@pytest.fixture
def resident(unit_3_1201):
    user = UserFactory(email="resident@example.org", name="王阿姨")
    MembershipFactory(user=user, household=unit_3_1201, verified=True)
    return user


@pytest.fixture
def neighbour(unit_5_0802):
    """A verified resident of another building."""
    user = UserFactory(email="neighbour@example.org", name="李叔")
    MembershipFactory(user=user, household=unit_5_0802, verified=True)
    return user


def make_captain(building, email, name, **floor_range):
    user = UserFactory(email=email, name=name)
    RoleGrantFactory(
        user=user, community=building.community, role=Role.CAPTAIN, building=building, **floor_range
    )
    return user


@pytest.fixture
def captain_3(building_3):
    return make_captain(building_3, "captain3@example.org", "三栋楼长老张")


@pytest.fixture
def captain_5(building_5):
    return make_captain(building_5, "captain5@example.org", "五栋楼长老刘")


@pytest.fixture
def steward(community):
    user = UserFactory(email="steward@example.org", name="物业管家小周")
    RoleGrantFactory(user=user, community=community, role=Role.PROPERTY_STAFF)
    return user


@pytest.fixture
def party_member(community):
    user = UserFactory(email="party@example.org", name="党总支书记")
    RoleGrantFactory(user=user, community=community, role=Role.PARTY_BRANCH)
    return user


@pytest.fixture
def admin_user(community):
    user = UserFactory(email="admin@example.org", name="社区管理员", is_staff=True)
    RoleGrantFactory(user=user, community=community, role=Role.COMMUNITY_ADMIN)
    return user


@pytest.fixture
def join_request(newcomer, unit_3_1201):
    """The newcomer asks to join unit 1201 of building 3."""
    return MembershipFactory(
        user=newcomer, household=unit_3_1201, relation=Membership.Relation.TENANT
    )


@pytest.fixture
def captain_3_lower_floors(building_3):
    """A captain who looks after floors 1 to 6 of building 3 only."""
    return make_captain(
        building_3, "captain3low@example.org", "三栋低层楼长", floor_from=1, floor_to=6
    )


PERSONAS = [
    "visitor",
    "newcomer",
    "resident",
    "neighbour",
    "captain_3",
    "captain_5",
    "steward",
    "party_member",
    "admin_user",
]


@pytest.fixture
def persona(request):
    """Look a persona up by name, for tests parametrised over the role table."""

    def get(name):
        return request.getfixturevalue(name)

    return get


def fresh(user):
    """The same user as the next request would load it: no cached roles."""
    if not getattr(user, "pk", None):
        return user
    return type(user).objects.get(pk=user.pk)


def working_in(user, community):
    """The user working in that estate (the estate switcher, for someone who belongs to
    several), as the next request loads them."""
    user.working_estate = community
    user.save(update_fields=["working_estate"])
    return fresh(user)
