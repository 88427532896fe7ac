"""Announcements and their reach stay inside their estate.

Two estates, 甲小区 (A, made first: "the first estate") and 乙小区 (B), each with a
verified resident and every role holder. A's announcements are made with the ORM, so
these tests do not depend on how publishing chooses the estate; the publishing tests
go through the page and the service.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from PIL import Image

from covenant.models import Membership, Role
from notices import selectors, services
from notices.attachments import attach
from notices.models import Announcement, Audience, HouseholdReach, Notification
from tests.conftest import fresh
from tests.factories import (
    BuildingFactory,
    CommunityFactory,
    HouseholdFactory,
    MembershipFactory,
    RoleGrantFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("notices:announcement_list")
NEW = reverse("notices:announcement_create")
ESTATE_COVERAGE = reverse("notices:estate_coverage")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# The people of an estate, by the attribute that holds them.
PEOPLE = ["resident", "captain", "staff", "party", "admin"]


class Estate:
    """An estate of two buildings and three households (building 1: 301 and 401;
    building 2: 501), a verified resident in 301, and every role holder."""

    def __init__(self, name: str):
        self.community = CommunityFactory(name=name)
        self.building = BuildingFactory(community=self.community, number=1)
        self.building_2 = BuildingFactory(community=self.community, number=2)
        self.home = HouseholdFactory(building=self.building, floor=3, unit="301")
        self.spare = HouseholdFactory(building=self.building, floor=4, unit="401")
        self.far = HouseholdFactory(building=self.building_2, floor=5, unit="501")
        self.resident = UserFactory()
        MembershipFactory(user=self.resident, household=self.home, verified=True)
        self.captain = self.holder(Role.CAPTAIN, building=self.building)
        self.staff = self.holder(Role.PROPERTY_STAFF)
        self.party = self.holder(Role.PARTY_BRANCH)
        self.admin = self.holder(Role.COMMUNITY_ADMIN)

    def holder(self, role, user=None, **fields):
        user = user or UserFactory()
        RoleGrantFactory(user=user, community=self.community, role=role, **fields)
        return user

    def tenant(self, user, household=None):
        MembershipFactory(
            user=user,
            household=household or self.spare,
            relation=Membership.Relation.TENANT,
            verified=True,
        )
        return user

    def announce(self, title, *, author, audience=Audience.ESTATE, buildings=(), **fields):
        announcement = Announcement.objects.create(
            community=self.community,
            author=author,
            title=title,
            body=f"{title}：详见物业公告栏。",
            audience=audience,
            **fields,
        )
        announcement.buildings.set(buildings)
        return announcement


@pytest.fixture
def a():
    return Estate("甲小区")


@pytest.fixture
def b(a):
    return Estate("乙小区")


@pytest.fixture
def walls(a, b):
    """A's announcements of every kind, and one of B to the whole estate."""
    soon = timezone.now() + datetime.timedelta(days=2)
    return {
        "estate": a.announce("甲小区停水通知", author=a.staff),
        "building": a.announce(
            "甲1栋电梯检修通知",
            author=a.captain,
            audience=Audience.BUILDINGS,
            buildings=[a.building],
        ),
        "public": a.announce("甲小区开放日", author=a.admin, audience=Audience.PUBLIC),
        "scheduled": a.announce("甲小区消防演练通知", author=a.staff, publish_at=soon),
        "withdrawn": a.announce(
            "甲小区错发通知",
            author=a.staff,
            withdrawn_at=timezone.now(),
            withdrawn_by=a.staff,
            withdrawal_reason="发错了",
        ),
        "b_estate": b.announce("乙小区停电通知", author=b.staff),
    }


def detail(announcement):
    return reverse("notices:announcement_detail", args=[announcement.pk])


def print_url(announcement):
    return reverse("notices:announcement_print", args=[announcement.pk])


def titles(response) -> set[str]:
    return {announcement.title for announcement in response.context["page"]}


