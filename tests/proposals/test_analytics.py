"""The dashboards' figures against values computed by hand from known timestamps."""

import datetime

import pytest
from django.utils import timezone

from covenant.models import Membership
from proposals.insight import analytics
from proposals.models import Idea, Moderation, Support, TimelineEntry
from tests.factories import BuildingFactory, HouseholdFactory, MembershipFactory, UserFactory
from tests.proposals.factories import IdeaFactory, seeded_category

MARCH = analytics.months_window(datetime.date(2026, 3, 1), 1)


def local(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def reply(idea, at, text="已安排维修。", **status):
    return TimelineEntry.objects.create(
        idea=idea, actor=idea.author, public_reply=text, created_at=at, **status
    )


@pytest.fixture
def household(unit_3_1201):
    return unit_3_1201


def idea_at(household, when, **fields):
    fields.setdefault("author", UserFactory())
    return IdeaFactory(household=household, created_at=when, **fields)


# --- Medians -------------------------------------------------------------------------


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two():
    assert analytics.median([1, 3, 8, 100]) == 5.5
    assert analytics.median([2, 5, 30]) == 5
    assert analytics.median([]) is None


def test_first_replies_after_2_5_and_30_hours_have_a_median_of_5_hours(household):
    parking = seeded_category("parking")
    submitted = local(2026, 3, 2, 10, 0)
    for hours in (2, 5, 30):
        idea = idea_at(household, submitted, category=parking)
        # A status change without a text comes first: it is not a reply.
        TimelineEntry.objects.create(
            idea=idea,
            actor=idea.author,
            from_status="submitted",
            to_status="accepted",
            created_at=submitted + datetime.timedelta(hours=1),
        )
        reply(idea, submitted + datetime.timedelta(hours=hours))
        reply(idea, submitted + datetime.timedelta(hours=hours + 50), text="后续：已完成。")

    times = analytics.response_times(household.building.community, MARCH)

    assert times.overall.replies == 3
    assert times.overall.median_reply_hours == 5
    [parking_row] = times.rows
    assert parking_row.label == parking.label
    assert parking_row.median_reply_hours == 5


def test_done_after_2_4_6_and_10_days_has_a_median_of_5_days(household):
    submitted = local(2026, 3, 1, 9, 0)
    for days in (2, 4, 6, 10):
        idea = idea_at(household, submitted)
        TimelineEntry.objects.create(
            idea=idea,
            actor=idea.author,
            from_status="in_progress",
            to_status="done",
            created_at=submitted + datetime.timedelta(days=days),
        )

    times = analytics.response_times(household.building.community, MARCH)

    assert times.overall.done == 4
    assert times.overall.median_done_days == 5
    # Marked done without a text: no reply to count.
    assert times.overall.replies == 0
    assert times.overall.median_reply_hours is None


def test_replies_outside_the_month_and_on_hidden_or_merged_ideas_do_not_count(household):
    submitted = local(2026, 2, 27, 12, 0)
    counted = idea_at(household, submitted)
    reply(counted, local(2026, 3, 1, 0, 0))  # 36 hours later, the month's first instant
    late = idea_at(household, local(2026, 3, 30, 12, 0))
    reply(late, local(2026, 4, 1, 0, 0))  # the next month's first instant
    hidden = idea_at(household, submitted, moderation=Moderation.HIDDEN)
    reply(hidden, submitted + datetime.timedelta(hours=1))
    merged = idea_at(household, submitted, duplicate_of=counted)
    reply(merged, submitted + datetime.timedelta(hours=1))

    times = analytics.response_times(household.building.community, MARCH)

    assert times.overall.replies == 1
    assert times.overall.median_reply_hours == 36


def test_open_ideas_without_a_reply_are_counted_as_waiting(household):
    idea_at(household, local(2026, 3, 2, 10, 0))
    answered = idea_at(household, local(2026, 3, 2, 10, 0))
    reply(answered, local(2026, 3, 3, 10, 0))
    idea_at(household, local(2026, 3, 2, 10, 0), status=Idea.Status.DECLINED)

    assert analytics.response_times(household.building.community, MARCH).waiting_for_reply == 1


# --- Participation -------------------------------------------------------------------


def member(household, **traits):
    user = UserFactory()
    MembershipFactory(user=user, household=household, **traits)
    return user


def test_3_of_8_households_in_building_1_took_part(community, captain_3):
    building = BuildingFactory(community=community, number=1)
    homes = [HouseholdFactory(building=building, floor=2, unit=f"20{n}") for n in range(1, 9)]
    in_march = local(2026, 3, 10, 9, 0)
    elsewhere = IdeaFactory(household=homes[7], author=UserFactory(), created_at=local(2025, 1, 1))

    # 1: a verified member submitted an idea in March.
    idea_at(homes[0], in_march, author=member(homes[0], verified=True))
    # 2: a verified member supported an idea in March.
    Support.objects.create(
        idea=elsewhere, user=member(homes[1], verified=True), created_at=in_march
    )
    # 3: the captain recorded an idea for a household without a phone.
    idea_at(homes[2], in_march, author=captain_3, recorded_by=captain_3)
    # Not counted: a support in February, a support by a member not yet verified, an idea
    # hidden by a moderator, and a household whose member only joined.
    Support.objects.create(
        idea=elsewhere, user=member(homes[3], verified=True), created_at=local(2026, 2, 28, 23, 59)
    )
    Support.objects.create(idea=elsewhere, user=member(homes[4]), created_at=in_march)
    idea_at(homes[5], in_march, author=member(homes[5], verified=True), moderation="hidden")
    member(homes[6], verified=True)

    shares = analytics.participation(community, MARCH)

    [building_1] = [b for b in shares.buildings if b.number == 1]
    assert building_1.households == 8
    assert building_1.participating == 3
    assert building_1.percent == 37.5
    assert building_1.on_portal == 5  # homes 0, 1, 3, 5, 6 have a verified member
    assert Membership.objects.filter(household=homes[4], status="requested").exists()


def test_a_household_counts_once_however_much_it_did(community):
    building = BuildingFactory(community=community, number=1)
    home = HouseholdFactory(building=building, floor=2, unit="201")
    HouseholdFactory(building=building, floor=2, unit="202")
    person = member(home, verified=True)
    for _ in range(3):
        idea = idea_at(home, local(2026, 3, 5, 9, 0), author=person)
        Support.objects.create(
            idea=idea, user=member(home, verified=True), created_at=local(2026, 3, 6)
        )

    [row] = analytics.participation(community, MARCH).buildings

    assert (row.households, row.participating, row.percent) == (2, 1, 50.0)


# --- Open ideas by age ---------------------------------------------------------------


def test_open_ideas_fall_into_age_buckets_at_their_exact_boundaries(household):
    now = local(2026, 6, 1, 12, 0)
    day = datetime.timedelta(days=1)
    second = datetime.timedelta(seconds=1)
    for age in (
        0 * day,
        7 * day - second,  # under 7 days
        7 * day,  # exactly 7 days: 7–30
        30 * day - second,  # 7–30
        30 * day,  # 30–90
        90 * day - second,  # 30–90
        90 * day,  # 90 or more
        400 * day,  # 90 or more
    ):
        idea_at(household, now - age, status=Idea.Status.ACCEPTED)
    idea_at(household, now - 40 * day, status=Idea.Status.DONE)
    idea_at(household, now - 40 * day, moderation=Moderation.HIDDEN)

    buckets = analytics.open_items_by_age(household.building.community, now=now)

    assert [bucket.count for bucket in buckets] == [2, 2, 2, 2]


# --- Ideas by month ------------------------------------------------------------------


def test_ideas_are_counted_in_the_local_month_they_came_in(household):
    window = analytics.months_window(datetime.date(2026, 2, 1), 2)
    pets = seeded_category("pets")
    # 00:30 on 1 March in Shanghai is still February in UTC: it counts for March.
    idea_at(household, local(2026, 3, 1, 0, 30), category=pets)
    idea_at(household, local(2026, 2, 28, 23, 30), category=pets, status=Idea.Status.DONE)
    idea_at(household, local(2026, 4, 1, 0, 0), category=pets)

    by_category = analytics.ideas_by_category(household.building.community, window)
    by_status = analytics.ideas_by_status(household.building.community, window)

    [pets_series] = [s for s in by_category.series if s.key == "pets"]
    assert pets_series.counts == (1, 1)
    assert by_category.total == 2
    counts = {s.key: s.counts for s in by_status.series}
    assert counts["done"] == (1, 0)
    assert counts["submitted"] == (0, 1)


def test_the_report_lists_ideas_done_in_the_month_with_their_latest_reply(household):
    idea = idea_at(household, local(2026, 2, 1, 9, 0))
    reply(idea, local(2026, 2, 3, 9, 0), text="已受理。")
    reply(
        idea, local(2026, 3, 4, 9, 0), text="护栏已修好。", from_status="accepted", to_status="done"
    )
    reply(idea, local(2026, 4, 2, 9, 0), text="四月回访：一切正常。")
    done_in_april = idea_at(household, local(2026, 2, 1, 9, 0))
    reply(done_in_april, local(2026, 4, 4, 9, 0), to_status="done")

    [done] = analytics.ideas_done(household.building.community, MARCH)

    assert done.pk == idea.pk
    assert done.last_reply == "护栏已修好。"
    assert timezone.localtime(done.done_at).date() == datetime.date(2026, 3, 4)


def test_new_ideas_of_the_month_are_counted_by_category_largest_first(household):
    for slug, count in (("pets", 1), ("parking", 3)):
        for _ in range(count):
            idea_at(household, local(2026, 3, 9, 9, 0), category=seeded_category(slug))

    count, by_category = analytics.new_ideas(household.building.community, MARCH)

    assert count == 4
    assert by_category == [
        (seeded_category("parking").label, 3),
        (seeded_category("pets").label, 1),
    ]


def test_the_last_complete_month_of_january_is_december():
    assert analytics.last_complete_month(datetime.date(2027, 1, 15)) == datetime.date(2026, 12, 1)
    window = analytics.recent_window(12, datetime.date(2027, 1, 15))
    assert window.months[0] == datetime.date(2026, 2, 1)
    assert window.months[-1] == datetime.date(2027, 1, 1)
    assert window.end == local(2027, 2, 1, 0, 0)
