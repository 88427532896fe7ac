"""A newcomer is told, on every page that turns them away, where their request stands."""

import pytest
from django.contrib import auth
from django.urls import reverse

from covenant import selectors
from tests.conftest import fresh
from tests.proposals.factories import IdeaFactory


def _in_english(client):
    """The signed-in user chose English (their saved choice outranks the cookie)."""
    user = auth.get_user(client)
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])


@pytest.fixture
def idea(resident, unit_3_1201):
    return IdeaFactory(author=resident, household=unit_3_1201)


def test_a_waiting_newcomer_opening_an_idea_is_told_whom_they_wait_for(
    client, join_request, captain_3, idea
):
    client.force_login(join_request.user)
    _in_english(client)
    response = client.get(reverse("proposals:idea_detail", args=[idea.pk]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "is waiting for captain 三栋楼长老张 to confirm it" in page
    assert "1201" in page
    assert reverse("my_memberships") in page
    assert "another role" not in page


def test_the_waiting_state_speaks_chinese_by_default(client, join_request, captain_3, idea):
    client.force_login(join_request.user)
    page = client.get(reverse("proposals:idea_detail", args=[idea.pk])).content.decode()
    assert "三栋楼长老张" in page
    assert "other role" not in page


def test_a_newcomer_who_never_asked_is_shown_the_way_to_ask(client, newcomer, idea):
    client.force_login(newcomer)
    _in_english(client)
    response = client.get(reverse("proposals:idea_detail", args=[idea.pk]))
    assert response.status_code == 403
    page = response.content.decode()
    assert reverse("join_household") in page
    assert "another role" not in page


def test_someone_with_a_role_still_gets_the_wording_for_roles(client, steward):
    # A steward is refused for a reason the waiting state does not explain.
    client.force_login(steward)
    _in_english(client)
    response = client.get(reverse("membership_queue"))
    assert response.status_code == 403
    assert "newcomer-state" not in response.content.decode()


def test_the_volunteers_page_shows_the_waiting_request_not_join_first(
    client, join_request, captain_3
):
    client.force_login(join_request.user)
    _in_english(client)
    page = client.get(reverse("volunteers:index")).content.decode()
    assert "is waiting for captain 三栋楼长老张" in page
    assert "Join your household first" not in page


def test_the_volunteers_page_still_invites_a_newcomer_without_a_request(client, newcomer):
    client.force_login(newcomer)
    _in_english(client)
    page = client.get(reverse("volunteers:index")).content.decode()
    assert reverse("join_household") in page


def test_newcomer_state_is_none_for_a_verified_resident_and_a_role_holder(
    resident, steward, captain_3, db
):
    for user in (resident, steward, captain_3):
        assert selectors.newcomer_state_of(user=fresh(user)) is None


def test_newcomer_state_names_the_newest_waiting_request(join_request, captain_3):
    state = selectors.newcomer_state_of(user=fresh(join_request.user))
    assert state.request == join_request
    assert state.captains == [captain_3]


def test_newcomer_state_costs_at_most_two_queries(
    join_request, captain_3, django_assert_max_num_queries
):
    user = fresh(join_request.user)
    selectors.newcomer_state_of(user=user)  # roles_of is cached on the user after this
    with django_assert_max_num_queries(2):
        selectors.newcomer_state_of(user=user)


def test_my_requests_page_names_the_captain_who_will_confirm(client, join_request, captain_3):
    client.force_login(join_request.user)
    _in_english(client)
    page = client.get(reverse("my_memberships")).content.decode()
    assert "三栋楼长老张" in page


def test_my_requests_page_of_a_verified_resident_names_no_waiting_state(client, resident):
    client.force_login(resident)
    page = client.get(reverse("my_memberships")).content.decode()
    assert "newcomer-state" not in page
