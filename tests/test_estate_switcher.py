"""The estate switcher: someone who belongs to several estates works in one at a time.

Their lists, queues, badges and form choices follow the estate they chose (covenant.rules
.listed_estates); residents of one estate never see the switcher.
"""

import re

import pytest
from django.urls import reverse

from covenant.models import Community, Membership, Role
from covenant.rules import listed_estates, listed_estates_where, roles_of
from tests.conftest import fresh
from tests.factories import (
    BuildingFactory,
    CommunityFactory,
    HouseholdFactory,
    MembershipFactory,
    RoleGrantFactory,
    UserFactory,
)

SWITCHER = 'action="/estate/"'


@pytest.fixture
def english(monkeypatch):
    monkeypatch.setattr("covenant.middleware.language_for", lambda request: "en")


@pytest.fixture
def second_estate(db):
    """翠湖苑, building 2, with one request waiting to be decided."""
    estate = CommunityFactory(name="翠湖苑")
    home = HouseholdFactory(building=BuildingFactory(community=estate, number=2), unit="601")
    MembershipFactory(user=UserFactory(name="翠湖新住户"), household=home)
    return estate


@pytest.fixture
def admin_of_both(admin_user, community, second_estate, join_request):
    """The admin of 碧海花园 (with the newcomer's request there) is admin of 翠湖苑 too."""
    RoleGrantFactory(user=admin_user, community=second_estate, role=Role.COMMUNITY_ADMIN)
    return admin_user


