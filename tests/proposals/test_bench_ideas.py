"""``manage.py bench_ideas`` beside the demo estate, and with several bench estates.

The bench and ``seed_demo`` share a database in either order without touching each
other's estate; ``--estates N`` times the first bench estate alone and beside N-1 more
(in the tests' transaction one after the other; on a SQLite file a copy of the one-estate
database in turns with the database). Sizes are tiny: these tests check what is written
and printed, not how fast.
"""

import io
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from covenant.demo import COMMUNITY_NAME
from covenant.models import Building, Community, Household, Membership, RoleGrant, User
from notices.models import Announcement
from proposals.models import Comment, Idea, Report, Support, Theme, TimelineEntry
from volunteers.models import CaptainMessage

pytestmark = pytest.mark.django_db

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TINY = ("--ideas", "60", "--supports", "200", "--comments", "60", "--runs", "1")
PAGES = (
    "idea list, page 1",
    "idea list, most supported",
    "search “电梯”",
    "triage board (staff)",
    "moderation queue (admin)",
    "moderation queue (captain)",
    "home, signed in (resident)",
)


def seed_demo() -> None:
    with override_settings(DEBUG=True, PASSWORD_HASHERS=FAST_HASHERS):
        call_command("seed_demo", stdout=io.StringIO())


def bench(*args: str) -> str:
    out = io.StringIO()
    with override_settings(DEBUG=True):
        call_command("bench_ideas", *args, stdout=out)
    return out.getvalue()


def state_of(name: str) -> dict[str, object]:
    """What an estate holds, to the row: counts, and each idea's counters and state."""
    in_estate = {"idea__community__name": name}
    return {
        "ideas": sorted(
            Idea.objects.filter(community__name=name).values_list(
                "pk",
                "status",
                "moderation",
                "support_count",
                "comment_count",
                "report_count",
                "duplicate_of",
                "last_activity_at",
            )
        ),
        "supports": Support.objects.filter(**in_estate).count(),
        "comments": Comment.objects.filter(**in_estate).count(),
        "reports": Report.objects.filter(**in_estate).count(),
        "timeline": TimelineEntry.objects.filter(**in_estate).count(),
        "themes": Theme.objects.filter(community__name=name).count(),
        "announcements": Announcement.objects.filter(community__name=name).count(),
        "households": Household.objects.filter(building__community__name=name).count(),
        "memberships": Membership.objects.filter(household__building__community__name=name).count(),
        "role grants": RoleGrant.objects.filter(community__name=name).count(),
        "messages to captains": CaptainMessage.objects.filter(
            household__building__community__name=name
        ).count(),
    }


def test_the_bench_and_the_demo_leave_each_other_alone():
    seed_demo()
    demo = state_of(COMMUNITY_NAME)
    assert len(demo["ideas"]) > 400 and demo["announcements"] == 5

    bench(*TINY)
    assert state_of(COMMUNITY_NAME) == demo
    seeded = state_of("bench estate")
    assert len(seeded["ideas"]) == 60 and seeded["supports"] == 200
    assert seeded["comments"] == 60 and seeded["announcements"] == 0

    seed_demo()  # tops the demo up: adds nothing, to either estate
    assert state_of("bench estate") == seeded
    assert state_of(COMMUNITY_NAME) == demo

    # Seeding the bench again at other sizes replaces only the bench's ideas.
    bench("--ideas", "40", "--supports", "100", "--comments", "30", "--runs", "1")
    assert state_of(COMMUNITY_NAME) == demo
    assert len(state_of("bench estate")["ideas"]) == 40


def test_seed_demo_after_the_bench_leaves_the_bench_estate_alone():
    bench(*TINY)
    seeded = state_of("bench estate")

    seed_demo()

    assert state_of(COMMUNITY_NAME)["announcements"] == 5
    assert state_of("bench estate") == seeded


def rows_of(output: str) -> dict[str, list[str]]:
    """The comparison's rows by page: queries alone and together, then the times."""
    return {
        page: next(line for line in output.splitlines() if line.startswith(page))
        .removeprefix(page)
        .split()
        for page in PAGES
    }


