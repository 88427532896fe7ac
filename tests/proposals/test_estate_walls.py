"""The estate wall in golden ideas, votes, themes and priority work: every list, choice,
count and rule asks the object's estate, and a photo is served only to those who may
read its idea (issue 12). Each test here failed before its fix."""

from __future__ import annotations

import datetime
import importlib
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from covenant.models import Role
from proposals.ideas import selectors as ideas_selectors
from proposals.ideas import services as ideas_services
from proposals.ideas.forms import IdeaForm, RecordIdeaForm
from proposals.models import Campaign, Idea, IdeaPhoto, Moderation, OwnersVote, Theme
from proposals.moderation import selectors as moderation_selectors
from proposals.moderation import services as moderation_services
from proposals.themes import selectors as themes_selectors
from proposals.themes import services as themes_services
from proposals.themes.forms import PriorityForm
from proposals.triage import services as triage_services
from proposals.triage.forms import BulkTriageForm, TriageForm
from tests import images
from tests.factories import RoleGrantFactory, UserFactory
from tests.proposals.factories import CommentFactory, IdeaFactory, seeded_category
from tests.proposals.test_estate_scoping import Estate
from tests.volunteers.factories import ActivityFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def estate_a():
    return Estate("甲小区")


@pytest.fixture
def estate_b():
    return Estate("乙小区")


def triage_data(idea, **changes):
    data = {
        "category": idea.category_id,
        "priority": idea.priority,
        "assignee": "",
        "status": idea.status,
        "reply_template": "",
        "public_reply": "",
    }
    return data | changes


# --- 1. Triage assignees are the staff of the idea's estate ---------------------------------


def test_the_triage_form_offers_only_the_staff_and_admins_of_the_ideas_estate(estate_a, estate_b):
    idea = estate_a.idea()

    offered = set(TriageForm(idea=idea).fields["assignee"].queryset)

    assert offered == {estate_a.staff, estate_a.admin}


def test_the_idea_page_lists_no_steward_of_another_estate(client, estate_a, estate_b):
    idea = estate_a.idea()
    client.force_login(estate_a.staff)

    html = client.get(reverse("proposals:idea_detail", args=[idea.pk])).content.decode()
    assignee = re.search(r'<select name="assignee".*?</select>', html, re.S).group(0)

    assert f'value="{estate_a.staff.pk}"' in assignee
    assert f'value="{estate_b.staff.pk}"' not in assignee


def test_assigning_another_estates_steward_is_refused_and_nothing_is_saved(
    client, estate_a, estate_b
):
    idea = estate_a.idea()
    client.force_login(estate_a.staff)

    response = client.post(
        reverse("proposals:idea_triage", args=[idea.pk]),
        triage_data(idea, assignee=estate_b.staff.pk),
    )

    assert response.status_code == 400
    idea.refresh_from_db()
    assert idea.assignee is None
    # The same form with the estate's own steward is saved.
    client.post(
        reverse("proposals:idea_triage", args=[idea.pk]),
        triage_data(idea, assignee=estate_a.staff.pk),
    )
    idea.refresh_from_db()
    assert idea.assignee == estate_a.staff


def test_the_triage_service_refuses_an_assignee_of_another_estate(estate_a, estate_b):
    idea = estate_a.idea()

    with pytest.raises(ValidationError):
        triage_services.update_triage(
            idea=idea,
            actor=estate_a.staff,
            category=idea.category,
            priority=idea.priority,
            assignee=estate_b.admin,
        )

    idea.refresh_from_db()
    assert idea.assignee is None
    assert not idea.triage_changes.exists()


