"""How the volunteers area names a person."""

from django import template
from django.core.exceptions import ObjectDoesNotExist

register = template.Library()


@register.filter
def team_name(user) -> str:
    """The name the team knows a person by: the roster name they chose, else their
    display name; "Former resident" once they deleted their account (Volunteer.shown_name).

    Select the user's ``volunteer`` with them, or this costs a query per person."""
    try:
        volunteer = user.volunteer
    except ObjectDoesNotExist:
        return str(user.display_name)
    return volunteer.shown_name
