"""The inbox: unread count in the navigation, mark read, links to the subject."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from notices import kinds, services
from notices.models import Notification

INBOX = reverse("notices:inbox")


def test_the_inbox_sends_visitors_to_sign_in(client, db):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


BADGE = reverse("notices:unread_badge")


def test_the_navigation_loads_the_unread_count_after_the_page(client, resident):
    client.force_login(resident)
    html = client.get(reverse("home")).content.decode()
    assert f'hx-get="{BADGE}" hx-trigger="load"' in html


def test_the_badge_shows_how_many_are_unread(client, resident, to_building_3, to_estate):
    client.force_login(resident)
    assert 'data-testid="unread-count">2<' in client.get(BADGE).content.decode()


def test_the_badge_is_empty_when_all_is_read(client, resident, to_estate):
    services.mark_all_read(user=resident)
    client.force_login(resident)
    html = client.get(BADGE).content.decode()
    assert "unread-count" not in html
    assert '<span class="tabbar-badge" id="tabbar-unread" hx-swap-oob="true"></span>' in html


def test_one_answer_fills_the_bell_and_the_tab_bar(client, resident, to_building_3, to_estate):
    client.force_login(resident)
    html = client.get(BADGE).content.decode()
    tab_bar = html[html.index('id="tabbar-unread"') :]
    assert html.count('data-testid="unread-count">2<') == 2
    assert 'hx-swap-oob="true"><span class="badge' in tab_bar
    page = client.get(reverse("home")).content.decode()
    # one request for the count per page: the bell asks, the tab bar is filled out of band
    assert page.count(f'hx-get="{BADGE}"') == 1
    assert '<span class="tabbar-badge" id="tabbar-unread"></span>' in page


def test_the_badge_costs_three_queries(client, resident, to_estate, django_assert_num_queries):
    client.force_login(resident)
    # 1. session  2. user  3. the count
    with django_assert_num_queries(3):
        client.get(BADGE)


def test_the_badge_is_for_signed_in_users(client, db):
    assert client.get(BADGE).status_code == 302


def test_the_inbox_lists_my_notifications_newest_first(client, resident, to_building_3, to_estate):
    client.force_login(resident)
    response = client.get(INBOX)
    texts = [n.text for n in response.context["page"]]
    assert texts == ["新公告：全小区停水通知", "新公告：3栋电梯停运通知"]


def test_the_inbox_speaks_the_readers_language(client, resident, to_estate):
    resident.preferred_language = "en"
    resident.save()
    client.force_login(resident)
    response = client.get(INBOX)
    assert [n.text for n in response.context["page"]] == ["New announcement: 全小区停水通知"]


def test_opening_a_notification_marks_it_read_and_goes_to_its_subject(client, resident, to_estate):
    notification = resident.notifications.get()
    client.force_login(resident)
    response = client.get(notification.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == to_estate.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_one_read(client, resident, to_estate, to_building_3):
    first, second = resident.notifications.order_by("pk")
    client.force_login(resident)
    response = client.post(reverse("notices:mark_read", args=[first.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None


def test_mark_one_read_by_htmx_returns_its_row(client, resident, to_estate):
    notification = resident.notifications.get()
    client.force_login(resident)
    response = client.post(
        reverse("notices:mark_read", args=[notification.pk]), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert f'id="notification-{notification.pk}"' in html
    assert "notification-unread" not in html
    assert "<html" not in html


def test_mark_all_read(client, resident, to_estate, to_building_3):
    client.force_login(resident)
    client.post(reverse("notices:mark_all_read"))
    assert not resident.notifications.filter(read_at__isnull=True).exists()


def test_nobody_reads_or_marks_someone_elses_notification(client, resident, neighbour, to_estate):
    theirs = neighbour.notifications.get()
    client.force_login(resident)
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.post(reverse("notices:mark_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_refuses_get(client, resident, to_estate):
    client.force_login(resident)
    notification = resident.notifications.get()
    assert client.get(reverse("notices:mark_read", args=[notification.pk])).status_code == 405


def test_a_kind_nobody_registered_is_shown_with_a_neutral_sentence(client, resident):
    services.notify(recipients=[resident], kind="volunteers.removed_app", url="/somewhere/")
    client.force_login(resident)
    response = client.get(INBOX)
    assert response.status_code == 200
    assert [n.text for n in response.context["page"]] == ["有一条新动态"]


def test_a_kind_whose_context_lacks_a_key_still_renders(db, resident):
    services.notify(recipients=[resident], kind="membership.rejected", context={})
    notification = resident.notifications.get()
    with translation.override("en"):
        assert kinds.render_text(notification).startswith("Your request to join")


def test_an_external_link_is_not_followed(client, resident):
    services.notify(recipients=[resident], kind="x.y", url="https://evil.example.com/")
    client.force_login(resident)
    response = client.get(resident.notifications.get().get_absolute_url())
    assert response["Location"] == INBOX


def test_the_unread_filter_shows_only_unread(client, resident, to_estate, to_building_3):
    services.mark_read(user=resident, notification_id=resident.notifications.order_by("pk")[0].pk)
    client.force_login(resident)
    response = client.get(INBOX, {"show": "unread"})
    assert len(response.context["page"]) == 1


def test_an_empty_inbox_says_so(client, newcomer):
    client.force_login(newcomer)
    assert "还没有通知" in client.get(INBOX).content.decode()


@pytest.mark.parametrize("count", [2, 40])
def test_the_inbox_query_count_does_not_grow(client, resident, captain_3, count):
    Notification.objects.bulk_create(
        Notification(recipient=resident, kind="membership.requested", actor=captain_3, email="off")
        for _ in range(count)
    )
    client.force_login(resident)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(INBOX).status_code == 200
    # 1. session  2. user  3. count  4. the page with actors  5. role grants
    # 6. verified?
    assert len(queries) == 6, "\n".join(q["sql"] for q in queries)
