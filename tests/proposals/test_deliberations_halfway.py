"""Deliberation pages that used to stop halfway: the answer given, the picker, the words."""

import pytest
from django.urls import reverse

from covenant.models import Party
from proposals.deliberations import services
from tests.proposals.deliberation_helpers import sign

pytestmark = pytest.mark.django_db


def test_after_agreeing_the_party_sees_its_answer_not_a_blank_form(
    client, english, captain_3, proposed
):
    client.force_login(captain_3)
    client.post(
        reverse("proposals:resolution_sign", args=[proposed.pk]),
        {"party": Party.RESIDENTS, "decision": "agree", "version": 1},
    )

    html = client.get(proposed.get_absolute_url()).content.decode()

    assert "You agreed (" in html
    # The form is still there, but only behind "Change the answer".
    assert "Change the answer" in html


def test_after_objecting_the_party_sees_its_objection(client, english, steward, proposed):
    sign(proposed, steward, Party.PROPERTY, decision="object", comment="时间太短")
    client.force_login(steward)

    html = client.get(proposed.get_absolute_url()).content.decode()

    assert "You objected (" in html


def test_before_answering_the_form_is_open(client, english, captain_3, proposed):
    client.force_login(captain_3)

    html = client.get(proposed.get_absolute_url()).content.decode()

    assert "You agreed" not in html
    assert "Change the answer" not in html
    assert "Record the answer" in html


def test_an_answer_given_by_another_member_of_the_party_names_them(
    client, english, captain_3, captain_5, proposed, party_member
):
    services.name_representative(
        deliberation=proposed, user=captain_5, party=Party.RESIDENTS, actor=party_member
    )
    sign(proposed, captain_3, Party.RESIDENTS)
    client.force_login(captain_5)

    html = client.get(proposed.get_absolute_url()).content.decode()

    assert f"{captain_3.display_name} agreed for Residents (" in html


def test_the_representative_picker_is_open_while_a_party_has_no_one(
    client, community, party_member
):
    deliberation = services.open_deliberation(
        opener=party_member, community=community, topic="规范停车"
    )
    client.force_login(party_member)

    html = client.get(deliberation.get_absolute_url()).content.decode()

    assert '<details class="mt-2" id="name-representative" open>' in html


def test_the_representative_picker_folds_once_every_party_has_someone(
    client, deliberation, party_member
):
    client.force_login(party_member)

    html = client.get(deliberation.get_absolute_url()).content.decode()

    assert '<details class="mt-2" id="name-representative">' in html


def test_the_button_that_names_a_representative_does_not_read_as_a_form_of_address(
    client, community, party_member
):
    deliberation = services.open_deliberation(
        opener=party_member, community=community, topic="规范停车"
    )
    client.force_login(party_member)

    html = client.get(deliberation.get_absolute_url()).content.decode()

    assert "称呼</button>" not in html