def test_bulk_triage_offers_and_accepts_only_the_staff_of_the_ideas_estates(
    client, estate_a, estate_b
):
    ideas = [estate_a.idea(), estate_a.idea()]
    form = BulkTriageForm(user=estate_a.staff)
    assert set(form.fields["assignee"].queryset) == {estate_a.staff, estate_a.admin}
    client.force_login(estate_a.staff)

    client.post(
        reverse("proposals:triage_board"),
        {"ideas": [idea.pk for idea in ideas], "assignee": estate_b.staff.pk},
    )

    assert not Idea.objects.filter(assignee=estate_b.staff).exists()
    with pytest.raises(ValidationError):
        triage_services.bulk_triage(ideas=ideas, actor=estate_a.staff, assignee=estate_b.staff)
    assert not Idea.objects.filter(assignee__isnull=False).exists()
    triage_services.bulk_triage(ideas=ideas, actor=estate_a.staff, assignee=estate_a.admin)
    assert Idea.objects.filter(assignee=estate_a.admin).count() == 2


def test_someone_staff_in_both_estates_is_offered_for_both(estate_a, estate_b):
    both = estate_b.staff
    RoleGrantFactory(user=both, community=estate_a.community, role=Role.PROPERTY_STAFF)
    idea = estate_a.idea()

    assert both in TriageForm(idea=idea).fields["assignee"].queryset
    triage_services.update_triage(
        idea=idea, actor=estate_a.staff, category=idea.category, priority=2, assignee=both
    )


# --- 2. Auto-hide counts roles in the item's estate ----------------------------------------


def residents_of(estate, count=3):
    return [estate.make_tenant(UserFactory()) for _ in range(count)]


def test_an_idea_by_the_staff_of_another_estate_is_hidden_after_three_reports(estate_a, estate_b):
    """A steward of B who lives in A is one more resident in A: three reports hide it."""
    author = estate_a.make_tenant(estate_b.staff)
    idea = IdeaFactory(author=author, household=estate_a.spare)

    for reporter in residents_of(estate_a):
        moderation_services.report_item(reporter=reporter, item=idea, reason="spam")

    idea.refresh_from_db()
    assert idea.moderation == Moderation.AUTO_HIDDEN


def test_a_comment_by_the_admin_of_another_estate_is_hidden_after_three_reports(estate_a, estate_b):
    author = estate_a.make_tenant(estate_b.admin)
    comment = CommentFactory(idea=estate_a.idea(), author=author)

    for reporter in residents_of(estate_a):
        moderation_services.report_item(reporter=reporter, item=comment, reason="abuse")

    comment.refresh_from_db()
    assert comment.moderation == Moderation.AUTO_HIDDEN


def test_the_estates_own_staff_content_still_stays_up(estate_a):
    comment = CommentFactory(idea=estate_a.idea(), author=estate_a.staff)

    for reporter in residents_of(estate_a):
        moderation_services.report_item(reporter=reporter, item=comment, reason="abuse")

    comment.refresh_from_db()
    assert comment.moderation == Moderation.VISIBLE
    assert comment.report_count == 3


def test_a_report_by_someone_of_another_estate_does_not_count(estate_a, estate_b):
    idea = estate_a.idea()

    for outsider in (estate_b.staff, estate_b.admin, estate_b.resident):
        with pytest.raises(PermissionDenied):
            moderation_services.report_item(reporter=outsider, item=idea, reason="spam")

    idea.refresh_from_db()
    assert idea.report_count == 0
    assert idea.moderation == Moderation.VISIBLE


# --- 4. Idea photos are private files behind the idea's rule --------------------------------


@pytest.fixture
def photo(media, estate_a):
    """A processed photo of a public idea of estate A, by A's resident."""
    idea = estate_a.idea()
    photo = IdeaPhoto.objects.create(idea=idea, state=IdeaPhoto.State.READY)
    photo.image.save("shown.jpg", ContentFile(images.jpeg_bytes(size=(64, 48))), save=False)
    photo.thumbnail.save("thumb.jpg", ContentFile(images.jpeg_bytes(size=(16, 12))), save=False)
    photo.width, photo.height = 64, 48  # as the re-encoding task stores them
    photo.save()
    return photo


def test_photos_are_stored_outside_media_root(photo):
    for stored in (photo.image, photo.thumbnail):
        path = Path(stored.path)
        assert Path(settings.IDEAS_PRIVATE_ROOT) in path.parents
        assert Path(settings.MEDIA_ROOT) not in path.parents
    with pytest.raises(ValueError):
        photo.image.url  # noqa: B018 - no public address exists


