"""Open Graph cards of ideas and votes: a hidden idea has none; never the author's name."""

from django.urls import reverse

from proposals.models import Moderation
from tests.proposals.factories import IdeaFactory


def head(client, url) -> str:
    return client.get(url).text.split("</head>")[0]


def test_a_visible_ideas_card_has_its_title_and_first_words_but_no_author(
    client, idea, resident, neighbour
):
    client.force_login(neighbour)
    page = head(client, idea.get_absolute_url())
    assert f'<meta property="og:title" content="{idea.title}">' in page
    assert 'property="og:description"' in page
    assert resident.name not in page


def test_a_hidden_idea_has_no_card(client, resident, unit_3_1201, category):
    hidden = IdeaFactory(
        author=resident,
        household=unit_3_1201,
        category=category,
        moderation=Moderation.HIDDEN,
        hidden_reason="广告",
    )
    client.force_login(resident)
    response = client.get(hidden.get_absolute_url())
    assert response.status_code == 200
    assert "og:" not in response.text.split("</head>")[0]


def test_an_idea_offers_read_aloud(client, idea, resident):
    client.force_login(resident)
    assert 'data-read-aloud="idea-text"' in client.get(idea.get_absolute_url()).text


def test_a_votes_card_has_its_title_only_and_it_offers_read_aloud(client, db):
    from tests.proposals.owners_votes import estate_with_owners, open_vote

    community, admin, units = estate_with_owners(["90.00", "100.00"])
    vote = open_vote(community, admin)
    client.force_login(units[0][1])
    page = client.get(reverse("votes:vote_detail", args=[vote.pk])).text
    top = page.split("</head>")[0]
    assert f'<meta property="og:title" content="{vote.title}">' in top
    assert 'property="og:description"' not in top
    assert 'data-read-aloud="main"' in page


def test_a_visible_idea_offers_sharing_a_hidden_one_does_not(
    client, idea, resident, unit_3_1201, category
):
    client.force_login(resident)
    assert (
        'class="btn btn-sm btn-outline-primary share-link"'
        in client.get(idea.get_absolute_url()).text
    )
    hidden = IdeaFactory(
        author=resident,
        household=unit_3_1201,
        category=category,
        moderation=Moderation.HIDDEN,
        hidden_reason="广告",
    )
    assert "share-link" not in client.get(hidden.get_absolute_url()).text
