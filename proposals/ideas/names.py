"""How golden ideas name people: one "as this reader may see it" function for pages,
notifications and mail alike, so a "hide my name" author stays hidden everywhere.

An idea's author who hid their name is "a resident (name withheld)" to those who may not
know who wrote it (`proposals.see_author_identity`), and "the idea's author" on their own
comments under it; everyone else is named as they chose to be shown. Asking costs no query
beyond the reader's roles (loaded once per user object), and only for a hidden name.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from covenant.models import User
from proposals.models import Comment, Idea


def _identity_hidden(idea: Idea, reader) -> bool:
    return idea.hide_name and not reader.has_perm("proposals.see_author_identity", idea)


def author_as_seen_by(item: Idea | Comment, reader) -> str:
    """The author of an idea or of a comment, as `reader` may see them."""
    idea = item if isinstance(item, Idea) else item.idea
    if isinstance(item, Comment):
        if item.author_id == idea.author_id and _identity_hidden(idea, reader):
            return _("The idea's author")
        return str(item.author.display_name) or _("A resident")
    if _identity_hidden(idea, reader):
        return _("A resident (name withheld)")
    if idea.recorded_by_id:
        return idea.resident_name or _("A resident")
    return str(idea.author.display_name) or _("A resident")


def person_as_seen_by(
    person: User, *, idea: Idea, reader, item: Idea | Comment | None = None
) -> str:
    """Someone who acted on an idea (wrote `item` under it, changed its status, replied),
    as `reader` may see them: the idea's author as `author_as_seen_by`, anyone else by the
    name they chose."""
    if person.pk != idea.author_id:
        return str(person.display_name)
    if item is None or isinstance(item, Idea):
        return author_as_seen_by(idea, reader)
    return author_as_seen_by(item, reader)
