"""``manage.py bench_ideas``: golden ideas at ten times the estate's size, timed.

Seeds (or reuses) a separate benchmark estate, "bench estate", with 10,000 ideas,
100,000 supports and 30,000 comments, then requests each page of the idea box N times
through Django's test client and prints the median and 95th-percentile server time and
the number of SQL queries of each; last, it regroups the ideas into themes (issue 7)
and prints the time and queries of that. The demo estate is not touched; run it against its own
database (DATABASE_URL) to keep the idea lists of the demo clean.
"""

from __future__ import annotations

import random
import re
import statistics
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from covenant.models import Building, Community, Household, Membership, Role, RoleGrant, User
from proposals import themes
from proposals.demo import generate_texts
from proposals.models import (
    Category,
    Comment,
    Idea,
    Moderation,
    Report,
    Support,
    TimelineEntry,
)
from proposals.search import search_tokens_for
from proposals.services import regroup_ideas

BENCH_ESTATE = "bench estate"
EMAIL_DOMAIN = "bench.covenant.invalid"
SEED = 10_000
BATCH_SIZE = 2000
BUILDINGS = 20
FLOORS = 25
UNITS_PER_FLOOR = 2  # 1,000 households
RESIDENTS = 2000
DEEP_PAGES = 50
SEARCH_QUERIES = ("电梯", "停车", "楼道", "遛狗 牵绳")
TEXT_VARIANTS = 600  # distinct texts, reused with each idea's own building


def _email(local: str) -> str:
    return f"{local}@{EMAIL_DOMAIN}"


@dataclass
class Row:
    page: str
    times_ms: list[float]
    queries: list[int]

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]

    @property
    def query_count(self) -> str:
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}-{high}"


class Command(BaseCommand):
    help = (
        "Seed (or reuse) a benchmark estate of 10,000 golden ideas and time the idea list, "
        "detail, search, triage board and moderation queue, and regrouping them into themes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ideas", type=int, default=10_000)
        parser.add_argument("--supports", type=int, default=100_000)
        parser.add_argument("--comments", type=int, default=30_000)
        parser.add_argument("--runs", type=int, default=20, help="Requests per page (20).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run with DEBUG off too (it adds an estate and users; not on a real site).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "bench_ideas adds a benchmark estate with thousands of users and ideas; it "
                "runs only with DEBUG on (or --force on a throwaway database)."
            )
        if options["runs"] < 1:
            raise CommandError("--runs must be at least 1.")
        started = time.perf_counter()
        community = Community.objects.filter(name=BENCH_ESTATE).first()
        wanted = (options["ideas"], options["supports"], options["comments"])
        if community and self._sizes(community) == wanted:
            self.stdout.write(
                f"bench estate reused: {wanted[0]:,} ideas, {wanted[1]:,} supports, "
                f"{wanted[2]:,} comments (checked in {time.perf_counter() - started:.1f} s)"
            )
        else:
            if community:
                self.stdout.write("bench estate has other sizes: seeding it again")
                _remove_ideas(community)
            with transaction.atomic():
                community = _seed(*wanted, say=self.stdout.write)
            self.stdout.write(
                f"bench estate seeded: {wanted[0]:,} ideas, {wanted[1]:,} supports, "
                f"{wanted[2]:,} comments in {time.perf_counter() - started:.1f} s"
            )
        _analyze()
        rows = _measure(community, runs=options["runs"])
        self._print(rows, options["runs"])

    def _sizes(self, community: Community) -> tuple[int, int, int]:
        ideas = Idea.objects.filter(community=community)
        return (
            ideas.count(),
            Support.objects.filter(idea__community=community).count(),
            Comment.objects.filter(idea__community=community).count(),
        )

    def _print(self, rows: list[Row], runs: int) -> None:
        vendor = connection.vendor
        width = max(_width(row.page) for row in rows)
        self.stdout.write(
            f"\n{runs} runs per page on {vendor}; server time through the test client"
        )
        self.stdout.write(f"{'page':<{width}}  {'median ms':>9}  {'p95 ms':>8}  {'queries':>7}")
        for row in rows:
            self.stdout.write(
                f"{row.page}{' ' * (width - _width(row.page))}  {row.median:>9.1f}  {row.p95:>8.1f}  {row.query_count:>7}"
            )


