"""Who may do what with announcements and notifications (see docs/notices.md)."""

from __future__ import annotations

import rules

from covenant.rules import (
    is_captain,
    is_community_admin,
    is_party_branch_member,
    is_property_staff,
    is_signed_in,
)
from notices import selectors
from notices.models import Audience


@rules.predicate
def can_read_announcement(user, announcement) -> bool:
    """Agrees with selectors.announcements_visible_to (it asks it): at most one query."""
    if announcement is None or announcement.is_withdrawn:
        return False
    if announcement.audience == Audience.PUBLIC and announcement.is_published:
        return True
    return (
        selectors.announcements_visible_to(user, include_expired=True, include_scheduled=True)
        .filter(pk=announcement.pk)
        .exists()
    )


@rules.predicate
def is_author(user, announcement) -> bool:
    return announcement is not None and announcement.author_id == getattr(user, "pk", None)


@rules.predicate
def is_captain_in_audience(user, announcement) -> bool:
    """A captain of a building of the announcement's estate that it was published to."""
    if announcement is None:
        return False
    building_ids = selectors.captained_building_ids(user, announcement.community_id)
    if not building_ids:
        return False
    if announcement.audience != Audience.BUILDINGS:
        return True
    return bool(building_ids & selectors.building_ids_of(announcement))


@rules.predicate
def is_live(user, announcement) -> bool:
    """Not withdrawn: a withdrawn announcement is not edited or withdrawn again."""
    return announcement is not None and not announcement.is_withdrawn


is_estate_publisher = is_property_staff | is_party_branch_member | is_community_admin
# Its author while they still may publish (a captain who stepped down no longer
# speaks for the building), and admins, who oversee what is said.
is_announcement_editor = is_live & (
    (is_author & (is_captain | is_estate_publisher)) | is_community_admin
)

rules.add_perm("notices.read_announcement", can_read_announcement)
rules.add_perm("notices.publish", is_captain | is_estate_publisher)
# Estate-wide and public audiences: not a captain's, whose voice is their building's.
rules.add_perm("notices.publish_to_estate", is_estate_publisher)
rules.add_perm("notices.edit_announcement", is_announcement_editor)
rules.add_perm("notices.withdraw_announcement", is_announcement_editor)
rules.add_perm("notices.knock_doors", is_live & is_captain_in_audience)
rules.add_perm("notices.see_coverage", is_live & (is_community_admin | is_author))
rules.add_perm("notices.see_estate_coverage", is_community_admin)
rules.add_perm("notices.have_inbox", is_signed_in)
