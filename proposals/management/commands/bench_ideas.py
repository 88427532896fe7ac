"""``manage.py bench_ideas``: golden ideas at ten times the estate's size, timed, in one
estate or among twenty.

Seeds (or reuses) a benchmark estate, "bench estate" (900 households, as many as the real
estate), with 10,000 ideas, 100,000 supports and 30,000 comments, then requests each page of
the idea box N times through Django's test client, as a resident, a steward, an admin and a
captain of that estate, and prints the median and 95th-percentile server time and the
number of SQL queries of each; last, it regroups the estate's ideas into themes (issue 7)
and prints the time and queries of that.

With ``--estates 20`` (issue 12) it measures the first bench estate alone, then seeds bench
estates 2 to 20 of the same size beside it, measures the same pages as the same people
again and prints both side by side with their ratio: a page of one estate should ask the
same queries and take about the same time whatever the number of estates on the site.

The bench finds its estates by name and its people by their addresses on
bench.covenant.invalid, and writes no other estate's rows: the demo estate (``seed_demo``)
and the bench estates share a database in either order. Run it on a database of its own
(DATABASE_URL) anyway, to keep the demo's idea lists clean.
"""

from __future__ import annotations

import random
import re
import statistics
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import cache
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from covenant.models import Building, Community, Household, Membership, Role, RoleGrant, User
from proposals import themes
from proposals.demo import Theme as TextTheme
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
BUILDINGS = 18
FLOORS = 25
UNITS_PER_FLOOR = 2  # 900 households, as in the real estate
RESIDENTS = 2000
MAX_ESTATES = 99  # two digits in the people's addresses
DEEP_PAGES = 50
SEARCH_QUERIES = ("电梯", "停车", "楼道", "遛狗 牵绳")
TEXT_VARIANTS = 600  # distinct texts, reused by every bench estate
WITHIN = 1.10  # a page of many estates may take at most 10% longer than of one
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


