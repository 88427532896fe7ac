"""What proposals adds to the signed-in home: the resolutions a party has still to sign."""

from django.urls import reverse

from covenant.models import Party
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