def _width(text: str) -> int:
    """Columns on a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


# --- Seeding -----------------------------------------------------------------------------


def _analyze() -> None:
    """Fresh planner statistics, as a database that has been running would have: right
    after a bulk load PostgreSQL believes the tables are empty and plans accordingly."""
    tables = [model._meta.db_table for model in (Idea, Support, Comment, Report, TimelineEntry)]
    tables += [User._meta.db_table, Membership._meta.db_table, Household._meta.db_table]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


def _remove_ideas(community: Community) -> None:
    ideas = Idea.objects.filter(community=community)
    ideas.exclude(duplicate_of=None).update(duplicate_of=None)
    ideas.delete()


def _people(community: Community) -> dict[str, list[User] | User]:
    """The bench estate's residents and role holders, created if missing."""
    if not community.buildings.exists():
        buildings = Building.objects.bulk_create(
            Building(community=community, number=n, floor_count=FLOORS)
            for n in range(1, BUILDINGS + 1)
        )
        Household.objects.bulk_create(
            (
                Household(
                    building=building,
                    floor=floor,
                    unit=f"{floor:02d}{door:02d}",
                    floor_area=Decimal("88.00"),
                )
                for building in buildings
                for floor in range(1, FLOORS + 1)
                for door in range(1, UNITS_PER_FLOOR + 1)
            ),
            batch_size=BATCH_SIZE,
        )
    households = list(
        Household.objects.filter(building__community=community)
        .select_related("building")
        .order_by("pk")
    )
    if not User.objects.filter(email=_email("steward")).exists():
        now = timezone.now()
        password = make_password(None)  # nobody signs in: the bench logs in by force
        residents = User.objects.bulk_create(
            (
                User(
                    email=_email(f"r{n:05d}"),
                    name=f"住户{n}",
                    password=password,
                    privacy_consent_at=now,
                )
                for n in range(RESIDENTS)
            ),
            batch_size=BATCH_SIZE,
        )
        memberships = [
            Membership(
                user=user,
                household=households[n % len(households)],
                relation=Membership.Relation.OWNER,
                status=Membership.Status.VERIFIED,
                decided_at=now,
            )
            for n, user in enumerate(residents)
        ]
        Membership.objects.bulk_create(memberships, batch_size=BATCH_SIZE)
        staff = {
            local: User.objects.create(
                email=_email(local), name=name, password=password, privacy_consent_at=now
            )
            for local, name in (
                ("steward", "物业管家(bench)"),
                ("admin", "管理员(bench)"),
                ("captain", "1栋楼长(bench)"),
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
    residents = list(
        User.objects.filter(email__startswith="r", email__endswith="@" + EMAIL_DOMAIN).order_by(
            "pk"
        )
    )
    return {
        "residents": residents,
        "households": households,
        "steward": User.objects.get(email=_email("steward")),
        "admin": User.objects.get(email=_email("admin")),
        "captain": User.objects.get(email=_email("captain")),
    }


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


def _seed(idea_total: int, support_total: int, comment_total: int, say) -> Community:
    """Counters are planned first, so each table is written once with bulk_create."""
    rng = random.Random(SEED)
    community, _ = Community.objects.get_or_create(name=BENCH_ESTATE)
    people = _people(community)
    residents: list[User] = people["residents"]
    households: list[Household] = people["households"]
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

    # A few hundred distinct texts, tokenised once each: jieba is the slow part.
    places = [(h.building.number, h.floor) for h in households]
    variants = [
        (theme, title, body, search_tokens_for(title, body))
        for theme, title, body, _ in generate_texts(rng, min(TEXT_VARIANTS, idea_total), places)
    ]
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
    Idea.objects.bulk_create(ideas, batch_size=BATCH_SIZE)
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
    Comment.objects.bulk_create(tops, batch_size=BATCH_SIZE)
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
    Comment.objects.bulk_create(replies, batch_size=BATCH_SIZE)
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
    Report.objects.bulk_create(reports, batch_size=BATCH_SIZE)
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


def _insert(model, rows) -> None:
    """bulk_create from a generator, a batch at a time, without a list of every row."""
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH_SIZE:
            model.objects.bulk_create(batch)
            batch = []
    if batch:
        model.objects.bulk_create(batch)


# --- Measuring ---------------------------------------------------------------------------

_NEXT = re.compile(r'href="\?[^"]*?after=([^"&]+)"')


def _time(client: Client, url: str, data: dict, runs: int) -> tuple[list[float], list[int], str]:
    times, queries = [], []
    content = ""
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, data, secure=True)
            elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise CommandError(f"{url} {data} answered {response.status_code}")
        times.append(elapsed)
        queries.append(len(captured.captured_queries))
        content = response.content.decode()
    return times, queries, content


def _client(user: User) -> Client:
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    return client


def _deep_cursor(client: Client, url: str, pages: int) -> tuple[str, int]:
    """The "after" cursor of the page `pages` deep, following each page's next link."""
    cursor, depth = "", 1
    for _ in range(pages - 1):
        response = client.get(url, {"after": cursor} if cursor else {}, secure=True)
        found = _NEXT.search(response.content.decode())
        if not found:
            break
        cursor, depth = unquote(found.group(1).replace("&amp;", "&")), depth + 1
    return cursor, depth


def _measure(community: Community, *, runs: int) -> list[Row]:
    users = {key: User.objects.get(email=_email(key)) for key in ("steward", "admin", "captain")}
    resident = (
        User.objects.filter(
            memberships__household__building__community=community,
            email__startswith="r",
            memberships__status=Membership.Status.VERIFIED,
        )
        .order_by("pk")
        .first()
    )
    ideas = Idea.objects.filter(community=community, moderation=Moderation.VISIBLE)
    busiest = ideas.order_by("-support_count", "-id")[:50]
    detail = max(busiest, key=lambda idea: (idea.comment_count, idea.support_count))
    as_resident = _client(resident)
    list_url = reverse("proposals:idea_list")
    cursor, depth = _deep_cursor(as_resident, list_url, DEEP_PAGES)

    pages: list[tuple[str, Client, str, dict]] = [
        ("idea list, page 1", as_resident, list_url, {}),
        (f"idea list, page {depth} (cursor)", as_resident, list_url, {"after": cursor}),
        ("idea list, most supported", as_resident, list_url, {"sort": "supported"}),
        (
            f"idea detail ({detail.support_count} supports, {detail.comment_count} comments)",
            as_resident,
            detail.get_absolute_url(),
            {},
        ),
    ]
    pages += [(f"search “{q}”", as_resident, list_url, {"q": q}) for q in SEARCH_QUERIES]
    pages += [
        ("triage board (staff)", _client(users["steward"]), reverse("proposals:triage_board"), {}),
        (
            "moderation queue (admin)",
            _client(users["admin"]),
            reverse("proposals:moderation_queue"),
            {},
        ),
        (
            "moderation queue (captain)",
            _client(users["captain"]),
            reverse("proposals:moderation_queue"),
            {},
        ),
    ]
    rows = []
    for label, client, url, data in pages:
        client.get(url, data, secure=True)  # warm up: templates, jieba, connection
        times, queries, _ = _time(client, url, data, runs)
        rows.append(Row(label, times, queries))
    return rows + _time_regrouping(community, ideas.count())


def _time_regrouping(community: Community, counted: int) -> list[Row]:
    """Regrouping the estate's ideas into themes: once with every text cut into words
    anew (as a fresh worker does), then again with the words cached (as the nightly run
    of a long-lived worker does)."""
    themes.words_of.cache_clear()
    rows = []
    for label in (f"regroup {counted:,} ideas (cold)", f"regroup {counted:,} ideas (again)"):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            regroup_ideas(community=community)
            elapsed = (time.perf_counter() - started) * 1000
        rows.append(Row(label, [elapsed], [len(captured.captured_queries)]))
    return rows
