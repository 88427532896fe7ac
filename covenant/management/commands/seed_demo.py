"""``manage.py seed_demo``: a demo estate shaped like the real one, to click through.

What it builds, in one transaction:

- the estate 碧海花园 in 台山市 with 26 buildings numbered 1 to 26, of 11 to 26 floors
  (FLOOR_COUNTS), two units a floor named floor + door ("1201" is floor 12, door 01,
  "0802" floor 8, door 02): about 900 households, each with a floor area that is the
  same on every run (units stacked above one another share a layout and its area);
- a community admin, who is also a Django superuser for /admin/;
- 26 building captains (楼长), one a building, each a verified owner in it;
- three property stewards (物业管家) and three members of the Party branch (党总支);
- 30 resident volunteers, who with the captains make up the 红心碧海 volunteer team;
- verified residents in about 60% of the households (mostly owners, some tenants, and
  some family members living with them), each membership with its audit trail;
- 12 pending join requests in several buildings (three in building 3), so the
  captains' verification queues have work in them;
- a second, smaller estate, 翠湖苑 (6 buildings of 6 to 8 floors), in the same community
  (社区, a District) 碧海社区, with its own admin, captain (building 1), steward and
  residents, and two people of the community with roles in both estates: a Party branch
  member and a property steward, who see the estate switcher and the estates side by side.

Names, homes and relations come from random.Random(SEED), so every run plans the same
estate. What exists is looked up by its natural key (estate name, building number,
building and unit, email) and skipped: a second run adds nothing, and a run after some
demo data was deleted tops it up. With ``--once`` it does nothing if the estate exists
(``make run`` calls it so).

Everyone signs in with their email, on the reserved domain demo.covenant.invalid (it
receives no mail; the addresses are seeded as verified), and the password
``covenant-demo``.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from importlib import import_module
from typing import Any

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from covenant.models import (
    Building,
    Community,
    District,
    Household,
    Membership,
    MembershipEvent,
    Role,
    RoleGrant,
    User,
)

SEED = 20211018
COMMUNITY_NAME = "碧海花园"
COMMUNITY_ADDRESS = "广东省江门市台山市台城街道碧海路88号"
EMAIL_DOMAIN = "demo.covenant.invalid"
DEMO_PASSWORD = "covenant-demo"
DEMO_URL = "http://127.0.0.1:8000/"
BATCH_SIZE = 500

# Floors of buildings 1 to 26: low-rises of 11 floors, mid-rises of 15 to 18, towers
# of 24 and 26. With two units a floor that is 908 households.
FLOOR_COUNTS: tuple[int, ...] = (
    11, 11, 18, 11, 18, 11, 15, 15, 18, 18, 18, 18, 15,
    15, 18, 18, 24, 24, 24, 24, 26, 26, 18, 18, 11, 11,
)  # fmt: skip
UNITS_PER_FLOOR = 2
OCCUPIED_SHARE = 0.6  # households with a verified resident
FAMILY_SHARE = 0.12  # occupied households where a family member has joined too
VOLUNTEER_COUNT = 30
# The building of each pending join request.
REQUEST_BUILDINGS: tuple[int, ...] = (3, 3, 3, 5, 5, 1, 8, 12, 17, 21, 24, 26)
# Building 3, unit 1201: the home of the demo resident, as in the tests' personas.
DEMO_UNIT: tuple[int, str] = (3, "1201")

UnitKey = tuple[int, str]  # (building number, unit)
OWNER, TENANT, FAMILY = (
    Membership.Relation.OWNER,
    Membership.Relation.TENANT,
    Membership.Relation.FAMILY,
)
REQUESTED, VERIFIED = Membership.Status.REQUESTED, Membership.Status.VERIFIED


def demo_email(local_part: str) -> str:
    return f"{local_part}@{EMAIL_DOMAIN}"


def captain_email(building: int) -> str:
    return demo_email(f"captain{building:02d}")


ADMIN_EMAIL = demo_email("admin")
CAPTAIN_EMAILS: tuple[str, ...] = tuple(
    captain_email(number) for number in range(1, len(FLOOR_COUNTS) + 1)
)
STEWARD_EMAILS: tuple[str, ...] = tuple(demo_email(f"steward{n}") for n in (1, 2, 3))
PARTY_EMAILS: tuple[str, ...] = tuple(demo_email(f"party{n}") for n in (1, 2, 3))
# The 红心碧海 volunteer team is the 26 captains and these 30 residents. There is no
# Volunteer model yet: a later issue enrols the team from CAPTAIN_EMAILS and this list.
VOLUNTEER_EMAILS: tuple[str, ...] = tuple(
    demo_email(f"volunteer{n:02d}") for n in range(1, VOLUNTEER_COUNT + 1)
)

# Common surnames of Taishan first (黄, 李, 陈, 伍, 余, 刘, 谭, 甄, 梅, 邝, 雷, 关).
SURNAMES = "黄李陈伍余刘谭甄梅邝雷关朱马林张王何吴赵周徐胡郭罗梁宋郑谢冯邓曾彭"
_GIVEN_NAMES_TEXT = (
    "志强 国华 建国 丽华 秀英 美玲 伟明 淑芬 嘉欣 子豪 浩然 雅婷 永康 锦添 少芳 惠珍 "
    "家俊 健雄 翠屏 玉兰 振华 耀祖 宝珠 文杰 晓敏 海燕 俊杰 泽民 月娥 丽珍 国强 金凤 "
    "树荣 绍基 碧霞 卓然 思琪 梓轩 佩仪 炳坤 伟 敏 芳 杰 静 勇 珊 琳 斌 娟 锋 华"
)
GIVEN_NAMES: tuple[str, ...] = tuple(_GIVEN_NAMES_TEXT.split())
# Display names are how neighbours know each other, not ID names.
NICKNAMES: tuple[str, ...] = ("{s}阿姨", "{s}叔", "老{s}", "小{s}", "{s}姐", "{s}伯")
REQUEST_NOTES: dict[str, tuple[str, ...]] = {
    OWNER: ("刚收楼，装修好了准备入住。", "新业主，房产证还在办。", "二手房，上个月刚过户。"),
    TENANT: ("五月刚搬进来，租的房子。", "租户，合同签到明年六月。", "在附近上班，刚租下这套。"),
    FAMILY: (
        "我是业主的女儿，最近搬回来住。",
        "和爸妈一起住，门口有绿色鞋柜。",
        "来帮哥哥照顾老人。",
    ),
}


@dataclass(frozen=True)
class UnitPlan:
    building: int
    floor: int
    unit: str
    floor_area: Decimal

    @property
    def key(self) -> UnitKey:
        return (self.building, self.unit)


@dataclass(frozen=True)
class PersonPlan:
    email: str
    name: str
    home: UnitKey | None = None
    relation: str = OWNER
    status: str = VERIFIED
    message: str = ""
    roles: tuple[str, ...] = ()
    captain_of: int | None = None
    superuser: bool = False
    staff: bool = False  # may open /admin/ (a superuser always may)


# --- The plan: the same estate on every run -------------------------------------------


def _stack_area(building: int, door: int) -> Decimal:
    """The floor area of a door's layout in a building, 70.00 to 140.00 m²."""
    cents = random.Random(f"{SEED}:area:{building}:{door}").randint(7000, 14000)
    return Decimal(cents).scaleb(-2)


