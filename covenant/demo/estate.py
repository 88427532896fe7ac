"""The demo estate 碧海花园 and its people: planned from random.Random(SEED), so every
run plans the same estate, and seeded by natural key, so a second run adds nothing.
See covenant/demo/__init__.py for what it builds."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db.models import F

from covenant.models import (
    Building,
    Community,
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


def seed_community() -> tuple[Community, bool]:
    return Community.objects.get_or_create(
        name=COMMUNITY_NAME, defaults={"address": COMMUNITY_ADDRESS}
    )


def seed_buildings(
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


def seed_households(
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


def seed_users(people: Sequence[PersonPlan], now: datetime) -> tuple[dict[str, User], int]:
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


def seed_email_addresses(users: dict[str, User]) -> int:
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


def seed_role_grants(
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


def seed_memberships(
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


def seed_events(memberships: Sequence[Membership]) -> int:
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


def census(people: Sequence[PersonPlan]) -> str:
    counts = Counter(person.roles[0] if person.roles else person.status for person in people)
    volunteers = len(VOLUNTEER_EMAILS)
    return (
        f"{counts[Role.COMMUNITY_ADMIN]} admin, {counts[Role.CAPTAIN]} captains, "
        f"{counts[Role.PROPERTY_STAFF]} property staff, {counts[Role.PARTY_BRANCH]} Party branch, "
        f"{volunteers} volunteers, {counts[VERIFIED] - volunteers} other residents, "
        f"{counts[REQUESTED]} awaiting verification"
    )


def membership_summary(community: Community) -> str:
    statuses = Counter(
        Membership.objects.filter(household__building__community=community).values_list(
            "status", flat=True
        )
    )
    return ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
