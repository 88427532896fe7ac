"""Editing an announcement after publishing (the earlier version is kept, nobody is told
unless the author asks), and withdrawing it (gone from every list; its page says why)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from covenant.models import RoleGrant
from notices import digests, kinds, selectors, services
from notices.delivery import send_digest
from notices.models import Announcement, AnnouncementRevision, Delivery, Notification
from tests.conftest import PERSONAS, fresh
from tests.factories import HouseholdFactory, MembershipFactory, UserFactory

LIST = reverse("notices:announcement_list")
AUDIENCE_HELP = (
    "The earlier version is kept. Its audience cannot be changed here: to change who gets "
    "it, withdraw it and publish it anew."
)


def edit_url(announcement):
    return reverse("notices:announcement_edit", args=[announcement.pk])


def withdraw_url(announcement):
    return reverse("notices:announcement_withdraw", args=[announcement.pk])


def titles(response):
    return [announcement.title for announcement in response.context["page"]]


def edit_data(**changes):
    return {
        "title": "全小区停水通知（改期）",
        "body": "改为周四停水。",
        "expires_at": "",
        **changes,
    }


def withdraw(announcement, actor, reason="时间有误，另行通知。"):
    return services.withdraw_announcement(
        announcement_id=announcement.pk, actor=actor, reason=reason
    )


# --- Who may edit and withdraw ------------------------------------------------------------

# The estate announcement is the steward's: its author and admins may change it.
EDITORS_OF_ESTATE_NOTICE = {"steward", "admin_user"}


@pytest.mark.parametrize("name", PERSONAS)
def test_only_the_author_and_admins_may_edit_an_estate_announcement(
    client, persona, name, to_estate
):
    user = persona(name)
    if user.is_authenticated:
        client.force_login(user)
    response = client.get(edit_url(to_estate))
    if name == "visitor":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif name in EDITORS_OF_ESTATE_NOTICE:
        assert response.status_code == 200
        assert "全小区停水通知" in response.content.decode()
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("name", PERSONAS)
def test_only_the_author_and_admins_may_withdraw_an_estate_announcement(
    client, persona, name, to_estate
):
    user = persona(name)
    if user.is_authenticated:
        client.force_login(user)
    response = client.post(withdraw_url(to_estate), {"reason": "发错了"})
    to_estate.refresh_from_db()
    if name == "visitor":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        assert not to_estate.is_withdrawn
    elif name in EDITORS_OF_ESTATE_NOTICE:
        assert response.status_code == 302
        assert to_estate.is_withdrawn
        assert to_estate.withdrawn_by == user
        assert to_estate.withdrawal_reason == "发错了"
    else:
        assert response.status_code == 403
        assert not to_estate.is_withdrawn


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("captain_3", True),  # its author
        ("admin_user", True),
        ("steward", False),  # publishes to every building, but did not write this one
        ("party_member", False),
        ("captain_5", False),
        ("resident", False),
    ],
)
def test_a_captains_announcement_is_edited_by_the_captain_and_admins_only(
    client, persona, name, allowed, to_building_3, captain_5
):
    client.force_login(persona(name))
    response = client.post(edit_url(to_building_3), edit_data(title="电梯检修改期"))
    to_building_3.refresh_from_db()
    assert (response.status_code == 302) == allowed
    assert (to_building_3.title == "电梯检修改期") == allowed
    if not allowed:
        assert response.status_code == 403


def test_a_captain_who_stepped_down_no_longer_edits_what_they_wrote(
    client, to_building_3, captain_3
):
    RoleGrant.objects.filter(user=captain_3).delete()
    captain_3 = fresh(captain_3)
    assert not captain_3.has_perm("notices.edit_announcement", to_building_3)
    client.force_login(captain_3)
    # Their announcement stays theirs to read, not to change.
    assert client.get(to_building_3.get_absolute_url()).status_code == 200
    assert client.get(edit_url(to_building_3)).status_code == 403


def test_the_page_offers_editing_to_its_author_and_not_to_its_readers(
    client, to_estate, steward, resident
):
    client.force_login(steward)
    assert edit_url(to_estate) in client.get(to_estate.get_absolute_url()).content.decode()
    client.force_login(resident)
    assert edit_url(to_estate) not in client.get(to_estate.get_absolute_url()).content.decode()


# --- Editing ------------------------------------------------------------------------------


def test_an_edit_keeps_the_earlier_version_and_the_page_says_it_was_edited(
    client, to_estate, steward, resident
):
    client.force_login(steward)
    response = client.post(edit_url(to_estate), edit_data(pinned="on"))
    assert response.status_code == 302
    to_estate.refresh_from_db()
    assert (to_estate.title, to_estate.body, to_estate.pinned) == (
        "全小区停水通知（改期）",
        "改为周四停水。",
        True,
    )
    (revision,) = AnnouncementRevision.objects.filter(announcement=to_estate)
    assert (revision.title, revision.body, revision.edited_by) == (
        "全小区停水通知",
        "周三停水。",
        steward,
    )
    client.force_login(resident)
    html = client.get(to_estate.get_absolute_url()).content.decode()
    assert "改为周四停水" in html
    assert "周三停水" not in html
    assert 'class="announcement-edited"' in html
    assert timezone.localtime(to_estate.edited_at).strftime("%Y-%m-%d %H:%M") in html


def test_an_edit_tells_nobody_and_leaves_what_was_read_read(
    client, to_estate, steward, resident, neighbour
):
    client.force_login(resident)
    client.get(to_estate.get_absolute_url())  # the resident read it; the neighbour did not
    before = set(Notification.objects.values_list("pk", "recipient_id", "read_at"))
    client.force_login(steward)
    client.post(edit_url(to_estate), edit_data())
    assert set(Notification.objects.values_list("pk", "recipient_id", "read_at")) == before
    assert not Delivery.objects.filter(notification__kind="announcement.updated").exists()


def test_telling_everyone_again_notifies_the_whole_audience_with_its_own_kind(
    client, to_estate, steward, resident, neighbour
):
    client.force_login(resident)
    client.get(to_estate.get_absolute_url())
    client.force_login(steward)
    client.post(edit_url(to_estate), edit_data(tell_again="on"))
    told = Notification.objects.filter(kind="announcement.updated")
    assert set(told.values_list("recipient_id", flat=True)) == {resident.pk, neighbour.pk}
    assert {n.context["title"] for n in told} == {"全小区停水通知（改期）"}
    with translation.override("en"):
        assert kinds.render_text(told.get(recipient=resident)) == (
            "Announcement updated: 全小区停水通知（改期）"
        )


def test_the_audience_cannot_be_changed_by_an_edit(client, to_building_3, captain_3):
    client.force_login(captain_3)
    response = client.get(edit_url(to_building_3))
    form_html = response.content.decode()
    assert 'name="audience"' not in form_html
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        assert gettext(AUDIENCE_HELP) in form_html
    client.post(edit_url(to_building_3), edit_data(audience="public"))
    to_building_3.refresh_from_db()
    assert to_building_3.audience == "buildings"


def test_an_expiry_before_publishing_is_refused(client, to_estate, steward):
    client.force_login(steward)
    earlier = timezone.localtime(to_estate.publish_at - datetime.timedelta(days=1))
    response = client.post(
        edit_url(to_estate), edit_data(expires_at=earlier.strftime("%Y-%m-%dT%H:%M"))
    )
    assert response.status_code == 200
    assert "expires_at" in response.context["form"].errors
    assert not AnnouncementRevision.objects.exists()


def test_an_edited_scheduled_announcement_tells_nobody_until_it_is_due(
    community, steward, resident
):
    later = services.publish(
        community=community,
        author=steward,
        title="下周消防演练",
        body="…",
        publish_at=timezone.now() + datetime.timedelta(days=2),
    )
    services.edit_announcement(
        announcement_id=later.pk,
        editor=steward,
        title="下周六消防演练",
        body="周六上午。",
        expires_at=None,
        pinned=False,
        tell_again=True,
    )
    assert not Notification.objects.filter(target_id=later.pk).exists()


@pytest.mark.parametrize("households", [2, 30])
def test_the_edit_page_query_count_does_not_grow(
    client, to_building_3, captain_3, building_3, households
):
    for number in range(households):
        household = HouseholdFactory(building=building_3, floor=1 + number % 9, unit=f"E{number}")
        MembershipFactory(household=household, user=UserFactory(), verified=True)
    for number in range(households // 2):
        services.edit_announcement(
            announcement_id=to_building_3.pk,
            editor=captain_3,
            title=f"电梯停运通知 {number}",
            body="…",
            expires_at=None,
            pinned=False,
        )
    client.force_login(captain_3)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(edit_url(to_building_3)).status_code == 200
    # 1. session  2. user  3. grants  4. verified?  5. the announcement  6. golden
    # ideas waiting for moderation  7. the captain's verification queue (both in the
    # navigation). A captain without a verified home pays no query for homes.
    assert len(queries) == 7, "\n".join(q["sql"] for q in queries)


# --- Withdrawing --------------------------------------------------------------------------


def test_a_withdrawal_needs_a_reason(client, to_estate, steward):
    client.force_login(steward)
    response = client.post(withdraw_url(to_estate), {"reason": "  "})
    assert response.status_code == 400
    assert "reason" in response.context["withdraw_form"].errors
    to_estate.refresh_from_db()
    assert not to_estate.is_withdrawn


def test_the_database_refuses_a_withdrawal_without_a_reason(to_estate):
    with pytest.raises(IntegrityError), transaction.atomic():
        Announcement.objects.filter(pk=to_estate.pk).update(withdrawn_at=timezone.now())


def test_an_announcement_is_withdrawn_once(to_estate, steward, admin_user):
    withdraw(to_estate, steward)
    with translation.override("en"), pytest.raises(ValidationError, match="withdrawn already"):
        withdraw(to_estate, admin_user, reason="again")
    to_estate.refresh_from_db()
    assert to_estate.withdrawn_by == steward


def test_a_withdrawn_announcement_leaves_every_list_and_search(
    client, to_estate, steward, resident, admin_user
):
    withdraw(to_estate, steward)
    for user in (resident, steward, admin_user):
        client.force_login(user)
        assert titles(client.get(LIST)) == []
        assert titles(client.get(LIST, {"q": "停水"})) == []
        assert titles(client.get(LIST, {"archive": "1"})) == []
    assert titles(client.get(reverse("notices:estate_coverage"))) == []


def test_its_audience_sees_the_reason_and_not_the_text(client, to_building_3, captain_3, resident):
    withdraw(to_building_3, captain_3, reason="检修取消")
    client.force_login(resident)
    response = client.get(to_building_3.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="card announcement announcement-withdrawn"' in html
    assert "检修取消" in html
    assert "9:00–12:00" not in html
    assert reverse("notices:announcement_print", args=[to_building_3.pk]) not in html


def test_others_get_not_found_for_a_withdrawn_announcement(
    client, to_building_3, captain_3, neighbour
):
    withdraw(to_building_3, captain_3)
    client.force_login(neighbour)
    assert client.get(to_building_3.get_absolute_url()).status_code == 404


def test_a_visitor_sees_a_withdrawn_public_announcement_as_withdrawn(
    client, public_notice, admin_user
):
    withdraw(public_notice, admin_user, reason="活动取消")
    html = client.get(public_notice.get_absolute_url()).content.decode()
    assert "活动取消" in html
    assert "欢迎参观" not in html


def test_a_notification_already_in_the_inbox_opens_the_withdrawn_page(
    client, to_estate, steward, resident
):
    notification = Notification.objects.get(recipient=resident, target_id=to_estate.pk)
    withdraw(to_estate, steward, reason="发布有误")
    client.force_login(resident)
    response = client.get(reverse("notices:open", args=[notification.pk]), follow=True)
    assert response.status_code == 200
    assert "发布有误" in response.content.decode()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_its_print_sheet_door_knock_list_and_coverage_are_gone(
    client, to_building_3, captain_3, admin_user
):
    withdraw(to_building_3, captain_3)
    pages = ("announcement_print", "door_knock", "coverage", "announcement_edit")
    for user in (captain_3, admin_user):
        client.force_login(user)
        for name in pages:
            url = reverse(f"notices:{name}", args=[to_building_3.pk])
            assert client.get(url).status_code == 404, (user, name)


def test_it_leaves_the_captains_list_of_announcements_to_knock_for(
    to_building_3, captain_3, building_3
):
    captain_3 = fresh(captain_3)
    assert [
        row.announcement
        for row in selectors.unreached_in_building(user=captain_3, building=building_3)
    ] == [to_building_3]
    withdraw(to_building_3, captain_3)
    assert selectors.unreached_in_building(user=fresh(captain_3), building=building_3) == []


def test_it_leaves_the_digest_that_has_not_been_sent(to_estate, to_building_3, steward, outbox):
    withdraw(to_estate, steward)
    for digest_id in digests.build_digests(frequency="daily"):
        send_digest(digest_id)
    assert outbox
    assert not [m for m in outbox if "全小区停水通知" in m.body]


def test_urgent_mail_not_sent_yet_is_not_sent(community, steward, resident, outbox):
    with transaction.atomic():
        urgent = services.publish(
            community=community, author=steward, title="燃气泄漏", body="…", urgent=True
        )
        withdraw(urgent, steward, reason="误报")
    assert Delivery.objects.filter(notification__target_id=urgent.pk).exists()
    assert not Delivery.objects.filter(notification__target_id=urgent.pk).exclude(
        state=Delivery.State.SKIPPED
    )
    assert not [m for m in outbox if "燃气泄漏" in m.subject]


def test_a_withdrawn_scheduled_announcement_is_never_announced(community, steward, resident):
    later = services.publish(
        community=community,
        author=steward,
        title="下周消防演练",
        body="…",
        publish_at=timezone.now() + datetime.timedelta(days=2),
    )
    withdraw(later, steward)
    Announcement.objects.filter(pk=later.pk).update(
        publish_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert services.publish_due_announcements() == 0
    assert not Notification.objects.filter(target_id=later.pk).exists()


def test_a_withdrawn_announcement_is_no_longer_edited(client, to_estate, steward):
    withdraw(to_estate, steward)
    client.force_login(steward)
    assert client.post(edit_url(to_estate), edit_data()).status_code == 404
    with translation.override("en"), pytest.raises(ValidationError, match="cannot be edited"):
        services.edit_announcement(
            announcement_id=to_estate.pk,
            editor=steward,
            title="x",
            body="y",
            expires_at=None,
            pinned=False,
        )


@pytest.mark.parametrize("households", [2, 30])
def test_the_withdrawn_page_query_count_does_not_grow(
    client, to_building_3, captain_3, resident, building_3, households
):
    for number in range(households):
        household = HouseholdFactory(building=building_3, floor=1 + number % 9, unit=f"W{number}")
        MembershipFactory(household=household, user=UserFactory(), verified=True)
    withdraw(to_building_3, captain_3)
    client.force_login(resident)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(to_building_3.get_absolute_url()).status_code == 200
    # 1. session  2. user  3. grants  4. verified?  5. homes  6. the announcement
    # 7. its notifications marked read (no text, files or reach to load)
    assert len(queries) == 7, "\n".join(q["sql"] for q in queries)