def _form(**overrides):
    data = {"title": "停电通知", "body": "周五停电。", "audience": "estate", "publish_at": ""}
    data.update(overrides)
    return data


# --- Reading: pages, print views, files, lists, search -----------------------------------


@pytest.mark.parametrize("who", PEOPLE)
def test_people_of_estate_b_cannot_open_estate_as_announcements(client, walls, b, who):
    client.force_login(getattr(b, who))
    for kind in ("estate", "building", "scheduled"):
        assert client.get(detail(walls[kind])).status_code == 403, kind
        assert client.get(print_url(walls[kind])).status_code == 403, kind
    # A withdrawn one tells its own audience why; for anyone else it is not there.
    assert client.get(detail(walls["withdrawn"])).status_code == 404
    assert client.get(detail(walls["b_estate"])).status_code == 200


@pytest.mark.parametrize("who", PEOPLE)
def test_the_read_permission_of_b_people_agrees_with_what_they_may_open(walls, b, who):
    user = fresh(getattr(b, who))
    readable = set(
        selectors.announcements_visible_to(
            user, include_expired=True, include_scheduled=True
        ).values_list("title", flat=True)
    )
    assert readable == {"甲小区开放日", "乙小区停电通知"}
    for kind in ("estate", "building", "scheduled"):
        assert not fresh(user).has_perm("notices.read_announcement", walls[kind]), kind


@pytest.mark.parametrize("who", PEOPLE)
def test_b_lists_and_search_show_only_bs_announcements(client, walls, b, who):
    client.force_login(getattr(b, who))
    assert titles(client.get(LIST)) == {"乙小区停电通知"}
    assert titles(client.get(LIST, {"q": "通知"})) == {"乙小区停电通知"}
    # A's public announcement is readable by anyone, but it is A's news, not B's.
    assert titles(client.get(LIST, {"q": "开放日"})) == set()
    assert client.get(detail(walls["public"])).status_code == 200


def test_visitors_read_the_public_announcements_of_every_estate(client, walls, b):
    public_b = b.announce("乙小区开放日", author=b.admin, audience=Audience.PUBLIC)
    response = client.get(LIST)
    assert titles(response) == {"甲小区开放日", "乙小区开放日"}
    # Nothing says whose they are otherwise: the list names the estate.
    assert f"· {b.community.name} ·" in response.content.decode()
    assert client.get(detail(public_b)).status_code == 200
    assert client.get(detail(walls["estate"])).status_code == 302


def test_a_scheduled_one_is_seen_by_its_estates_admins_and_its_author_only(client, walls, a, b):
    scheduled = walls["scheduled"]
    for allowed in (a.admin, a.staff):  # a.staff wrote it
        client.force_login(allowed)
        assert client.get(detail(scheduled)).status_code == 200
    for refused in (b.admin, a.party, a.resident):
        client.force_login(refused)
        assert client.get(detail(scheduled)).status_code == 403


def test_an_admin_of_a_living_in_b_reads_bs_whole_estate_news_only(client, walls, a, b):
    admin = b.tenant(a.admin)
    b_scheduled = b.announce(
        "乙小区下月通知", author=b.staff, publish_at=timezone.now() + datetime.timedelta(days=3)
    )
    b_building_2 = b.announce(
        "乙2栋通知", author=b.staff, audience=Audience.BUILDINGS, buildings=[b.building_2]
    )
    client.force_login(admin)
    listed = titles(client.get(LIST))
    # Living in both, the admin works in one at a time: 甲小区 first, where they administer.
    assert "甲小区消防演练通知" in listed and "乙小区停电通知" not in listed
    client.post(reverse("choose_estate"), {"estate": b.community.pk})
    listed = titles(client.get(LIST))
    assert "乙小区停电通知" in listed and "甲小区消防演练通知" not in listed
    assert not {"乙小区下月通知", "乙2栋通知"} & listed
    assert client.get(detail(b_scheduled)).status_code == 403
    assert client.get(detail(b_building_2)).status_code == 403


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "quarantine": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "quarantine", "base_url": None},
        },
    }