def plan_units() -> list[UnitPlan]:
    return [
        UnitPlan(number, floor, f"{floor:02d}{door:02d}", _stack_area(number, door))
        for number, floors in enumerate(FLOOR_COUNTS, start=1)
        for floor in range(1, floors + 1)
        for door in range(1, UNITS_PER_FLOOR + 1)
    ]


def full_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


def display_name(rng: random.Random) -> str:
    if rng.random() < 0.8:
        return full_name(rng)
    return rng.choice(NICKNAMES).format(s=rng.choice(SURNAMES))


def _take(rng: random.Random, free: list[UnitKey], building: int | None = None) -> UnitKey:
    """A random unit nobody is planned in yet (in the building, if given), taken."""
    key = rng.choice([key for key in free if building is None or key[0] == building])
    free.remove(key)
    return key


def _plan_officials(rng: random.Random) -> list[PersonPlan]:
    admin = PersonPlan(
        ADMIN_EMAIL,
        f"社区管理员{full_name(rng)}",
        roles=(Role.COMMUNITY_ADMIN,),
        superuser=True,
    )
    stewards = [
        PersonPlan(email, f"物业管家{full_name(rng)}", roles=(Role.PROPERTY_STAFF,))
        for email in STEWARD_EMAILS
    ]
    party = [
        PersonPlan(email, f"党总支{title}{full_name(rng)}", roles=(Role.PARTY_BRANCH,))
        for email, title in zip(PARTY_EMAILS, ("书记", "委员", "委员"), strict=True)
    ]
    return [admin, *stewards, *party]


