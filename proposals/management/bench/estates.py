"""The bench estates of ``manage.py bench_ideas``: who lives there and what they wrote.

Each bench estate is found by its name and its people by their addresses on
bench.covenant.invalid; nothing here reads or writes another estate's rows. Every table is
written with bulk_create a batch at a time, and the few hundred texts are cut into words
once for all estates.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, reset_queries
from django.utils import timezone

from covenant.models import Building, Community, Household, Membership, Role, RoleGrant, User
from proposals.ideas.demo_phrases import generate_texts
from proposals.ideas.demo_texts import Theme as TextTheme
from proposals.ideas.search import search_tokens_for
from proposals.models import (
    Category,
    Comment,
    Idea,
    Moderation,
    Report,
    Support,
    TimelineEntry,
)

BENCH_ESTATE = "bench estate"
EMAIL_DOMAIN = "bench.covenant.invalid"
SEED = 10_000
BATCH_SIZE = 2000
BUILDINGS = 18
FLOORS = 25
UNITS_PER_FLOOR = 2  # 900 households, as in the real estate
RESIDENTS = 2000
MAX_ESTATES = 99  # two digits in the people's addresses
TEXT_VARIANTS = 600  # distinct texts, reused by every bench estate
REMOVE_BATCH = 1000  # ideas deleted at a time, with their comments and supports


@dataclass(frozen=True)
class Sizes:
    ideas: int
    supports: int
    comments: int

    def __str__(self) -> str:
        return f"{self.ideas:,} ideas, {self.supports:,} supports, {self.comments:,} comments"


@dataclass(frozen=True)
class BenchEstate:
    """The n-th bench estate: its name and its people's addresses."""

    number: int

    @property
    def name(self) -> str:
        return BENCH_ESTATE if self.number == 1 else f"{BENCH_ESTATE} {self.number}"

    @property
    def prefix(self) -> str:
        # The first estate keeps the addresses of the single-estate bench, so a database
        # seeded by it is reused.
        return "" if self.number == 1 else f"e{self.number:02d}."

    def email(self, local: str) -> str:
        return f"{self.prefix}{local}@{EMAIL_DOMAIN}"

    def residents(self, community: Community):
        return User.objects.filter(
            memberships__household__building__community=community,
            email__startswith=f"{self.prefix}r",
            email__endswith="@" + EMAIL_DOMAIN,
        ).order_by("pk")


def sizes_of(community: Community) -> Sizes:
    return Sizes(
        Idea.objects.filter(community=community).count(),
        Support.objects.filter(idea__community=community).count(),
        Comment.objects.filter(idea__community=community).count(),
    )


def analyze() -> None:
    """Fresh planner statistics, as a database that has been running would have: right
    after a bulk load PostgreSQL believes the tables are empty and plans accordingly."""
    tables = [model._meta.db_table for model in (Idea, Support, Comment, Report, TimelineEntry)]
    tables += [User._meta.db_table, Membership._meta.db_table, Household._meta.db_table]
    with connection.cursor() as cursor:
        # Not inside a transaction (a test's) on PostgreSQL: the statistics it leaves would
        # outlive the rolled-back rows and mislead the planner for whatever runs next.
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


def remove_ideas(community: Community) -> None:
    """The estate's ideas, a batch at a time: each batch's comments, supports, reports
    and theme places go with it, and memory stays bounded."""
    ideas = Idea.objects.filter(community=community)
    ideas.exclude(duplicate_of=None).update(duplicate_of=None)
    while batch := list(ideas.order_by("pk").values_list("pk", flat=True)[:REMOVE_BATCH]):
        Idea.objects.filter(pk__in=batch).delete()


def remove_estate(community: Community, estate: BenchEstate) -> None:
    """A bench estate other than the first, with everything the bench put in it."""
    if not estate.prefix:
        raise ValueError("the first bench estate's people have no prefix of their own")
    remove_ideas(community)
    User.objects.filter(
        email__startswith=estate.prefix, email__endswith="@" + EMAIL_DOMAIN
    ).delete()
    Household.objects.filter(building__community=community).delete()
    Building.objects.filter(community=community).delete()
    community.delete()


def _layout() -> list[tuple[int, int, int]]:
    """(building, floor, door) of every household of a bench estate, in creation order."""
    return [
        (number, floor, door)
        for number in range(1, BUILDINGS + 1)
        for floor in range(1, FLOORS + 1)
        for door in range(1, UNITS_PER_FLOOR + 1)
    ]


