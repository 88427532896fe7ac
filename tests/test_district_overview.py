"""The estates of one community (社区) side by side (/ideas/dashboards/estates/): who may
see it, what each column counts, and what it costs."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from covenant.models import District, Role
from notices.models import Announcement, Audience, HouseholdReach
from proposals.models import Idea, Moderation, OwnersVote, TimelineEntry
from tests.factories import (
    BuildingFactory,
    CommunityFactory,
    HouseholdFactory,
    MembershipFactory,
    RoleGrantFactory,
    UserFactory,
)
from tests.proposals.factories import IdeaFactory
from tests.volunteers.factories import ServiceEntryFactory, VolunteerFactory

URL = reverse("proposals:district_overview")


@pytest.fixture
def english(monkeypatch):
    monkeypatch.setattr("covenant.middleware.language_for", lambda request: "en")


@pytest.fixture
def district(db):
    return District.objects.create(name="碧海社区")


def _estate(name, district=None, *, households=2):
    estate = CommunityFactory(name=name)
    estate.district = district
    estate.save()
    building = BuildingFactory(community=estate, number=1, floor_count=6)
    homes = [
        HouseholdFactory(building=building, floor=1, unit=f"1{n:02d}") for n in range(households)
    ]
    return estate, homes


def _granted(user, role, *estates):
    for estate in estates:
        RoleGrantFactory(user=user, community=estate, role=role)
    return user


@pytest.fixture
def two_estates(district):
    return _estate("碧海花园", district)[0], _estate("翠湖苑", district)[0]


@pytest.fixture
def district_secretary(two_estates):
    """The Party branch in both estates of the community."""
    return _granted(UserFactory(name="社区书记"), Role.PARTY_BRANCH, *two_estates)


# --- Who may see it -------------------------------------------------------------------


def test_the_party_branch_of_two_estates_of_a_community_sees_both(
    client, district_secretary, two_estates, english
):
    client.force_login(district_secretary)

    response = client.get(URL)

    assert response.status_code == 200
    assert [c.estate.name for c in response.context["columns"]] == ["碧海花园", "翠湖苑"]
    assert "碧海社区: the estates side by side" in response.content.decode()


def test_an_admin_of_two_estates_of_a_community_sees_both(client, two_estates):
    admin = _granted(UserFactory(), Role.COMMUNITY_ADMIN, *two_estates)
    client.force_login(admin)

    assert len(client.get(URL).context["columns"]) == 2


def test_a_party_branch_role_in_one_and_an_admin_role_in_the_other_count_together(
    client, two_estates
):
    first, second = two_estates
    person = _granted(UserFactory(), Role.PARTY_BRANCH, first)
    _granted(person, Role.COMMUNITY_ADMIN, second)
    client.force_login(person)

    assert client.get(URL).status_code == 200


def test_a_superuser_sees_every_estate_of_the_community(client, two_estates, district):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(URL)

    assert [c.estate.name for c in response.context["columns"]] == ["碧海花园", "翠湖苑"]


def test_only_the_estates_the_person_oversees_are_columns(client, two_estates, district):
    _estate("白云居", district)  # the third estate of the community: not theirs
    person = _granted(UserFactory(), Role.PARTY_BRANCH, *two_estates)
    client.force_login(person)

    columns = client.get(URL).context["columns"]

    assert [c.estate.name for c in columns] == ["碧海花园", "翠湖苑"]


@pytest.mark.parametrize("role", [Role.PROPERTY_STAFF, Role.CAPTAIN])
def test_staff_and_captains_of_two_estates_are_refused(client, two_estates, role):
    person = UserFactory()
    for estate in two_estates:
        building = estate.buildings.get()
        RoleGrantFactory(
            user=person,
            community=estate,
            role=role,
            building=building if role == Role.CAPTAIN else None,
        )
    client.force_login(person)

    assert client.get(URL).status_code == 403


def test_the_party_branch_of_one_estate_is_refused(client, two_estates):
    person = _granted(UserFactory(), Role.PARTY_BRANCH, two_estates[0])
    client.force_login(person)

    assert client.get(URL).status_code == 403


def test_two_estates_in_different_communities_are_refused(client, district):
    first = _estate("碧海花园", district)[0]
    second = _estate("翠湖苑", District.objects.create(name="城东社区"))[0]
    person = _granted(UserFactory(), Role.PARTY_BRANCH, first, second)
    client.force_login(person)

    assert client.get(URL).status_code == 403


def test_two_estates_in_no_community_are_refused(client, db):
    first, second = _estate("碧海花园")[0], _estate("翠湖苑")[0]
    person = _granted(UserFactory(), Role.COMMUNITY_ADMIN, first, second)
    client.force_login(person)

    assert client.get(URL).status_code == 403


def test_residents_are_refused(client, two_estates):
    resident = UserFactory()
    MembershipFactory(
        user=resident, household=two_estates[0].buildings.get().households.first(), verified=True
    )
    client.force_login(resident)

    assert client.get(URL).status_code == 403


def test_visitors_are_sent_to_sign_in(client, two_estates):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_it_is_in_the_workbench_of_those_who_may_see_it_only(
    client, district_secretary, two_estates, english
):
    client.force_login(district_secretary)
    assert URL in client.get(reverse("home")).content.decode()

    client.force_login(_granted(UserFactory(), Role.PARTY_BRANCH, two_estates[0]))
    assert URL not in client.get(reverse("home")).content.decode()


def test_a_superuser_without_communities_is_told_how_to_make_one(client, db, english):
    CommunityFactory(name="碧海花园")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(URL)

    assert response.status_code == 200
    assert "No estate is in a community yet" in response.content.decode()


def test_a_person_overseeing_two_communities_picks_one(client, district):
    other = District.objects.create(name="城东社区")
    estates = [_estate(f"{d.name}{n}", d)[0] for d in (district, other) for n in (1, 2)]
    person = _granted(UserFactory(), Role.PARTY_BRANCH, *estates)
    client.force_login(person)

    first = client.get(URL).context
    second = client.get(URL, {"district": other.pk}).context

    assert first["chosen"].district == other  # 城东社区 sorts before 碧海社区
    assert [c.estate.name for c in second["columns"]] == ["城东社区1", "城东社区2"]
    assert [
        c.estate.name for c in client.get(URL, {"district": district.pk}).context["columns"]
    ] == [
        "碧海社区1",
        "碧海社区2",
    ]


# --- What each column counts ------------------------------------------------------------


def _this_month_start():
    return timezone.localdate().replace(day=1)


def _figures(district, name, *, ideas, open_ideas, new_ideas, households):
    """An estate with `ideas` counted ideas (`open_ideas` of them open, `new_ideas` of
    them this month), one hidden idea, and `households` households."""
    estate, homes = _estate(name, district, households=households)
    author = UserFactory()
    long_ago = timezone.now() - datetime.timedelta(days=80)
    for n in range(ideas):
        IdeaFactory(
            household=homes[0],
            author=author,
            status=Idea.Status.SUBMITTED if n < open_ideas else Idea.Status.DONE,
            created_at=timezone.now() if n < new_ideas else long_ago,
        )
    IdeaFactory(household=homes[0], author=author, moderation=Moderation.HIDDEN)
    return estate, homes


def test_each_column_counts_its_own_estate(client, district, english):
    first, first_homes = _figures(
        district, "碧海花园", ideas=5, open_ideas=3, new_ideas=2, households=4
    )
    second, second_homes = _figures(
        district, "翠湖苑", ideas=2, open_ideas=1, new_ideas=0, households=10
    )
    person = _granted(UserFactory(), Role.PARTY_BRANCH, first, second)
    # First public replies this month to two old ideas, 80 days and 2 h, and 80 days and
    # 6 h after they came in: the median is 80 days and 4 h.
    now = timezone.now()
    old_ideas = Idea.objects.filter(community=first, moderation="visible", status="done")
    for idea, hours in zip(old_ideas.order_by("pk")[:2], (2, 6), strict=True):
        came_in = now - datetime.timedelta(days=80, hours=hours)
        Idea.objects.filter(pk=idea.pk).update(created_at=came_in)
        TimelineEntry.objects.create(idea=idea, actor=person, public_reply="收到", created_at=now)
    # An estate-wide announcement in each (reached: 1 of 4, 5 of 10), and one to some
    # buildings of the second estate (its one building: 10 households, 0 reached).
    for estate, homes, reached in ((first, first_homes, 1), (second, second_homes, 5)):
        announcement = Announcement.objects.create(
            community=estate,
            author=person,
            title="停水",
            body="周三停水。",
            audience=Audience.ESTATE,
        )
        for home in homes[:reached]:
            HouseholdReach.objects.create(announcement=announcement, household=home, method="read")
    to_buildings = Announcement.objects.create(
        community=second,
        author=person,
        title="电梯年检",
        body="周五。",
        audience=Audience.BUILDINGS,
    )
    to_buildings.buildings.set([second.buildings.get()])
    # One open vote in the second estate, one closed, one past its closing time.
    for status, closes in (("open", 5), ("closed", -5), ("open", -1)):
        OwnersVote.objects.create(
            community=second,
            title="停车方案",
            question="是否同意？",
            status=status,
            opens_at=now - datetime.timedelta(days=10),
            closes_at=now + datetime.timedelta(days=closes),
            created_by=person,
        )
    # Volunteer hours this month in each estate's ledger (entries its team recorded by
    # hand); last month's do not count.
    volunteer = UserFactory()
    MembershipFactory(user=volunteer, household=first_homes[1], verified=True)
    VolunteerFactory(user=volunteer)
    ServiceEntryFactory(user=volunteer, hours=Decimal("2.5"))
    ServiceEntryFactory(user=volunteer, hours=Decimal("1"))
    ServiceEntryFactory(
        user=volunteer, served_on=_this_month_start() - datetime.timedelta(days=1), hours=9
    )
    other_volunteer = UserFactory()
    MembershipFactory(user=other_volunteer, household=second_homes[0], verified=True)
    VolunteerFactory(user=other_volunteer)
    ServiceEntryFactory(user=other_volunteer, hours=Decimal("4"))
    client.force_login(person)

    columns = {c.estate.name: c for c in client.get(URL).context["columns"]}

    one, two = columns["碧海花园"], columns["翠湖苑"]
    assert (one.ideas, one.open_ideas, one.new_ideas) == (5, 3, 2)
    assert (two.ideas, two.open_ideas, two.new_ideas) == (2, 1, 0)
    assert (one.replies, one.median_reply_hours) == (2, 80 * 24 + 4)
    assert (two.replies, two.median_reply_hours) == (0, None)
    assert (one.announcements, one.households, one.reached, one.reached_percent) == (1, 4, 1, 25)
    assert (two.announcements, two.households, two.reached) == (2, 20, 5)
    assert (one.open_votes, two.open_votes) == (0, 1)
    assert (one.volunteer_hours, one.volunteers) == (Decimal("3.5"), 1)
    assert (two.volunteer_hours, two.volunteers) == (Decimal("4"), 1)


def test_an_earlier_month_counts_that_month(client, district):
    first, homes = _estate("碧海花园", district)
    second = _estate("翠湖苑", district)[0]
    person = _granted(UserFactory(), Role.PARTY_BRANCH, first, second)
    last_month = _this_month_start() - datetime.timedelta(days=1)
    moment = timezone.make_aware(datetime.datetime.combine(last_month, datetime.time(12)))
    IdeaFactory(household=homes[0], author=person, created_at=moment)
    IdeaFactory(household=homes[0], author=person)
    client.force_login(person)

    response = client.get(URL, {"month": last_month.strftime("%Y-%m")})

    assert response.context["month"] == last_month.replace(day=1)
    assert response.context["columns"][0].new_ideas == 1
    assert response.context["next_month"] == _this_month_start()


@pytest.mark.parametrize("month", ["2999-01", "nonsense", "1999-12"])
def test_a_future_or_unreadable_month_shows_this_one(client, district_secretary, month):
    client.force_login(district_secretary)

    response = client.get(URL, {"month": month})

    assert response.context["month"] == _this_month_start()
    assert response.context["next_month"] is None


def test_the_column_offers_to_work_in_the_estate_it_shows(
    client, district_secretary, two_estates, english
):
    client.force_login(district_secretary)

    page = client.get(URL).content.decode()

    assert page.count('action="/estate/"') == 3  # the account menu's switcher, and a column each
    assert f'name="estate" value="{two_estates[1].pk}"' in page


# --- What it costs ----------------------------------------------------------------------


def _district_of(count: int, district) -> list:
    estates = []
    for n in range(count):
        estate, homes = _estate(f"小区{n}", district, households=3)
        person = UserFactory()
        MembershipFactory(user=person, household=homes[0], verified=True)
        idea = IdeaFactory(household=homes[0], author=person)
        TimelineEntry.objects.create(idea=idea, actor=person, public_reply="收到")
        announcement = Announcement.objects.create(
            community=estate, author=person, title="通知", body="……", audience=Audience.ESTATE
        )
        HouseholdReach.objects.create(announcement=announcement, household=homes[0], method="read")
        VolunteerFactory(user=person)
        ServiceEntryFactory(user=person)
        OwnersVote.objects.create(
            community=estate,
            title="表决",
            question="？",
            status="open",
            opens_at=timezone.now(),
            closes_at=timezone.now() + datetime.timedelta(days=3),
            created_by=person,
        )
        estates.append(estate)
    return estates


def _queries(client, user) -> list[str]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_it_costs_the_same_queries_for_two_estates_and_for_five(client, district):
    small_district = District.objects.create(name="城东社区")
    two = _district_of(2, small_district)
    five = _district_of(5, district)
    few = _queries(client, _granted(UserFactory(), Role.PARTY_BRANCH, *two))
    many = _queries(client, _granted(UserFactory(), Role.PARTY_BRANCH, *five))

    # Session, user, roles (grants, homes): 4; the Party branch has no queue badges. The
    # estates overseen: 1. Ideas, first replies, announcements, their reach (reached,
    # households per floor, buildings chosen), open votes, the ledgers' hours: 8.
    assert len(few) == len(many) == 4 + 1 + 8, "\n".join(many)


# --- The estate's own dashboards ----------------------------------------------------------


def test_the_dashboards_count_the_hours_of_the_estates_volunteers_only(client, two_estates):
    first, second = two_estates
    admin = _granted(UserFactory(), Role.COMMUNITY_ADMIN, first)
    for estate, hours in ((first, "3"), (second, "20")):
        volunteer = UserFactory()
        home = estate.buildings.get().households.first()
        MembershipFactory(user=volunteer, household=home, verified=True)
        VolunteerFactory(user=volunteer)
        ServiceEntryFactory(user=volunteer, hours=Decimal(hours))
    client.force_login(admin)
    today = timezone.localdate()

    tab = client.get(reverse("proposals:dashboard_community")).context["hours"]
    report = client.get(reverse("proposals:monthly_report", args=[today.year, today.month]))

    assert tab.total == tab.team["hours"] == Decimal("3")
    assert tab.team["volunteers"] == 1
    assert report.context["hours"].total == Decimal("3")


# --- Communities in the admin --------------------------------------------------------------


def test_superusers_group_estates_into_communities_in_the_admin(client, db):
    first, second, third = (_estate(name)[0] for name in ("碧海花园", "翠湖苑", "白云居"))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:covenant_district_add"),
        {"name": "碧海社区", "estates": [first.pk, second.pk]},
    )

    assert response.status_code == 302
    district = District.objects.get(name="碧海社区")
    assert set(district.estates.all()) == {first, second}
    listing = client.get(reverse("admin:covenant_district_changelist")).content.decode()
    assert "碧海社区" in listing
    client.post(
        reverse("admin:covenant_district_change", args=[district.pk]),
        {"name": "碧海社区", "estates": [second.pk, third.pk]},
    )
    assert set(district.estates.all()) == {second, third}
    first.refresh_from_db()
    assert first.district is None


def test_an_estates_admin_does_not_manage_communities(client, two_estates, district):
    admin = _granted(UserFactory(is_staff=True), Role.COMMUNITY_ADMIN, two_estates[0])
    client.force_login(admin)

    assert client.get(reverse("admin:covenant_district_changelist")).status_code == 403
    assert (
        client.get(reverse("admin:covenant_district_change", args=[district.pk])).status_code == 403
    )
