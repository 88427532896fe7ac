"""The core's membership events, told through covenant.signals (the core does not
import notices)."""

from django.urls import reverse

from covenant import services as covenant_services
from notices.models import Notification


def kinds_of(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_a_join_request_notifies_the_captains_of_the_building_and_the_admins(
    newcomer,
    unit_3_1201,
    captain_3,
    captain_5,
    captain_3_lower_floors,
    admin_user,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        covenant_services.request_membership(user=newcomer, household=unit_3_1201, relation="owner")
    assert kinds_of(captain_3) == ["membership.requested"]
    assert kinds_of(admin_user) == ["membership.requested"]
    assert kinds_of(captain_5) == []
    assert kinds_of(captain_3_lower_floors) == []  # floor 12 is not theirs
    assert kinds_of(newcomer) == []


def test_the_captain_is_told_who_asks_and_for_which_unit(
    client, newcomer, unit_3_1201, captain_3, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        membership = covenant_services.request_membership(
            user=newcomer, household=unit_3_1201, relation="owner"
        )
    client.force_login(captain_3)
    (notification,) = client.get(reverse("notices:inbox")).context["page"]
    assert notification.text == "新住户小陈 申请加入 3-1201。"
    assert notification.url == reverse("membership_detail", args=[membership.pk])


def test_a_verified_request_notifies_the_requester_and_mails_them_at_once(
    join_request, captain_3, newcomer, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        covenant_services.verify_membership(membership_id=join_request.pk, actor=captain_3)
    assert kinds_of(newcomer) == ["membership.verified"]
    (message,) = outbox
    assert message.to == [newcomer.email]
    assert "3-1201" in message.subject


def test_a_rejected_request_tells_the_requester_why(
    client, join_request, captain_3, newcomer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        covenant_services.reject_membership(
            membership_id=join_request.pk, actor=captain_3, reason="请带房产证到物业"
        )
    client.force_login(newcomer)
    (notification,) = client.get(reverse("notices:inbox")).context["page"]
    assert "请带房产证到物业" in notification.text


def test_nothing_is_sent_when_the_transaction_rolls_back(
    newcomer, unit_3_1201, captain_3, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                covenant_services.request_membership(
                    user=newcomer, household=unit_3_1201, relation="owner"
                )
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert kinds_of(captain_3) == []
