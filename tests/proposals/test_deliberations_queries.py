"""The deliberation pages cost the same number of queries on a short and a long thread."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from covenant.models import Party
from proposals.deliberations import services
from proposals.models import DeliberationPost, Meeting, MeetingAttendance
from tests.proposals.conftest import page_queries
from tests.proposals.deliberation_helpers import sign
from tests.proposals.factories import IdeaFactory

pytestmark = pytest.mark.django_db


def grow(deliberation, *, people, unit, category, posts, meetings, items, ideas):
    party_member, captain_3, steward, resident = people
    voices = [
        (party_member, Party.PARTY_BRANCH),
        (captain_3, Party.RESIDENTS),
        (steward, Party.PROPERTY),
    ]
    DeliberationPost.objects.bulk_create(
        DeliberationPost(
            deliberation=deliberation, author=voices[n % 3][0], party=voices[n % 3][1],
            kind=DeliberationPost.Kind.REPRESENTATIVE, body=f"第{n}条意见",
        )
        for n in range(posts)
    )  # fmt: skip
    DeliberationPost.objects.bulk_create(
        DeliberationPost(
            deliberation=deliberation, author=resident, kind=DeliberationPost.Kind.RESIDENT,
            body=f"居民意见{n}",
        )
        for n in range(posts)
    )  # fmt: skip
    for n in range(meetings):
        meeting = Meeting.objects.create(
            deliberation=deliberation, starts_at=timezone.now() + timedelta(days=n - 1),
            place="会议室", agenda="议程", minutes="纪要", scheduled_by=party_member,
            minutes_recorded_by=steward, minutes_recorded_at=timezone.now(),
        )  # fmt: skip
        MeetingAttendance.objects.bulk_create(
            MeetingAttendance(meeting=meeting, party=party, attendees="某某")
            for party in Party.values
        )
    linked = [IdeaFactory(author=resident, household=unit, category=category) for _ in range(ideas)]
    services.link_ideas(deliberation=deliberation, ideas=linked, actor=party_member)
    services.propose_resolution(deliberation=deliberation, author=steward, text="第一稿")
    sign(deliberation, party_member, Party.PARTY_BRANCH)
    services.propose_resolution(deliberation=deliberation, author=steward, text="第二稿")
    sign(deliberation, steward, Party.PROPERTY)
    for n in range(items):
        services.add_action_item(
            resolution=deliberation.resolution, title=f"事项{n}", owner_party=Party.PROPERTY,
            owner=steward, actor=steward,
        )  # fmt: skip


@pytest.fixture
def grown(deliberation, party_member, captain_3, steward, resident, unit_3_1201, category):
    def grow_by(**sizes):
        grow(
            deliberation, people=(party_member, captain_3, steward, resident), unit=unit_3_1201,
            category=category, **sizes,
        )  # fmt: skip
        return deliberation

    return grow_by


@pytest.mark.parametrize("viewer", ["resident", "steward", "admin_user"])
def test_the_deliberation_page_does_not_grow_with_its_thread(
    client, django_db_blocker, grown, persona, viewer
):
    # The session, the user, their role grants and memberships; the deliberation with its
    # resolution; its versions, their sign-offs and signers; action items; representatives;
    # meetings and attendance; linked ideas; the two thread pages; the status history.
    small = grown(posts=3, meetings=1, items=1, ideas=2)
    url = small.get_absolute_url()
    small_count = len(page_queries(client, persona(viewer), url))
    small_ids = list(small.posts.values_list("pk", flat=True))
    grow(
        small,
        people=(persona("party_member"), persona("captain_3"), persona("steward"), persona("resident")),
        unit=persona("unit_3_1201"), category=persona("category"),
        posts=60, meetings=3, items=6, ideas=40,
    )  # fmt: skip
    assert small.posts.exclude(pk__in=small_ids).count() == 120
    large = page_queries(client, persona(viewer), url)
    assert len(large) == small_count, "\n".join(large)


def test_a_long_thread_is_paged(client, grown, resident):
    deliberation = grown(posts=60, meetings=0, items=0, ideas=0)
    client.force_login(resident)
    page = client.get(deliberation.get_absolute_url()).content.decode()
    assert "第0条意见" in page and "第29条意见" in page and "第30条意见" not in page
    assert "?posts=" in page


@pytest.mark.parametrize("page", ["deliberation_list", "public_record"])
def test_lists_do_not_grow_with_deliberations(client, community, party_member, resident, page):
    def open_some(count):
        for n in range(count):
            opened = services.open_deliberation(
                opener=party_member, community=community, topic=f"议题{n}"
            )
            services.propose_resolution(deliberation=opened, author=party_member, text="决议")
            services.add_action_item(
                resolution=opened.resolution, title="事项", owner_party=Party.PROPERTY,
                actor=party_member,
            )  # fmt: skip

    open_some(2)
    url = reverse(f"proposals:{page}")
    small = page_queries(client, resident, url)
    open_some(15)
    large = page_queries(client, resident, url)
    assert len(large) == len(small), "\n".join(large)
