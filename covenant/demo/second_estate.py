"""The second, smaller demo estate 翠湖苑, and the community (社区, a District) 碧海社区
that it shares with 碧海花园, with the two people who hold a role in both estates."""

from __future__ import annotations

import random
from collections.abc import Sequence

from covenant.demo.estate import (
    ADMIN_EMAIL,
    OWNER,
    REQUEST_NOTES,
    REQUESTED,
    SEED,
    TENANT,
    UNITS_PER_FLOOR,
    PersonPlan,
    UnitPlan,
    _stack_area,
    _take,
    demo_email,
    display_name,
    full_name,
)
from covenant.models import Community, District, Role, RoleGrant, User

DISTRICT_NAME = "碧海社区"
SECOND_ESTATE_NAME = "翠湖苑"
SECOND_ESTATE_ADDRESS = "广东省江门市台山市台城街道翠湖路6号"
SECOND_FLOOR_COUNTS: tuple[int, ...] = (6, 6, 7, 7, 8, 8)  # 84 households
SECOND_OCCUPIED_SHARE = 0.5
# Building 2, unit 0301: the home of the second estate's demo resident.
SECOND_DEMO_UNIT: tuple[int, str] = (2, "0301")
SECOND_CAPTAIN_BUILDING = 1
SECOND_REQUESTS = 2  # in the captain's building
SECOND_ADMIN_EMAIL = demo_email("cuihu-admin")
SECOND_CAPTAIN_EMAIL = demo_email("cuihu-captain01")
SECOND_STEWARD_EMAIL = demo_email("cuihu-steward")
SECOND_RESIDENT_EMAIL = demo_email("cuihu-resident")
# People of the community (社区) with a role in both estates: the estate switcher and the
# estates side by side are theirs.
DISTRICT_PARTY_EMAIL = demo_email("district-party")
DISTRICT_STEWARD_EMAIL = demo_email("district-steward")
DISTRICT_PEOPLE: tuple[str, ...] = (DISTRICT_PARTY_EMAIL, DISTRICT_STEWARD_EMAIL)


def plan_second_units() -> list[UnitPlan]:
    return [
        UnitPlan(number, floor, f"{floor:02d}{door:02d}", _stack_area(100 + number, door))
        for number, floors in enumerate(SECOND_FLOOR_COUNTS, start=1)
        for floor in range(1, floors + 1)
        for door in range(1, UNITS_PER_FLOOR + 1)
    ]


def plan_second_people(units: Sequence[UnitPlan]) -> list[PersonPlan]:
    """The second estate's people, and the community's two who work in both estates."""
    rng = random.Random(f"{SEED}:second")
    free = [unit.key for unit in units if unit.key != SECOND_DEMO_UNIT]
    officials = [
        PersonPlan(
            SECOND_ADMIN_EMAIL,
            f"翠湖苑管理员{full_name(rng)}",
            roles=(Role.COMMUNITY_ADMIN,),
            staff=True,
        ),
        PersonPlan(SECOND_STEWARD_EMAIL, f"物业管家{full_name(rng)}", roles=(Role.PROPERTY_STAFF,)),
        PersonPlan(
            SECOND_CAPTAIN_EMAIL,
            f"{SECOND_CAPTAIN_BUILDING}栋楼长{full_name(rng)}",
            home=_take(rng, free, SECOND_CAPTAIN_BUILDING),
            roles=(Role.CAPTAIN,),
            captain_of=SECOND_CAPTAIN_BUILDING,
        ),
        PersonPlan(
            DISTRICT_PARTY_EMAIL, f"社区党总支书记{full_name(rng)}", roles=(Role.PARTY_BRANCH,)
        ),
        PersonPlan(
            DISTRICT_STEWARD_EMAIL, f"物业片区经理{full_name(rng)}", roles=(Role.PROPERTY_STAFF,)
        ),
    ]
    count = round(len(units) * SECOND_OCCUPIED_SHARE) - 1
    homes = sorted([SECOND_DEMO_UNIT, *rng.sample(free, count - 1)])
    free[:] = [key for key in free if key not in set(homes)]
    residents = [
        PersonPlan(
            SECOND_RESIDENT_EMAIL if home == SECOND_DEMO_UNIT else demo_email(f"cuihu{n:03d}"),
            display_name(rng),
            home=home,
            relation=OWNER if home == SECOND_DEMO_UNIT or rng.random() < 0.8 else TENANT,
        )
        for n, home in enumerate(homes, start=1)
    ]
    requests = [
        PersonPlan(
            demo_email(f"cuihu-newcomer{n}"),
            display_name(rng),
            home=_take(rng, free, SECOND_CAPTAIN_BUILDING),
            relation=TENANT,
            status=REQUESTED,
            message=rng.choice(REQUEST_NOTES[TENANT]),
        )
        for n in range(1, SECOND_REQUESTS + 1)
    ]
    return officials + residents + requests


def seed_district(*estates: Community) -> District:
    """The community (社区) of the demo's estates; an estate put elsewhere stays there."""
    district, _created = District.objects.get_or_create(name=DISTRICT_NAME)
    Community.objects.filter(pk__in=[e.pk for e in estates], district__isnull=True).update(
        district=district
    )
    return district


def seed_district_grants(first: Community, users: dict[str, User]) -> int:
    """The community's Party branch member and steward hold their role in the first
    estate too (their grants in the second come with its people)."""
    roles = {DISTRICT_PARTY_EMAIL: Role.PARTY_BRANCH, DISTRICT_STEWARD_EMAIL: Role.PROPERTY_STAFF}
    known = set(
        RoleGrant.objects.filter(community=first, user__email__in=roles).values_list(
            "user__email", flat=True
        )
    )
    new = [
        RoleGrant(user=users[email], community=first, role=role, granted_by=users[ADMIN_EMAIL])
        for email, role in roles.items()
        if email not in known
    ]
    RoleGrant.objects.bulk_create(new)
    return len(new)
