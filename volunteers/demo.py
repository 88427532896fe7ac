"""Demo data of the volunteers area, called by ``manage.py seed_demo``.

The 红心碧海 team (the 26 captains and 30 resident volunteers, three of whom still wait
for approval), six months of past activities with attendance and service hours, upcoming
activities with sign-ups (one full, with a waitlist), one coming activity cancelled for a
typhoon warning, and a few messages to the captain of building 3. Activities are placed relative to the day of the first run; a later run
finds them by title and adds nothing.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from django.utils import timezone

from covenant.demo import (
    CAPTAIN_EMAILS,
    EMAIL_DOMAIN,
    PARTY_EMAILS,
    SEED,
    STEWARD_EMAILS,
    VOLUNTEER_EMAILS,
    captain_email,
)
from covenant.models import Community, Membership, RoleGrant, User
from volunteers.models import (
    Activity,
    ActivityEvent,
    CaptainMessage,
    ServiceEntry,
    SignUp,
    SignUpEvent,
    Volunteer,
    VolunteerEvent,
)
from volunteers.services import hours_for

PENDING = 3  # the last volunteers still wait for approval
SKILLS = ("急救", "和老人聊天", "修理小家电", "摄影", "粤语、台山话翻译", "组织活动", "写通知", "")
AVAILABILITY = ("周末上午", "工作日晚上", "周六下午", "随时可以", "周日全天", "")
Category = Activity.Category

# (title, category, place, capacity, hours long, description)
KINDS = (
    ("文明养宠宣传", Category.PETS, "中心花园", 10, 2, "发放牵绳提示卡，提醒遛狗拴绳、及时清理。"),
    ("夜间停车巡查", Category.PARKING, "地下车库入口", 6, 2, "巡查消防通道，记录占道车辆。"),
    ("楼道杂物清理", Category.STAIRWELLS, "3栋、5栋楼道", 12, 3, "与物业一起清理楼道堆放物。"),
    ("探访独居长者", Category.ELDERLY, "各楼栋", 8, 2, "两人一组探访，带上慰问品。"),
    ("周末环境清洁", Category.OTHER, "小区南门", 15, 3, "捡拾垃圾，清理绿化带。"),
)
PAST_MONTHS = 6
UPCOMING = (
    # (days from now, kind index, capacity override, sign-ups)
    (2, 3, 5, 8),  # full, with a waitlist of three
    (5, 0, None, 6),
    (9, 2, None, 4),
    (16, 1, None, 2),
)


def seed(*, users: dict[str, User], say: Callable[[str], None]) -> None:
    rng = random.Random(f"{SEED}:volunteers")
    now = timezone.now()
    estate = _demo_estate(users)
    team = _seed_team(users, rng, now, estate)
    say(f"志愿者 volunteers: {Volunteer.objects.count()} rows ({len(team)} on the team)")
    titles = {kind[0] for kind in KINDS}
    if Activity.objects.filter(title__in=titles).exists():
        say(f"志愿活动 activities: {Activity.objects.count()} (exist; none added)")
        return
    organisers = [users[email] for email in (*STEWARD_EMAILS, *PARTY_EMAILS, *CAPTAIN_EMAILS[:6])]
    activities = _seed_activities(rng, now, organisers, estate)
    _seed_signups(rng, now, activities, team)
    _seed_cancelled(rng, now, organisers, team, estate)
    _seed_messages(users, now, estate)
    say(
        f"志愿活动 activities: {len(activities)}, sign-ups: {SignUp.objects.count()}, "
        f"service hours: {sum(e.hours for e in ServiceEntry.objects.all())}"
    )


def _demo_estate(users: dict[str, User]) -> Community:
    """The demo estate: where the demo's Party branch holds its role."""
    return (
        RoleGrant.objects.filter(user=users[PARTY_EMAILS[0]]).select_related("community").first()
    ).community


