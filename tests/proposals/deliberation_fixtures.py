"""A deliberation on parking with a representative of each of the three parties."""

import pytest

from covenant.models import Party
from proposals import services
from proposals.models import DeliberationPost


@pytest.fixture
def deliberation(community, party_member, captain_3, steward):
    deliberation = services.open_deliberation(
        opener=party_member,
        community=community,
        topic="规范停车",
        background="地面车位紧张，消防通道常被占用。",
    )
    services.name_representative(
        deliberation=deliberation, user=captain_3, party=Party.RESIDENTS, actor=party_member
    )
    services.name_representative(
        deliberation=deliberation, user=steward, party=Party.PROPERTY, actor=party_member
    )
    return deliberation


@pytest.fixture
def proposed(deliberation, party_member):
    services.propose_resolution(
        deliberation=deliberation, author=party_member, text="消防通道全天禁止停车。"
    )
    deliberation.refresh_from_db()
    return deliberation


def sign(deliberation, user, party, decision="agree", comment=""):
    return services.sign_resolution(
        deliberation=deliberation, user=user, party=party, decision=decision, comment=comment
    )


def post(deliberation, user, party, body="我们同意先划线。"):
    return services.add_deliberation_post(
        deliberation=deliberation,
        author=user,
        body=body,
        kind=DeliberationPost.Kind.REPRESENTATIVE,
        party=party,
    )
