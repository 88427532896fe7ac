"""PIPL: a person downloads their data and deletes their account."""

import json

from allauth.account.models import EmailAddress
from django.urls import reverse

from covenant.models import Membership, MembershipEvent, RoleGrant
from tests.conftest import fresh
from tests.factories import PASSWORD

DOWNLOAD = reverse("personal_data_download")
DELETE = reverse("delete_account")


def test_a_visitor_is_sent_to_sign_in_for_the_download(client, db):
    assert client.get(DOWNLOAD).status_code == 302
    assert client.get(DELETE).status_code == 302


def test_the_download_holds_my_account_and_households(client, resident, neighbour):
    client.force_login(resident)
    response = client.get(DOWNLOAD)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == resident.email
    assert data["account"]["display_name"] == "王阿姨"
    assert [(m["building"], m["unit"], m["status"]) for m in data["memberships"]] == [
        (3, "1201", "verified")
    ]
    assert neighbour.email not in response.content.decode()


def test_the_download_lists_a_captains_role(client, captain_3):
    client.force_login(captain_3)
    data = json.loads(client.get(DOWNLOAD).content)
    assert data["roles"] == [
        {
            "role": "captain",
            "building": 3,
            "floor_from": None,
            "floor_to": None,
            "granted_at": data["roles"][0]["granted_at"],
        }
    ]


def test_deleting_needs_the_password_and_keeps_the_account_otherwise(client, resident):
    client.force_login(resident)
    response = client.post(DELETE, {"password": "not-my-password", "confirm": "on"})
    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert fresh(resident).is_active


def test_deleting_needs_a_confirmation(client, resident):
    client.force_login(resident)
    response = client.post(DELETE, {"password": PASSWORD})
    assert "confirm" in response.context["form"].errors
    assert fresh(resident).deleted_at is None


def test_deleting_removes_personal_data_and_keeps_the_record(client, captain_3, unit_3_1201):
    from tests.factories import MembershipFactory

    MembershipFactory(user=captain_3, household=unit_3_1201, verified=True)
    client.force_login(captain_3)
    response = client.post(DELETE, {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    user = fresh(captain_3)
    assert user.deleted_at is not None
    assert not user.is_active
    assert "captain3" not in user.email
    assert user.name == "" and user.phone == ""
    assert str(user) in ("前住户", "Former resident")
    assert not user.has_usable_password()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not RoleGrant.objects.filter(user=user).exists()
    membership = Membership.objects.get(user=user)
    assert membership.status == Membership.Status.WITHDRAWN
    assert MembershipEvent.objects.filter(membership=membership, to_status="withdrawn").exists()
    # Signed out, and the old credentials no longer work.
    assert "_auth_user_id" not in client.session
    client.post(reverse("account_login"), {"login": "captain3@example.org", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_deleting_clears_notes_on_every_request_and_keeps_the_history(
    client, newcomer, unit_3_1201
):
    from tests.factories import MembershipFactory

    rejected = MembershipFactory(
        user=newcomer,
        household=unit_3_1201,
        rejected=True,
        rejection_reason="请带房产证",
        message="我是业主的女儿，电话138…",
    )
    client.force_login(newcomer)
    client.post(DELETE, {"password": PASSWORD, "confirm": "on"})
    rejected.refresh_from_db()
    assert rejected.message == ""
    assert rejected.status == Membership.Status.REJECTED