def _plan_captains(rng: random.Random, free: list[UnitKey]) -> list[PersonPlan]:
    return [
        PersonPlan(
            captain_email(number),
            f"{number}栋楼长{full_name(rng)}",
            home=_take(rng, free, number),
            roles=(Role.CAPTAIN,),
            captain_of=number,
        )
        for number in range(1, len(FLOOR_COUNTS) + 1)
    ]


def _plan_volunteers(rng: random.Random, free: list[UnitKey]) -> list[PersonPlan]:
    return [
        PersonPlan(
            email,
            display_name(rng),
            home=_take(rng, free),
            relation=OWNER if rng.random() < 0.75 else FAMILY,
        )
        for email in VOLUNTEER_EMAILS
    ]


def _plan_residents(rng: random.Random, free: list[UnitKey], count: int) -> list[PersonPlan]:
    """``count`` residents, one a household, the demo resident of 3-1201 among them."""
    homes = sorted([DEMO_UNIT, *rng.sample(free, count - 1)])
    taken = set(homes)
    free[:] = [key for key in free if key not in taken]
    return [
        PersonPlan(
            demo_email(f"resident{number:04d}"),
            display_name(rng),
            home=home,
            relation=OWNER if home == DEMO_UNIT or rng.random() < 0.8 else TENANT,
        )
        for number, home in enumerate(homes, start=1)
    ]


def _plan_families(
    rng: random.Random, occupied: Sequence[UnitKey], first_number: int
) -> list[PersonPlan]:
    """Family members who joined a household that has a verified resident."""
    homes = sorted(rng.sample(list(occupied), round(len(occupied) * FAMILY_SHARE)))
    return [
        PersonPlan(demo_email(f"resident{number:04d}"), display_name(rng), home, FAMILY)
        for number, home in enumerate(homes, start=first_number)
    ]


def _plan_requests(rng: random.Random, free: list[UnitKey]) -> list[PersonPlan]:
    people = []
    for number, building in enumerate(REQUEST_BUILDINGS, start=1):
        relation = rng.choice((OWNER, TENANT, TENANT, FAMILY))
        people.append(
            PersonPlan(
                demo_email(f"newcomer{number:02d}"),
                display_name(rng),
                home=_take(rng, free, building),
                relation=relation,
                status=REQUESTED,
                message=rng.choice(REQUEST_NOTES[relation]),
            )
        )
    return people


def plan_people(units: Sequence[UnitPlan]) -> list[PersonPlan]:
    """Everyone of the demo estate and where they live; the same on every run."""
    rng = random.Random(SEED)
    free = [unit.key for unit in units if unit.key != DEMO_UNIT]
    people = _plan_officials(rng) + _plan_captains(rng, free) + _plan_volunteers(rng, free)
    resident_count = round(len(units) * OCCUPIED_SHARE) - len(FLOOR_COUNTS) - VOLUNTEER_COUNT
    residents = _plan_residents(rng, free, resident_count)
    occupied = [person.home for person in people + residents if person.home]
    families = _plan_families(rng, occupied, first_number=len(residents) + 1)
    return people + residents + families + _plan_requests(rng, free)


def demo_resident(people: Sequence[PersonPlan]) -> PersonPlan:
    """The verified owner of building 3, unit 1201."""
    return next(p for p in people if p.home == DEMO_UNIT and p.relation == OWNER and not p.roles)


# --- Seeding: create what is missing ---------------------------------------------------


def _seed_community() -> tuple[Community, bool]:
    return Community.objects.get_or_create(
        name=COMMUNITY_NAME, defaults={"address": COMMUNITY_ADDRESS}
    )


def _seed_buildings(
    community: Community, floor_counts: Sequence[int] = FLOOR_COUNTS
) -> tuple[dict[int, Building], int]:
    buildings = {building.number: building for building in community.buildings.all()}
    new = [
        Building(community=community, number=number, floor_count=floors)
        for number, floors in enumerate(floor_counts, start=1)
        if number not in buildings
    ]
    Building.objects.bulk_create(new)
    buildings.update((building.number, building) for building in new)
    return buildings, len(new)


