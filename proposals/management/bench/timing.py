"""Timing the idea box's pages through Django's test client, as the people of a bench
estate, and regrouping the estate's ideas into themes."""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass
from urllib.parse import unquote

from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from covenant.models import Community, Membership, User
from proposals.management.bench import floor
from proposals.management.bench.estates import BenchEstate
from proposals.models import Idea, Moderation
from proposals.themes import grouping as themes
from proposals.themes.services import regroup_ideas

DEEP_PAGES = 50
SEARCH_QUERIES = ("电梯", "停车", "楼道", "遛狗 牵绳")


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
    # The floor's runs taken in turn with this page's (measure): what its ratio is against.
    floor: Row | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    def fastest(self, vendor: str) -> float:
        """The run the comparison judges by: the fastest, as `timeit` reasons (other work
        on the machine slows some runs down, none speeds one up); in CPU time on SQLite,
        on the wall clock where the database is a server of its own."""
        return min(self.cpu_ms if vendor == "sqlite" else self.times_ms)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]

    def extend(self, other: Row) -> None:
        self.times_ms += other.times_ms
        self.queries += other.queries
        self.cpu_ms += other.cpu_ms

    @property
    def query_count(self) -> str:
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}-{high}"


_NEXT = re.compile(r'href="\?[^"]*?after=([^"&]+)"')


def time_page(client: Client, url: str, data: dict, runs: int, label: str) -> Row:
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


Page = tuple[str, Client, str, dict]
ROUNDS = 4  # turns each database takes, per page, when two are timed in alternation


FLOOR_LABEL = "floor: 1 query + tiny template"
FLOOR_ALONE_LABEL = "(floor alone, runs in a row)"


def measure(community: Community, estate: BenchEstate, *, runs: int) -> list[Row]:
    """Each page, its runs taking turns one by one with runs of the floor, so that a
    moment when the machine runs slower (a shared machine's neighbours) weighs on the
    page and on the floor it is compared with alike; the floor's row holds all its runs."""
    rows = []
    # The floor's URLconf is the site's with the floor's view added: every page resolves
    # as on the site, and the floor's view exists in this process only.
    with override_settings(ROOT_URLCONF=floor.URLCONF):
        (floor_label, *floor_request), *timed = pages(community, estate, with_floor=True)
        floor_client, floor_url, floor_data = floor_request
        floor_client.get(floor_url, floor_data, secure=True)  # warm up
        # For comparison only: the floor timed alone, its runs in a row (warmer caches
        # than in turn with a page, so cheaper). The ratios are never against it.
        alone = time_page(floor_client, floor_url, floor_data, runs, FLOOR_ALONE_LABEL)
        alone.is_page = False
        floor_row = Row(floor_label, [], [], [])
        for label, client, url, data in timed:
            client.get(url, data, secure=True)  # warm up: templates, jieba, connection
            row, beside = Row(label, [], [], []), Row(floor_label, [], [], [])
            for _ in range(runs):
                beside.extend(time_page(floor_client, floor_url, floor_data, 1, floor_label))
                row.extend(time_page(client, url, data, 1, label))
            row.floor = beside
            floor_row.extend(beside)
            rows.append(row)
    return [alone, floor_row, *rows, *_time_regrouping(community, _counted(community))]


def measure_in_turn(
    community: Community, timed: list[Page], databases: tuple[str, str], *, runs: int
) -> tuple[list[Row], list[Row]]:
    """The same pages and regrouping in two SQLite databases, taking turns page by page,
    so that whatever else the machine does in the meantime weighs on both alike."""
    rows: tuple[list[Row], list[Row]] = ([], [])
    turns = [max(1, runs // ROUNDS)] * min(runs, ROUNDS)
    turns[-1] += runs - sum(turns)
    for label, client, url, data in timed:
        page_rows = (Row(label, [], [], []), Row(label, [], [], []))
        for turn in turns:
            for database, row in zip(databases, page_rows, strict=True):
                use_database(database)
                client.get(url, data, secure=True)  # warm up: this database's cache
                row.extend(time_page(client, url, data, turn, label))
        for side, row in zip(rows, page_rows, strict=True):
            side.append(row)
    for database, side in zip(databases, rows, strict=True):
        use_database(database)
        side += _time_regrouping(community, _counted(community))
    return rows


def use_database(name: str) -> None:
    """Point the default connection at another SQLite file; the next query opens it."""
    if connection.settings_dict["NAME"] != name:
        connection.close()
        connection.settings_dict["NAME"] = name


def _counted(community: Community) -> int:
    return Idea.objects.filter(community=community, moderation=Moderation.VISIBLE).count()


def pages(community: Community, estate: BenchEstate, *, with_floor: bool = False) -> list[Page]:
    """Each timed page: its label, and the signed-in client, address and query to ask;
    with the floor first when `with_floor` (its URLconf must be in place)."""
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

    pages: list[Page] = [(FLOOR_LABEL, as_resident, floor.FLOOR_PATH, {})] if with_floor else []
    pages += [
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
    pages += [("home, signed in (resident)", as_resident, reverse("home"), {})]
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
