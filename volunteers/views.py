import datetime

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from covenant.models import Building, User
from notices import selectors as notices_selectors
from proposals.ideas import selectors as proposals_selectors
from volunteers import selectors, services
from volunteers.calendar import activities_calendar
from volunteers.chart import month_chart
from volunteers.forms import (
    ActivityForm,
    ApplyForm,
    CancelActivityForm,
    CaptainMessageForm,
    CheckInTokenForm,
    DeclineForm,
)
from volunteers.models import Activity, SignUp, Volunteer

PAGE_SIZE = 20


# A printed statement should fit a volunteer's whole record on its first page.
STATEMENT_PAGE_SIZE = 100


def _page(request, queryset, name="page", size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get(name))


def _require(request, permission, obj=None):
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


# --- The team ------------------------------------------------------------------------


@login_required
def index(request):
    """The volunteers' front page: one's place on the team, one's captain, one's sign-ups."""
    user = request.user
    context = {
        "volunteer": selectors.volunteer_of(user=user),
        "can_apply": user.has_perm("volunteers.apply"),
        "is_team_member": user.has_perm("volunteers.sign_up"),
        "captains": selectors.captains_for(user=user),
        "message_form": CaptainMessageForm(),
        "my_signups": selectors.signups_of_user(user=user, since=timezone.now()),
    }
    if user.has_perm("volunteers.read_captain_messages"):
        context["unread_messages"] = selectors.unread_message_count(captain=user)
    return render(request, "volunteers/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def apply(request):
    volunteer = selectors.volunteer_of(user=request.user)
    # An approved volunteer or a captain edits their details here too.
    if not (
        request.user.has_perm("volunteers.apply") or request.user.has_perm("volunteers.sign_up")
    ):
        raise PermissionDenied
    form = ApplyForm(request.POST or None, instance=volunteer)
    if request.method == "POST" and form.is_valid():
        volunteer = services.apply_to_team(user=request.user, **form.cleaned_data)
        if volunteer.status == volunteer.Status.APPLIED:
            messages.success(
                request, _("Thank you! The Party branch will look at your application.")
            )
        else:
            messages.success(request, _("Your details have been saved."))
        return redirect("volunteers:index")
    return render(request, "volunteers/apply.html", {"form": form, "volunteer": volunteer})


@login_required
@require_http_methods(["GET", "POST"])
def leave_team(request):
    """Leave the team: a page that says what happens, and a button that does it."""
    _require(request, "volunteers.leave_team")
    volunteer = selectors.volunteer_of(user=request.user)
    if request.method == "POST":
        try:
            left = services.leave_team(volunteer_id=volunteer.pk, actor=request.user)
        except services.TransitionNotAllowed:
            # A second click that lost the race to the first.
            messages.info(request, _("You have left the team already."))
            return redirect("volunteers:index")
        given_up = len(left.cancelled)
        if given_up:
            messages.success(
                request,
                ngettext(
                    "You have left the team, and your place at %(count)s coming activity "
                    "was given up. Your hours stay in the ledger. Thank you for your help!",
                    "You have left the team, and your places at %(count)s coming activities "
                    "were given up. Your hours stay in the ledger. Thank you for your help!",
                    given_up,
                )
                % {"count": given_up},
            )
        else:
            messages.success(
                request,
                _(
                    "You have left the team. Your hours stay in the ledger. "
                    "Thank you for your help!"
                ),
            )
        return redirect("volunteers:index")
    context = {
        "volunteer": volunteer,
        "places": list(selectors.places_given_up_on_leaving(user=request.user)),
        "total_hours": selectors.total_hours_of(user=request.user),
    }
    return render(request, "volunteers/leave.html", context)


@login_required
def applications(request):
    _require(request, "volunteers.decide_application")
    page = _page(request, selectors.pending_applications(user=request.user))
    return render(
        request, "volunteers/applications.html", {"page": page, "decline_form": DeclineForm()}
    )


def _application_for(request, volunteer_id) -> Volunteer:
    """An application the user may decide: to the team of an estate where they approve
    (403 for another estate's)."""
    volunteer = get_object_or_404(Volunteer, pk=volunteer_id)
    _require(request, "volunteers.decide_application", volunteer)
    return volunteer


@login_required
@require_POST
def application_approve(request, volunteer_id):
    _application_for(request, volunteer_id)
    try:
        volunteer = services.approve_volunteer(volunteer_id=volunteer_id, actor=request.user)
    except services.TransitionNotAllowed:
        messages.warning(request, _("This application was already decided."))
    else:
        messages.success(request, _("%(name)s is on the team.") % {"name": volunteer.shown_name})
    return redirect("volunteers:applications")


@login_required
@require_POST
def application_decline(request, volunteer_id):
    _application_for(request, volunteer_id)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a reason, so the resident knows why."))
        return redirect("volunteers:applications")
    try:
        services.decline_volunteer(
            volunteer_id=volunteer_id, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except services.TransitionNotAllowed:
        messages.warning(request, _("This application was already decided."))
    else:
        messages.success(request, _("The application was declined; the resident will see why."))
    return redirect("volunteers:applications")


@login_required
def roster(request):
    _require(request, "volunteers.see_roster")
    page = _page(request, selectors.roster(user=request.user))
    # Hours by volunteer are the team's (the ledger's), not every resident's.
    context = {"page": page, "show_hours": request.user.has_perm("volunteers.see_ledger")}
    return render(request, "volunteers/roster.html", context)


@login_required
@require_POST
def message_captain(request):
    _require(request, "volunteers.message_captain")
    captain_id = request.POST.get("captain")
    household_id = request.POST.get("household")
    # Only a captain who looks after one of the sender's own households.
    pairs = {
        (str(household.pk), str(captain.pk)): (household, captain)
        for household, captains in selectors.captains_for(user=request.user)
        for captain in captains
    }
    if (household_id, captain_id) not in pairs:
        raise PermissionDenied
    form = CaptainMessageForm(request.POST)
    if form.is_valid():
        household, captain = pairs[(household_id, captain_id)]
        services.message_captain(
            sender=request.user,
            captain=captain,
            household=household,
            body=form.cleaned_data["body"],
        )
        messages.success(
            request, _("Your message was sent to %(name)s.") % {"name": captain.display_name}
        )
    else:
        messages.error(request, _("Write a message first."))
    return redirect("volunteers:index")


@login_required
def captain_messages(request):
    _require(request, "volunteers.read_captain_messages")
    page = _page(request, selectors.messages_for_captain(captain=request.user))
    unread = {message.pk for message in page if message.read_at is None}
    services.mark_messages_read(captain=request.user, shown=list(page))
    return render(request, "volunteers/captain_messages.html", {"page": page, "unread": unread})


# --- Activities ----------------------------------------------------------------------


@login_required
def activity_list(request):
    _require(request, "volunteers.see_activities")
    past = request.GET.get("past") == "1"
    page = _page(request, selectors.activities(user=request.user, upcoming=not past))
    context = {
        "page": page,
        "past": past,
        "can_organise": request.user.has_perm("volunteers.organise"),
    }
    return render(request, "volunteers/activity_list.html", context)


def _get_activity(request, activity_id, permission="volunteers.see_activities"):
    activity = selectors.activity_with_counts(activity_id=activity_id)
    if activity is None:
        raise Http404
    _require(request, permission, activity)
    return activity


@login_required
def activity_detail(request, activity_id):
    activity = _get_activity(request, activity_id)
    user = request.user
    signup = selectors.signup_of(activity=activity, user=user)
    can_run = user.has_perm("volunteers.run_activity", activity)
    has_begun = activity.starts_at <= timezone.now()
    context = {
        "activity": activity,
        "signup": signup,
        "can_sign_up": user.has_perm("volunteers.sign_up", activity),
        "can_run": can_run,
        "has_begun": has_begun,
        "can_cancel_activity": can_run and not has_begun and not activity.is_cancelled,
        "free": max(activity.capacity - activity.taken, 0),
    }
    if signup and signup.status == SignUp.Status.WAITLISTED:
        context["position"] = selectors.waitlist_position(signup=signup)
    if signup and signup.status == SignUp.Status.CONFIRMED:
        token = services.check_in_token(signup)
        url = request.build_absolute_uri(reverse("volunteers:check_in_scan", args=[token]))
        context["check_in_token"] = token
        context["check_in_qr"] = segno.make(url, error="m").svg_data_uri(scale=5, border=2)
    if can_run and not activity.is_cancelled:
        signups = list(selectors.signups_of_activity(activity=activity))
        context["confirmed"] = [s for s in signups if s.status != SignUp.Status.WAITLISTED]
        context["waitlist"] = [s for s in signups if s.status == SignUp.Status.WAITLISTED]
    return render(request, "volunteers/activity_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request):
    _require(request, "volunteers.organise")
    estates = selectors.organising_estates(user=request.user)
    form = ActivityForm(request.POST or None, estates=estates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        community = data.pop("estate")
        _require(request, "volunteers.organise", community)
        activity = services.create_activity(organiser=request.user, community=community, **data)
        messages.success(request, _("The activity is open for sign-up."))
        return redirect(activity)
    return render(request, "volunteers/activity_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request, activity_id):
    activity = _get_activity(request, activity_id, "volunteers.run_activity")
    if activity.is_cancelled:
        return _refuse_cancelled(request, activity)
    form = ActivityForm(request.POST or None, instance=Activity.objects.get(pk=activity.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_activity(
                activity_id=activity.pk, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The activity has been updated."))
            return redirect(activity)
    return render(request, "volunteers/activity_form.html", {"form": form, "activity": activity})


def _refuse_cancelled(request, activity):
    messages.error(request, _("This activity was cancelled; it can no longer change."))
    return redirect(activity)


@login_required
@require_http_methods(["GET", "POST"])
def activity_cancel_activity(request, activity_id):
    """The organiser (or an admin) calls off an activity not yet begun, saying why."""
    activity = _get_activity(request, activity_id, "volunteers.run_activity")
    if activity.is_cancelled:
        messages.info(request, _("This activity was cancelled already."))
        return redirect(activity)
    if activity.starts_at <= timezone.now():
        messages.error(request, _("This activity has begun; it can no longer be cancelled."))
        return redirect(activity)
    form = CancelActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_activity(
                activity_id=activity.pk, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        except services.TransitionNotAllowed:
            messages.info(request, _("This activity was cancelled already."))
            return redirect(activity)
        else:
            messages.success(
                request, _("The activity is cancelled; everyone signed up or waiting is told.")
            )
            return redirect(activity)
    context = {"activity": activity, "form": form, "told": activity.taken + activity.waiting}
    return render(request, "volunteers/activity_cancel.html", context)


@login_required
@require_POST
def activity_sign_up(request, activity_id):
    activity = _get_activity(request, activity_id, "volunteers.sign_up")
    try:
        signup = services.sign_up(activity_id=activity.pk, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if signup.status == SignUp.Status.CONFIRMED:
            messages.success(request, _("You are signed up. See you there!"))
        else:
            messages.info(request, _("The activity is full: you are on the waitlist."))
    return redirect(activity)


@login_required
@require_POST
def activity_cancel(request, activity_id):
    activity = _get_activity(request, activity_id)
    signup = selectors.signup_of(activity=activity, user=request.user)
    if signup is None:
        raise Http404
    try:
        services.cancel_signup(signup_id=signup.pk, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except services.TransitionNotAllowed:
        messages.error(request, _("You were checked in already; this cannot be cancelled."))
    else:
        messages.success(request, _("Your sign-up is cancelled. Thank you for letting us know."))
    return redirect(activity)


@login_required
@require_http_methods(["GET", "POST"])
def activity_check_in(request, activity_id):
    """The organiser's check-in page: a code typed or scanned, or a tick by hand."""
    activity = _get_activity(request, activity_id, "volunteers.run_activity")
    if activity.is_cancelled:
        messages.error(request, _("This activity was cancelled; nobody is checked in."))
        return redirect(activity)
    form = CheckInTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        signup_id = services.signup_id_from_token(form.cleaned_data["token"])
        signup = selectors.signup_with_details(signup_id=signup_id) if signup_id else None
        if signup is None or signup.activity_id != activity.pk:
            form.add_error("token", _("This code is not for this activity."))
        else:
            _check_in(request, signup)
            return redirect("volunteers:activity_check_in", activity.pk)
    signups = list(selectors.signups_of_activity(activity=activity))
    context = {
        "activity": activity,
        "form": form,
        "signups": [s for s in signups if s.status != SignUp.Status.WAITLISTED],
        "present": sum(1 for s in signups if s.status == SignUp.Status.ATTENDED),
    }
    return render(request, "volunteers/check_in.html", context)


@login_required
@require_POST
def activity_check_in_by_hand(request, activity_id, signup_id):
    activity = _get_activity(request, activity_id, "volunteers.run_activity")
    signup = selectors.signup_with_details(signup_id=signup_id)
    if signup is None or signup.activity_id != activity.pk:
        raise Http404
    _check_in(request, signup)
    return redirect("volunteers:activity_check_in", activity.pk)


@login_required
@require_http_methods(["GET", "POST"])
def check_in_scan(request, token):
    """Where the QR code leads: the organiser's phone opens it and confirms."""
    signup_id = services.signup_id_from_token(token)
    signup = selectors.signup_with_details(signup_id=signup_id) if signup_id else None
    if signup is None:
        raise Http404
    _require(request, "volunteers.run_activity", signup.activity)
    if request.method == "POST":
        _check_in(request, signup)
        return redirect("volunteers:activity_check_in", signup.activity_id)
    return render(request, "volunteers/check_in_scan.html", {"signup": signup})


def _check_in(request, signup: SignUp) -> None:
    name = signup.user.display_name
    try:
        services.check_in(signup_id=signup.pk, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except services.TransitionNotAllowed as refusal:
        if refusal.obj.status == SignUp.Status.ATTENDED:
            messages.info(request, _("%(name)s was checked in already.") % {"name": name})
        else:
            messages.error(
                request, _("%(name)s has no confirmed place at this activity.") % {"name": name}
            )
    else:
        messages.success(request, _("%(name)s is checked in.") % {"name": name})


# --- Calendars -----------------------------------------------------------------------


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def activity_ics(request, activity_id):
    activity = _get_activity(request, activity_id)
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
    _require(request, "volunteers.sign_up")
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


# --- The ledger ----------------------------------------------------------------------


@login_required
def ledger(request):
    _require(request, "volunteers.see_ledger")
    # The ledgers of the listed estates' teams.
    estates = selectors.listed_estates_of(request.user)
    months = selectors.monthly_hours(estates=estates)
    context = {
        "chart": month_chart(months),
        "months": months,
        "totals": selectors.team_totals(estates=estates),
        "page": _page(request, selectors.hours_by_volunteer(estates=estates)),
        # Those who approve the team may open anyone's statement (volunteers.see_statement).
        "can_see_all_statements": request.user.has_perm("volunteers.decide_application"),
    }
    return render(request, "volunteers/ledger.html", context)


@login_required
def statement(request, user_id):
    person = get_object_or_404(User.objects.select_related("volunteer"), pk=user_id)
    _require(request, "volunteers.see_statement", person)
    # One's own hours everywhere; to an approver, those served in the estates they approve.
    estates = selectors.statement_estates(viewer=request.user, person=person)
    months = selectors.monthly_hours(user=person, estates=estates)
    entries = selectors.entries_of(user=person, estates=estates)
    context = {
        "person": person,
        "chart": month_chart(months),
        "months": months,
        "page": _page(request, entries, size=STATEMENT_PAGE_SIZE),
        "total": selectors.total_hours_of(user=person, estates=estates),
        "printed_at": timezone.localtime(),
    }
    return render(request, "volunteers/statement.html", context)


# --- The captain's building ----------------------------------------------------------


@login_required
def buildings(request):
    choices = list(selectors.buildings_seen_by(user=request.user))
    if not choices:
        raise PermissionDenied
    if len(choices) == 1:
        return redirect("volunteers:building", choices[0].pk)
    return render(request, "volunteers/buildings.html", {"buildings": choices})


@login_required
def building(request, building_id):
    building = get_object_or_404(Building, pk=building_id)
    _require(request, "volunteers.see_building", building)
    # A captain of some floors sees those floors only; the counts follow.
    households = _page(
        request, selectors.households_of_building(building=building, user=request.user)
    )
    to_visit = _page(
        request,
        selectors.households_to_visit(building=building, user=request.user),
        name="visit_page",
    )
    context = {
        "building": building,
        "households": households,
        "to_visit": to_visit,
        "reached": households.paginator.count - to_visit.paginator.count,
        "open_ideas": proposals_selectors.open_ideas_of_building(
            user=request.user, building=building
        ),
        "unreached": notices_selectors.unreached_in_building(user=request.user, building=building),
        # Each list pages on its own and keeps the other's page in its links.
        "households_keep": f"&page={households.number}",
        "visit_keep": f"&visit_page={to_visit.number}",
    }
    return render(request, "volunteers/building.html", context)