def _seed_team(users: dict[str, User], rng: random.Random, now, estate: Community) -> list[User]:
    known = set(Volunteer.objects.values_list("user_id", flat=True))
    new = []
    for index, email in enumerate(VOLUNTEER_EMAILS):
        user = users[email]
        if user.pk in known:
            continue
        pending = index >= len(VOLUNTEER_EMAILS) - PENDING
        new.append(
            Volunteer(
                user=user,
                community=estate,
                status=Volunteer.Status.APPLIED if pending else Volunteer.Status.APPROVED,
                skills=rng.choice(SKILLS),
                availability=rng.choice(AVAILABILITY),
                roster_name=f"{user.name[0]}{rng.choice('姨叔姐哥伯')}" if index % 4 == 0 else "",
                decided_by=None if pending else users[PARTY_EMAILS[0]],
                decided_at=None if pending else now,
            )
        )
    Volunteer.objects.bulk_create(new)
    VolunteerEvent.objects.bulk_create(
        [
            VolunteerEvent(
                volunteer=volunteer,
                actor_id=volunteer.decided_by_id or volunteer.user_id,
                from_status="" if volunteer.status == Volunteer.Status.APPLIED else "applied",
                to_status=volunteer.status,
            )
            for volunteer in new
        ]
    )
    approved = [users[email] for email in VOLUNTEER_EMAILS[: len(VOLUNTEER_EMAILS) - PENDING]]
    return approved + [users[email] for email in CAPTAIN_EMAILS]


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _seed_activities(
    rng: random.Random, now, organisers: list[User], estate: Community
) -> list[Activity]:
    today = timezone.localdate(now)
    plans = []
    for months_ago in range(PAST_MONTHS, 0, -1):
        for number in range(rng.randint(2, 4)):
            day = today - datetime.timedelta(days=30 * months_ago - 7 * number + rng.randint(0, 3))
            plans.append((day, rng.randrange(len(KINDS)), None))
    for days, kind, capacity in ((d, k, c) for d, k, c, _n in UPCOMING):
        plans.append((today + datetime.timedelta(days=days), kind, capacity))
    activities = []
    for day, kind_index, capacity in plans:
        title, category, place, default_capacity, hours, description = KINDS[kind_index]
        start = _at(day, rng.choice((9, 14, 19)))
        activities.append(
            Activity(
                community=estate,
                organiser=rng.choice(organisers),
                title=title,
                category=category,
                place=place,
                capacity=capacity or default_capacity,
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=hours),
                description=description,
            )
        )
    Activity.objects.bulk_create(activities)
    return activities