def test_a_resident_of_the_estate_gets_the_photo_and_its_thumbnail_privately(
    client, photo, estate_a
):
    client.force_login(estate_a.resident)

    for address in (photo.url, photo.thumbnail_url):
        response = client.get(address)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert "private" in response["Cache-Control"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_a_visitor_is_sent_to_sign_in(client, photo):
    response = client.get(photo.url)

    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_a_resident_of_another_estate_gets_nothing(client, photo, estate_b):
    client.force_login(estate_b.resident)

    assert client.get(photo.url).status_code == 404
    assert client.get(photo.thumbnail_url).status_code == 404


def test_someone_signed_in_without_a_home_is_refused(client, photo):
    client.force_login(UserFactory())

    assert client.get(photo.url).status_code == 403


def test_once_hidden_the_photo_stops_reaching_residents_but_not_the_moderator(
    client, photo, estate_a
):
    neighbour = estate_a.make_tenant(UserFactory())
    moderation_services.hide_item(item=photo.idea, actor=estate_a.admin, reason="邻居的门牌号")

    client.force_login(neighbour)
    assert client.get(photo.url).status_code == 404
    client.force_login(estate_a.resident)  # its author
    assert client.get(photo.url).status_code == 200
    client.force_login(estate_a.captain)  # the building's moderator
    assert client.get(photo.thumbnail_url).status_code == 200


def test_a_photo_asked_for_under_another_idea_is_not_found(client, photo, estate_a):
    other = estate_a.idea()
    client.force_login(estate_a.resident)

    address = reverse("proposals:idea_photo", args=[other.pk, photo.pk])

    assert client.get(address).status_code == 404


def test_a_photo_still_processing_is_not_served(client, photo, estate_a):
    IdeaPhoto.objects.filter(pk=photo.pk).update(state=IdeaPhoto.State.PROCESSING)
    client.force_login(estate_a.resident)

    assert client.get(photo.url).status_code == 404


def test_the_pages_link_the_checked_addresses(client, photo, estate_a):
    client.force_login(estate_a.resident)

    detail = client.get(photo.idea.get_absolute_url()).content.decode()
    listing = client.get(reverse("proposals:idea_list")).content.decode()

    assert f'href="{photo.url}"' in detail and f'src="{photo.thumbnail_url}"' in detail
    assert f'src="{photo.thumbnail_url}"' in listing
    assert "/media/" not in detail + listing


@pytest.mark.parametrize("more_photos", [0, 5])
def test_the_photo_view_costs_the_same_queries_however_many_photos(
    client, photo, estate_a, more_photos
):
    for position in range(more_photos):
        IdeaPhoto.objects.create(idea=photo.idea, position=position + 1, state="ready")
    client.force_login(estate_a.resident)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(photo.url)
        b"".join(response.streaming_content)
    # 1. session  2. user  3. grants  4. verified homes  5. the idea  6. the photo
    assert len(queries) == 6, "\n".join(query["sql"] for query in queries)


def test_the_migration_moves_old_photos_out_of_media_root(photo):
    from django.apps import apps

    from proposals.storage import private_storage

    move = importlib.import_module("proposals.migrations.0012_private_idea_photos").move_to_private
    public = storages["default"]
    names = [photo.image.name, photo.thumbnail.name]
    for name in names:  # as stored before: under MEDIA_ROOT
        with private_storage().open(name, "rb") as stored:
            public.save(name, stored)
        private_storage().delete(name)

    move(apps, None)

    for name in names:
        assert not public.exists(name)
        assert private_storage().exists(name)
    move(apps, None)  # a second run moves nothing and breaks nothing
    assert private_storage().exists(names[0])


def test_the_command_moves_photos_restored_into_media_root(photo):
    from django.core.management import call_command

    from proposals.storage import private_storage

    public = storages["default"]
    name = photo.image.name
    with private_storage().open(name, "rb") as stored:
        public.save(name, stored)
    private_storage().delete(name)

    call_command("move_idea_photos", stdout=io.StringIO())

    assert not public.exists(name) and private_storage().exists(name)


# --- 7. A new vote's estate: from the deliberation, or chosen among those administered ----


def vote_data(**fields):
    closes = timezone.localtime() + datetime.timedelta(days=10)
    data = {
        "title": "增设充电桩",
        "question": "是否同意在地下车库增设充电桩？",
        "matter": OwnersVote.Matter.ORDINARY,
        "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
        "deliberation": "",
    }
    return data | fields


def test_a_superuser_without_a_grant_chooses_the_estate_of_a_new_vote(client, estate_a, estate_b):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    create = reverse("votes:vote_create")

    form = client.get(create).context["form"]
    assert set(form.fields["estate"].queryset) == {estate_a.community, estate_b.community}
    client.post(create, vote_data(estate=estate_b.community.pk))

    assert OwnersVote.objects.get().community == estate_b.community


def test_the_admin_of_two_estates_chooses_and_one_estate_is_not_asked(client, estate_a, estate_b):
    both = estate_a.admin
    RoleGrantFactory(user=both, community=estate_b.community, role=Role.COMMUNITY_ADMIN)
    create = reverse("votes:vote_create")
    client.force_login(both)
    client.post(create, vote_data(estate=estate_b.community.pk))
    assert OwnersVote.objects.get().community == estate_b.community

    client.force_login(estate_b.admin)
    assert "estate" not in client.get(create).context["form"].fields
    client.post(create, vote_data(title="只有乙"))
    assert OwnersVote.objects.get(title="只有乙").community == estate_b.community


def test_a_vote_is_never_filed_in_an_estate_the_admin_does_not_administer(
    client, estate_a, estate_b
):
    client.force_login(estate_a.staff)  # staff, not admin: no votes at all
    assert client.get(reverse("votes:vote_create")).status_code == 403
    client.force_login(estate_b.admin)

    client.post(reverse("votes:vote_create"), vote_data(estate=estate_a.community.pk))

    assert OwnersVote.objects.get().community == estate_b.community


def test_a_vote_from_a_deliberation_is_filed_in_the_deliberations_estate(
    client, estate_a, estate_b
):
    both = estate_a.admin
    RoleGrantFactory(user=both, community=estate_b.community, role=Role.COMMUNITY_ADMIN)
    deliberation = estate_b.deliberation()
    client.force_login(both)
    create = f"{reverse('votes:vote_create')}?deliberation={deliberation.pk}"

    assert client.get(create).status_code == 200
    client.post(create, vote_data(deliberation=deliberation.pk))

    vote = OwnersVote.objects.get()
    assert vote.community == estate_b.community
    assert vote.deliberation == deliberation


def test_another_estates_admin_gets_no_vote_from_a_deliberation(client, estate_a, estate_b):
    deliberation = estate_b.deliberation()
    admin_a = estate_b.make_tenant(estate_a.admin)  # reads B's deliberations as a resident
    client.force_login(admin_a)

    page = client.get(deliberation.get_absolute_url()).content.decode()
    response = client.get(f"{reverse('votes:vote_create')}?deliberation={deliberation.pk}")

    assert "Put to an owners&#x27; vote" not in page and "Put to an owners' vote" not in page
    assert response.status_code == 404


def test_selectors_no_longer_fall_back_to_the_first_estate():
    for selectors in (ideas_selectors, moderation_selectors, themes_selectors):
        assert not hasattr(selectors, "estate_administered_by")
        assert "current_community" not in vars(selectors)


# --- 8. Form choices and lists of the object's estate ----------------------------------------


def open_campaign(estate, title):
    today = timezone.localdate()
    return Campaign.objects.create(
        community=estate.community,
        title=title,
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=10),
        created_by=estate.admin,
    )


