"""Joining a household and the captain's verification queue."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from covenant.models import Membership, MembershipEvent
from tests.factories import HouseholdFactory, MembershipFactory, UserFactory

JOIN = reverse("join_household")
QUEUE = reverse("membership_queue")
MINE = reverse("my_memberships")


def verify_url(membership):
    return reverse("membership_verify", args=[membership.pk])


def reject_url(membership):
    return reverse("membership_reject", args=[membership.pk])


def detail_url(membership):
    return reverse("membership_detail", args=[membership.pk])


def _count_queries(client, user, url):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return queries


# --- Asking to join ---------------------------------------------------------------


def test_join_page_sends_visitors_to_sign_in(client, db):
    response = client.get(JOIN)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_join_page_narrows_floors_to_the_chosen_building(
    client, newcomer, unit_3_1201, unit_5_0802
):
    client.force_login(newcomer)
    response = client.post(JOIN, {"building": unit_3_1201.building_id, "step": "next"})
    assert response.status_code == 200
    floors = [value for value, _label in response.context["form"].fields["floor"].choices if value]
    assert floors == [12]


def test_join_page_lists_the_units_of_the_chosen_floor(client, newcomer, unit_3_1201, building_3):
    HouseholdFactory(building=building_3, floor=12, unit="1202")
    HouseholdFactory(building=building_3, floor=11, unit="1101")
    client.force_login(newcomer)
    response = client.post(JOIN, {"building": building_3.pk, "floor": 12, "step": "next"})
    units = [household.unit for household in response.context["form"].fields["household"].queryset]
    assert units == ["1201", "1202"]


def test_an_htmx_step_returns_only_the_choices_fragment(client, newcomer, unit_3_1201):
    client.force_login(newcomer)
    response = client.post(
        JOIN,
        {"building": unit_3_1201.building_id, "step": "next"},
        headers={"HX-Request": "true", "HX-Target": "join-choices"},
    )
    html = response.content.decode()
    assert 'id="join-choices"' in html
    assert "<html" not in html


def test_a_signed_in_user_asks_to_join_a_household(client, newcomer, unit_3_1201):
    client.force_login(newcomer)
    response = client.post(
        JOIN,
        {
            "building": unit_3_1201.building_id,
            "floor": 12,
            "household": unit_3_1201.pk,
            "relation": "owner",
            "message": "五月搬进来的",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == MINE
    membership = Membership.objects.get(user=newcomer)
    assert membership.status == Membership.Status.REQUESTED
    assert membership.message == "五月搬进来的"
    assert list(membership.events.values_list("to_status", flat=True)) == ["requested"]


def test_asking_twice_for_the_same_household_is_refused_and_keeps_the_form(
    client, join_request, newcomer, unit_3_1201
):
    client.force_login(newcomer)
    data = {
        "building": unit_3_1201.building_id,
        "floor": 12,
        "household": unit_3_1201.pk,
        "relation": "tenant",
        "message": "再试一次",
    }
    response = client.post(JOIN, data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "再试一次" in response.content.decode()
    assert Membership.objects.filter(user=newcomer).count() == 1


def test_a_unit_from_another_floor_is_refused(client, newcomer, unit_3_1201, building_3):
    other = HouseholdFactory(building=building_3, floor=11, unit="1101")
    client.force_login(newcomer)
    response = client.post(
        JOIN,
        {"building": building_3.pk, "floor": 12, "household": other.pk, "relation": "owner"},
    )
    assert response.status_code == 200
    assert "household" in response.context["form"].errors
    assert not Membership.objects.filter(user=newcomer).exists()


def test_after_a_rejection_the_user_may_ask_again(client, newcomer, unit_3_1201):
    MembershipFactory(
        user=newcomer,
        household=unit_3_1201,
        rejected=True,
        rejection_reason="请带房产证",
    )
    client.force_login(newcomer)
    client.post(
        JOIN,
        {
            "building": unit_3_1201.building_id,
            "floor": 12,
            "household": unit_3_1201.pk,
            "relation": "owner",
        },
    )
    assert Membership.objects.filter(user=newcomer, status="requested").count() == 1


# --- The user's own memberships ------------------------------------------------------


def test_a_new_user_sees_how_to_join(client, newcomer):
    client.force_login(newcomer)
    response = client.get(MINE)
    assert response.status_code == 200
    assert reverse("join_household") in response.content.decode()
    assert response.context["memberships"] == []


def test_a_waiting_user_sees_the_awaiting_verification_state_at_home(
    client, join_request, newcomer
):
    client.force_login(newcomer)
    response = client.get(reverse("home"))
    assert response.context["awaiting"] == [(join_request, [])]
    assert "1201" in response.content.decode()


def test_the_outcome_is_shown_once_on_the_next_visit(client, join_request, newcomer, captain_3):
    client.force_login(captain_3)
    client.post(verify_url(join_request))
    client.force_login(newcomer)
    first = client.get(reverse("home"))
    assert first.context["unseen_outcomes"] == [join_request]
    second = client.get(reverse("home"))
    assert second.context["unseen_outcomes"] == []
    join_request.refresh_from_db()
    assert join_request.outcome_seen_at is not None


def test_a_rejected_user_sees_the_reason(client, join_request, newcomer, captain_3):
    client.force_login(captain_3)
    client.post(reject_url(join_request), {"reason": "请先到物业登记"})
    client.force_login(newcomer)
    assert "请先到物业登记" in client.get(reverse("home")).content.decode()


def test_the_owner_withdraws_a_pending_request(client, join_request, newcomer):
    client.force_login(newcomer)
    response = client.post(reverse("membership_withdraw", args=[join_request.pk]))
    assert response.status_code == 302
    join_request.refresh_from_db()
    assert join_request.status == Membership.Status.WITHDRAWN


def test_nobody_else_withdraws_a_request(client, join_request, captain_3):
    client.force_login(captain_3)
    response = client.post(reverse("membership_withdraw", args=[join_request.pk]))
    assert response.status_code == 403
    join_request.refresh_from_db()
    assert join_request.status == Membership.Status.REQUESTED


# --- The captain's queue ------------------------------------------------------------


def test_the_queue_sends_visitors_to_sign_in(client, db):
    response = client.get(QUEUE)
    assert response.status_code == 302


@pytest.mark.parametrize("name", ["newcomer", "resident", "steward", "party_member"])
def test_the_queue_is_refused_to_those_who_decide_nothing(client, persona, name):
    client.force_login(persona(name))
    assert client.get(QUEUE).status_code == 403


def test_a_captain_sees_requests_from_their_building(client, join_request, captain_3):
    client.force_login(captain_3)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert list(response.context["page"]) == [join_request]
    assert "新住户小陈" in response.content.decode()


def test_a_captain_of_another_building_sees_nothing_of_it(client, join_request, captain_5):
    client.force_login(captain_5)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert "新住户小陈" not in response.content.decode()


def test_an_admin_sees_every_request(client, join_request, admin_user, unit_5_0802):
    other = MembershipFactory(household=unit_5_0802)
    client.force_login(admin_user)
    assert set(client.get(QUEUE).context["page"]) == {join_request, other}


def test_the_queue_is_paginated(client, captain_3, building_3, settings):
    settings.MEMBERSHIP_QUEUE_PAGE_SIZE = 2
    for number in range(5):
        MembershipFactory(
            household=HouseholdFactory(building=building_3, floor=4, unit=f"04{number:02d}")
        )
    client.force_login(captain_3)
    response = client.get(QUEUE, {"page": 3})
    assert response.context["page"].number == 3
    assert len(response.context["page"]) == 1


@pytest.mark.parametrize("requests", [2, 15])
def test_the_queue_query_count_does_not_grow_with_requests(client, captain_3, building_3, requests):
    for number in range(requests):
        MembershipFactory(
            household=HouseholdFactory(building=building_3, floor=5, unit=f"05{number:02d}")
        )
    queries = _count_queries(client, captain_3, QUEUE)
    # 1. session  2. user  3. role grants  4. verified memberships' estates
    # 5. the paginator's count, which the navigation badge shows too
    # 6. the page of requests, with their users and households joined
    # 7. the moderation queue's count for its navigation badge
    assert len(queries) == 7, "\n".join(query["sql"] for query in queries)


# --- Deciding -------------------------------------------------------------------------


def test_a_captain_verifies_a_request_from_their_building(client, join_request, captain_3):
    client.force_login(captain_3)
    response = client.post(verify_url(join_request))
    assert response.status_code == 302
    join_request.refresh_from_db()
    assert join_request.status == Membership.Status.VERIFIED
    assert join_request.decided_by == captain_3
    assert join_request.decided_at is not None
    event = join_request.events.last()
    assert (event.from_status, event.to_status, event.actor) == ("requested", "verified", captain_3)


def test_a_captain_of_another_building_cannot_verify_it(client, join_request, captain_5, captain_3):
    client.force_login(captain_5)
    assert client.post(verify_url(join_request)).status_code == 403
    join_request.refresh_from_db()
    assert join_request.status == Membership.Status.REQUESTED
    # The same request from the building's own captain goes through: the refusal was
    # about permission, not about the request.
    client.force_login(captain_3)
    client.post(verify_url(join_request))
    join_request.refresh_from_db()
    assert join_request.status == Membership.Status.VERIFIED


def test_a_captain_of_another_building_cannot_open_the_request(client, join_request, captain_5):
    client.force_login(captain_5)
    assert client.get(detail_url(join_request)).status_code == 403


@pytest.mark.parametrize("name", ["newcomer", "resident", "steward", "party_member"])
def test_only_captains_and_admins_decide(client, join_request, persona, name):
    client.force_login(persona(name))
    assert client.post(verify_url(join_request)).status_code == 403
    assert client.post(reject_url(join_request), {"reason": "x"}).status_code == 403
    join_request.refresh_from_db()
    assert join_request.status == Membership.Status.REQUESTED


def test_a_visitor_deciding_is_sent_to_sign_in(client, join_request):
    response = client.post(verify_url(join_request))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_verifying_needs_a_post(client, join_request, captain_3):
    client.force_login(captain_3)
    assert client.get(verify_url(join_request)).status_code == 405


def test_an_admin_verifies_in_any_building(client, admin_user, unit_5_0802):
    membership = MembershipFactory(household=unit_5_0802)
    client.force_login(admin_user)
    client.post(verify_url(membership))
    membership.refresh_from_db()
    assert membership.status == Membership.Status.VERIFIED


def test_a_decided_request_is_not_decided_again(client, join_request, captain_3, admin_user):
    client.force_login(captain_3)
    client.post(verify_url(join_request))
    client.force_login(admin_user)
    response = client.post(reject_url(join_request), {"reason": "弄错了"}, follow=True)
    join_request.refresh_from_db()
    assert join_request.status == Membership.Status.VERIFIED
    assert MembershipEvent.objects.filter(membership=join_request).count() == 1
    assert any(message.level_tag == "warning" for message in response.context["messages"])


def test_rejecting_needs_a_reason_and_keeps_the_request(client, join_request, captain_3):
    client.force_login(captain_3)
    response = client.post(reject_url(join_request), {"reason": "   "})
    assert response.status_code == 400
    assert response.context["reject_form"].errors["reason"]
    join_request.refresh_from_db()
    assert join_request.status == Membership.Status.REQUESTED


def test_a_captain_rejects_with_a_reason(client, join_request, captain_3):
    client.force_login(captain_3)
    client.post(reject_url(join_request), {"reason": "请带房产证到物业"})
    join_request.refresh_from_db()
    assert join_request.status == Membership.Status.REJECTED
    assert join_request.rejection_reason == "请带房产证到物业"


def test_the_requester_sees_their_request_without_the_decision_buttons(
    client, join_request, newcomer
):
    client.force_login(newcomer)
    response = client.get(detail_url(join_request))
    assert response.status_code == 200
    assert response.context["can_decide"] is False
    assert verify_url(join_request) not in response.content.decode()


def test_another_resident_cannot_see_the_request(client, join_request, neighbour):
    client.force_login(neighbour)
    assert client.get(detail_url(join_request)).status_code == 403


def test_a_missing_request_is_not_found(client, captain_3):
    client.force_login(captain_3)
    assert client.get(reverse("membership_detail", args=[999999])).status_code == 404


def test_verifying_makes_the_user_a_verified_resident(client, join_request, newcomer, captain_3):
    client.force_login(captain_3)
    client.post(verify_url(join_request))
    fresh_user = type(newcomer).objects.get(pk=newcomer.pk)
    assert fresh_user.has_perm("covenant.read_estate_content")


def test_the_navigation_counts_waiting_requests_for_a_captain(client, join_request, captain_3):
    client.force_login(captain_3)
    response = client.get(reverse("home"))
    assert response.context["membership_queue_count"] == 1


def test_a_user_with_two_households_is_verified_separately(
    client, captain_3, unit_3_1201, building_3
):
    user = UserFactory()
    second = HouseholdFactory(building=building_3, floor=12, unit="1202")
    first_request = MembershipFactory(user=user, household=unit_3_1201)
    second_request = MembershipFactory(user=user, household=second)
    client.force_login(captain_3)
    client.post(verify_url(first_request))
    second_request.refresh_from_db()
    assert second_request.status == Membership.Status.REQUESTED


def _user_with_requests(building, floor, count):
    user = UserFactory()
    for number in range(count):
        household = HouseholdFactory(
            building=building, floor=floor, unit=f"{floor:02d}{number:02d}"
        )
        MembershipFactory(user=user, household=household)
    return user


@pytest.mark.parametrize("requests", [1, 12])
def test_my_households_query_count_does_not_grow(client, building_3, requests):
    queries = _count_queries(client, _user_with_requests(building_3, 6, requests), MINE)
    # 1. session  2. user  3. memberships with households, buildings and deciders
    # 4. role grants  5. verified membership?  6. the newest waiting request
    # 7. its captains  (nothing newly decided: no update)
    assert len(queries) == 7, "\n".join(query["sql"] for query in queries)


@pytest.mark.parametrize("requests", [1, 12])
def test_the_home_page_query_count_does_not_grow(client, building_3, requests):
    queries = _count_queries(client, _user_with_requests(building_3, 7, requests), reverse("home"))
    # 1. session  2. user  3. memberships with households and buildings
    # 4. the captains of the households awaiting verification
    # 5. this visit recorded (User.home_seen_at)  6. role grants  7. verified membership?
    # (the apps' home panels ask nothing of someone who belongs to no estate yet)
    assert len(queries) == 7, "\n".join(query["sql"] for query in queries)


def test_a_waiting_user_is_told_who_their_captain_is(
    client, join_request, newcomer, captain_3, captain_5
):
    client.force_login(newcomer)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert "三栋楼长老张" in html
    assert "五栋楼长老刘" not in html


def test_a_captain_of_other_floors_is_not_named(
    client, join_request, newcomer, captain_3_lower_floors
):
    client.force_login(newcomer)
    assert "三栋低层楼长" not in client.get(reverse("home")).content.decode()


# --- Nobody decides their own request ---------------------------------------------------


def test_a_captain_cannot_verify_their_own_request(client, captain_3, unit_3_1201):
    own = MembershipFactory(user=captain_3, household=unit_3_1201)
    client.force_login(captain_3)
    assert own not in client.get(QUEUE).context["page"]
    assert client.post(verify_url(own)).status_code == 403
    own.refresh_from_db()
    assert own.status == Membership.Status.REQUESTED


def test_an_admin_cannot_verify_their_own_request_but_another_admin_can(
    client, admin_user, unit_3_1201, community
):
    from covenant.models import Role
    from tests.factories import RoleGrantFactory

    own = MembershipFactory(user=admin_user, household=unit_3_1201)
    client.force_login(admin_user)
    assert client.post(verify_url(own)).status_code == 403
    other_admin = UserFactory()
    RoleGrantFactory(user=other_admin, community=community, role=Role.COMMUNITY_ADMIN)
    client.force_login(other_admin)
    client.post(verify_url(own))
    own.refresh_from_db()
    assert own.status == Membership.Status.VERIFIED


def test_a_captain_of_another_building_cannot_reject_it(client, join_request, captain_5, captain_3):
    client.force_login(captain_5)
    assert client.post(reject_url(join_request), {"reason": "不认识"}).status_code == 403
    join_request.refresh_from_db()
    assert join_request.status == Membership.Status.REQUESTED
    client.force_login(captain_3)
    client.post(reject_url(join_request), {"reason": "不认识"})
    join_request.refresh_from_db()
    assert join_request.status == Membership.Status.REJECTED


def test_a_floor_range_captain_decides_only_their_floors(
    client, captain_3_lower_floors, join_request, building_3
):
    low = MembershipFactory(household=HouseholdFactory(building=building_3, floor=3, unit="0301"))
    client.force_login(captain_3_lower_floors)
    assert list(client.get(QUEUE).context["page"]) == [low]
    assert client.post(verify_url(join_request)).status_code == 403
    client.post(verify_url(low))
    low.refresh_from_db()
    assert low.status == Membership.Status.VERIFIED


def test_a_decision_never_redirects_to_another_site(client, join_request, captain_3):
    client.force_login(captain_3)
    response = client.post(verify_url(join_request), {"next": "https://evil.example/"})
    assert response["Location"] == QUEUE


def test_each_reject_field_in_the_queue_has_its_own_id(client, captain_3, building_3):
    for number in range(3):
        MembershipFactory(
            household=HouseholdFactory(building=building_3, floor=9, unit=f"09{number:02d}")
        )
    client.force_login(captain_3)
    html = client.get(QUEUE).content.decode()
    ids = [part.split('"')[0] for part in html.split('id="')[1:]]
    reason_fields = [
        value for value in ids if value.startswith("reject-") and value.endswith("-reason")
    ]
    assert len(reason_fields) == 3
    assert len(ids) == len(set(ids))


def test_too_many_open_requests_are_refused(client, newcomer, building_3):
    households = [
        HouseholdFactory(building=building_3, floor=8, unit=f"08{n:02d}") for n in range(4)
    ]
    for household in households[:3]:
        MembershipFactory(user=newcomer, household=household)
    client.force_login(newcomer)
    response = client.post(
        JOIN,
        {"building": building_3.pk, "floor": 8, "household": households[3].pk, "relation": "owner"},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Membership.objects.filter(user=newcomer).count() == 3


def test_a_resident_who_moved_out_withdraws_a_verified_membership(client, resident):
    membership = Membership.objects.get(user=resident)
    client.force_login(resident)
    client.post(reverse("membership_withdraw", args=[membership.pk]))
    membership.refresh_from_db()
    assert membership.status == Membership.Status.WITHDRAWN
    assert not type(resident).objects.get(pk=resident.pk).has_perm("covenant.read_estate_content")


def test_a_withdrawn_request_cannot_be_withdrawn_again(client, join_request, newcomer):
    client.force_login(newcomer)
    client.post(reverse("membership_withdraw", args=[join_request.pk]))
    response = client.post(reverse("membership_withdraw", args=[join_request.pk]), follow=True)
    assert any(message.level_tag == "error" for message in response.context["messages"])
    assert join_request.events.count() == 1


@pytest.mark.parametrize("extra", [0, 10])
def test_the_request_page_query_count_does_not_grow_with_history(
    client, join_request, captain_3, extra
):
    from covenant.models import MembershipEvent as Event

    Event.objects.bulk_create(
        [
            Event(membership=join_request, actor=captain_3, to_status="requested")
            for _ in range(extra)
        ]
    )
    queries = _count_queries(client, captain_3, detail_url(join_request))
    # 1. session  2. user  3. the request with its user, household, building, decider
    # 4. role grants  5. verified memberships' estates  6. the household's members now
    # 7. history with actors  8. waiting count for the navigation badge
    # 9. the moderation queue's count
    assert len(queries) == 9, "\n".join(query["sql"] for query in queries)


def test_an_invalid_profile_keeps_what_was_typed_and_the_old_name_in_the_navigation(
    client, resident
):
    client.force_login(resident)
    response = client.post(
        reverse("profile"), {"name": "新名字", "preferred_language": "zh-hans", "phone": "abc"}
    )
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    html = response.content.decode()
    assert 'value="新名字"' in html
    assert response.context["user"].name == "王阿姨"
    assert type(resident).objects.get(pk=resident.pk).name == "王阿姨"
