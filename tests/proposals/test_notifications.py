"""Golden ideas tell people through the notices app: authors and supporters of status
changes and replies, authors of comments, moderation and merges, and moderators of
reports and of items waiting for them."""

import pytest
from django.urls import reverse
from django.utils import translation

from notices.kinds import render_text
from notices.models import Notification
from proposals import notifications
from proposals.ideas import services as ideas_services
from proposals.models import IdeaBoxSettings, Support
from proposals.moderation import services as moderation_services
from proposals.triage import services as triage_services
from tests.factories import HouseholdFactory, MembershipFactory, UserFactory
from tests.proposals.factories import CommentFactory, IdeaFactory

pytestmark = pytest.mark.usefixtures("english")


def told(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind)


def text_of(notification, language="en"):
    with translation.override(language):
        return render_text(notification)


def test_a_status_change_tells_the_author_and_every_supporter_but_not_the_actor(
    resident, neighbour, steward, idea
):
    Support.objects.create(idea=idea, user=neighbour)
    Support.objects.create(idea=idea, user=steward)

    triage_services.change_status(
        idea=idea, actor=steward, to_status="accepted", public_reply="已受理"
    )

    assert told(resident, notifications.STATUS_CHANGED).count() == 1
    assert told(neighbour, notifications.STATUS_CHANGED).count() == 1
    assert not told(steward, notifications.STATUS_CHANGED).exists()
    notification = told(resident, notifications.STATUS_CHANGED).get()
    assert text_of(notification) == f"“{idea.title}” is now: Accepted"
    assert "已采纳" in text_of(notification, "zh-hans")
    assert notification.url == idea.get_absolute_url()


def test_a_public_reply_tells_the_author(resident, steward, idea):
    triage_services.post_public_reply(idea=idea, actor=steward, text="下周处理")

    assert told(resident, notifications.PUBLIC_REPLY).count() == 1


def test_a_comment_tells_the_author_and_a_reply_tells_the_commenter(resident, neighbour, idea):
    first = ideas_services.add_comment(idea=idea, author=neighbour, body="同意")
    replier = UserFactory()
    ideas_services.add_comment(idea=idea, author=replier, body="我也是", parent=first)

    assert told(resident, notifications.COMMENT).count() == 2
    assert told(neighbour, notifications.REPLY).count() == 1
    assert not told(neighbour, notifications.COMMENT).exists()


def test_hiding_tells_the_author_with_the_reason(client, resident, captain_3, idea):
    moderation_services.hide_item(item=idea, actor=captain_3, reason="含有电话号码")

    notification = told(resident, notifications.MODERATED).get()
    assert "含有电话号码" in text_of(notification)


def test_a_merge_tells_the_duplicates_author(neighbour, steward, idea, neighbours_idea):
    moderation_services.mark_duplicate(idea=neighbours_idea, original=idea, actor=steward)

    notification = told(neighbour, notifications.MERGED).get()
    assert idea.title in text_of(notification)


def test_a_first_report_tells_the_buildings_moderators_only(
    neighbour, captain_3, captain_5, admin_user, idea
):
    moderation_services.report_item(reporter=neighbour, item=idea, reason="spam")

    assert told(captain_3, notifications.NEEDS_MODERATION).count() == 1
    assert told(admin_user, notifications.NEEDS_MODERATION).count() == 1
    assert not told(captain_5, notifications.NEEDS_MODERATION).exists()


def resident_of(building):
    """One more verified resident of the building (only the estate's people report)."""
    user = UserFactory()
    MembershipFactory(user=user, household=HouseholdFactory(building=building), verified=True)
    return user


def test_further_reports_are_quiet_until_the_item_is_hidden(captain_3, idea):
    for _ in range(3):
        moderation_services.report_item(
            reporter=resident_of(idea.building), item=idea, reason="spam"
        )

    # The first report, then the automatic hiding at the third.
    assert told(captain_3, notifications.NEEDS_MODERATION).count() == 2


def test_under_premoderation_moderators_hear_of_new_ideas(client, resident, captain_3, category):
    community = resident.memberships.get().household.building.community
    IdeaBoxSettings.objects.create(community=community, premoderation=True)
    client.force_login(resident)

    client.post(
        reverse("proposals:idea_create"),
        {"title": "楼下需要更多垃圾桶", "body": "晚上垃圾桶经常满出来。", "category": category.pk},
    )

    assert told(captain_3, notifications.NEEDS_MODERATION).count() == 1


def test_the_inbox_shows_idea_notifications_in_the_readers_language(
    client, resident, steward, idea
):
    triage_services.change_status(idea=idea, actor=steward, to_status="accepted")
    client.force_login(resident)

    html = client.get(reverse("notices:inbox")).content.decode()

    assert idea.title in html
    assert "Accepted" in html


def test_a_reply_to_a_comment_on_ones_own_idea_is_one_notification(resident, neighbour, idea):
    mine = CommentFactory(idea=idea, author=resident)

    ideas_services.add_comment(idea=idea, author=neighbour, body="回复", parent=mine)

    assert told(resident, notifications.COMMENT).count() == 1
    assert not told(resident, notifications.REPLY).exists()


def test_ideas_from_another_building_do_not_reach_its_captain(neighbour, captain_3, unit_5_0802):
    other = IdeaFactory(household=unit_5_0802, author=neighbour)

    moderation_services.report_item(reporter=resident_of(other.building), item=other, reason="spam")

    assert not told(captain_3, notifications.NEEDS_MODERATION).exists()
