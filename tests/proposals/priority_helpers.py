"""Deliberations adopted by the three parties, with action items, for the priority tests."""

import datetime

from covenant.models import Party
from proposals.deliberations import services
from proposals.models import ActionItem, Deliberation
from tests.proposals.deliberation_helpers import sign


def adopted_deliberation(
    community, *, party_member, captain, steward, topic: str, items: int = 2, done: int = 0
) -> Deliberation:
    """A deliberation whose resolution all three parties signed, with `items` action items
    (the first `done` of them done, the others due on 1 October 2026)."""
    deliberation = services.open_deliberation(
        opener=party_member, community=community, topic=topic, background="楼长收集的意见。"
    )
    services.name_representative(
        deliberation=deliberation, user=captain, party=Party.RESIDENTS, actor=party_member
    )
    services.name_representative(
        deliberation=deliberation, user=steward, party=Party.PROPERTY, actor=party_member
    )
    services.propose_resolution(
        deliberation=deliberation, author=party_member, text=f"{topic}：三方同意分步落实。"
    )
    for user, party in (
        (party_member, Party.PARTY_BRANCH),
        (captain, Party.RESIDENTS),
        (steward, Party.PROPERTY),
    ):
        sign(deliberation, user, party)
    deliberation.refresh_from_db()
    for n in range(items):
        item = services.add_action_item(
            resolution=deliberation.resolution,
            title=f"{topic}·第{n + 1}项",
            owner_party=Party.PROPERTY,
            owner=steward,
            due_on=datetime.date(2026, 10, 1),
            actor=steward,
        )
        if n < done:
            services.update_action_item(
                item=item, actor=steward, status=ActionItem.Status.DONE, progress_note="已完成"
            )
    return deliberation