@pytest.fixture
def with_files(_media, walls, django_capture_on_commit_callbacks):
    """A's whole-estate announcement with a PDF and a processed photo."""
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "blue").save(buffer, format="PNG")
    with django_capture_on_commit_callbacks(execute=True):
        attach(
            announcement=walls["estate"],
            pdfs=[SimpleUploadedFile("停水通知.pdf", PDF, "application/pdf")],
            images=[SimpleUploadedFile("停水.png", buffer.getvalue(), "image/png")],
        )
    return [
        reverse("notices:attachment", args=[walls["estate"].pk, attachment.pk])
        for attachment in walls["estate"].attachments.order_by("kind")
    ]


@pytest.mark.parametrize("who", PEOPLE)
def test_estate_as_private_files_are_closed_to_b_people(client, with_files, a, b, who):
    client.force_login(getattr(b, who))
    for url in with_files:
        assert client.get(url).status_code == 403, url
    client.force_login(a.resident)
    for url in with_files:
        assert client.get(url).status_code == 200, url


# --- Publishing: in an estate chosen explicitly ------------------------------------------


def test_a_steward_of_b_publishing_to_the_whole_estate_publishes_in_b(client, a, b):
    client.force_login(b.staff)
    response = client.post(NEW, _form(title="乙小区停水通知"))
    announcement = Announcement.objects.get()
    assert response.status_code == 302
    assert announcement.community == b.community
    told = set(Notification.objects.values_list("recipient", flat=True))
    assert b.resident.pk in told
    assert not told & {a.resident.pk, a.captain.pk, a.staff.pk, a.admin.pk}
    edit = reverse("notices:announcement_edit", args=[announcement.pk])
    assert client.get(edit).status_code == 200


def test_the_service_refuses_an_estate_where_the_author_may_not_publish(a, b):
    with pytest.raises(PermissionDenied):
        services.publish(author=b.staff, community=a.community, title="t", body="b")
    with pytest.raises(PermissionDenied):
        services.publish(
            author=b.captain,
            community=a.community,
            title="t",
            body="b",
            audience=Audience.BUILDINGS,
            buildings=[a.building],
        )
    assert not Announcement.objects.exists()


def test_the_service_refuses_buildings_of_another_estate(a, b):
    both = a.holder(Role.PROPERTY_STAFF, user=b.holder(Role.PROPERTY_STAFF))
    with pytest.raises(ValidationError):
        services.publish(
            author=both,
            community=a.community,
            title="t",
            body="b",
            audience=Audience.BUILDINGS,
            buildings=[a.building, b.building],
        )
    assert not Announcement.objects.exists()


def test_the_estate_is_a_required_argument(a):
    with pytest.raises(TypeError):
        services.publish(author=a.staff, title="t", body="b")


@pytest.fixture
def steward_of_both(a, b):
    return a.holder(Role.PROPERTY_STAFF, user=b.holder(Role.PROPERTY_STAFF))


def test_the_form_offers_the_estates_where_the_user_publishes_and_that_estates_buildings(
    client, a, b, steward_of_both
):
    client.force_login(steward_of_both)
    response = client.get(NEW)
    assert [estate.name for estate in response.context["estates"]] == ["乙小区", "甲小区"]
    html = response.content.decode()
    assert f"?estate={a.community.pk}" in html and f"?estate={b.community.pk}" in html
    response = client.get(NEW, {"estate": a.community.pk})
    form = response.context["form"]
    assert set(form.fields["buildings"].queryset) == {a.building, a.building_2}
    assert list(form.fields["other_estates"].queryset) == [b.community]


