"""Volunteer activities: the list, organising one, signing up, cancelling, checking in."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from volunteers import selectors, services
from volunteers.forms import (
    ActivityForm,
    CancelActivityForm,
    CheckInTokenForm,
)
from volunteers.models import Activity, SignUp
from volunteers.views.common import get_activity, paginate, require_perm


@login_required
def activity_list(request):
    require_perm(request, "volunteers.see_activities")
    past = request.GET.get("past") == "1"
    page = paginate(request, selectors.activities(user=request.user, upcoming=not past))
    context = {
        "page": page,
        "past": past,
        "can_organise": request.user.has_perm("volunteers.organise"),
    }
    return render(request, "volunteers/activity_list.html", context)


@login_required
def activity_detail(request, activity_id):
    activity = get_activity(request, activity_id)
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
        context["check_in_code"] = signup.check_in_code
        context["check_in_qr"] = segno.make(url, error="m").svg_data_uri(scale=5, border=2)
    if can_run and not activity.is_cancelled:
        signups = list(selectors.signups_of_activity(activity=activity))
        context["confirmed"] = [s for s in signups if s.status != SignUp.Status.WAITLISTED]
        context["waitlist"] = [s for s in signups if s.status == SignUp.Status.WAITLISTED]
    return render(request, "volunteers/activity_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request):
    require_perm(request, "volunteers.organise")
    estates = selectors.organising_estates(user=request.user)
    form = ActivityForm(request.POST or None, estates=estates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        community = data.pop("estate")
        require_perm(request, "volunteers.organise", community)
        activity = services.create_activity(organiser=request.user, community=community, **data)
        messages.success(request, _("The activity is open for sign-up."))
        return redirect(activity)
    return render(request, "volunteers/activity_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request, activity_id):
    activity = get_activity(request, activity_id, "volunteers.run_activity")
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
    activity = get_activity(request, activity_id, "volunteers.run_activity")
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
    activity = get_activity(request, activity_id, "volunteers.sign_up")
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
    activity = get_activity(request, activity_id)
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
    activity = get_activity(request, activity_id, "volunteers.run_activity")
    if activity.is_cancelled:
        messages.error(request, _("This activity was cancelled; nobody is checked in."))
        return redirect(activity)
    form = CheckInTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        signup_id = services.signup_id_from_code(activity=activity, code=form.cleaned_data["token"])
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
    activity = get_activity(request, activity_id, "volunteers.run_activity")
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
    require_perm(request, "volunteers.run_activity", signup.activity)
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
