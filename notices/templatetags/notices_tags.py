from django import template

from notices import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notification_count(context) -> int:
    """The navigation's badge: one query per page, for a signed-in user only."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    cached = getattr(request, "_notices_unread", None)
    if cached is None:
        cached = selectors.unread_count(user)
        request._notices_unread = cached
    return cached