@dataclass
class Row:
    page: str
    times_ms: list[float]
    queries: list[int]
    # The process's own CPU time: what the page costs, less the time other processes on
    # a shared machine held the CPU. It counts SQLite's work (inside this process), not a
    # database server's.
    cpu_ms: list[float]
    is_page: bool = True

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    def fastest(self, vendor: str) -> float:
        """The run the comparison judges by: the fastest, as `timeit` reasons (other work
        on the machine slows some runs down, none speeds one up); in CPU time on SQLite,
        on the wall clock where the database is a server of its own."""
        return min(self.cpu_ms if vendor == "sqlite" else self.times_ms)

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
        "detail, search, triage board and moderation queue, and regrouping them into themes; "
        "with --estates N, time them again beside N-1 more such estates and compare."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ideas", type=int, default=10_000, help="Per estate (10,000).")
        parser.add_argument("--supports", type=int, default=100_000, help="Per estate (100,000).")
        parser.add_argument("--comments", type=int, default=30_000, help="Per estate (30,000).")
        parser.add_argument("--runs", type=int, default=20, help="Requests per page (20).")
        parser.add_argument(
            "--estates",
            type=int,
            default=1,
            help=(
                "Time the first bench estate alone, then beside this many bench estates in "
                "all, and compare (1: the first alone, as before)."
            ),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run with DEBUG off too (it adds estates and users; not on a real site).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "bench_ideas adds a benchmark estate with thousands of users and ideas; it "
                "runs only with DEBUG on (or --force on a throwaway database)."
            )
        if options["runs"] < 1:
            raise CommandError("--runs must be at least 1.")
        if not 1 <= options["estates"] <= MAX_ESTATES:
            raise CommandError(f"--estates must be from 1 to {MAX_ESTATES}.")
        sizes = Sizes(options["ideas"], options["supports"], options["comments"])
        first = BenchEstate(1)
        if options["estates"] > 1:
            # Measured alone first: the others of an earlier run go.
            self._remove_other_estates()
        community = self._seed_or_reuse(first, sizes)
        if options["estates"] == 1:
            if others := Community.objects.exclude(pk=community.pk).count():
                self.stdout.write(f"{first.name} is timed beside {others} other estates")
            _analyze()
            rows = _measure(community, first, runs=options["runs"])
            self._print(rows, options["runs"])
            return
        self._compare(community, first, sizes, options["estates"], options["runs"])

    def _seed_or_reuse(self, estate: BenchEstate, sizes: Sizes) -> Community:
        started = time.perf_counter()
        community = Community.objects.filter(name=estate.name).first()
        if community and _sizes(community) == sizes:
            self.stdout.write(
                f"{estate.name} reused: {sizes} (checked in {time.perf_counter() - started:.1f} s)"
            )
            return community
        if community:
            self.stdout.write(f"{estate.name} has other sizes: seeding it again")
            _remove_ideas(community)
        with transaction.atomic():
            community = _seed(estate, sizes, say=self.stdout.write)
        self.stdout.write(f"{estate.name} seeded: {sizes} in {time.perf_counter() - started:.1f} s")
        return community

    def _remove_other_estates(self) -> None:
        others = Community.objects.filter(name__startswith=BENCH_ESTATE + " ").order_by("pk")
        found = [
            (community, BenchEstate(int(number)))
            for community in others
            if (number := community.name.removeprefix(BENCH_ESTATE + " ")).isdigit()
        ]
        if not found:
            return
        started = time.perf_counter()
        for community, estate in found:
            _remove_estate(community, estate)
            reset_queries()
        self.stdout.write(
            f"{len(found)} bench estates of an earlier run removed in "
            f"{time.perf_counter() - started:.1f} s, to time the first one alone"
        )

    def _compare(
        self, community: Community, first: BenchEstate, sizes: Sizes, count: int, runs: int
    ) -> None:
        # Regrouped once untimed, so both timed regroupings find the themes in place.
        regroup_ideas(community=community)
        _analyze()
        alone = _measure(community, first, runs=runs)
        started = time.perf_counter()
        for number in range(2, count + 1):
            estate = BenchEstate(number)
            estate_started = time.perf_counter()
            with transaction.atomic():
                other = _seed(estate, sizes, say=lambda line: None)
            regroup_ideas(community=other)  # as the nightly run leaves every estate
            reset_queries()
            self.stdout.write(
                f"{estate.name} seeded and regrouped in "
                f"{time.perf_counter() - estate_started:.1f} s"
            )
        seeding = time.perf_counter() - started
        analyzing = time.perf_counter()
        _analyze()
        self.stdout.write(
            f"{count - 1} more bench estates of {sizes} seeded in {seeding:.1f} s "
            f"({count * sizes.ideas:,} ideas in all; statistics refreshed in "
            f"{time.perf_counter() - analyzing:.1f} s)"
        )
        together = _measure(community, first, runs=runs)
        self._print_comparison(alone, together, count, runs)

    def _print(self, rows: list[Row], runs: int) -> None:
        vendor = connection.vendor
        width = max(_width(row.page) for row in rows)
        self.stdout.write(
            f"\n{runs} runs per page on {vendor}; server time through the test client"
        )
        self.stdout.write(f"{'page':<{width}}  {'median ms':>9}  {'p95 ms':>8}  {'queries':>7}")
        for row in rows:
            self.stdout.write(
                f"{_pad(row.page, width)}  {row.median:>9.1f}  {row.p95:>8.1f}  {row.query_count:>7}"
            )

    def _print_comparison(
        self, alone: list[Row], together: list[Row], count: int, runs: int
    ) -> None:
        """Each row alone and beside the other estates, with the ratio (many / one). A page
        is within when its queries are the same and its fastest run (Row.fastest) took at
        most 10% longer; the wall clock's median and p95 are shown beside."""
        vendor = connection.vendor
        fastest = "fastest, CPU ms" if vendor == "sqlite" else "fastest ms"
        width = max(_width(row.page) for row in alone)
        n = str(count)
        self.stdout.write(
            f"\n{runs} runs per page on {vendor}, as people of the first bench "
            f"estate: alone (1), then beside {count - 1} more ({n}); ratio = {n} / 1"
        )
        self.stdout.write(
            f"{'':<{width}}  {'queries':>8}  {'median ms':<19}  {'p95 ms':<19}"
            f"  {fastest:<19}  within"
        )
        self.stdout.write(
            f"{'page':<{width}}  {'1':>3} {n:>4}" + f"  {'1':>6} {n:>6} {'ratio':>5}" * 3 + "  10%?"
        )
        every_page_within = True
        for one, many in zip(alone, together, strict=True):
            one_fastest, many_fastest = one.fastest(vendor), many.fastest(vendor)
            ratio = many_fastest / one_fastest
            within = one.query_count == many.query_count and ratio <= WITHIN
            if one.is_page:
                every_page_within &= within
            verdict = ("yes" if within else "no") if one.is_page else "(not a page)"
            self.stdout.write(
                f"{_pad(one.page, width)}  {one.query_count:>3} {many.query_count:>4}"
                f"  {one.median:>6.1f} {many.median:>6.1f} {many.median / one.median:>5.2f}"
                f"  {one.p95:>6.1f} {many.p95:>6.1f} {many.p95 / one.p95:>5.2f}"
                f"  {one_fastest:>6.1f} {many_fastest:>6.1f} {ratio:>5.2f}"
                f"  {verdict}"
            )
        self.stdout.write(
            f"estates: {count}, every page within {round((WITHIN - 1) * 100)}%: "
            f"{'yes' if every_page_within else 'no'}"
        )


