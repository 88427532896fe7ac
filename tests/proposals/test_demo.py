"""The demo estate's golden ideas, and ``manage.py bench_ideas`` at a small size.

The demo estate is seeded once for the module (as in tests/covenant/test_seed_demo.py),
committed outside the tests' transactions, and removed after the last test.
"""

import io
import re
from collections import Counter
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.test import override_settings

from covenant.demo import (
    COMMUNITY_NAME,
    STEWARD_EMAILS,
)
from covenant.models import Community, Membership, RoleGrant, User
from proposals.models import (
    Campaign,
    Comment,
    Idea,
    Moderation,
    ModerationAction,
    ReplyTemplate,
    Report,
    Support,
    ThemeMembership,
    TimelineEntry,
)

pytestmark = pytest.mark.django_db

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed_demo() -> str:
    out = io.StringIO()
    with override_settings(DEBUG=True, PASSWORD_HASHERS=FAST_HASHERS):
        call_command("seed_demo", stdout=out)
    return out.getvalue()


def remove_demo_estate() -> None:
    # Every app's demo content goes first (<app>.demo.unseed()), then the estate.
    from tests.covenant.test_seed_demo import remove_demo_estate as remove_everything

    remove_everything()
    ReplyTemplate.objects.all().delete()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[str]:
    with django_db_blocker.unblock():
        output = seed_demo()
    yield output
    with django_db_blocker.unblock():
        remove_demo_estate()


def first_estates_ideas():
    """The ideas of 碧海花园 (the demo's second estate, 翠湖苑, has a few of its own)."""
    return Idea.objects.filter(community__name=COMMUNITY_NAME)


def ideas_line(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("金点子"))


def test_it_seeds_a_few_hundred_ideas_and_says_how_many(seeded):
    line = ideas_line(seeded)
    printed = int(re.search(r"ideas: (\d+)", line).group(1))
    assert 300 <= printed == first_estates_ideas().count() <= 450
    supports = int(re.search(r"supports ([\d,]+)", line).group(1).replace(",", ""))
    assert supports == Support.objects.count()
    comments = int(re.search(r"comments ([\d,]+)", line).group(1).replace(",", ""))
    assert comments == Comment.objects.count()


def test_it_adds_nothing_when_run_again(seeded):
    before = (Idea.objects.count(), Support.objects.count(), Comment.objects.count())
    output = seed_demo()
    assert "already there, nothing added" in ideas_line(output)
    assert (Idea.objects.count(), Support.objects.count(), Comment.objects.count()) == before
    assert Campaign.objects.count() == 1


def test_the_stored_counters_match_the_rows(seeded):
    ideas = Idea.objects.annotate(
        supports_counted=Count("supports", distinct=True),
        visible_comments=Count(
            "comments", filter=Q(comments__moderation=Moderation.VISIBLE), distinct=True
        ),
        open_reports=Count("reports", filter=Q(reports__resolved_at=None), distinct=True),
    )
    for idea in ideas:
        assert idea.support_count == idea.supports_counted, idea.pk
        assert idea.comment_count == idea.visible_comments, idea.pk
        assert idea.report_count == idea.open_reports, idea.pk
    for comment in Comment.objects.annotate(
        open_reports=Count("reports", filter=Q(reports__resolved_at=None))
    ):
        assert comment.report_count == comment.open_reports


def test_the_three_big_themes_dominate_and_their_texts_repeat_them(seeded):
    by_category = Counter(Idea.objects.values_list("category__slug", flat=True))
    assert by_category["pets"] >= 80
    assert by_category["parking"] >= 80
    assert by_category["stairwell"] >= 70
    smaller = ("greenery", "safety", "facilities", "noise", "hygiene")
    assert all(0 < by_category[slug] < by_category["stairwell"] for slug in smaller)
    words = {"pets": ("狗", "宠物"), "parking": ("车",), "stairwell": ("楼道", "楼梯")}
    for slug, needles in words.items():
        for title, body in Idea.objects.filter(category__slug=slug).values_list("title", "body"):
            assert any(needle in title + body for needle in needles), title