def test_the_idea_form_offers_only_the_campaigns_of_the_authors_estate(estate_a, estate_b, listing):
    campaign_a, campaign_b = open_campaign(estate_a, "甲征集"), open_campaign(estate_b, "乙征集")
    staff_b_living_in_a = estate_a.make_tenant(estate_b.staff)
    listing(staff_b_living_in_a, estate_a)  # working where they live

    offered = set(IdeaForm(user=staff_b_living_in_a).fields["campaign"].queryset)

    assert offered == {campaign_a}
    assert campaign_b not in offered


def test_an_idea_is_not_filed_under_another_estates_campaign(estate_a, estate_b, listing):
    campaign_b = open_campaign(estate_b, "乙征集")
    author = estate_a.make_tenant(estate_b.staff)
    listing(author, estate_a)  # the idea is filed where they work: at home, in A

    with pytest.raises(ValidationError):
        ideas_services.submit_idea(
            author=author,
            title="楼道灯坏了",
            body="三楼的灯坏了一个星期。",
            category=seeded_category("facilities"),
            campaign=campaign_b,
        )

    assert not Idea.objects.exists()


def test_a_captain_records_an_idea_only_under_the_households_estates_campaign(
    estate_a, estate_b, listing
):
    captain = estate_a.captain
    RoleGrantFactory(
        user=captain, community=estate_b.community, role=Role.CAPTAIN, building=estate_b.building
    )
    listing(captain, estate_a)
    open_campaign(estate_a, "甲征集")
    campaign_b = open_campaign(estate_b, "乙征集")
    form = RecordIdeaForm(
        data={
            "household": estate_a.household.pk,
            "title": "楼道灯坏了",
            "body": "三楼的灯坏了一个星期。",
            "category": seeded_category("facilities").pk,
            "campaign": campaign_b.pk,
        },
        user=captain,
    )

    assert not form.is_valid()
    assert "campaign" in form.errors


