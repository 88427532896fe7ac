"""Who reads which announcement: in lists, pages, search and digests alike."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from notices import digests, selectors, services
from notices.delivery import send_digest
from notices.models import Audience, Notification
from tests.conftest import PERSONAS, fresh

LIST = reverse("notices:announcement_list")


def detail(announcement):
    return reverse("notices:announcement_detail", args=[announcement.pk])


def titles(response):
    return [announcement.title for announcement in response.context["page"]]


def test_a_building_3_announcement_is_in_the_list_of_a_building_3_resident(
    client, to_building_3, resident
):
    client.force_login(resident)
    assert titles(client.get(LIST)) == ["3栋电梯停运通知"]


def test_a_building_3_announcement_is_invisible_to_a_building_5_resident_everywhere(
    client, to_building_3, neighbour, outbox
):
    client.force_login(neighbour)
    assert titles(client.get(LIST)) == []
    assert titles(client.get(LIST, {"q": "电梯"})) == []
    assert client.get(detail(to_building_3)).status_code == 403
    print_url = reverse("notices:announcement_print", args=[to_building_3.pk])
    assert client.get(print_url).status_code == 403
    assert not Notification.objects.filter(recipient=neighbour).exists()
    for digest_id in digests.build_digests(frequency="daily"):
        send_digest(digest_id)
    assert not [m for m in outbox if neighbour.email in m.to]


def test_the_building_3_resident_gets_it_in_their_daily_digest(to_building_3, resident, outbox):
    for digest_id in digests.build_digests(frequency="daily"):
        send_digest(digest_id)
    (message,) = [m for m in outbox if resident.email in m.to]
    assert "3栋电梯停运通知" in message.body


def test_search_finds_an_announcement_by_a_word_of_its_text(client, to_estate, neighbour):
    client.force_login(neighbour)
    assert titles(client.get(LIST, {"q": "停水"})) == ["全小区停水通知"]
    assert titles(client.get(LIST, {"q": "电梯"})) == []


def test_a_visitor_reads_public_announcements_only(client, public_notice, to_estate):
    assert titles(client.get(LIST)) == ["社区开放日"]
    assert client.get(detail(public_notice)).status_code == 200
    response = client.get(detail(to_estate))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_signed_in_newcomer_without_a_household_reads_only_public_ones(
    client, newcomer, public_notice, to_estate
):
    client.force_login(newcomer)
    assert titles(client.get(LIST)) == ["社区开放日"]
    assert client.get(detail(to_estate)).status_code == 403


def test_a_floor_range_leaves_out_residents_of_other_floors(
    community, client, captain_3, building_3, resident
):
    lower = services.publish(
        community=community,
        author=captain_3,
        title="低层水管维修",
        body="1–6层",
        audience=Audience.BUILDINGS,
        buildings=[building_3],
        floor_from=1,
        floor_to=6,
    )
    client.force_login(resident)  # lives on floor 12
    assert client.get(detail(lower)).status_code == 403
    client.force_login(captain_3)
    assert client.get(detail(lower)).status_code == 200


def test_a_scheduled_announcement_is_seen_only_by_its_author_until_it_is_due(
    community, client, steward, resident
):
    later = services.publish(
        community=community,
        author=steward,
        title="下周消防演练",
        body="…",
        publish_at=timezone.now() + datetime.timedelta(days=2),
    )
    assert not Notification.objects.filter(target_id=later.pk).exists()
    client.force_login(resident)
    assert titles(client.get(LIST)) == []
    assert client.get(detail(later)).status_code == 403
    client.force_login(steward)
    assert titles(client.get(LIST)) == ["下周消防演练"]


def test_an_expired_announcement_leaves_the_list_for_the_archive(
    community, client, steward, resident
):
    services.publish(
        community=community,
        author=steward,
        title="上月停电",
        body="…",
        publish_at=timezone.now() - datetime.timedelta(days=30),
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )
    client.force_login(resident)
    assert titles(client.get(LIST)) == []
    assert titles(client.get(LIST, {"archive": "1"})) == ["上月停电"]


@pytest.mark.parametrize("name", PERSONAS)
def test_the_read_permission_agrees_with_the_list_for_every_persona(
    persona, name, to_building_3, to_estate, public_notice
):
    user = fresh(persona(name))
    listed = set(selectors.announcements_visible_to(user).values_list("pk", flat=True))
    for announcement in (to_building_3, to_estate, public_notice):
        allowed = fresh(user).has_perm("notices.read_announcement", announcement)
        assert allowed == (announcement.pk in listed), (name, announcement.title)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("visitor", {"社区开放日"}),
        ("newcomer", {"社区开放日"}),
        ("resident", {"社区开放日", "全小区停水通知", "3栋电梯停运通知"}),
        ("neighbour", {"社区开放日", "全小区停水通知"}),
        ("captain_3", {"社区开放日", "全小区停水通知", "3栋电梯停运通知"}),
        ("captain_5", {"社区开放日", "全小区停水通知"}),
        ("steward", {"社区开放日", "全小区停水通知", "3栋电梯停运通知"}),
        ("party_member", {"社区开放日", "全小区停水通知", "3栋电梯停运通知"}),
        ("admin_user", {"社区开放日", "全小区停水通知", "3栋电梯停运通知"}),
    ],
)
def test_each_persona_reads_what_the_role_table_says(
    persona, name, expected, to_building_3, to_estate, public_notice, captain_5
):
    user = fresh(persona(name))
    assert set(selectors.announcements_visible_to(user).values_list("title", flat=True)) == expected


@pytest.mark.parametrize("count", [3, 25])
def test_the_list_query_count_does_not_grow(
    community, client, steward, resident, building_3, count
):
    for number in range(count):
        services.publish(
            community=community,
            author=steward,
            title=f"通知{number}",
            body="…",
            audience=Audience.BUILDINGS,
            buildings=[building_3],
        )
    client.force_login(resident)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    # 1. session  2. user  3. role grants  4. verified membership?  5. verified homes
    # 6. the paginator's count  7. the page  8. the buildings of the listed
    # announcements, prefetched
    assert len(queries) == 8, "\n".join(q["sql"] for q in queries)


def test_visitors_find_the_public_announcements_from_the_navigation(client, db):
    from django.urls import reverse

    html = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("notices:announcement_list")}"' in html
    assert client.get(reverse("notices:announcement_list")).status_code == 200
