"""Closing an owners' vote early asks first, with the turnout so far."""

import pytest
from django.urls import reverse

from proposals.models import OwnersVote
from tests.proposals.owners_votes import open_vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def vote(community, resident, neighbour, admin_user):
    return open_vote(community, admin_user)


def _close_url(vote):
    return reverse("votes:vote_close", args=[vote.pk])


def test_the_vote_page_links_to_the_question_not_to_the_action(client, admin_user, vote):
    client.force_login(admin_user)

    html = client.get(vote.get_absolute_url()).content.decode()

    assert f'href="{_close_url(vote)}"' in html
    assert f'action="{_close_url(vote)}"' not in html


def test_the_question_shows_the_turnout_and_what_closing_means(client, english, admin_user, vote):
    client.force_login(admin_user)

    response = client.get(_close_url(vote))

    assert response.status_code == 200
    html = response.content.decode()
    assert "0 of 2 units" in html
    assert "A closed vote cannot be reopened." in html
    assert 'name="confirm" value="yes"' in html


def test_a_post_without_the_confirmation_closes_nothing(client, admin_user, vote):
    client.force_login(admin_user)

    assert client.post(_close_url(vote)).status_code == 200

    vote.refresh_from_db()
    assert vote.status == OwnersVote.Status.OPEN


def test_a_post_with_the_confirmation_closes_the_vote(client, admin_user, vote):
    client.force_login(admin_user)

    response = client.post(_close_url(vote), {"confirm": "yes"})

    assert response.status_code == 302
    vote.refresh_from_db()
    assert vote.status == OwnersVote.Status.CLOSED


def test_others_may_not_see_the_question_and_visitors_sign_in(client, resident, vote):
    client.force_login(resident)
    assert client.get(_close_url(vote)).status_code == 403
    client.logout()
    response = client.get(_close_url(vote))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
