"""Who sees the dashboards and the monthly report, what they show, and what they cost."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from covenant.models import Role
from notices import services as notices_services
from notices.models import Audience, HouseholdReach
from proposals.insight import analytics
from proposals.models import (
    ActionItem,
    Idea,
    Moderation,
    Support,
    Theme,
    ThemeMembership,
    TimelineEntry,
)
from proposals.themes import services
from tests.factories import (
    BuildingFactory,
    CommunityFactory,
    HouseholdFactory,
    MembershipFactory,
    RoleGrantFactory,
    UserFactory,
)
from tests.proposals.conftest import page_queries
from tests.proposals.factories import IdeaFactory, seeded_category
from tests.proposals.priority_helpers import adopted_deliberation
from tests.volunteers.factories import ServiceEntryFactory

DASHBOARDS = [
    "proposals:dashboard_ideas",
    "proposals:dashboard_responses",
    "proposals:dashboard_participation",
    "proposals:dashboard_community",
]


def _last_month_url():
    month = analytics.last_complete_month()
    return reverse("proposals:monthly_report", args=[month.year, month.month])


def _urls():
    return [reverse(name) for name in DASHBOARDS] + [_last_month_url()]


@pytest.mark.parametrize("who", ["resident", "captain_3", "newcomer"])
def test_residents_and_captains_may_not_see_the_dashboards(client, persona, who):
    client.force_login(persona(who))
    for url in [*_urls(), reverse("proposals:monthly_report_latest")]:
        assert client.get(url).status_code == 403, url


def test_visitors_are_sent_to_sign_in(client):
    for url in _urls():
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["steward", "party_member", "admin_user"])
def test_staff_party_branch_and_admins_see_every_dashboard(client, persona, who, english):
    client.force_login(persona(who))
    for url in _urls():
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"<svg" in response.content or b"<table" in response.content


def test_the_dashboards_are_in_the_navigation_of_those_who_may_see_them(
    client, steward, resident, english
):
    client.force_login(steward)
    assert reverse("proposals:dashboard_ideas").encode() in client.get("/ideas/").content
    client.force_login(resident)
    assert reverse("proposals:dashboard_ideas").encode() not in client.get("/ideas/").content


def test_the_report_without_a_month_opens_the_last_complete_month(client, steward):
    client.force_login(steward)
    response = client.get(reverse("proposals:monthly_report_latest"))
    assert response.status_code == 302
    assert response.url == _last_month_url()
    response = client.get(reverse("proposals:monthly_report_latest") + "?month=2026-01&estate=7")
    assert response.url == reverse("proposals:monthly_report", args=[2026, 1]) + "?estate=7"


def test_a_month_that_has_not_begun_or_does_not_exist_is_not_found(client, steward):
    client.force_login(steward)
    later = analytics.add_months(timezone.localdate().replace(day=1), 1)
    assert (
        client.get(reverse("proposals:monthly_report", args=[later.year, later.month])).status_code
        == 404
    )
    assert client.get("/ideas/report/2026-13/").status_code == 404


def test_a_role_holder_sees_only_their_own_estate(client, steward, unit_3_1201, english):
    other = CommunityFactory(name="翠湖苑")
    other_home = HouseholdFactory(building=BuildingFactory(community=other, number=9), unit="901")
    IdeaFactory(household=other_home, author=UserFactory(), title="翠湖苑的点子")
    client.force_login(steward)

    response = client.get(reverse("proposals:dashboard_participation") + f"?estate={other.pk}")

    assert response.status_code == 200
    assert response.context["estate"] == steward.role_grants.get().community
    assert "Building 9" not in response.content.decode()


def test_an_admin_of_two_estates_sees_the_one_they_work_in(client, admin_user, english):
    """Dashboards follow the estate switcher: the other estate is one switch away."""
    other = CommunityFactory(name="翠湖苑")
    RoleGrantFactory(user=admin_user, community=other, role=Role.COMMUNITY_ADMIN)
    HouseholdFactory(building=BuildingFactory(community=other, number=9), unit="901")
    client.force_login(admin_user)
    url = reverse("proposals:dashboard_participation") + f"?estate={other.pk}"

    response = client.get(url)

    assert response.context["estate"].name == "碧海花园"  # the first by name, until chosen
    assert "Building 9" not in response.content.decode()
    client.post(reverse("choose_estate"), {"estate": other.pk})
    response = client.get(url)
    assert response.context["estate"] == other
    assert "Building 9" in response.content.decode()


def test_the_response_page_shows_the_hand_computed_median(client, steward, unit_3_1201, english):
    now = timezone.now()
    for hours in (2, 5, 30):
        idea = IdeaFactory(
            household=unit_3_1201,
            author=UserFactory(),
            created_at=now - datetime.timedelta(hours=40),
        )
        TimelineEntry.objects.create(
            idea=idea,
            actor=steward,
            public_reply="收到",
            created_at=idea.created_at + datetime.timedelta(hours=hours),
        )
    client.force_login(steward)

    response = client.get(reverse("proposals:dashboard_responses"))

    assert response.context["times"].overall.median_reply_hours == 5
    assert "5 h" in response.content.decode()


def test_the_pages_show_their_tables_without_javascript(client, steward, idea, english):
    client.force_login(steward)
    content = client.get(reverse("proposals:dashboard_ideas")).content.decode()
    assert 'role="img"' in content and "<desc" in content
    assert "<table" in content and idea.category.label in content


def test_the_report_counts_the_months_new_ideas_by_theme(
    client, steward, community, resident, unit_3_1201, party_member, captain_3, english
):
    month = analytics.last_complete_month()
    in_month = timezone.make_aware(datetime.datetime(month.year, month.month, 10, 9))
    month_before = in_month - datetime.timedelta(days=31)
    pets, parking = seeded_category("pets"), seeded_category("parking")
    theme_a = Theme.objects.create(community=community, category=pets, name="遛狗牵绳")
    theme_b = Theme.objects.create(community=community, category=parking, name="消防通道")
    for theme, created_at, count in (
        (theme_a, in_month, 3),
        (theme_b, in_month, 1),
        (theme_a, month_before, 2),
    ):
        for _ in range(count):
            idea = IdeaFactory(author=resident, household=unit_3_1201, created_at=created_at)
            ThemeMembership.objects.create(theme=theme, idea=idea)
    hidden = IdeaFactory(author=resident, household=unit_3_1201, created_at=in_month)
    ThemeMembership.objects.create(theme=theme_b, idea=hidden)
    Idea.objects.filter(pk=hidden.pk).update(moderation=Moderation.HIDDEN)
    priority = services.promote_theme(
        theme=theme_a, actor=party_member, title="文明养宠", owner=steward, goals="牵绳"
    )
    people = {"party_member": party_member, "captain": captain_3, "steward": steward}
    deliberation = adopted_deliberation(community, topic="养犬公约", items=3, done=2, **people)
    priority.deliberations.add(deliberation)
    done_now, done_before, _open = deliberation.resolution.action_items.order_by("pk")
    ActionItem.objects.filter(pk=done_now.pk).update(updated_at=in_month)
    ActionItem.objects.filter(pk=done_before.pk).update(updated_at=month_before)
    client.force_login(steward)

    response = client.get(_last_month_url())

    themes = response.context["themes"]
    assert [(t.name, t.this_month, t.size) for t in themes] == [
        ("遛狗牵绳", 3, 5),
        ("消防通道", 1, 1),
    ]
    assert [item.title for item in response.context["priority_items_done"]] == ["养犬公约·第1项"]
    section = response.content.decode().split('id="report-themes"')[1].split("</section>")[0]
    assert "遛狗牵绳" in section and "Priority work" in section
    assert "养犬公约·第1项" in section and "养犬公约·第2项" not in section


# --- Query counts ----------------------------------------------------------------------


def _estate_data(community, buildings: int, ideas_per_building: int):
    """Households, members, ideas with replies and completions, supports, themes,
    announcements read and told, and volunteer hours: more of everything with larger
    arguments."""
    admin = UserFactory()
    RoleGrantFactory(user=admin, community=community, role=Role.COMMUNITY_ADMIN)
    start = BuildingFactory._meta.model.objects.filter(community=community).count() + 10
    now = timezone.now()
    for offset in range(buildings):
        building = BuildingFactory(community=community, number=start + offset)
        theme = Theme.objects.create(
            community=community, category=seeded_category("pets"), name=f"{building.number}栋"
        )
        for n in range(ideas_per_building):
            home = HouseholdFactory(building=building, floor=3, unit=f"3{n:02d}")
            person = UserFactory()
            MembershipFactory(user=person, household=home, verified=True)
            idea = IdeaFactory(
                household=home, author=person, created_at=now - datetime.timedelta(days=n * 9)
            )
            Support.objects.create(idea=idea, user=UserFactory())
            ThemeMembership.objects.create(theme=theme, idea=idea)
            TimelineEntry.objects.create(
                idea=idea, actor=admin, public_reply="已受理", created_at=idea.created_at
            )
            TimelineEntry.objects.create(
                idea=idea, actor=admin, from_status="accepted", to_status="done", created_at=now
            )
            ServiceEntryFactory(user=person, served_on=timezone.localdate())
        announcement = notices_services.publish(
            community=community,
            author=admin,
            title="停水通知",
            body="周三停水。",
            audience=Audience.ESTATE,
        )
        HouseholdReach.objects.create(
            announcement=announcement, household=home, method=HouseholdReach.Method.READ
        )


@pytest.mark.parametrize("url_name", [*DASHBOARDS, "report"])
def test_each_page_costs_the_same_queries_with_little_and_much_data(
    client, admin_user, community, url_name
):
    # The report of this month, where the data is (an empty month skips the reach queries).
    today = timezone.localdate()
    report = reverse("proposals:monthly_report", args=[today.year, today.month])
    url = report if url_name == "report" else reverse(url_name)
    _estate_data(community, buildings=1, ideas_per_building=2)
    small = page_queries(client, admin_user, url)
    _estate_data(community, buildings=6, ideas_per_building=12)
    large = page_queries(client, admin_user, url)

    # Every page: session, user, roles (grants, memberships), the estates overseen, and
    # the navigation's badges (moderation queue, membership queue): 7. Then its figures:
    # ideas: counts by month and category, the categories, counts by month and status;
    # responses: replies and completions per idea, the categories, ideas waiting, ages;
    # participation: one aggregate per building;
    # community: announcements, reached, households per floor, buildings chosen, read,
    # the estate's volunteers, their hours by month;
    # report: new ideas and categories, the month's themes, the priorities' action items
    # done, ideas done and their replies, the responses' three, participation, the
    # community's seven.
    expected = {
        "proposals:dashboard_ideas": 7 + 3,
        "proposals:dashboard_responses": 7 + 4,
        "proposals:dashboard_participation": 7 + 1,
        "proposals:dashboard_community": 7 + 7,
        "report": 7 + 2 + 1 + 1 + 2 + 3 + 1 + 7,
    }[url_name]
    assert len(small) == len(large) == expected, "\n".join(large)