def test_a_captain_in_a_who_is_staff_in_b_writes_to_their_building_in_a_only(client, a, b):
    user = b.holder(Role.PROPERTY_STAFF, user=a.captain)
    client.force_login(user)
    form = client.get(NEW, {"estate": a.community.pk}).context["form"]
    assert [value for value, _label in form.fields["audience"].choices] == [Audience.BUILDINGS]
    assert list(form.fields["buildings"].queryset) == [a.building]
    assert "other_estates" not in form.fields  # not estate-wide in A
    form = client.get(NEW, {"estate": b.community.pk}).context["form"]
    assert set(form.fields["buildings"].queryset) == {b.building, b.building_2}
    assert "other_estates" not in form.fields  # estate-wide nowhere else
    response = client.post(NEW, _form(estate=a.community.pk))
    assert "audience" in response.context["form"].errors
    assert not Announcement.objects.exists()


def test_a_building_of_another_estate_is_not_a_choice(client, a, b, steward_of_both):
    client.force_login(steward_of_both)
    response = client.post(
        NEW, _form(estate=a.community.pk, audience="buildings", buildings=[b.building.pk])
    )
    assert response.status_code == 200
    assert "buildings" in response.context["form"].errors
    assert not Announcement.objects.exists()


def test_an_estate_where_the_user_may_not_publish_is_not_a_choice(client, a, b):
    client.force_login(b.staff)
    response = client.post(NEW, _form(estate=a.community.pk))
    assert response.status_code == 200
    assert "estate" in response.context["form"].errors
    assert not Announcement.objects.exists()


def test_residents_of_a_living_without_a_role_may_not_publish(client, a, b):
    client.force_login(a.resident)
    assert client.get(NEW).status_code == 403


# --- Publishing in several estates at once -----------------------------------------------


def test_one_announcement_per_estate_ticked_each_on_its_own_wall(client, a, b, steward_of_both):
    b_extra = HouseholdFactory(building=b.building_2, floor=6, unit="601")
    client.force_login(steward_of_both)
    response = client.post(
        NEW, _form(title="两小区停水通知", estate=a.community.pk, other_estates=[b.community.pk])
    )
    in_a = Announcement.objects.get(community=a.community)
    in_b = Announcement.objects.get(community=b.community)
    assert response.status_code == 302
    assert response["Location"] == in_a.get_absolute_url()
    with translation.override("zh-hans"):  # the site's language, as the page's
        said = gettext("Published in %(count)s estates, one announcement each.") % {"count": 2}
    assert [str(m) for m in get_messages(response.wsgi_request)] == [said]
    assert in_a.title == in_b.title == "两小区停水通知"

    def told(announcement):
        return set(
            Notification.objects.filter(target_id=announcement.pk).values_list(
                "recipient", flat=True
            )
        )

    assert a.resident.pk in told(in_a) and b.resident.pk not in told(in_a)
    assert b.resident.pk in told(in_b) and a.resident.pk not in told(in_b)
    assert selectors.coverage(in_a)["total"] == 3
    assert selectors.coverage(in_b)["total"] == 4
    client.force_login(a.resident)
    client.get(detail(in_a))
    assert client.get(detail(in_b)).status_code == 403
    assert list(HouseholdReach.objects.values_list("announcement", "household")) == [
        (in_a.pk, a.home.pk)
    ]
    assert b_extra.pk in set(selectors.audience_households(in_b).values_list("pk", flat=True))


def test_several_estates_are_for_whole_estate_or_public_audiences_only(
    client, a, b, steward_of_both
):
    client.force_login(steward_of_both)
    response = client.post(
        NEW,
        _form(
            estate=a.community.pk,
            other_estates=[b.community.pk],
            audience="buildings",
            buildings=[a.building.pk],
        ),
    )
    assert "other_estates" in response.context["form"].errors
    assert not Announcement.objects.exists()


def test_several_estates_are_published_all_or_none(a, b):
    with pytest.raises(PermissionDenied):
        services.publish_in_estates(
            author=a.staff, communities=[a.community, b.community], title="t", body="b"
        )
    assert not Announcement.objects.exists()
    assert not Notification.objects.exists()