def _width(text: str) -> int:
    """Columns on a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _sizes(community: Community) -> Sizes:
    return Sizes(
        Idea.objects.filter(community=community).count(),
        Support.objects.filter(idea__community=community).count(),
        Comment.objects.filter(idea__community=community).count(),
    )


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
    """The estate's ideas, a batch at a time: each batch's comments, supports, reports
    and theme places go with it, and memory stays bounded."""
    ideas = Idea.objects.filter(community=community)
    ideas.exclude(duplicate_of=None).update(duplicate_of=None)
    while batch := list(ideas.order_by("pk").values_list("pk", flat=True)[:REMOVE_BATCH]):
        Idea.objects.filter(pk__in=batch).delete()


def _remove_estate(community: Community, estate: BenchEstate) -> None:
    """A bench estate other than the first, with everything the bench put in it."""
    if not estate.prefix:
        raise ValueError("the first bench estate's people have no prefix of their own")
    _remove_ideas(community)
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


def _seed(estate: BenchEstate, sizes: Sizes, say) -> Community:
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


# --- Measuring ---------------------------------------------------------------------------

_NEXT = re.compile(r'href="\?[^"]*?after=([^"&]+)"')


def _time(client: Client, url: str, data: dict, runs: int, label: str) -> Row:
    row = Row(label, [], [], [])
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url, data, secure=True)
            cpu = (time.process_time() - cpu_started) * 1000
            elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise CommandError(f"{url} {data} answered {response.status_code}")
        row.times_ms.append(elapsed)
        row.cpu_ms.append(cpu)
        row.queries.append(len(captured.captured_queries))
    return row


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


def _measure(community: Community, estate: BenchEstate, *, runs: int) -> list[Row]:
    rows = []
    for label, client, url, data in _pages(community, estate):
        client.get(url, data, secure=True)  # warm up: templates, jieba, connection
        rows.append(_time(client, url, data, runs, label))
    counted = Idea.objects.filter(community=community, moderation=Moderation.VISIBLE).count()
    return rows + _time_regrouping(community, counted)


def _pages(community: Community, estate: BenchEstate) -> list[tuple[str, Client, str, dict]]:
    """Each timed page: its label, and the signed-in client, address and query to ask."""
    users = {
        key: User.objects.get(email=estate.email(key)) for key in ("steward", "admin", "captain")
    }
    resident = (
        estate.residents(community).filter(memberships__status=Membership.Status.VERIFIED).first()
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
    return pages


def _time_regrouping(community: Community, counted: int) -> list[Row]:
    """Regrouping the estate's ideas into themes: once with every text cut into words
    anew (as a fresh worker does), then again with the words cached (as the nightly run
    of a long-lived worker does)."""
    themes.words_of.cache_clear()
    rows = []
    for label in (f"regroup {counted:,} ideas (cold)", f"regroup {counted:,} ideas (again)"):
        with CaptureQueriesContext(connection) as captured:
            started, cpu_started = time.perf_counter(), time.process_time()
            regroup_ideas(community=community)
            cpu = (time.process_time() - cpu_started) * 1000
            elapsed = (time.perf_counter() - started) * 1000
        queries = [len(captured.captured_queries)]
        rows.append(Row(label, [elapsed], queries, [cpu], is_page=False))
    return rows