def _menu(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


# --- Who sees it ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["resident", "captain_3", "steward", "admin_user", "newcomer"])
def test_people_of_one_estate_never_see_the_switcher(client, persona, who, second_estate):
    assert SWITCHER not in _menu(client, persona(who))


def test_a_superuser_without_a_grant_sees_no_switcher(client, community, second_estate):
    superuser = UserFactory(is_staff=True, is_superuser=True)

    assert SWITCHER not in _menu(client, superuser)


def test_someone_in_two_estates_sees_both_the_first_by_name_current(client, admin_of_both, english):
    page = _menu(client, admin_of_both)

    assert "Working in" in page
    switcher = page[page.index(SWITCHER) : page.index("</form>", page.index(SWITCHER))]
    buttons = re.findall(r"<button[^>]*>(.*?)</button>", switcher, re.S)
    assert [re.sub(r"<[^>]+>|\s", "", button) for button in buttons] == ["碧海花园", "翠湖苑"]
    assert re.search(r'aria-current="true">\s*<svg[^>]*>.*?</svg>\s*碧海花园', switcher, re.S)


def test_a_verified_home_in_one_estate_and_a_role_in_another_make_two(
    client, resident, second_estate
):
    RoleGrantFactory(user=resident, community=second_estate, role=Role.PROPERTY_STAFF)

    assert SWITCHER in _menu(client, resident)
    assert [estate.name for estate in roles_of(fresh(resident)).estates] == ["碧海花园", "翠湖苑"]


# --- Choosing ---------------------------------------------------------------------------


def test_choosing_an_estate_remembers_it_and_returns_to_the_page(
    client, admin_of_both, second_estate
):
    client.force_login(admin_of_both)

    response = client.post(
        reverse("choose_estate"), {"estate": second_estate.pk, "next": "/memberships/queue/"}
    )

    assert response.status_code == 302
    assert response.url == "/memberships/queue/"
    admin_of_both.refresh_from_db()
    assert admin_of_both.working_estate == second_estate


def test_an_unsafe_next_goes_home_instead(client, admin_of_both, second_estate):
    client.force_login(admin_of_both)

    response = client.post(
        reverse("choose_estate"), {"estate": second_estate.pk, "next": "https://evil.example/"}
    )

    assert response.url == reverse("home")


def test_an_estate_one_does_not_belong_to_is_refused(client, resident, second_estate):
    client.force_login(resident)

    response = client.post(reverse("choose_estate"), {"estate": second_estate.pk})

    assert response.status_code == 403
    resident.refresh_from_db()
    assert resident.working_estate is None


def test_the_refusal_came_from_belonging(client, resident, second_estate):
    """The same request passes once the resident belongs to the estate."""
    RoleGrantFactory(user=resident, community=second_estate, role=Role.PARTY_BRANCH)
    client.force_login(resident)

    assert client.post(reverse("choose_estate"), {"estate": second_estate.pk}).status_code == 302


@pytest.mark.parametrize("estate", ["", "x", "999999"])
def test_no_such_estate_is_not_found(client, admin_of_both, estate):
    client.force_login(admin_of_both)

    assert client.post(reverse("choose_estate"), {"estate": estate}).status_code == 404


def test_visitors_are_sent_to_sign_in(client, second_estate):
    response = client.post(reverse("choose_estate"), {"estate": second_estate.pk})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_it_takes_only_a_post(client, admin_of_both):
    client.force_login(admin_of_both)

    assert client.get(reverse("choose_estate")).status_code == 405


# --- What follows it --------------------------------------------------------------------


def test_listed_estates_are_the_working_one_and_cost_no_query(
    admin_of_both, community, second_estate, django_assert_num_queries
):
    admin_of_both.working_estate = second_estate
    admin_of_both.save()
    user = fresh(admin_of_both)

    with django_assert_num_queries(2):  # the grants, the verified homes
        assert listed_estates(user) == {second_estate.pk}
        assert listed_estates_where(user, Role.COMMUNITY_ADMIN) == {second_estate.pk}
        assert roles_of(user).community_ids == {community.pk, second_estate.pk}


def test_without_a_choice_the_first_by_name_is_listed(admin_of_both, community):
    assert listed_estates(fresh(admin_of_both)) == {community.pk}  # 碧海花园 before 翠湖苑


def test_a_choice_one_no_longer_belongs_to_falls_back_to_the_first(
    resident, community, second_estate
):
    grant = RoleGrantFactory(user=resident, community=second_estate, role=Role.PROPERTY_STAFF)
    third = CommunityFactory(name="白云居")
    RoleGrantFactory(user=resident, community=third, role=Role.PROPERTY_STAFF)
    resident.working_estate = second_estate
    resident.save()
    assert listed_estates(fresh(resident)) == {second_estate.pk}

    grant.delete()

    assert listed_estates(fresh(resident)) == {third.pk}  # 白云居 is first by name


def test_one_estate_is_listed_as_before(resident, community):
    assert listed_estates(fresh(resident)) == {community.pk}


def test_the_verification_queue_and_its_badge_follow_the_working_estate(
    client, admin_of_both, second_estate, english
):
    client.force_login(admin_of_both)

    page = client.get(reverse("membership_queue"))
    assert [m.user.name for m in page.context["page"]] == ["新住户小陈"]
    assert page.context["membership_queue_count"] == 1

    client.post(reverse("choose_estate"), {"estate": second_estate.pk})
    page = client.get(reverse("membership_queue"))
    assert [m.user.name for m in page.context["page"]] == ["翠湖新住户"]
    home = client.get(reverse("home"))
    assert home.context["membership_queue_count"] == 1


def test_deciding_in_the_other_estate_still_works_from_a_link(
    client, admin_of_both, join_request, second_estate
):
    """Object permissions do not depend on the switcher: a mail's link opens."""
    admin_of_both.working_estate = second_estate
    admin_of_both.save()
    client.force_login(admin_of_both)

    response = client.post(reverse("membership_verify", args=[join_request.pk]))

    assert response.status_code == 302
    join_request.refresh_from_db()
    assert join_request.status == Membership.Status.VERIFIED


def test_the_join_form_names_the_estate_of_each_building_when_there_are_several(
    client, newcomer, building_3, second_estate, english
):
    client.force_login(newcomer)

    page = client.get(reverse("join_household")).content.decode()

    assert "碧海花园, building 3" in page
    assert "翠湖苑, building 2" in page


def test_with_one_estate_the_join_form_says_only_the_building(
    client, newcomer, building_3, english
):
    client.force_login(newcomer)

    page = client.get(reverse("join_household")).content.decode()

    assert ">Building 3<" in page
    assert Community.objects.count() == 1


def test_the_site_has_no_current_estate_any_more():
    """Every estate-owned row names its estate; nothing asks for "the site's estate"."""
    from covenant import selectors

    assert not hasattr(selectors, "current_community")
