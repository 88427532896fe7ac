"""``manage.py bench_ideas``: golden ideas at ten times the estate's size, timed, in one
estate or among twenty.

Seeds (or reuses) a benchmark estate, "bench estate" (900 households, as many as the real
estate), with 10,000 ideas, 100,000 supports and 30,000 comments, then requests each page of
the idea box N times through Django's test client, as a resident, a steward, an admin and a
captain of that estate, and prints the median and 95th-percentile server time and the
number of SQL queries of each; last, it regroups the estate's ideas into themes (issue 7)
and prints the time and queries of that.

With ``--estates 20`` (issue 12) it seeds bench estates 2 to 20 of the same size beside the
first and times the first estate's pages, as the same people, alone and beside them, and
prints both with their ratio: a page of one estate should ask the same queries and take
about the same time whatever the number of estates on the site. On a SQLite file the
database is copied (VACUUM INTO) while it holds one estate, and the copy and the database
take turns page by page, so that other work on a shared machine weighs on both alike;
elsewhere the estate is timed alone before the others are seeded.

The bench finds its estates by name and its people by their addresses on
bench.covenant.invalid, and writes no other estate's rows: the demo estate (``seed_demo``)
and the bench estates share a database in either order. Run it on a database of its own
(DATABASE_URL) anyway, to keep the demo's idea lists clean.
"""

from __future__ import annotations

import statistics
import time
import unicodedata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, reset_queries, transaction

from covenant.models import Community
from proposals.management.bench.estates import (
    BENCH_ESTATE,
    MAX_ESTATES,
    BenchEstate,
    Sizes,
    analyze,
    remove_estate,
    remove_ideas,
    seed,
    sizes_of,
)
from proposals.management.bench.timing import (
    FLOOR_LABEL,
    Row,
    measure,
    measure_in_turn,
    pages,
    use_database,
)
from proposals.themes.services import regroup_ideas