def _seed_signups(rng: random.Random, now, activities: list[Activity], team: list[User]) -> None:
    upcoming_counts = {i: n for i, (_d, _k, _c, n) in enumerate(UPCOMING)}
    past = [a for a in activities if a.ends_at < now]
    upcoming = [a for a in activities if a.ends_at >= now]
    signups, entries = [], []
    for activity in past:
        people = rng.sample(team, rng.randint(activity.capacity // 2, activity.capacity))
        for order, user in enumerate(people):
            attended = rng.random() < 0.85
            signup = SignUp(
                activity=activity,
                user=user,
                status=SignUp.Status.ATTENDED if attended else SignUp.Status.CANCELLED,
                queued_at=activity.starts_at - datetime.timedelta(days=3, minutes=order),
                checked_in_at=activity.starts_at if attended else None,
                checked_in_by=activity.organiser if attended else None,
                reminded_at=activity.starts_at - datetime.timedelta(hours=20),
            )
            signups.append(signup)
    for index, activity in enumerate(upcoming):
        count = upcoming_counts.get(index, 3)
        # The demo captain of building 3 takes part in the full one.
        people = rng.sample(team, count)
        if index == 0:
            captain = next(u for u in team if u.email == captain_email(3))
            people = [captain, *[u for u in people if u != captain]][:count]
        for order, user in enumerate(people):
            signups.append(
                SignUp(
                    activity=activity,
                    user=user,
                    status=(
                        SignUp.Status.CONFIRMED
                        if order < activity.capacity
                        else SignUp.Status.WAITLISTED
                    ),
                    queued_at=now - datetime.timedelta(hours=count - order),
                )
            )
    _give_check_in_codes(signups, rng)
    SignUp.objects.bulk_create(signups, batch_size=500)
    SignUpEvent.objects.bulk_create(
        [
            SignUpEvent(signup=signup, actor_id=signup.user_id, to_status=signup.status)
            for signup in signups
        ],
        batch_size=500,
    )
    for signup in signups:
        if signup.status == SignUp.Status.ATTENDED:
            entries.append(
                ServiceEntry(
                    user_id=signup.user_id,
                    activity=signup.activity,
                    signup=signup,
                    served_on=timezone.localdate(signup.activity.starts_at),
                    hours=hours_for(signup.activity),
                    recorded_by=signup.activity.organiser,
                )
            )
    ServiceEntry.objects.bulk_create(entries, batch_size=500)


CANCELLED = ("中秋游园会场地布置", "台风“桦加沙”预警，为安全起见取消，改期另行通知。")


def _seed_cancelled(
    rng: random.Random, now, organisers: list[User], team: list[User], estate: Community
) -> None:
    """A coming activity the organiser called off: its places cancelled, as the service
    would leave them (seed_demo's transaction rules out the service's own)."""
    title, reason = CANCELLED
    start = _at(timezone.localdate(now) + datetime.timedelta(days=12), 19)
    organiser = organisers[0]
    activity = Activity.objects.create(
        community=estate,
        organiser=organiser,
        title=title,
        category=Category.OTHER,
        place="中心花园",
        capacity=8,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        description="挂灯笼、摆桌椅，布置游园会场地。",
        status=Activity.Status.CANCELLED,
        cancelled_at=now,
        cancel_reason=reason,
    )
    ActivityEvent.objects.create(
        activity=activity,
        actor=organiser,
        from_status=Activity.Status.SCHEDULED,
        to_status=Activity.Status.CANCELLED,
        reason=reason,
    )
    people = rng.sample(team, 4)
    signups = [
        SignUp(
            activity=activity,
            user=user,
            status=SignUp.Status.CANCELLED,
            queued_at=now - datetime.timedelta(days=2, hours=order),
        )
        for order, user in enumerate(people)
    ]
    _give_check_in_codes(signups, rng)
    signups = SignUp.objects.bulk_create(signups)
    SignUpEvent.objects.bulk_create(
        [
            SignUpEvent(signup=s, actor_id=s.user_id, to_status=SignUp.Status.CONFIRMED)
            for s in signups
        ]
        + [
            SignUpEvent(
                signup=s,
                actor=organiser,
                from_status=SignUp.Status.CONFIRMED,
                to_status=SignUp.Status.CANCELLED,
            )
            for s in signups
        ]
    )


MESSAGES = (
    "楼长好，3楼楼道的灯坏了一周了，麻烦反映一下。",
    "我家老人行动不便，下次楼道清理能否帮忙搬一下旧柜子？",
    "想报名做志愿者，周末有空。",
)


def _seed_messages(users: dict[str, User], now, estate: Community) -> None:
    captain = users[captain_email(3)]
    members = list(
        Membership.objects.filter(
            household__building__community=estate,
            household__building__number=3,
            status=Membership.Status.VERIFIED,
        )
        .exclude(user=captain)
        .select_related("user", "household")
        .order_by("household__floor", "pk")[: len(MESSAGES)]
    )
    CaptainMessage.objects.bulk_create(
        [
            CaptainMessage(sender=m.user, captain=captain, household=m.household, body=body)
            for m, body in zip(members, MESSAGES, strict=False)
        ]
    )


def unseed() -> None:
    """Remove the demo's volunteering (tests of seed_demo call it before removing the
    demo users, whom activities and ledger entries protect)."""
    demo_users = User.objects.filter(email__endswith="@" + EMAIL_DOMAIN)
    ServiceEntry.objects.filter(user__in=demo_users).delete()
    SignUp.objects.filter(user__in=demo_users).delete()
    Activity.objects.filter(organiser__in=demo_users).delete()
    CaptainMessage.objects.filter(captain__in=demo_users).delete()
    Volunteer.objects.filter(user__in=demo_users).delete()


# --- The second estate (翠湖苑): a few volunteers, a past activity and a coming one -----

SECOND_ESTATE_VOLUNTEERS = 3
# (title, category, place, days from now, hours long, capacity, description)
SECOND_ESTATE_ACTIVITIES = (
    ("翠湖边步道清洁", Category.OTHER, "翠湖步道北段", -3, 2, 6, "捡拾垃圾，清理湖边杂草。"),
    (
        "翠湖苑长者茶话会",
        Category.ELDERLY,
        "1栋架空层",
        6,
        2,
        8,
        "陪长者喝茶聊天，听听他们的需要。",
    ),
)


def seed_second_estate(*, estate, users: dict[str, User], say: Callable[[str], None]) -> None:
    """Three residents of 翠湖苑 join the team; with its captain they cleaned the lakeside
    path three days ago (hours credited) and have signed up for a tea with the elderly.
    Activities already there (by title) are left alone."""
    from covenant.demo import SECOND_CAPTAIN_EMAIL

    now = timezone.now()
    captain = users[SECOND_CAPTAIN_EMAIL]
    team = [captain, *_second_estate_team(estate, captain, users, now)]
    titles = [plan[0] for plan in SECOND_ESTATE_ACTIVITIES]
    if Activity.objects.filter(title__in=titles).exists():
        say(f"  志愿活动 activities in {estate.name}: exist; none added")
        return
    for title, category, place, days, hours, capacity, description in SECOND_ESTATE_ACTIVITIES:
        start = _at(timezone.localdate(now) + datetime.timedelta(days=days), 9)
        activity = Activity.objects.create(
            organiser=captain,
            title=title,
            category=category,
            place=place,
            capacity=capacity,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=hours),
            description=description,
            community=estate,
        )
        past = activity.ends_at < now
        codes = [f"{number:04d}" for number in random.Random(title).sample(range(10000), len(team))]
        for order, user in enumerate(team):
            signup = SignUp.objects.create(
                activity=activity,
                user=user,
                check_in_code=codes[order],
                status=SignUp.Status.ATTENDED if past else SignUp.Status.CONFIRMED,
                queued_at=start - datetime.timedelta(days=2, minutes=order),
                checked_in_at=start if past else None,
                checked_in_by=captain if past and user != captain else None,
            )
            SignUpEvent.objects.create(signup=signup, actor=user, to_status=signup.status)
            if past:
                ServiceEntry.objects.create(
                    user=user,
                    activity=activity,
                    signup=signup,
                    served_on=timezone.localdate(start),
                    hours=hours_for(activity),
                    recorded_by=captain,
                )
    say(f"  志愿活动 activities in {estate.name}: {len(titles)} (new: {len(titles)})")


def _second_estate_team(estate, captain: User, users: dict[str, User], now) -> list[User]:
    """The first three of 翠湖苑's verified residents, approved by the community's Party
    branch member."""
    from covenant.demo import DISTRICT_PARTY_EMAIL

    residents = list(
        User.objects.filter(
            email__in=list(users),
            memberships__status=Membership.Status.VERIFIED,
            memberships__household__building__community=estate,
        )
        .exclude(pk=captain.pk)
        .distinct()
        .order_by("email")[:SECOND_ESTATE_VOLUNTEERS]
    )
    approver = users[DISTRICT_PARTY_EMAIL]
    for user in residents:
        volunteer, created = Volunteer.objects.get_or_create(
            user=user,
            defaults={
                "community": estate,
                "status": Volunteer.Status.APPROVED,
                "skills": "组织活动",
                "decided_by": approver,
                "decided_at": now,
            },
        )
        if created:
            VolunteerEvent.objects.create(
                volunteer=volunteer, actor=approver, from_status="applied", to_status="approved"
            )
    return residents


def _give_check_in_codes(signups: list[SignUp], rng: random.Random) -> None:
    """Four distinct digits per activity, as `services.sign_up` gives them."""
    by_activity: dict[int, list[SignUp]] = {}
    for signup in signups:
        by_activity.setdefault(id(signup.activity), []).append(signup)
    for group in by_activity.values():
        for signup, number in zip(group, rng.sample(range(10000), len(group)), strict=True):
            signup.check_in_code = f"{number:04d}"