def test_the_theme_list_shows_no_themes_where_the_reader_is_only_a_resident(estate_a, estate_b):
    Theme.objects.create(
        community=estate_a.community, category=seeded_category("facilities"), name="甲的主题"
    )
    Theme.objects.create(
        community=estate_b.community, category=seeded_category("facilities"), name="乙的主题"
    )
    staff_b_living_in_a = estate_a.make_tenant(estate_b.staff)

    names = {theme.name for theme in themes_selectors.themes_of(user=staff_b_living_in_a)}

    assert names == {"乙的主题"}


def test_regrouping_runs_for_the_estate_where_the_user_works(
    client, estate_a, estate_b, monkeypatch
):
    both = estate_a.staff
    RoleGrantFactory(user=both, community=estate_b.community, role=Role.COMMUNITY_ADMIN)
    started = []
    monkeypatch.setattr(
        "proposals.themes.tasks.enqueue_regrouping",
        lambda estate, user: started.append(estate) or True,
    )
    client.force_login(both)

    for estate in (estate_a, estate_b):
        client.post(reverse("choose_estate"), {"estate": estate.community.pk})
        client.post(reverse("proposals:theme_regroup"))

    assert started == [estate_a.community.pk, estate_b.community.pk]


@pytest.fixture
def theme_a(estate_a):
    return Theme.objects.create(
        community=estate_a.community, category=seeded_category("facilities"), name="电梯"
    )


def test_priority_work_links_only_the_estates_own_activities(estate_a, estate_b, theme_a):
    activity_a = ActivityFactory(organiser=estate_a.staff, title="甲的活动")
    activity_b = ActivityFactory(organiser=estate_b.staff, title="乙的活动")
    assert activity_a.community == estate_a.community
    assert activity_b.community == estate_b.community

    offered = set(PriorityForm(community_id=theme_a.community_id).fields["activities"].queryset)
    assert offered == {activity_a}
    with pytest.raises(ValidationError):
        themes_services.promote_theme(
            theme=theme_a,
            actor=estate_a.staff,
            title="加装电梯",
            owner=estate_a.staff,
            goals="",
            activities=[activity_b],
        )


def test_priority_work_is_owned_by_a_role_holder_of_its_estate(estate_a, estate_b, theme_a):
    with pytest.raises(ValidationError):
        themes_services.promote_theme(
            theme=theme_a, actor=estate_a.staff, title="加装电梯", owner=estate_b.party, goals=""
        )
    priority = themes_services.promote_theme(
        theme=theme_a, actor=estate_a.staff, title="加装电梯", owner=estate_a.party, goals=""
    )
    with pytest.raises(ValidationError):
        themes_services.update_priority(
            priority=priority, fields={"owner": estate_b.staff}, activities=[]
        )