def test_the_ideas_come_from_all_26_buildings_and_their_residents(seeded):
    assert first_estates_ideas().values("building").distinct().count() == 26
    for idea in Idea.objects.select_related("household").exclude(recorded_by__isnull=False):
        assert idea.building_id == idea.household.building_id
        assert idea.floor == idea.household.floor
        assert Membership.objects.filter(
            user=idea.author_id, household=idea.household, status=Membership.Status.VERIFIED
        ).exists()
    assert all(len(title) <= 80 for title in Idea.objects.values_list("title", flat=True))


def test_keyword_search_tokens_are_stored(seeded):
    tokens = Idea.objects.filter(category__slug="pets").values_list("search_tokens", flat=True)
    assert sum(" 遛狗 " in t or " 狗 " in t for t in tokens) > 30


def test_names_hidden_ideas_recorded_by_captains_and_an_open_campaign(seeded):
    assert Idea.objects.filter(hide_name=True).count() >= 20
    recorded = Idea.objects.exclude(recorded_by=None)
    assert recorded.count() >= 3
    for idea in recorded:
        assert idea.resident_name and idea.author_id == idea.recorded_by_id
        assert RoleGrant.objects.filter(user=idea.author_id, building=idea.building).exists()
    campaign = Campaign.objects.get()
    assert campaign.is_open() and campaign.title.endswith("年金点子征集")
    assert 50 <= campaign.ideas.count() < Idea.objects.count()


def test_statuses_are_spread_and_each_change_is_on_the_public_timeline(seeded):
    statuses = Counter(first_estates_ideas().values_list("status", flat=True))
    assert set(statuses) == set(Idea.Status.values)
    stewards = set(User.objects.filter(email__in=STEWARD_EMAILS).values_list("pk", flat=True))
    for idea in (
        first_estates_ideas()
        .exclude(status=Idea.Status.SUBMITTED)
        .prefetch_related("timeline", "deliberations__representatives")
    ):
        # A deliberation's representatives move the ideas it took up (referred, adopted).
        deciders = stewards | {
            seat.user_id
            for deliberation in idea.deliberations.all()
            for seat in deliberation.representatives.all()
        }
        changes = [entry for entry in idea.timeline.all() if entry.to_status]
        assert changes[-1].to_status == idea.status
        for entry in changes:
            if entry.to_status != Idea.Status.WITHDRAWN:
                assert entry.actor_id in deciders
    declined = TimelineEntry.objects.filter(to_status=Idea.Status.DECLINED)
    assert declined.exists() and not declined.filter(public_reply="").exists()
    assert Idea.objects.filter(assignee__in=stewards).count() > 100
    assert ReplyTemplate.objects.count() >= 3


def test_three_deliberations_on_the_three_big_themes(seeded):
    from covenant.models import Party
    from proposals.models import Deliberation, DeliberationPost

    parking, pets, stairwell = (
        Deliberation.objects.get(topic__startswith=start)
        for start in ("规范停车", "文明养宠", "清理楼道")
    )
    assert parking.status == Deliberation.Status.RESOLVED
    assert parking.ideas.count() >= 40
    assert not parking.ideas.filter(status=Idea.Status.REFERRED).exists()
    assert parking.ideas.filter(status=Idea.Status.IN_PROGRESS).count() >= 40
    spoken = set(parking.posts.filter(kind="representative").values_list("party", flat=True))
    assert spoken == set(Party.values)
    assert parking.posts.filter(kind=DeliberationPost.Kind.BUILDING_POINT).exists()
    assert parking.meetings.exclude(minutes="").exists()
    assert parking.resolution.adopted_at and parking.resolution.versions.count() == 2
    assert parking.resolution.action_items.count() >= 3
    current = pets.resolution.versions.order_by("-number").first()
    assert set(current.sign_offs.values_list("party", flat=True)) == {"party_branch", "residents"}
    assert pets.status == Deliberation.Status.RESOLUTION_PROPOSED
    assert stairwell.status == Deliberation.Status.IN_SESSION
    assert stairwell.ideas.filter(status=Idea.Status.REFERRED).exists()


def test_moderation_has_reports_a_hidden_idea_and_merged_duplicates(seeded):
    assert Idea.objects.filter(report_count__gt=0, moderation=Moderation.VISIBLE).exists()
    auto_hidden = Idea.objects.get(moderation=Moderation.AUTO_HIDDEN)
    assert auto_hidden.reports.values("reporter").distinct().count() == 3
    duplicates = Idea.objects.exclude(duplicate_of=None)
    assert duplicates.count() == 2
    for duplicate in duplicates:
        assert duplicate.moderation_actions.filter(action=ModerationAction.Action.MERGE).exists()
        original_supporters = set(duplicate.duplicate_of.supports.values_list("user", flat=True))
        moved = set(duplicate.supports.values_list("user", flat=True)) | {duplicate.author_id}
        assert moved - {duplicate.duplicate_of.author_id} <= original_supporters
    assert Report.objects.filter(comment__isnull=False).exists()
    assert Comment.objects.filter(moderation=Moderation.HIDDEN).exclude(hidden_reason="").exists()


