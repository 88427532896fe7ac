"""What proposals adds to the signed-in home: the resolutions a party has still to sign."""

from django.urls import reverse

from covenant.models import Party
from proposals.models import SignOff
from tests.proposals.deliberation_helpers import sign


def _waiting_row(client, user) -> str:
    client.force_login(user)
    page = client.get("/").content.decode()
    main = page[page.index('id="main"') :]
    link = f"{reverse('proposals:deliberation_list')}?status=proposed"
    row = main[main.index(link) :]
    return row[: row.index("</a>")]


def test_a_proposed_resolution_waits_for_each_party_until_it_signs(
    client, proposed, party_member, steward
):
    assert ">1</span>" in _waiting_row(client, party_member)

    sign(proposed, party_member, Party.PARTY_BRANCH)

    assert ">0</span>" in _waiting_row(client, party_member)
    assert ">1</span>" in _waiting_row(client, steward)


# Whatever the primary keys: a sign-off's pk need not equal its deliberation's.
def test_a_party_that_signed_is_no_longer_waited_for_whatever_the_ids(
    client, proposed, party_member, steward
):
    sign(proposed, steward, Party.PROPERTY)
    sign(proposed, party_member, Party.PARTY_BRANCH)
    assert SignOff.objects.get(party=Party.PARTY_BRANCH).pk != proposed.pk

    assert ">0</span>" in _waiting_row(client, party_member)
    assert ">0</span>" in _waiting_row(client, steward)