def _seed_households(
    buildings: dict[int, Building], units: Sequence[UnitPlan]
) -> tuple[dict[UnitKey, Household], int]:
    number_of = {building.pk: number for number, building in buildings.items()}
    households = {
        (number_of[household.building_id], household.unit): household
        for household in Household.objects.filter(building__in=buildings.values())
    }
    new = [
        Household(
            building=buildings[unit.building],
            floor=unit.floor,
            unit=unit.unit,
            floor_area=unit.floor_area,
        )
        for unit in units
        if unit.key not in households
    ]
    Household.objects.bulk_create(new, batch_size=BATCH_SIZE)
    households.update(((number_of[h.building_id], h.unit), h) for h in new)
    return households, len(new)


def _seed_users(people: Sequence[PersonPlan], now: datetime) -> tuple[dict[str, User], int]:
    """The planned users by email, created where missing with the one demo password."""
    existing = {
        user.email: user for user in User.objects.filter(email__endswith="@" + EMAIL_DOMAIN)
    }
    missing = [person for person in people if person.email not in existing]
    if missing:
        # Hashed once for all: hashing it for every user would take minutes.
        password = make_password(DEMO_PASSWORD)
        new = [
            User(
                email=person.email,
                name=person.name,
                password=password,
                is_staff=person.superuser or person.staff,
                is_superuser=person.superuser,
                privacy_consent_at=now,
            )
            for person in missing
        ]
        User.objects.bulk_create(new, batch_size=BATCH_SIZE)
        existing.update((user.email, user) for user in new)
    return {person.email: existing[person.email] for person in people}, len(missing)


def _seed_email_addresses(users: dict[str, User]) -> int:
    """A verified address for each user, primary unless they have a primary one."""
    addresses = EmailAddress.objects.filter(user__email__endswith="@" + EMAIL_DOMAIN)
    known = {(user_id, email.lower()) for user_id, email in addresses.values_list("user", "email")}
    with_primary = set(addresses.filter(primary=True).values_list("user", flat=True))
    new = [
        EmailAddress(
            user=user, email=user.email, verified=True, primary=user.pk not in with_primary
        )
        for user in users.values()
        if (user.pk, user.email.lower()) not in known
    ]
    EmailAddress.objects.bulk_create(new, batch_size=BATCH_SIZE)
    return len(new)


def _seed_role_grants(
    community: Community,
    buildings: dict[int, Building],
    people: Sequence[PersonPlan],
    users: dict[str, User],
    admin_email: str = ADMIN_EMAIL,
) -> int:
    admin = users[admin_email]
    known = set(
        RoleGrant.objects.filter(community=community).values_list("user", "role", "building")
    )
    new = []
    for person in people:
        user = users[person.email]
        for role in person.roles:
            building = buildings[person.captain_of] if role == Role.CAPTAIN else None
            if (user.pk, role, building and building.pk) in known:
                continue
            granted_by = None if user == admin else admin
            new.append(
                RoleGrant(
                    user=user,
                    community=community,
                    role=role,
                    building=building,
                    granted_by=granted_by,
                )
            )
    RoleGrant.objects.bulk_create(new)
    return len(new)


def _membership(
    person: PersonPlan, user: User, household: Household, decider: User, now: datetime
) -> Membership:
    decided = person.status == VERIFIED
    return Membership(
        user=user,
        household=household,
        relation=person.relation,
        status=person.status,
        message=person.message,
        decided_by=decider if decided else None,
        decided_at=now if decided else None,
        outcome_seen_at=now if decided else None,
    )


def _seed_memberships(
    community: Community,
    people: Sequence[PersonPlan],
    users: dict[str, User],
    households: dict[UnitKey, Household],
    now: datetime,
    admin_email: str = ADMIN_EMAIL,
) -> list[Membership]:
    """The memberships not there yet; captains decide their building's, the admin theirs
    and those of a building without a captain."""
    known = set(
        Membership.objects.filter(household__building__community=community).values_list(
            "user", "household"
        )
    )
    captains = {p.captain_of: users[p.email] for p in people if p.captain_of is not None}
    new = []
    for person in people:
        if person.home is None:
            continue
        user, household = users[person.email], households[person.home]
        if (user.pk, household.pk) not in known:
            admin = users[admin_email]
            decider = admin if person.captain_of else captains.get(person.home[0], admin)
            new.append(_membership(person, user, household, decider, now))
    Membership.objects.bulk_create(new, batch_size=BATCH_SIZE)
    _decide_when_requested(new)
    return new


