"""Priority work (重点工作): promoted from a theme, read by every resident."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from proposals.deliberations import services as deliberations_services
from proposals.models import ActionItem, Idea, Priority, ProgressEntry, ThemeEdit
from proposals.themes import services as themes_services
from tests.factories import CommunityFactory, RoleGrantFactory, UserFactory
from tests.proposals.conftest import page_queries
from tests.proposals.priority_helpers import adopted_deliberation
from tests.proposals.themes_helpers import ideas_about, theme_of
from tests.volunteers.factories import ActivityFactory

LIST = reverse("priorities:priority_list")
READERS = ["resident", "neighbour", "captain_3", "steward", "party_member", "admin_user"]
MANAGERS = ["steward", "party_member", "admin_user"]
NOT_MANAGERS = ["resident", "captain_3"]


def url(name, obj):
    return reverse(name, args=[obj.pk])


@pytest.fixture
def leash_theme(community, resident, unit_3_1201, neighbour, unit_5_0802):
    ideas_about("leash", 6, author=resident, household=unit_3_1201)
    ideas_about("leash", 4, author=neighbour, household=unit_5_0802, seed=11)
    ideas_about("ebike", 6, author=neighbour, household=unit_5_0802)
    themes_services.regroup_ideas(community=community)
    return theme_of(Idea.objects.filter(title__contains="牵绳").first())


@pytest.fixture
def activity(db):
    return ActivityFactory(title="文明养宠宣传", category="pets")


@pytest.fixture
def priority(leash_theme, party_member, steward, activity):
    priority = themes_services.promote_theme(
        theme=leash_theme,
        actor=party_member,
        title="文明养宠",
        owner=steward,
        goals="**三个月内**遛狗牵绳率达到九成。",
        status=Priority.Status.ACTIVE,
        activities=[activity],
    )
    themes_services.add_progress(
        priority=priority,
        author=steward,
        happened_on=datetime.date(2026, 10, 8),
        you_said="草坪上狗粪太多",
        we_did="在中心花园设置了三个拾便袋箱",
    )
    return priority


@pytest.mark.parametrize("name", READERS)
def test_every_participant_reads_the_priorities(client, persona, name, priority, english):
    client.force_login(persona(name))
    html = client.get(LIST).content.decode()
    assert "文明养宠" in html and "Under way" in html
    detail = client.get(url("priorities:priority_detail", priority)).content.decode()
    assert "<strong>三个月内</strong>" in detail
    assert "在中心花园设置了三个拾便袋箱" in detail and "草坪上狗粪太多" in detail
    assert "文明养宠宣传" in detail
    assert "10 ideas" in detail and "from 2 buildings" in detail


def test_newcomers_are_refused_and_visitors_sent_to_sign_in(client, newcomer, priority):
    for target in (LIST, url("priorities:priority_detail", priority)):
        assert client.get(target).status_code == 302
        client.force_login(newcomer)
        assert client.get(target).status_code == 403
        client.logout()


@pytest.mark.parametrize("name", MANAGERS)
def test_staff_party_and_admins_promote_a_theme(client, persona, name, leash_theme, steward):
    client.force_login(persona(name))
    promote = url("proposals:theme_promote", leash_theme)
    assert client.get(promote).status_code == 200
    response = client.post(
        promote,
        {"title": "文明养宠", "owner": steward.pk, "status": "planned", "goals": "牵绳"},
    )
    priority = Priority.objects.get()
    assert response.status_code == 302 and response["Location"] == priority.get_absolute_url()
    assert priority.theme == leash_theme and priority.owner == steward
    assert ThemeEdit.objects.filter(action=ThemeEdit.Action.PROMOTE).exists()


@pytest.mark.parametrize("name", NOT_MANAGERS)
def test_residents_and_captains_promote_nothing_and_edit_nothing(
    client, persona, name, leash_theme, priority, steward
):
    client.force_login(persona(name))
    assert client.get(url("proposals:theme_promote", leash_theme)).status_code == 403
    assert client.get(url("priorities:priority_edit", priority)).status_code == 403
    data = {"happened_on": "2026-11-01", "we_did": "我来写"}
    assert client.post(url("priorities:progress_add", priority), data).status_code == 403
    assert ProgressEntry.objects.count() == 1
    # The same entry from the steward is recorded.
    client.force_login(steward)
    assert client.post(url("priorities:progress_add", priority), data).status_code == 302
    assert ProgressEntry.objects.count() == 2


def test_a_promoted_theme_leads_to_its_priority(client, steward, leash_theme, priority):
    client.force_login(steward)
    response = client.get(url("proposals:theme_promote", leash_theme))
    assert response.status_code == 302 and response["Location"] == priority.get_absolute_url()


def test_editing_a_priority(client, party_member, priority, steward, activity):
    client.force_login(party_member)
    response = client.post(
        url("priorities:priority_edit", priority),
        {"title": "文明养宠公约", "owner": party_member.pk, "status": "done", "goals": "已达成"},
    )
    assert response.status_code == 302
    priority.refresh_from_db()
    assert (priority.title, priority.owner, priority.status) == (
        "文明养宠公约",
        party_member,
        Priority.Status.DONE,
    )
    assert not priority.activities.exists()


def test_an_owner_must_hold_a_role_in_the_estate(client, steward, priority, resident):
    client.force_login(steward)
    response = client.post(
        url("priorities:priority_edit", priority),
        {"title": "文明养宠", "owner": resident.pk, "status": "active", "goals": "x"},
    )
    assert response.status_code == 200
    priority.refresh_from_db()
    assert priority.owner == steward


def test_an_empty_progress_entry_keeps_what_was_typed(client, steward, priority, english):
    client.force_login(steward)
    response = client.post(
        url("priorities:progress_add", priority),
        {"happened_on": "2026-11-01", "you_said": "还有人不牵绳", "we_did": ""},
    )
    assert response.status_code == 400
    assert "还有人不牵绳" in response.content.decode()
    assert ProgressEntry.objects.count() == 1


def test_another_estates_priority_is_not_found(client, priority, resident):
    stranger = UserFactory(email="other@example.org")
    RoleGrantFactory(
        user=stranger, community=CommunityFactory(name="别的小区"), role="party_branch"
    )
    client.force_login(stranger)
    assert client.get(url("priorities:priority_detail", priority)).status_code == 404
    assert "文明养宠" not in client.get(LIST).content.decode()


def test_the_priority_pages_take_the_same_queries_for_more_data(
    client, resident, priority, community, neighbour, unit_5_0802, steward, party_member, captain_3
):
    people = {"party_member": party_member, "captain": captain_3, "steward": steward}
    priority.deliberations.add(adopted_deliberation(community, topic="牵绳", items=2, **people))
    small = (
        page_queries(client, resident, LIST),
        page_queries(client, resident, url("priorities:priority_detail", priority)),
    )
    ideas_about("leash", 20, author=neighbour, household=unit_5_0802, seed=21)
    themes_services.regroup_ideas(community=community)
    for n in range(5):
        themes_services.add_progress(
            priority=priority,
            author=party_member,
            happened_on=datetime.date(2026, 11, n + 1),
            we_did=f"第{n}次巡查",
        )
    priority.activities.add(*[ActivityFactory() for _ in range(3)])
    for n in range(4):
        priority.deliberations.add(
            adopted_deliberation(community, topic=f"议题{n}", items=4 + n // 2, done=n, **people)
        )
    assert ActionItem.objects.count() == 20
    other = themes_services.promote_theme(
        theme=next(t for t in priority.community.themes.all() if t.pk != priority.theme_id),
        actor=steward,
        title="规范停车",
        owner=steward,
        goals="-",
    )
    themes_services.add_progress(
        priority=other, author=steward, happened_on=datetime.date(2026, 11, 2), we_did="画线"
    )
    large = (
        page_queries(client, resident, LIST),
        page_queries(client, resident, url("priorities:priority_detail", priority)),
    )
    assert len(large[0]) == len(small[0]), "\n".join(large[0])
    assert len(large[1]) == len(small[1]), "\n".join(large[1])
    # list: session, user, roles (2), priorities with figures (and action items counted
    # in subqueries), their buildings
    assert len(small[0]) == 6, "\n".join(small[0])
    # detail: session, user, roles (2), the priority with figures, its progress, its
    # activities, its buildings, its ideas, its deliberations, their action items
    assert len(small[1]) == 11, "\n".join(small[1])


def test_the_data_download_holds_the_progress_written_and_the_work_owned(client, steward, priority):
    client.force_login(steward)
    data = client.get(reverse("personal_data_download")).json()
    ideas = data["golden_ideas"]
    assert ideas["priorities_owned"] == [
        {"id": priority.pk, "title": "文明养宠", "status": "active"}
    ]
    assert ideas["progress_written"][0]["we_did"] == "在中心花园设置了三个拾便袋箱"


def test_the_promote_form_dates_each_activity(client, steward, leash_theme, activity):
    client.force_login(steward)
    html = client.get(reverse("proposals:theme_promote", args=[leash_theme.pk])).content.decode()
    assert f"{timezone.localtime(activity.starts_at):%Y-%m-%d} 文明养宠宣传" in html


# --- Linked deliberations and their resolutions' action items ---------------------------


@pytest.fixture
def pets_deliberation(community, party_member, captain_3, steward):
    deliberation = adopted_deliberation(
        community,
        party_member=party_member,
        captain=captain_3,
        steward=steward,
        topic="文明养宠公约",
        items=3,
        done=1,
    )
    overdue, upcoming = deliberation.resolution.action_items.exclude(status="done")
    deliberations_services.update_action_item(
        item=overdue, actor=steward, status=ActionItem.Status.IN_PROGRESS, progress_note="已订购"
    )
    upcoming.due_on = timezone.localdate() + datetime.timedelta(days=30)
    upcoming.save()
    return deliberation


@pytest.mark.parametrize("name", READERS)
def test_the_priority_shows_its_deliberations_and_their_action_items(
    client, persona, name, priority, pets_deliberation, community, party_member, english
):
    undecided = deliberations_services.open_deliberation(
        opener=party_member, community=community, topic="草坪狗粪"
    )
    priority.deliberations.add(pets_deliberation, undecided)
    client.force_login(persona(name))

    detail = client.get(url("priorities:priority_detail", priority)).content.decode()

    assert "文明养宠公约" in detail and "Resolved" in detail
    assert "文明养宠公约：三方同意分步落实。" in detail
    assert "文明养宠公约·第1项" in detail and "文明养宠公约·第3项" in detail
    assert "Latest progress" in detail and "已订购" in detail
    assert "due 2026-10-01" in detail and detail.count(">Overdue<") == 1
    assert "草坪狗粪" in detail and "No resolution adopted yet." in detail
    assert "1 of 3 action items done" in detail
    assert "1 of 3 action items done" in client.get(LIST).content.decode()


def test_a_priority_without_deliberations_says_so(client, resident, priority, english):
    client.force_login(resident)
    detail = client.get(url("priorities:priority_detail", priority)).content.decode()
    assert "No deliberations linked yet." in detail
    assert "action items done" not in client.get(LIST).content.decode()


def _edit(priority, **extra):
    return {
        "title": priority.title,
        "owner": priority.owner_id,
        "status": priority.status,
        "goals": priority.goals,
        **extra,
    }


@pytest.mark.parametrize("name", MANAGERS)
def test_staff_party_and_admins_link_deliberations(client, persona, name, priority, deliberation):
    client.force_login(persona(name))
    form = client.get(url("priorities:priority_edit", priority)).content.decode()
    assert "规范停车" in form
    response = client.post(
        url("priorities:priority_edit", priority), _edit(priority, deliberations=[deliberation.pk])
    )
    assert response.status_code == 302
    assert list(priority.deliberations.all()) == [deliberation]


@pytest.mark.parametrize("name", NOT_MANAGERS)
def test_residents_and_captains_link_nothing(
    client, persona, name, priority, deliberation, steward
):
    data = _edit(priority, deliberations=[deliberation.pk])
    client.force_login(persona(name))
    assert client.post(url("priorities:priority_edit", priority), data).status_code == 403
    assert not priority.deliberations.exists()
    # The same request from the steward links it.
    client.force_login(steward)
    assert client.post(url("priorities:priority_edit", priority), data).status_code == 302
    assert priority.deliberations.exists()


def test_another_estates_deliberation_is_refused(client, steward, priority, deliberation, english):
    other_estate = CommunityFactory(name="翠湖苑")
    opener = UserFactory()
    RoleGrantFactory(user=opener, community=other_estate, role="party_branch")
    theirs = deliberations_services.open_deliberation(
        opener=opener, community=other_estate, topic="翠湖苑停车"
    )
    client.force_login(steward)

    assert (
        "翠湖苑停车" not in client.get(url("priorities:priority_edit", priority)).content.decode()
    )
    response = client.post(
        url("priorities:priority_edit", priority), _edit(priority, deliberations=[theirs.pk])
    )

    assert response.status_code == 200
    assert "is not one of the available choices" in response.content.decode()
    assert not priority.deliberations.exists()
    with pytest.raises(ValidationError):
        themes_services.update_priority(
            priority=priority, fields={}, activities=[], deliberations=[theirs]
        )
    assert not priority.deliberations.exists()
