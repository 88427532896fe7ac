from django import template
from django.utils.translation import gettext as _

from proposals.ideas.names import author_as_seen_by, person_as_seen_by
from proposals.models import Idea

register = template.Library()


@register.simple_tag(takes_context=True)
def author_of(context, item) -> str:
    """The author as the viewer may see them (`proposals.ideas.names.author_as_seen_by`). A
    hidden name stays hidden from residents, also on the author's own comments."""
    return author_as_seen_by(item, context["request"].user)


@register.simple_tag(takes_context=True)
def actor_of(context, person, idea) -> str:
    """Someone who acted on the idea (a timeline entry's actor), as the viewer may see
    them: its author as `author_of`, anyone else by name."""
    return person_as_seen_by(person, idea=idea, reader=context["request"].user)


@register.simple_tag(takes_context=True)
def place_of(context, idea: Idea) -> str:
    """Building for everyone; the unit only for those who may know who wrote it."""
    if idea.building_id is None:
        return ""
    viewer = context["request"].user
    # Lists do not load households; only pages that did (the detail) show the unit.
    household_loaded = Idea.household.is_cached(idea)
    if (
        household_loaded
        and idea.household_id
        and viewer.has_perm("proposals.see_author_identity", idea)
    ):
        return str(idea.household)
    return _("Building %(number)s") % {"number": idea.building.number}


@register.simple_tag(takes_context=True)
def can(context, perm: str, obj=None) -> bool:
    return context["request"].user.has_perm(perm, obj)


@register.simple_tag(takes_context=True)
def moderation_waiting(context) -> int:
    """How many items wait in the moderator's queue, for the navigation badge."""
    from proposals.moderation.selectors import moderation_queue_size

    return moderation_queue_size(context["request"].user)


@register.filter
def hours_text(hours):
    from proposals.insight.dashboards import hours_text as text

    return text(hours)


@register.filter
def days_text(days):
    from proposals.insight.dashboards import days_text as text

    return text(days)
