"""Helpers for the deliberation tests: one party signs, one representative posts."""

from proposals.deliberations import services
from proposals.models import DeliberationPost


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
