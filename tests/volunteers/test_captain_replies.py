"""A captain answers a resident's message; the answer reaches the resident."""

import pytest
from django.urls import reverse

from notices.models import Notification
from tests.conftest import make_captain
from volunteers import captain_inbox
from volunteers.models import CaptainMessage
from volunteers.notifications import CAPTAIN_REPLIED


def reply_url(message):
    return reverse("volunteers:captain_reply", args=[message.pk])


@pytest.fixture
def message(resident, captain_3, unit_3_1201):
    return captain_inbox.message_captain(
        sender=resident, captain=captain_3, household=unit_3_1201, body="楼道灯坏了"
    )


def test_the_captain_answers_and_the_resident_is_notified(client, captain_3, resident, message):
    client.force_login(captain_3)
    page = client.get(reverse("volunteers:captain_messages")).content.decode()
    assert reply_url(message) in page
    response = client.post(reply_url(message), {"body": "明天就找物业换"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.reply == "明天就找物业换"
    assert message.replied_at is not None
    notification = Notification.objects.get(recipient=resident, kind=CAPTAIN_REPLIED)
    assert notification.actor == captain_3


def test_the_resident_reads_the_answer_in_their_inbox(client, captain_3, resident, message):
    captain_inbox.reply_to_captain_message(captain=captain_3, message_id=message.pk, body="明天换")
    client.force_login(resident)
    page = client.get(reverse("notices:inbox")).content.decode()
    assert "明天换" in page


def test_the_captain_sees_their_answer_under_the_message(client, captain_3, message):
    captain_inbox.reply_to_captain_message(captain=captain_3, message_id=message.pk, body="明天换")
    client.force_login(captain_3)
    page = client.get(reverse("volunteers:captain_messages")).content.decode()
    assert "明天换" in page
    assert reply_url(message) not in page


def test_a_message_is_answered_once(client, captain_3, resident, message):
    client.force_login(captain_3)
    client.post(reply_url(message), {"body": "第一次"})
    client.post(reply_url(message), {"body": "第二次"})
    message.refresh_from_db()
    assert message.reply == "第一次"
    assert Notification.objects.filter(kind=CAPTAIN_REPLIED).count() == 1


def test_an_empty_answer_is_refused(client, captain_3, message):
    client.force_login(captain_3)
    client.post(reply_url(message), {"body": "   "})
    message.refresh_from_db()
    assert message.replied_at is None


@pytest.mark.parametrize(
    "who", ["resident", "neighbour", "newcomer", "captain_5", "steward", "admin_user"]
)
def test_only_the_captain_written_to_may_answer(client, persona, message, who):
    client.force_login(persona(who))
    assert client.post(reply_url(message), {"body": "我来回"}).status_code == 403
    message.refresh_from_db()
    assert message.replied_at is None
    assert not Notification.objects.filter(kind=CAPTAIN_REPLIED).exists()


def test_a_former_captain_of_the_building_no_longer_answers(client, captain_3, message):
    from covenant.models import RoleGrant

    RoleGrant.objects.filter(user=captain_3).delete()
    client.force_login(captain_3)
    assert client.post(reply_url(message), {"body": "迟到的回答"}).status_code == 403


def test_a_captain_of_other_floors_of_the_same_building_cannot_answer(
    client, building_3, resident, unit_3_1201
):
    low = make_captain(building_3, "low@example.org", "低层楼长", floor_from=1, floor_to=6)
    message = CaptainMessage.objects.create(
        sender=resident, captain=low, household=unit_3_1201, body="你好"
    )
    client.force_login(low)
    assert client.post(reply_url(message), {"body": "你好"}).status_code == 403


def test_a_visitor_is_sent_to_sign_in(client, message):
    response = client.post(reply_url(message), {"body": "hi"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_answer_is_in_the_residents_data_export(captain_3, resident, message):
    from covenant.personal_data import collect_personal_data

    captain_inbox.reply_to_captain_message(captain=captain_3, message_id=message.pk, body="明天换")
    assert "明天换" in str(collect_personal_data(user=resident))