# --- Lists follow the estates the user lists (the estate switcher) -----------------------------


@pytest.fixture
def listing():
    """`listing(user, estate)`: the user works in that estate (the estate switcher), so
    `covenant.rules.listed_estates` and what is built on it answer it alone."""
    from covenant.rules import forget_roles

    def choose(user, estate):
        user.working_estate = estate.community
        user.save(update_fields=["working_estate"])
        forget_roles(user)

    return choose


def test_the_moderation_queue_and_the_idea_list_follow_the_listed_estates(
    estate_a, estate_b, listing
):
    both = estate_a.captain
    RoleGrantFactory(
        user=both, community=estate_b.community, role=Role.CAPTAIN, building=estate_b.building
    )
    estate_a.idea(moderation=Moderation.PENDING, title="甲的待审")
    estate_b.idea(moderation=Moderation.PENDING, title="乙的待审")
    listing(both, estate_b)

    queue = {entry.item.title for entry in moderation_selectors.moderation_queue(user=both)}
    visible = set(ideas_selectors.ideas_visible_to(both).values_list("title", flat=True))

    assert queue == {"乙的待审"}
    assert moderation_selectors.moderation_queue_size(both) == 1
    assert visible == {"乙的待审"}


def test_the_triage_choices_follow_the_listed_estates(estate_a, estate_b, listing):
    both = estate_a.staff
    RoleGrantFactory(user=both, community=estate_b.community, role=Role.PROPERTY_STAFF)
    idea_a, idea_b = estate_a.idea(), estate_b.idea()
    listing(both, estate_a)

    form = BulkTriageForm(user=both)

    assert set(form.fields["ideas"].queryset) == {idea_a}
    assert estate_b.admin not in form.fields["assignee"].queryset
    assert idea_b not in ideas_selectors.ideas_visible_to(both)


# --- 6. Notifications and mail name a hidden author as the pages do ---------------------------

HIDDEN_NAME = "隐名作者张三"


@pytest.fixture
def hidden_author_reply(estate_a):
    """A "hide my name" author replies to a neighbour's comment under their idea."""
    from covenant.models import User

    author = estate_a.resident
    User.objects.filter(pk=author.pk).update(name=HIDDEN_NAME)
    author.refresh_from_db()
    idea = IdeaFactory(author=author, household=estate_a.household, hide_name=True)
    neighbour = estate_a.make_tenant(UserFactory(name="邻居李叔", preferred_language="en"))
    asked = ideas_services.add_comment(idea=idea, author=neighbour, body="请问是哪一层？")
    ideas_services.add_comment(idea=idea, author=author, body="是三楼。", parent=asked)
    return idea, author, neighbour


def mails_of(notification, reader):
    """Subject and bodies (text and HTML) of the notification's own mail and of a digest."""
    from notices.mail import digest_message, notification_message
    from notices.models import Digest

    single = notification_message(notification)
    digest = Digest(user=reader, frequency=Digest.Frequency.DAILY, period=timezone.localdate())
    daily = digest_message(digest, [notification])
    return [
        text
        for message in (single, daily)
        for text in (message.subject, message.body, message.alternatives[0].content)
    ]


def test_a_hidden_author_replying_to_a_comment_stays_hidden_in_inbox_and_mail(
    client, hidden_author_reply
):
    from notices.kinds import render_text
    from notices.models import Notification
    from proposals import notifications

    _idea, _author, neighbour = hidden_author_reply
    told = Notification.objects.get(recipient=neighbour, kind=notifications.REPLY)
    client.force_login(neighbour)

    text = render_text(told, reader=neighbour)
    inbox = client.get(reverse("notices:inbox")).content.decode()
    mails = mails_of(told, neighbour)

    assert HIDDEN_NAME not in text and "The idea's author" in text
    assert HIDDEN_NAME not in inbox
    assert "· The idea&#x27;s author" in inbox  # the sender line
    for mail_text in mails:
        assert HIDDEN_NAME not in mail_text
    assert "The idea's author replied" in mails[0]  # the subject


