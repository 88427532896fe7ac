"""长辈模式 (elders' mode): large type, read aloud and a simpler home.

A way of showing the same pages, not a second site: the URLs and permissions are the
same; base.html puts the class `elders` on <body> and loads static/css/elders.css.
A signed-in person's choice is kept on their account (it follows them to every
device); a visitor's in a cookie.
"""

from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from covenant import selectors
from covenant.models import Membership, User

COOKIE = "elders"
COOKIE_MAX_AGE = 365 * 24 * 3600


def is_elders_mode(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.elders_mode
    return request.COOKIES.get(COOKIE) == "1"


def context(request):
    """Context processor: whether the page is shown in elders' mode."""
    return {"elders_mode": is_elders_mode(request)}


def set_elders_mode(*, user: User, on: bool) -> None:
    if user.elders_mode != on:
        user.elders_mode = on
        user.save(update_fields=["elders_mode"])


@require_POST
def toggle(request):
    """The switch on the home page and in the account menu: `on` is "1" or "0"."""
    on = request.POST.get("on") == "1"
    if request.user.is_authenticated:
        set_elders_mode(user=request.user, on=on)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home")
    response = redirect(next_url)
    if on:
        response.set_cookie(COOKIE, "1", max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True)
    else:
        response.delete_cookie(COOKIE, samesite="Lax")
    return response


def elders_home(request):
    """The three things an elder does, as big buttons, and who their captain is."""
    captains = []
    if request.user.is_authenticated:
        verified = [
            membership.household
            for membership in selectors.memberships_of(user=request.user)
            if membership.status == Membership.Status.VERIFIED
        ]
        if verified:
            seen = set()
            for people in selectors.captains_of(households=verified).values():
                for captain in people:
                    if captain.pk not in seen:
                        seen.add(captain.pk)
                        captains.append(captain)
    return render(request, "covenant/home_elders.html", {"captains": captains})