WITHIN = 1.10  # a page of many estates may take at most 10% longer than of one


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
            "--http",
            action="store_true",
            help=(
                "Serve with gunicorn (covenant/gunicorn_conf.py) and load each page over HTTP "
                "for --seconds at --connections, beside the floor: req/s, p50, p99, errors."
            ),
        )
        parser.add_argument("--seconds", type=float, default=10.0, help="Per page (10).")
        parser.add_argument("--connections", type=int, default=8, help="At once (8).")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn processes (2).")
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
        if options["http"]:
            self._http(community, first, options)
            return
        if options["estates"] == 1:
            if others := Community.objects.exclude(pk=community.pk).count():
                self.stdout.write(f"{first.name} is timed beside {others} other estates")
            analyze()
            rows = measure(community, first, runs=options["runs"])
            self._print(rows, options["runs"])
            return
        self._compare(community, first, sizes, options["estates"], options["runs"])

    def _seed_or_reuse(self, estate: BenchEstate, sizes: Sizes) -> Community:
        started = time.perf_counter()
        community = Community.objects.filter(name=estate.name).first()
        if community and sizes_of(community) == sizes:
            self.stdout.write(
                f"{estate.name} reused: {sizes} (checked in {time.perf_counter() - started:.1f} s)"
            )
            return community
        if community:
            self.stdout.write(f"{estate.name} has other sizes: seeding it again")
            remove_ideas(community)
        with transaction.atomic():
            community = seed(estate, sizes, say=self.stdout.write)
        self.stdout.write(f"{estate.name} seeded: {sizes} in {time.perf_counter() - started:.1f} s")
        return community

    def _http(self, community: Community, estate: BenchEstate, options: dict) -> None:
        from proposals.management.bench.http import measure_http

        analyze()
        timed = pages(community, estate, with_floor=True)
        loads = measure_http(
            timed,
            seconds=options["seconds"],
            connections=options["connections"],
            workers=options["workers"],
        )
        width = max(_width(load.page) for load in loads)
        self.stdout.write(
            f"\nover HTTP: gunicorn ({options['workers']} workers, gthread), "
            f"{options['seconds']:g} s at {options['connections']} connections per page"
        )
        self.stdout.write(
            f"{'page':<{width}}  {'req/s':>7}  {'p50 ms':>7}  {'p99 ms':>7}  {'errors':>6}  "
            "share of floor's req/s"
        )
        floor_rate = loads[0].per_second or 1.0
        for load in loads:
            self.stdout.write(
                f"{_pad(load.page, width)}  {load.per_second:>7.1f}  {load.percentile(0.5):>7.1f}"
                f"  {load.percentile(0.99):>7.1f}  {load.errors:>6}  {load.per_second / floor_rate:>5.2f}"
            )

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
            remove_estate(community, estate)
            reset_queries()
        self.stdout.write(
            f"{len(found)} bench estates of an earlier run removed in "
            f"{time.perf_counter() - started:.1f} s, to time the first one alone"
        )

    def _compare(
        self, community: Community, first: BenchEstate, sizes: Sizes, count: int, runs: int
    ) -> None:
        """The first estate timed alone and beside `count` - 1 more. On a SQLite file, a
        copy of the one-estate database is kept and both are timed in turns; on another
        database, or inside a transaction (the tests), alone first and beside later."""
        # Regrouped once untimed, so both timed regroupings find the themes in place.
        regroup_ideas(community=community)
        analyze()
        if connection.vendor == "sqlite" and not (
            connection.is_in_memory_db() or connection.in_atomic_block
        ):
            self._compare_in_turn(community, first, sizes, count, runs)
            return
        alone = measure(community, first, runs=runs)
        self._seed_others(sizes, count)
        together = measure(community, first, runs=runs)
        self._print_comparison(alone, together, count, runs, in_turn=False)

    def _compare_in_turn(
        self, community: Community, first: BenchEstate, sizes: Sizes, count: int, runs: int
    ) -> None:
        database = connection.settings_dict["NAME"]
        alone_copy = f"{database}.one-estate"
        timed = pages(community, first)  # signs the people in before the copy is made
        Path(alone_copy).unlink(missing_ok=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [alone_copy])
        try:
            self._seed_others(sizes, count)
            alone, together = measure_in_turn(community, timed, (alone_copy, database), runs=runs)
        finally:
            use_database(database)
            Path(alone_copy).unlink(missing_ok=True)
        self._print_comparison(alone, together, count, runs, in_turn=True)

    def _seed_others(self, sizes: Sizes, count: int) -> None:
        started = time.perf_counter()
        for number in range(2, count + 1):
            estate = BenchEstate(number)
            estate_started = time.perf_counter()
            with transaction.atomic():
                other = seed(estate, sizes, say=lambda line: None)
            regroup_ideas(community=other)  # as the nightly run leaves every estate
            reset_queries()
            self.stdout.write(
                f"{estate.name} seeded and regrouped in "
                f"{time.perf_counter() - estate_started:.1f} s"
            )
        seeding = time.perf_counter() - started
        analyzing = time.perf_counter()
        analyze()
        self.stdout.write(
            f"{count - 1} more bench estates of {sizes} seeded in {seeding:.1f} s "
            f"({count * sizes.ideas:,} ideas in all; statistics refreshed in "
            f"{time.perf_counter() - analyzing:.1f} s)"
        )

    def _print(self, rows: list[Row], runs: int) -> None:
        vendor = connection.vendor
        width = max(_width(row.page) for row in rows)
        self.stdout.write(
            f"\n{runs} runs per page on {vendor}, each in turn with a run of the floor; "
            "server time through the test client"
        )
        self.stdout.write(
            f"{'page':<{width}}  {'median ms':>9}  {'p95 ms':>8}  {'CPU ms':>6}  {'queries':>7}"
        )
        for row in rows:
            self.stdout.write(
                f"{_pad(row.page, width)}  {row.median:>9.1f}  {row.p95:>8.1f}"
                f"  {row.cpu_median:>6.1f}  {row.query_count:>7}"
            )
        self.stdout.write(ratios_line(rows, vendor))

    def _print_comparison(
        self, alone: list[Row], together: list[Row], count: int, runs: int, *, in_turn: bool
    ) -> None:
        """Each row alone and beside the other estates, with the ratio (many / one). A page
        is within when its queries are the same and its fastest run (Row.fastest) took at
        most 10% longer; the wall clock's median and p95 are shown beside."""
        vendor = connection.vendor
        fastest = "fastest, CPU ms" if vendor == "sqlite" else "fastest ms"
        width = max(_width(row.page) for row in alone)
        n = str(count)
        order = (
            "a copy of the database as it was alone (1) and the database beside "
            f"{count - 1} more ({n}), in turns"
            if in_turn
            else f"alone (1), then beside {count - 1} more ({n})"
        )
        self.stdout.write(
            f"\n{runs} runs per page on {vendor}, as people of the first bench estate: "
            f"{order}; ratio = {n} / 1"
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


def ratios_line(rows: list[Row], vendor: str) -> str:
    """`ratios to floor: list X.XX, detail X.XX, search X.XX`: the floor's median time
    over the page's (1.00 would be a page as cheap as the framework itself), each page
    against the floor's runs taken in turn with its own (Row.floor); search is the median
    of the searches' ratios. On SQLite, where the database works inside this process, the
    medians of CPU time (Row.cpu_ms): the same work, less the time other processes on a
    shared machine held the CPU; elsewhere the wall clock's."""

    def median(row: Row) -> float:
        return row.cpu_median if vendor == "sqlite" else row.median

    by_label = {row.page: row for row in rows}
    pooled_floor = by_label[FLOOR_LABEL]

    def ratio(row: Row) -> float:
        return median(row.floor or pooled_floor) / median(row)

    detail = next(row for row in rows if row.page.startswith("idea detail"))
    searches = [ratio(row) for row in rows if row.page.startswith("search")]
    ratios = {
        "list": ratio(by_label["idea list, page 1"]),
        "detail": ratio(detail),
        "search": statistics.median(searches),
    }
    return "ratios to floor: " + ", ".join(f"{name} {value:.2f}" for name, value in ratios.items())


def _width(text: str) -> int:
    """Columns on a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
