from django.conf import settings
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from covenant import selectors
from covenant.rules import roles_of


def navigation(request):
    """What the navigation shows: the user's roles and what waits for them."""
    user = getattr(request, "user", None)
    context = {
        "site_name": settings.SITE_NAME or _("Covenant"),
        "site_contact": settings.COVENANT_CONTACT,
    }
    if user is None or not user.is_authenticated:
        return context
    roles = roles_of(user)
    deciding = roles.is_admin or bool(roles.captain_grants)
    # Counted only when a template shows the badge, at most once, and not at all on
    # the queue page, which passes its paginator's count instead.
    queue_count = SimpleLazyObject(lambda: selectors.pending_requests_for(user=user).count())
    context.update({"user_roles": roles, "membership_queue_count": queue_count if deciding else 0})
    # A newcomer's one waiting state (covenant/_newcomer.html), worked out only on the pages
    # that show it: the 403 page, the volunteers' page, wherever a newcomer is turned away.
    context["newcomer"] = SimpleLazyObject(lambda: selectors.newcomer_state_of(user=user))
    return context