def test_the_buildings_captain_still_sees_who_replied(hidden_author_reply, estate_a):
    from notices.kinds import actor_as_seen_by
    from notices.models import Notification
    from proposals import notifications

    _idea, _author, neighbour = hidden_author_reply
    told = Notification.objects.get(recipient=neighbour, kind=notifications.REPLY)

    assert actor_as_seen_by(told, reader=estate_a.captain) == HIDDEN_NAME
    assert actor_as_seen_by(told, reader=neighbour) == "The idea's author"


# Context values every kind's sentence may ask for: rendered, none may fail.
SAMPLE_CONTEXT = {
    "status": "accepted",
    "reason": "重复",
    "original": "原来的金点子",
    "topic": "规范停车",
    "starts_at": "2026-11-30T19:00:00+08:00",
    "place": "中心花园",
    "closes": "2026-12-31 20:00",
    "household": "3栋1201",
    "urgent": False,
}


def test_every_kind_names_a_hidden_author_as_the_reader_may_see_them(client, estate_a):
    """Every registered kind, as its app would send it about the hidden author's comment
    under their idea, with and without the facts the sender stores: the reader who must
    not know who wrote it never reads the name, in the inbox's text and sender line, in
    the mail's subject and body, or in a digest."""
    from covenant.models import User
    from notices.kinds import all_kinds, render_text
    from notices.models import EmailMode, Notification
    from proposals import notifications

    author = estate_a.resident
    User.objects.filter(pk=author.pk).update(name=HIDDEN_NAME)
    author.refresh_from_db()
    idea = IdeaFactory(author=author, household=estate_a.household, hide_name=True)
    comment = CommentFactory(idea=idea, author=author, body="我是作者。")
    reader = estate_a.make_tenant(UserFactory(name="邻居"))
    kinds = all_kinds()
    assert {"proposals.reply", "announcement.published", "volunteers.reminder"} <= {
        kind.key for kind in kinds
    }
    sent = []
    for kind in kinds:
        for about in ({}, {"about_idea": notifications._about(idea, author)}):
            for target in (idea, comment):
                sent.append(
                    Notification.objects.create(
                        recipient=reader,
                        kind=kind.key,
                        actor=author,
                        target=target,
                        url=idea.get_absolute_url(),
                        context={"title": idea.title, **SAMPLE_CONTEXT, **about},
                        email=EmailMode.IMMEDIATELY,
                    )
                )
    client.force_login(reader)

    for notification in sent:
        text = render_text(notification, reader=reader)
        assert HIDDEN_NAME not in text, notification.kind
        for mail_text in mails_of(notification, reader):
            assert HIDDEN_NAME not in mail_text, notification.kind
    for page in range(1, len(sent) // 20 + 2):
        inbox = client.get(reverse("notices:inbox"), {"page": page}).content.decode()
        assert HIDDEN_NAME not in inbox


def test_the_timeline_names_the_hidden_author_as_the_page_does(client, estate_a):
    """A status change by staff who wrote the idea under a hidden name (the shared
    "as this reader may see it" function: pages and notifications agree)."""
    from covenant.models import User
    from notices.kinds import render_text
    from notices.models import Notification
    from proposals import notifications

    staff = estate_a.make_tenant(estate_a.staff)
    User.objects.filter(pk=staff.pk).update(name=HIDDEN_NAME)
    staff.refresh_from_db()
    idea = IdeaFactory(author=staff, household=estate_a.spare, hide_name=True)
    supporter = estate_a.make_tenant(UserFactory())
    ideas_services.set_support(idea=idea, user=supporter, supported=True)
    triage_services.change_status(idea=idea, actor=staff, to_status=Idea.Status.ACCEPTED)
    client.force_login(supporter)

    page = client.get(idea.get_absolute_url()).content.decode()
    told = Notification.objects.get(recipient=supporter, kind=notifications.STATUS_CHANGED)

    assert HIDDEN_NAME not in page
    assert HIDDEN_NAME not in render_text(told, reader=supporter)
    assert render_text(told, reader=supporter) and told.shown_actor == "A resident (name withheld)"
