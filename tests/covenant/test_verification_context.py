"""A captain verifies with the household in view: who lives there, and a tick when the claim
collides with an owner already there or with the captain's own unit."""

import pytest
from django.urls import reverse

from covenant import services
from covenant.models import Membership
from covenant.personal_data import collect_personal_data
from tests.factories import MembershipFactory, UserFactory

OWNER = Membership.Relation.OWNER
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def detail_url(membership):
    return reverse("membership_detail", args=[membership.pk])


def verify_url(membership):
    return reverse("membership_verify", args=[membership.pk])


@pytest.fixture
def owner_claim(newcomer, unit_3_1201):
    return MembershipFactory(
        user=newcomer, household=unit_3_1201, relation=OWNER, proof_note="后四位 4821"
    )


@pytest.fixture
def verified_owner(unit_3_1201):
    user = UserFactory(email="owner@example.org", name="业主老黄")
    return MembershipFactory(user=user, household=unit_3_1201, relation=OWNER, verified=True)


def test_the_captain_sees_who_lives_in_the_unit_now(client, captain_3, owner_claim, resident):
    client.force_login(captain_3)
    page = client.get(detail_url(owner_claim)).content.decode()
    assert "王阿姨" in page  # the resident fixture lives in 3-1201
    assert "members-title" in page


def test_an_owner_claimed_where_there_is_one_warns_and_needs_a_tick(
    client, captain_3, owner_claim, verified_owner
):
    client.force_login(captain_3)
    page = client.get(detail_url(owner_claim)).content.decode()
    assert "业主老黄" in page
    assert 'name="confirm"' in page
    response = client.post(verify_url(owner_claim))
    assert response.status_code == 400
    owner_claim.refresh_from_db()
    assert owner_claim.status == Membership.Status.REQUESTED
    # With the tick, the same captain verifies it.
    response = client.post(verify_url(owner_claim), {"confirm": "on"})
    assert response.status_code == 302
    owner_claim.refresh_from_db()
    assert owner_claim.status == Membership.Status.VERIFIED


def test_a_claim_on_the_captains_own_unit_needs_a_tick(client, building_3, unit_3_1201, newcomer):
    from tests.conftest import make_captain

    captain = make_captain(building_3, "c@example.org", "住在1201的楼长")
    MembershipFactory(user=captain, household=unit_3_1201, relation=OWNER, verified=True)
    claim = MembershipFactory(user=newcomer, household=unit_3_1201, relation=OWNER)
    client.force_login(captain)
    assert client.post(verify_url(claim)).status_code == 400
    claim.refresh_from_db()
    assert claim.status == Membership.Status.REQUESTED


def test_a_plain_claim_verifies_in_one_tap_as_before(client, captain_3, join_request):
    client.force_login(captain_3)
    page = client.get(detail_url(join_request)).content.decode()
    assert 'name="confirm"' not in page
    assert client.post(verify_url(join_request)).status_code == 302
    join_request.refresh_from_db()
    assert join_request.status == Membership.Status.VERIFIED


def test_the_service_refuses_an_unconfirmed_collision(captain_3, owner_claim, verified_owner):
    with pytest.raises(services.ConfirmationNeeded) as refused:
        services.verify_membership(membership_id=owner_claim.pk, actor=captain_3)
    assert refused.value.warnings == ["owner_already"]


def test_the_queue_sends_a_collision_to_the_page_with_the_warning(
    client, captain_3, owner_claim, verified_owner
):
    client.force_login(captain_3)
    response = client.post(verify_url(owner_claim), {"next": reverse("membership_queue")})
    assert response.status_code == 400
    assert 'name="confirm"' in response.content.decode()


def test_another_captain_cannot_verify_even_with_the_tick(
    client, captain_5, owner_claim, verified_owner
):
    client.force_login(captain_5)
    assert client.post(verify_url(owner_claim), {"confirm": "on"}).status_code == 403
    assert client.get(detail_url(owner_claim)).status_code == 403


def test_the_join_form_carries_the_proof_to_the_captain(client, newcomer, unit_3_1201):
    client.force_login(newcomer)
    client.post(
        reverse("join_household"),
        {
            "building": unit_3_1201.building_id,
            "floor": 12,
            "household": unit_3_1201.pk,
            "relation": OWNER,
            "proof_note": "后四位 4821",
        },
    )
    assert Membership.objects.get(user=newcomer).proof_note == "后四位 4821"


def test_the_proof_is_shown_to_the_captain_and_the_admin(
    client, captain_3, admin_user, owner_claim
):
    for decider in (captain_3, admin_user):
        client.force_login(decider)
        assert "4821" in client.get(detail_url(owner_claim)).content.decode()
        assert "4821" in client.get(reverse("membership_queue")).content.decode()


def test_the_proof_is_not_shown_to_the_households_members(client, resident, steward, owner_claim):
    for other in (resident, steward):
        client.force_login(other)
        response = client.get(detail_url(owner_claim))
        assert response.status_code == 403
        assert "4821" not in response.content.decode()


def test_the_proof_is_only_in_its_owners_data_export(resident, owner_claim):
    assert "4821" not in str(collect_personal_data(user=resident))
    assert "4821" in str(collect_personal_data(user=owner_claim.user))


def test_the_detail_page_for_a_decider_costs_a_fixed_number_of_queries(
    client, captain_3, owner_claim, unit_3_1201
):
    client.force_login(captain_3)
    client.get(detail_url(owner_claim))
    for index in range(5):
        user = UserFactory(email=f"m{index}@example.org")
        MembershipFactory(user=user, household=unit_3_1201, verified=True)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(detail_url(owner_claim))
    for index in range(5, 15):
        user = UserFactory(email=f"m{index}@example.org")
        MembershipFactory(user=user, household=unit_3_1201, verified=True)
    with CaptureQueriesContext(connection) as many:
        client.get(detail_url(owner_claim))
    assert len(many) == len(few)
