"""Calendars: an activity's .ics, and each volunteer's private calendar feed."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from volunteers import selectors, services
from volunteers.calendar import activities_calendar
from volunteers.models import SignUp
from volunteers.views.common import get_activity, require_perm


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def activity_ics(request, activity_id):
    activity = get_activity(request, activity_id)
    content = activities_calendar(
        [activity],
        name=activity.title,
        url_of=lambda a: request.build_absolute_uri(a.get_absolute_url()),
        host=request.get_host(),
    )
    return _ics_response(content, f"activity-{activity.pk}.ics")


@login_required
@require_http_methods(["GET", "POST"])
def my_calendar(request):
    require_perm(request, "volunteers.sign_up")
    if request.method == "POST":
        services.renew_calendar_feed(user=request.user)
        messages.success(request, _("A new address was made; the old one no longer works."))
        return redirect("volunteers:my_calendar")
    feed = services.calendar_feed_of(user=request.user)
    url = request.build_absolute_uri(reverse("volunteers:calendar_feed", args=[feed.token]))
    return render(request, "volunteers/my_calendar.html", {"feed_url": url})


FEED_PAST_DAYS = 60


@require_GET
def calendar_feed(request, token):
    """A person's activities for calendar apps, which cannot sign in: the secret token
    in the address stands for the person."""
    user = selectors.feed_owner(token=token)
    if user is None:
        raise Http404
    # The feed ends with the role that gave it: a former captain's address is gone, and
    # it shows only the estates whose team the person is still on.
    estates = selectors.feed_estates(user)
    if not estates:
        return HttpResponse(status=410)
    since = timezone.now() - datetime.timedelta(days=FEED_PAST_DAYS)
    signups = list(selectors.signups_of_user(user=user, since=since, estates=estates))
    content = activities_calendar(
        [signup.activity for signup in signups],
        name=_("My volunteer activities"),
        url_of=lambda a: request.build_absolute_uri(a.get_absolute_url()),
        host=request.get_host(),
        # A place in the waitlist is not a place yet: the calendar shows it as tentative.
        tentative={s.activity_id for s in signups if s.status == SignUp.Status.WAITLISTED},
    )
    response = _ics_response(content, "volunteer-activities.ics")
    response["Content-Disposition"] = 'inline; filename="volunteer-activities.ics"'
    return response
