from django import template
from django.utils.translation import gettext as _

from proposals.models import Comment, Idea

register = template.Library()


def _identity_hidden(idea: Idea, viewer) -> bool:
    return idea.hide_name and not viewer.has_perm("proposals.see_author_identity", idea)


@register.simple_tag(takes_context=True)
def author_of(context, item) -> str:
    """The author as the viewer may see them. A hidden name stays hidden from residents,
    also on the author's own comments under their idea."""
    viewer = context["request"].user
    idea = item if isinstance(item, Idea) else item.idea
    if isinstance(item, Comment):
        if item.author_id == idea.author_id and _identity_hidden(idea, viewer):
            return _("The idea's author")
        return str(item.author.display_name) or _("A resident")
    if _identity_hidden(idea, viewer):
        return _("A resident (name withheld)")
    if idea.recorded_by_id:
        return idea.resident_name or _("A resident")
    return str(idea.author.display_name) or _("A resident")


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
    from proposals.selectors import moderation_queue_size

    return moderation_queue_size(context["request"].user)


@register.filter
def hours_text(hours):
    from proposals.dashboards import hours_text as text

    return text(hours)


@register.filter
def days_text(days):
    from proposals.dashboards import days_text as text

    return text(days)