BENCH_PAGES = (
    "idea list, page 1",
    "idea list, page ",
    "idea list, most supported",
    "idea detail",
    "search “电梯”",
    "search “停车”",
    "search “楼道”",
    "triage board (staff)",
    "moderation queue (admin)",
    "moderation queue (captain)",
)


def bench(*args: str) -> str:
    out = io.StringIO()
    call_command("bench_ideas", *args, stdout=out)
    return out.getvalue()


def test_bench_ideas_times_every_page_with_its_query_count():
    sizes = ("--ideas", "200", "--supports", "1000", "--comments", "300", "--runs", "2")
    output = bench(*sizes, "--force")
    assert "bench estate seeded: 200 ideas, 1,000 supports, 300 comments" in output
    assert Idea.objects.filter(community__name="bench estate").count() == 200
    in_bench = {"idea__community__name": "bench estate"}
    assert Support.objects.filter(**in_bench).count() == 1000
    assert Comment.objects.filter(**in_bench).count() == 300
    for page in BENCH_PAGES:
        row = next(line for line in output.splitlines() if line.startswith(page))
        median, p95, _cpu, queries = row.split()[-4:]
        assert float(median) > 0 and float(p95) >= float(median)
        assert int(queries.split("-")[-1]) < 20
    regrouping = [line for line in output.splitlines() if line.startswith("regroup ")]
    assert [line.split(" ideas")[1].split(")")[0] for line in regrouping] == [" (cold", " (again"]
    for row in regrouping:
        # A few bulk statements, never a query per idea.
        assert int(row.split()[-1]) < 25
    assert ThemeMembership.objects.filter(idea__community__name="bench estate").count() > 150
    # 200 ideas are 10 pages of 20 (more if other estates' ideas are listed too).
    assert int(re.search(r"idea list, page (\d+) \(cursor\)", output).group(1)) >= 10

    again = bench(*sizes, "--force")
    assert "bench estate reused" in again
    assert Idea.objects.filter(community__name="bench estate").count() == 200


def test_bench_ideas_refuses_to_run_without_debug_or_force():
    with pytest.raises(CommandError, match="DEBUG"):
        bench("--ideas", "10")
    assert not Community.objects.filter(name="bench estate").exists()


def test_the_demo_has_a_passed_vote_one_short_of_turnout_and_one_open(seeded):
    from proposals.models import Ballot, OwnersVote
    from proposals.votes.selectors import vote_result
    from proposals.votes.tally import Outcome

    votes = {vote.title: vote for vote in OwnersVote.objects.all()}
    parking = votes["规范停车：地面划线停车位方案"]
    lifts = next(vote for title, vote in votes.items() if "电梯" in title)
    (still_open,) = [vote for vote in votes.values() if vote.is_open]
    assert vote_result(parking).outcome == Outcome.PASSED
    assert lifts.is_special and not vote_result(lifts).turnout_reached
    assert lifts.is_closed and parking.is_closed
    # The parking vote put the adopted parking resolution to the owners, after its
    # adoption; the open pet-keeping vote comes from the pets deliberation.
    assert parking.deliberation.topic.startswith("规范停车")
    assert parking.opens_at > parking.deliberation.resolution.adopted_at
    assert still_open.deliberation.topic == "文明养宠公约" and lifts.deliberation is None
    # Cast by the demo's verified owners online, and on paper entered by the admin.
    online = Ballot.objects.filter(vote=parking, on_paper=False)
    assert (
        online.exists()
        and not online.exclude(
            cast_by__memberships__relation="owner", cast_by__memberships__status="verified"
        ).exists()
    )
    assert not Ballot.objects.filter(
        vote=still_open, household__building__number=3, household__unit="1201"
    ).exists()
    assert "业主表决 owners' votes: already there" in seed_demo()
    assert OwnersVote.objects.count() == 3