def test_several_estates_time_the_first_alone_then_beside_the_others():
    seed_demo()
    demo = state_of(COMMUNITY_NAME)

    output = bench(*TINY, "--estates", "3")

    assert state_of(COMMUNITY_NAME) == demo
    for name in ("bench estate", "bench estate 2", "bench estate 3"):
        estate = state_of(name)
        assert (len(estate["ideas"]), estate["supports"], estate["comments"]) == (60, 200, 60)
        assert estate["households"] == 900 and estate["themes"] > 0
    # Each estate's ideas are by its own residents.
    for community in Community.objects.filter(name__startswith="bench estate"):
        authors = Idea.objects.filter(community=community).values("author")
        homes = Membership.objects.filter(user__in=authors).values_list(
            "household__building__community", flat=True
        )
        assert set(homes) == {community.pk}
    for page, figures in rows_of(output).items():
        queries_alone, queries_together = figures[:2]
        assert queries_alone == queries_together, page
        assert figures[-1] in {"yes", "no"}
    assert output.rstrip().splitlines()[-1] in {
        "estates: 3, every page within 10%: yes",
        "estates: 3, every page within 10%: no",
    }

    # Run again with fewer: the others go first, so that the first is timed alone.
    first = Community.objects.get(name="bench estate")
    kept = state_of("bench estate")
    again = bench(*TINY, "--estates", "2")

    assert "2 bench estates of an earlier run removed" in again
    assert "bench estate reused" in again
    assert Community.objects.get(name="bench estate") == first
    assert state_of("bench estate")["ideas"] == kept["ideas"]
    assert not Community.objects.filter(name="bench estate 3").exists()
    assert not Building.objects.filter(community__name="bench estate 3").exists()
    assert not User.objects.filter(email__startswith="e03.").exists()
    homes = Membership.objects.filter(user__email__endswith="@bench.covenant.invalid")
    assert set(homes.values_list("household__building__community__name", flat=True)) == {
        "bench estate",
        "bench estate 2",
    }
    assert state_of(COMMUNITY_NAME) == demo


def test_on_a_sqlite_file_a_copy_of_the_one_estate_database_is_timed_in_turns(tmp_path):
    # A process of its own: the tests' database is in memory, inside a transaction.
    database = tmp_path / "bench.sqlite3"
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(settings.BASE_DIR),
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "true",
        "SECRET_KEY": "tests-only-not-a-secret",
    }

    def manage(*args: str) -> str:
        command = [sys.executable, str(settings.BASE_DIR / "manage.py"), *args]
        return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout

    manage("migrate", "-v0")
    output = manage("bench_ideas", *TINY, "--estates", "2")

    assert "a copy of the database as it was alone (1) and the database beside 1 more" in output
    for page, figures in rows_of(output).items():
        assert figures[0] == figures[1], page
    assert output.rstrip().splitlines()[-1] in {
        "estates: 2, every page within 10%: yes",
        "estates: 2, every page within 10%: no",
    }
    assert not (tmp_path / "bench.sqlite3.one-estate").exists()


@pytest.mark.parametrize("estates", ["0", "100"])
def test_it_refuses_a_number_of_estates_it_cannot_name(estates):
    with pytest.raises(CommandError, match="--estates"):
        bench(*TINY, "--estates", estates)
    assert not Community.objects.filter(name__startswith="bench estate").exists()


def test_the_bench_times_the_floor_first_and_ends_with_the_ratios_to_it():
    out = bench(*TINY)

    lines = out.strip().splitlines()
    assert any(line.startswith("floor: 1 query + tiny template") for line in lines)
    assert re.fullmatch(
        r"ratios to floor: list \d+\.\d\d, detail \d+\.\d\d, search \d+\.\d\d", lines[-1]
    )


def test_the_floor_is_no_page_of_the_site(client):
    assert client.get("/bench/floor/").status_code == 404


def test_each_ratio_is_against_the_floor_timed_in_turn_with_its_page():
    from proposals.management.bench.timing import FLOOR_LABEL, Row
    from proposals.management.commands.bench_ideas import ratios_line

    def row(label, ms, floor=None):
        timed = Row(label, [ms] * 3, [5] * 3, [ms] * 3)
        timed.floor = floor
        return timed

    rows = [
        row(FLOOR_LABEL, 100.0),  # all the floor's runs: never what a ratio is against
        row("idea list, page 1", 8.0, row(FLOOR_LABEL, 4.0)),
        row("idea detail (500 supports, 162 comments)", 20.0, row(FLOOR_LABEL, 5.0)),
        row("search “电梯”", 10.0, row(FLOOR_LABEL, 3.0)),
        row("search “停车”", 10.0, row(FLOOR_LABEL, 4.0)),
        row("search “楼道”", 10.0, row(FLOOR_LABEL, 5.0)),
    ]

    assert ratios_line(rows, "sqlite") == "ratios to floor: list 0.50, detail 0.25, search 0.40"