def _people(community: Community, estate: BenchEstate) -> dict[str, Any]:
    """The bench estate's residents and role holders, created if missing."""
    if not community.buildings.exists():
        buildings = {
            building.number: building
            for building in Building.objects.bulk_create(
                Building(community=community, number=n, floor_count=FLOORS)
                for n in range(1, BUILDINGS + 1)
            )
        }
        _insert(
            Household,
            (
                Household(
                    building=buildings[number],
                    floor=floor,
                    unit=f"{floor:02d}{door:02d}",
                    floor_area=Decimal("88.00"),
                )
                for number, floor, door in _layout()
            ),
        )
    households = list(
        Household.objects.filter(building__community=community)
        .select_related("building")
        .order_by("pk")
    )
    if not User.objects.filter(email=estate.email("steward")).exists():
        _create_people(community, estate, households)
    return {
        "residents": list(estate.residents(community)),
        "households": households,
        "steward": User.objects.get(email=estate.email("steward")),
    }


def _create_people(community: Community, estate: BenchEstate, households: list) -> None:
    now = timezone.now()
    password = make_password(None)  # nobody signs in: the bench logs in by force
    residents = _insert(
        User,
        [
            User(
                email=estate.email(f"r{n:05d}"),
                name=f"住户{n}",
                password=password,
                privacy_consent_at=now,
            )
            for n in range(RESIDENTS)
        ],
    )
    _insert(
        Membership,
        (
            Membership(
                user=user,
                household=households[n % len(households)],
                relation=Membership.Relation.OWNER,
                status=Membership.Status.VERIFIED,
                decided_at=now,
            )
            for n, user in enumerate(residents)
        ),
    )
    tag = "bench" if estate.number == 1 else f"bench {estate.number}"
    staff = {
        local: User.objects.create(
            email=estate.email(local), name=name, password=password, privacy_consent_at=now
        )
        for local, name in (
            ("steward", f"物业管家({tag})"),
            ("admin", f"管理员({tag})"),
            ("captain", f"1栋楼长({tag})"),
        )
    }
    first = households[0].building
    RoleGrant.objects.bulk_create(
        [
            RoleGrant(user=staff["steward"], community=community, role=Role.PROPERTY_STAFF),
            RoleGrant(user=staff["admin"], community=community, role=Role.COMMUNITY_ADMIN),
            RoleGrant(
                user=staff["captain"], community=community, role=Role.CAPTAIN, building=first
            ),
        ]
    )
    Membership.objects.create(
        user=staff["captain"],
        household=households[1],
        relation=Membership.Relation.OWNER,
        status=Membership.Status.VERIFIED,
        decided_at=now,
    )


@cache
def _texts(count: int) -> list[tuple[TextTheme, str, str, str]]:
    """A few hundred distinct texts, cut into words once for every bench estate: jieba is
    the slow part. Their building and floor are those of the bench estates' layout."""
    rng = random.Random(f"{SEED}:texts")
    places = [(number, floor) for number, floor, _ in _layout()]
    return [
        (theme, title, body, search_tokens_for(title, body))
        for theme, title, body, _ in generate_texts(rng, count, places)
    ]