def _decide_when_requested(memberships: Sequence[Membership]) -> None:
    """requested_at is stamped on insert (auto_now_add): no decision may come before it."""
    ids = [membership.pk for membership in memberships if membership.status == VERIFIED]
    for start in range(0, len(ids), BATCH_SIZE):
        Membership.objects.filter(pk__in=ids[start : start + BATCH_SIZE]).update(
            decided_at=F("requested_at"), outcome_seen_at=F("requested_at")
        )


def _seed_events(memberships: Sequence[Membership]) -> int:
    """The audit trail: each request by its resident, then each decision by its decider."""
    requested = [
        MembershipEvent(membership=m, actor_id=m.user_id, to_status=REQUESTED) for m in memberships
    ]
    decided = [
        MembershipEvent(
            membership=m, actor_id=m.decided_by_id, from_status=REQUESTED, to_status=m.status
        )
        for m in memberships
        if m.status != REQUESTED
    ]
    MembershipEvent.objects.bulk_create(requested + decided, batch_size=BATCH_SIZE)
    return len(requested) + len(decided)


def _census(people: Sequence[PersonPlan]) -> str:
    counts = Counter(person.roles[0] if person.roles else person.status for person in people)
    volunteers = len(VOLUNTEER_EMAILS)
    return (
        f"{counts[Role.COMMUNITY_ADMIN]} admin, {counts[Role.CAPTAIN]} captains, "
        f"{counts[Role.PROPERTY_STAFF]} property staff, {counts[Role.PARTY_BRANCH]} Party branch, "
        f"{volunteers} volunteers, {counts[VERIFIED] - volunteers} other residents, "
        f"{counts[REQUESTED]} awaiting verification"
    )


def _membership_summary(community: Community) -> str:
    statuses = Counter(
        Membership.objects.filter(household__building__community=community).values_list(
            "status", flat=True
        )
    )
    return ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))


# --- The second estate, and the community both belong to --------------------------------

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


def _seed_district(*estates: Community) -> District:
    """The community (社区) of the demo's estates; an estate put elsewhere stays there."""
    district, _created = District.objects.get_or_create(name=DISTRICT_NAME)
    Community.objects.filter(pk__in=[e.pk for e in estates], district__isnull=True).update(
        district=district
    )
    return district


def _seed_district_grants(first: Community, users: dict[str, User]) -> int:
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