# --- Reach and coverage ---------------------------------------------------------------------


def test_reading_a_public_one_of_a_does_not_reach_a_household_of_b(client, walls, a, b):
    client.force_login(b.resident)
    assert client.get(detail(walls["public"])).status_code == 200
    assert not HouseholdReach.objects.exists()
    client.force_login(a.resident)
    client.get(detail(walls["public"]))
    assert list(HouseholdReach.objects.values_list("household", flat=True)) == [a.home.pk]
    client.force_login(a.admin)
    (row,) = [
        item
        for item in client.get(ESTATE_COVERAGE).context["page"]
        if item.pk == walls["public"].pk
    ]
    assert (row.reached, row.total) == (1, 3)


def test_someone_with_a_home_in_each_estate_reaches_only_the_announcements_estate(walls, a, b):
    both = b.tenant(a.tenant(UserFactory()))
    services.record_reading(user=fresh(both), announcement=walls["estate"])
    assert list(HouseholdReach.objects.values_list("household", flat=True)) == [a.spare.pk]


def test_a_captain_cannot_tick_a_household_of_another_estate(walls, a, b):
    with pytest.raises(ValidationError):
        services.mark_reached(
            actor=a.captain, announcement=walls["estate"], household=b.home, method="in_person"
        )
    assert not HouseholdReach.objects.exists()


def test_estate_coverage_lists_only_the_estates_the_admin_administers(client, walls, a, b):
    admin = b.tenant(a.admin)
    client.force_login(admin)
    client.post(reverse("choose_estate"), {"estate": a.community.pk})
    listed = titles(client.get(ESTATE_COVERAGE))
    assert "甲小区停水通知" in listed
    assert "乙小区停电通知" not in listed  # B's news reaches them, B's coverage is not theirs
    client.post(reverse("choose_estate"), {"estate": b.community.pk})
    assert not titles(client.get(ESTATE_COVERAGE))  # working in B, they administer nothing


def test_coverage_of_two_estates_counts_each_estates_households(client, walls, a, b):
    HouseholdFactory(building=b.building_2, floor=6, unit="601")
    admin = b.holder(Role.COMMUNITY_ADMIN, user=a.admin)
    client.force_login(admin)
    totals = {}
    for estate in (a, b):  # the admin of both works in one at a time
        client.post(reverse("choose_estate"), {"estate": estate.community.pk})
        response = client.get(ESTATE_COVERAGE)
        totals.update((item.title, item.total) for item in response.context["page"])
    assert totals["甲小区停水通知"] == 3
    assert totals["乙小区停电通知"] == 4


def test_an_announcements_coverage_is_for_its_own_estates_admins(client, walls, a, b):
    url = reverse("notices:coverage", args=[walls["estate"].pk])
    client.force_login(b.tenant(b.admin, household=b.far))
    assert client.get(url).status_code == 403
    client.force_login(a.tenant(b.admin, household=a.far))  # now lives in A too
    assert client.get(url).status_code == 403
    client.force_login(a.admin)
    assert client.get(url).status_code == 200


# --- The door-knock list ------------------------------------------------------------------


@pytest.fixture
def b_captain_living_in_a(a, b):
    return a.tenant(b.captain)


def test_a_captain_of_b_knocks_no_doors_for_as_announcements(
    client, walls, b, b_captain_living_in_a
):
    client.force_login(b_captain_living_in_a)
    announcement = walls["estate"]
    assert client.get(detail(announcement)).status_code == 200  # they live in A
    assert client.get(reverse("notices:door_knock", args=[announcement.pk])).status_code == 403
    mark = reverse("notices:mark_household", args=[announcement.pk, b.home.pk])
    assert client.post(mark, {"method": "in_person"}).status_code == 403
    assert not HouseholdReach.objects.filter(household=b.home).exists()
    assert not client.get(detail(announcement)).context["can_knock"]