def _support_counts(rng: random.Random, ideas: int, total: int, people: int) -> list[int]:
    """Supports per idea adding up to `total`: a few ideas with hundreds (at most a
    quarter of the residents), most a handful."""
    people = max(1, people // 4)
    weights = [rng.paretovariate(1.3) for _ in range(ideas)]
    scale = total / sum(weights)
    counts = [min(people, int(weight * scale)) for weight in weights]
    short = min(total, ideas * people) - sum(counts)
    index = 0
    while short > 0:
        if counts[index % ideas] < people:
            counts[index % ideas] += 1
            short -= 1
        index += 1
    return counts


def seed(estate: BenchEstate, sizes: Sizes, say) -> Community:
    """Counters are planned first, so each table is written once with bulk_create."""
    rng = random.Random(SEED if estate.number == 1 else f"{SEED}:{estate.number}")
    idea_total, support_total, comment_total = sizes.ideas, sizes.supports, sizes.comments
    community, _ = Community.objects.get_or_create(name=estate.name)
    people = _people(community, estate)
    residents: list[User] = people["residents"]
    home = {
        m.user_id: m.household
        for m in Membership.objects.filter(household__building__community=community)
        .select_related("household__building")
        .order_by("pk")
    }
    categories = Category.objects.in_bulk(field_name="slug")
    now = timezone.now()
    user_ids = [user.pk for user in residents]

    # The plan, by idea index: supports, comments (a quarter of them replies), reports.
    support_counts = _support_counts(rng, idea_total, support_total, len(user_ids))
    top_total = comment_total * 3 // 4
    commented = rng.choices(range(idea_total), weights=[1 + n for n in support_counts], k=top_total)
    replied = (
        [rng.randrange(top_total) for _ in range(comment_total - top_total)] if top_total else []
    )
    comment_counts = Counter(commented)
    comment_counts.update(commented[parent] for parent in replied)
    reported = rng.sample(range(idea_total), min(idea_total, max(3, idea_total // 100)))
    reporters: dict[int, list[User]] = {}
    for n, index in enumerate(reported):
        reporters[index] = rng.sample(residents, 3 if n % 5 == 0 else 1)

    variants = _texts(min(TEXT_VARIANTS, idea_total))
    statuses = [Idea.Status.SUBMITTED] * 4 + [
        Idea.Status.ACCEPTED,
        Idea.Status.IN_PROGRESS,
        Idea.Status.DONE,
    ]
    ideas = []
    for n in range(idea_total):
        theme, title, body, tokens = variants[n % len(variants)]
        author = residents[rng.randrange(len(residents))]
        household = home[author.pk]
        created = now - timedelta(minutes=rng.uniform(10, 365 * 24 * 60))
        report_count = len([r for r in reporters.get(n, ()) if r.pk != author.pk])
        ideas.append(
            Idea(
                community=community,
                category=categories.get(theme.category) or categories["other"],
                title=title,
                body=body,
                author=author,
                household=household,
                building=household.building,
                floor=household.floor,
                search_tokens=tokens,
                created_at=created,
                status_changed_at=created,
                last_activity_at=created + timedelta(hours=3),
                hide_name=rng.random() < 0.15,
                status=rng.choice(statuses),
                assignee=people["steward"] if rng.random() < 0.5 else None,
                support_count=support_counts[n],
                comment_count=comment_counts[n],
                report_count=report_count,
                moderation=Moderation.AUTO_HIDDEN if report_count >= 3 else Moderation.VISIBLE,
            )
        )
    _insert(Idea, ideas)
    say(f"  ideas: {len(ideas):,}")

    def supports():
        for idea, count in zip(ideas, support_counts, strict=True):
            for user_id in rng.sample(user_ids, count):
                yield Support(idea_id=idea.pk, user_id=user_id, created_at=now)

    _insert(Support, supports())
    say(f"  supports: {sum(support_counts):,}")

    reported_comments = set(
        rng.sample(range(top_total), min(top_total, max(3, comment_total // 200)))
    )
    tops = [
        Comment(
            idea_id=ideas[index].pk,
            author_id=rng.choice(user_ids),
            body="同意，我们楼也是这样，希望尽快解决。",
            created_at=ideas[index].created_at + timedelta(hours=1),
            report_count=1 if n in reported_comments else 0,
        )
        for n, index in enumerate(commented)
    ]
    _insert(Comment, tops)
    replies = [
        Comment(
            idea_id=tops[parent].idea_id,
            parent_id=tops[parent].pk,
            author_id=rng.choice(user_ids),
            body="谢谢支持！",
            created_at=tops[parent].created_at + timedelta(hours=2),
        )
        for parent in replied
    ]
    _insert(Comment, replies)
    say(f"  comments: {len(tops) + len(replies):,}")

    # Work for the moderators: 1% of ideas reported, a fifth of those hidden by reports.
    reports = [
        Report(idea_id=ideas[index].pk, reporter=reporter, reason=Report.Reason.OTHER)
        for index, people_reporting in reporters.items()
        for reporter in people_reporting
        if reporter.pk != ideas[index].author_id
    ]
    reports += [
        Report(comment_id=tops[n].pk, reporter=residents[0], reason=Report.Reason.ABUSE)
        for n in sorted(reported_comments)
    ]
    _insert(Report, reports)
    _insert(
        TimelineEntry,
        (
            TimelineEntry(
                idea_id=idea.pk,
                actor=people["steward"],
                from_status=Idea.Status.SUBMITTED,
                to_status=idea.status,
                public_reply="已收到您的建议，物业已受理，将尽快安排处理。",
                created_at=idea.created_at + timedelta(days=1),
            )
            for idea in ideas
            if idea.status != Idea.Status.SUBMITTED
        ),
    )
    return community


def _insert(model, rows: Iterable) -> list:
    """bulk_create from a list or a generator, a batch at a time; returns the rows only
    when given a list (a generator's rows are let go batch by batch)."""
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH_SIZE:
            _write(model, batch)
            batch = []
    if batch:
        _write(model, batch)
    return rows if isinstance(rows, list) else []


def _write(model, batch: list) -> None:
    model.objects.bulk_create(batch)
    # With DEBUG on, Django keeps the last 9,000 statements: with their thousands of
    # rows each, twenty estates of them would hold hundreds of megabytes.
    reset_queries()