class Command(BaseCommand):
    help = (
        "Seed the demo estate 碧海花园: 26 buildings, about 900 households, captains, "
        "stewards, the Party branch, residents and pending requests; and 翠湖苑, a smaller "
        "estate of the same community. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Do nothing if the demo estate exists already (make run uses this).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off. The demo admin's password is public: never on a real site.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = options["verbosity"]
        if not settings.DEBUG and not options["force"]:
            # The demo superuser's password is published in the README.
            raise CommandError(
                "seed_demo creates a superuser whose password is public; it runs only with "
                "DEBUG on (or --force on a throwaway database)."
            )
        if options["once"] and Community.objects.filter(name=COMMUNITY_NAME).exists():
            self._say("demo estate already seeded; run without --once to top it up")
            return
        started = time.perf_counter()
        units = plan_units()
        people = plan_people(units)
        second_people = plan_second_people(plan_second_units())
        with transaction.atomic():
            users = self._seed(units, people)
            self._seed_feature_apps(users)
            second_users = self._seed_second_estate(second_people, users)
            self._seed_feature_apps(second_users, hook="seed_second_estate")
        self._print_logins(people, users | second_users)
        seconds = time.perf_counter() - started
        self._say(
            self.style.SUCCESS(f"演示小区已就绪 demo estate ready in {seconds:.1f} s: {DEMO_URL}")
        )

    def _say(self, line: str) -> None:
        if self.verbosity > 0:
            self.stdout.write(line)

    def _seed(self, units: Sequence[UnitPlan], people: Sequence[PersonPlan]) -> dict[str, User]:
        now = timezone.now()
        community, created = _seed_community()
        state = "created" if created else "exists"
        self._say(f"小区 estate: {community.name}, {community.address} ({state})")
        buildings, new = _seed_buildings(community)
        self._say(f"楼栋 buildings: {len(buildings)} (new: {new})")
        households, new = _seed_households(buildings, units)
        self._say(f"住户 households: {len(households)} (new: {new})")
        users, new = _seed_users(people, now)
        self._say(f"用户 users: {len(users)} (new: {new}): {_census(people)}")
        new = _seed_email_addresses(users)
        self._say(f"邮箱 verified email addresses: {len(users)} (new: {new})")
        new = _seed_role_grants(community, buildings, people, users)
        grants = RoleGrant.objects.filter(community=community).count()
        self._say(f"角色 role grants: {grants} (new: {new})")
        memberships = _seed_memberships(community, people, users, households, now)
        summary = _membership_summary(community)
        self._say(f"居民 memberships: {summary} (new: {len(memberships)})")
        new = _seed_events(memberships)
        events = MembershipEvent.objects.filter(
            membership__household__building__community=community
        )
        self._say(f"记录 membership events: {events.count()} (new: {new})")
        return users

    def _seed_second_estate(
        self, people: Sequence[PersonPlan], first_users: dict[str, User]
    ) -> dict[str, User]:
        """翠湖苑 and the community it shares with 碧海花园, as `_seed` does the first."""
        now = timezone.now()
        estate, created = Community.objects.get_or_create(
            name=SECOND_ESTATE_NAME, defaults={"address": SECOND_ESTATE_ADDRESS}
        )
        first = Community.objects.get(name=COMMUNITY_NAME)
        district = _seed_district(first, estate)
        state = "created" if created else "exists"
        self._say(f"第二个小区 second estate: {estate.name}, {estate.address} ({state})")
        buildings, new_buildings = _seed_buildings(estate, SECOND_FLOOR_COUNTS)
        households, new_households = _seed_households(buildings, plan_second_units())
        self._say(
            f"  楼栋 buildings: {len(buildings)} (new: {new_buildings}); "
            f"住户 households: {len(households)} (new: {new_households})"
        )
        users, new = _seed_users(people, now)
        new_addresses = _seed_email_addresses(users)
        self._say(f"  用户 users: {len(users)} (new: {new}; email addresses new: {new_addresses})")
        new = _seed_role_grants(estate, buildings, people, users, SECOND_ADMIN_EMAIL)
        new_in_first = _seed_district_grants(first, first_users | users)
        self._say(
            f"  角色 role grants: {RoleGrant.objects.filter(community=estate).count()} "
            f"(new: {new}); the community's two in {first.name} (new: {new_in_first})"
        )
        memberships = _seed_memberships(estate, people, users, households, now, SECOND_ADMIN_EMAIL)
        _seed_events(memberships)
        self._say(f"  居民 memberships: {_membership_summary(estate)} (new: {len(memberships)})")
        self._say(
            f"社区 community: {district.name}: {', '.join(e.name for e in district.estates.all())}"
        )
        return users

    def _seed_feature_apps(self, users: dict[str, User], hook: str = "seed") -> None:
        """Each feature app may add its demo content in `<app>/demo.py`: `seed(users, say)`,
        and the second estate's in `seed_second_estate(estate, users, say)`."""
        for config in apps.get_app_configs():
            if config.name.startswith("django") or not module_has_submodule(config.module, "demo"):
                continue
            demo = import_module(f"{config.name}.demo")
            if hook == "seed":
                demo.seed(users=users, say=self._say)
            elif hasattr(demo, hook):
                estate = Community.objects.get(name=SECOND_ESTATE_NAME)
                getattr(demo, hook)(estate=estate, users=users, say=self._say)

    def _print_logins(self, people: Sequence[PersonPlan], users: dict[str, User]) -> None:
        rows = [
            ("admin (also /admin/)", ADMIN_EMAIL),
            ("captain, building 3", captain_email(3)),
            ("captain, building 5", captain_email(5)),
            ("property steward", STEWARD_EMAILS[0]),
            ("Party branch", PARTY_EMAILS[0]),
            ("resident, building 3 unit 1201", demo_resident(people).email),
            ("翠湖苑 admin (also /admin/)", SECOND_ADMIN_EMAIL),
            ("翠湖苑 captain, building 1", SECOND_CAPTAIN_EMAIL),
            ("翠湖苑 property steward", SECOND_STEWARD_EMAIL),
            ("翠湖苑 resident, building 2 unit 0301", SECOND_RESIDENT_EMAIL),
            ("Party branch, both estates", DISTRICT_PARTY_EMAIL),
            ("property staff, both estates", DISTRICT_STEWARD_EMAIL),
        ]
        self._say("演示账号 demo logins:")
        for role, email in rows:
            self._say(f"  {role:<36} {email:<40} {users[email].name}")
        self._say(f"  {'password (everyone)':<36} {DEMO_PASSWORD}")
        self._say(f"  {'open':<36} {DEMO_URL}")