def test_the_captains_next_door_knocks_are_of_their_buildings_estate(
    walls, b, b_captain_living_in_a
):
    rows = selectors.unreached_in_building(user=fresh(b_captain_living_in_a), building=b.building)
    assert [row.announcement.title for row in rows] == ["乙小区停电通知"]


def test_the_door_knock_list_shows_the_captains_buildings_of_that_estate_only(client, walls, a, b):
    captain = a.holder(Role.CAPTAIN, user=b.captain, building=a.building)
    client.force_login(captain)
    response = client.get(reverse("notices:door_knock", args=[walls["estate"].pk]))
    assert [row["building_id"] for row in response.context["buildings"]] == [a.building.pk]
    assert {household.building_id for household in response.context["page"]} == {a.building.pk}


# --- Editing, withdrawing --------------------------------------------------------------------


def test_an_admin_of_a_living_in_b_may_not_edit_or_withdraw_bs_announcements(client, walls, a, b):
    admin = b.tenant(a.admin)
    client.force_login(admin)
    announcement = walls["b_estate"]
    assert client.get(detail(announcement)).status_code == 200
    edit = reverse("notices:announcement_edit", args=[announcement.pk])
    withdraw = reverse("notices:announcement_withdraw", args=[announcement.pk])
    assert client.get(edit).status_code == 403
    assert client.post(withdraw, {"reason": "不对"}).status_code == 403
    announcement.refresh_from_db()
    assert not announcement.is_withdrawn


# --- Notifications ------------------------------------------------------------------------


def test_the_notified_audience_is_the_announcements_estates(walls, a, b):
    # A tenant of 401 (building 1) in A who is property staff in B.
    both = b.holder(Role.PROPERTY_STAFF, user=a.tenant(UserFactory()))
    everyone_of_a = {a.resident, a.captain, a.staff, a.party, a.admin, both}
    assert set(selectors.audience_users(walls["estate"])) == everyone_of_a
    assert set(selectors.audience_users(walls["building"])) == {a.resident, a.captain, both}
    services.notify_audience(announcement_id=walls["estate"].pk)
    told = set(Notification.objects.values_list("recipient", flat=True))
    assert told == {user.pk for user in everyone_of_a} - {a.staff.pk}  # not its author


def test_a_join_request_in_b_is_told_to_bs_admins_and_captains_only(
    a, b, django_capture_on_commit_callbacks
):
    from covenant import services as covenant_services

    newcomer = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        covenant_services.request_membership(user=newcomer, household=b.spare, relation="owner")
    told = set(Notification.objects.values_list("recipient", flat=True))
    assert told == {b.admin.pk, b.captain.pk}


# --- Query counts ---------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", [LIST, ESTATE_COVERAGE])
def test_the_pages_of_an_admin_of_two_estates_cost_the_same_with_more_announcements(
    client, a, b, url
):
    admin = b.holder(Role.COMMUNITY_ADMIN, user=a.tenant(a.admin))
    client.force_login(admin)
    for estate in (a, b):
        estate.announce("通知", author=estate.staff)
    small = _count(client, url)
    for estate in (a, b):
        for number in range(15):
            estate.announce(
                f"通知{number}",
                author=estate.staff,
                audience=Audience.BUILDINGS,
                buildings=[estate.building],
            )
    assert _count(client, url) == small


# --- The demo ---------------------------------------------------------------------------------


def test_the_demo_puts_its_announcements_in_the_estate_it_seeds(settings):
    from covenant.demo import COMMUNITY_NAME

    # Another estate made first (bench_ideas' on the same database), with a building 3.
    bench = CommunityFactory(name="基准测试小区")
    BuildingFactory(community=bench, number=3)
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    assert not Announcement.objects.filter(community=bench).exists()
    demo = Announcement.objects.filter(community__name=COMMUNITY_NAME)
    assert demo.count() == 5
    assert set(
        Announcement.buildings.through.objects.values_list("building__community", flat=True)
    ) == {demo.first().community_id}
