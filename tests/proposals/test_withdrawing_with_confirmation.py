"""Withdrawing an idea asks first, and can be undone for a few minutes."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals.ideas.withdrawal import UNDO_WINDOW
from proposals.models import Idea
from proposals.triage import services


def _withdraw_url(idea):
    return reverse("proposals:idea_withdraw", args=[idea.pk])


def _restore_url(idea):
    return reverse("proposals:idea_restore", args=[idea.pk])


def test_the_idea_page_links_to_the_question_not_to_the_action(client, resident, idea):
    client.force_login(resident)

    html = client.get(idea.get_absolute_url()).content.decode()

    assert f'href="{_withdraw_url(idea)}"' in html
    assert f'action="{_withdraw_url(idea)}"' not in html


def test_the_question_says_what_withdrawing_an_accepted_idea_means(
    client, english, resident, steward, idea
):
    services.change_status(idea=idea, actor=steward, to_status=Idea.Status.ACCEPTED)
    client.force_login(resident)

    response = client.get(_withdraw_url(idea))

    assert response.status_code == 200
    html = response.content.decode()
    assert "The property has already accepted this idea" in html
    assert 'name="confirm" value="yes"' in html


def test_the_question_for_a_submitted_idea_has_no_accepted_warning(client, english, resident, idea):
    client.force_login(resident)

    html = client.get(_withdraw_url(idea)).content.decode()

    assert "already accepted" not in html
    assert "undo" in html


def test_a_post_without_the_confirmation_withdraws_nothing(client, resident, idea):
    client.force_login(resident)

    response = client.post(_withdraw_url(idea))

    assert response.status_code == 200  # the question again
    idea.refresh_from_db()
    assert idea.status == Idea.Status.SUBMITTED


def test_a_post_with_the_confirmation_withdraws(client, resident, idea):
    client.force_login(resident)

    response = client.post(_withdraw_url(idea), {"confirm": "yes"})

    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.status == Idea.Status.WITHDRAWN


def test_others_may_not_see_the_question(client, neighbour, idea):
    client.force_login(neighbour)
    assert client.get(_withdraw_url(idea)).status_code == 403


def test_a_visitor_is_sent_to_sign_in(client, idea):
    response = client.get(_withdraw_url(idea))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_author_undoes_a_withdrawal_within_the_window(client, resident, steward, idea):
    services.change_status(idea=idea, actor=steward, to_status=Idea.Status.ACCEPTED)
    client.force_login(resident)
    client.post(_withdraw_url(idea), {"confirm": "yes"})

    client.post(_restore_url(idea))

    idea.refresh_from_db()
    assert idea.status == Idea.Status.ACCEPTED
    assert [e.to_status for e in idea.timeline.all()] == ["accepted", "withdrawn", "accepted"]


def test_the_undo_button_shows_only_while_undo_is_possible(client, resident, idea):
    client.force_login(resident)
    client.post(_withdraw_url(idea), {"confirm": "yes"})

    assert _restore_url(idea) in client.get(idea.get_absolute_url()).content.decode()
    idea.timeline.update(created_at=timezone.now() - UNDO_WINDOW - timedelta(seconds=1))
    assert _restore_url(idea) not in client.get(idea.get_absolute_url()).content.decode()


def test_a_withdrawal_older_than_the_window_stands(client, resident, idea):
    client.force_login(resident)
    client.post(_withdraw_url(idea), {"confirm": "yes"})
    idea.timeline.update(created_at=timezone.now() - UNDO_WINDOW - timedelta(seconds=1))

    assert client.post(_restore_url(idea)).status_code == 403
    idea.refresh_from_db()
    assert idea.status == Idea.Status.WITHDRAWN


@pytest.mark.parametrize("who", ["neighbour", "steward"])
def test_nobody_but_the_author_undoes_a_withdrawal(client, request, resident, idea, who):
    client.force_login(resident)
    client.post(_withdraw_url(idea), {"confirm": "yes"})
    client.force_login(request.getfixturevalue(who))

    assert client.post(_restore_url(idea)).status_code == 403
    idea.refresh_from_db()
    assert idea.status == Idea.Status.WITHDRAWN


def test_undo_is_post_only_and_needs_sign_in(client, resident, idea):
    client.force_login(resident)
    client.post(_withdraw_url(idea), {"confirm": "yes"})
    assert client.get(_restore_url(idea)).status_code == 405
    client.logout()
    response = client.post(_restore_url(idea))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
