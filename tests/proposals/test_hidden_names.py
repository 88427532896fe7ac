"""An author who hides their name is shown to other residents nowhere: not in the list,
the detail, search, similar-idea suggestions, exports or the HTML source."""

import pytest
from django.urls import reverse

from proposals.models import Idea
from tests.proposals.factories import CommentFactory

pytestmark = pytest.mark.usefixtures("english")

NAME = "王阿姨"  # the resident persona
UNIT = "1201"


def _leaks(html: str, viewer=None) -> list[str]:
    if viewer is not None:
        # The viewer's own generated name ("居民1201") may contain the unit's digits.
        html = html.replace(viewer.display_name, "")
    return [secret for secret in (NAME, UNIT, "resident@example.org") if secret in html]


def _pages(idea):
    return [
        reverse("proposals:idea_list"),
        reverse("proposals:idea_list") + "?q=楼道",
        reverse("proposals:idea_list") + "?building=3",
        idea.get_absolute_url(),
        reverse("proposals:similar_ideas") + "?title=楼道堆物",
    ]


def test_other_residents_see_neither_name_nor_unit_anywhere(client, neighbour, hidden_name_idea):
    CommentFactory(idea=hidden_name_idea, author=hidden_name_idea.author, body="补充一点")
    client.force_login(neighbour)

    for url in _pages(hidden_name_idea):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert hidden_name_idea.title in html, url
        assert _leaks(html, neighbour) == [], url
    assert (
        "The idea&#x27;s author" in client.get(hidden_name_idea.get_absolute_url()).content.decode()
    )


def test_a_captain_of_building_5_does_not_learn_the_name_either(
    client, captain_5, hidden_name_idea
):
    client.force_login(captain_5)

    for url in _pages(hidden_name_idea):
        assert _leaks(client.get(url).content.decode(), captain_5) == [], url


@pytest.mark.parametrize("name", ["captain_3", "steward", "party_member", "admin_user"])
def test_the_building_captain_staff_party_and_admins_see_who_wrote_it(
    client, persona, hidden_name_idea, name
):
    client.force_login(persona(name))

    html = client.get(hidden_name_idea.get_absolute_url()).content.decode()

    assert NAME in html
    assert UNIT in html


def test_the_author_sees_their_own_name(client, resident, hidden_name_idea):
    client.force_login(resident)

    assert NAME in client.get(hidden_name_idea.get_absolute_url()).content.decode()


def test_exports_never_hold_names_or_units(client, steward, hidden_name_idea, idea):
    client.force_login(steward)

    csv = b"".join(client.get(reverse("proposals:idea_export_csv")).streaming_content).decode()

    assert hidden_name_idea.title in csv
    assert _leaks(csv) == []


def test_a_visible_name_shows_the_building_but_never_the_unit_to_residents(client, neighbour, idea):
    client.force_login(neighbour)

    html = client.get(idea.get_absolute_url()).content.decode()

    assert NAME in html
    assert "Building 3" in html
    assert UNIT not in html


def test_the_hidden_flag_is_stored_not_inferred(hidden_name_idea):
    assert Idea.objects.get(pk=hidden_name_idea.pk).hide_name is True


def test_withdrawing_does_not_reveal_a_hidden_name_on_the_timeline(
    client, resident, neighbour, hidden_name_idea
):
    client.force_login(resident)
    client.post(reverse("proposals:idea_withdraw", args=[hidden_name_idea.pk]), {"confirm": "yes"})
    client.force_login(neighbour)

    html = client.get(hidden_name_idea.get_absolute_url()).content.decode()

    assert "Withdrawn" in html
    assert _leaks(html) == []
