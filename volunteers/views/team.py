"""The volunteer team: joining and leaving it, the applications, the roster, and the
messages residents send their building's captain."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from volunteers import captain_inbox, selectors, services
from volunteers.forms import (
    ApplyForm,
    CaptainMessageForm,
    CaptainReplyForm,
    DeclineForm,
)
from volunteers.models import CaptainMessage, Volunteer
from volunteers.views.common import paginate, require_perm


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
    require_perm(request, "volunteers.leave_team")
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
    require_perm(request, "volunteers.decide_application")
    page = paginate(request, selectors.pending_applications(user=request.user))
    return render(
        request, "volunteers/applications.html", {"page": page, "decline_form": DeclineForm()}
    )


def _application_for(request, volunteer_id) -> Volunteer:
    """An application the user may decide: to the team of an estate where they approve
    (403 for another estate's)."""
    volunteer = get_object_or_404(Volunteer, pk=volunteer_id)
    require_perm(request, "volunteers.decide_application", volunteer)
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
    require_perm(request, "volunteers.see_roster")
    page = paginate(request, selectors.roster(user=request.user))
    # Hours by volunteer are the team's (the ledger's), not every resident's.
    context = {"page": page, "show_hours": request.user.has_perm("volunteers.see_ledger")}
    return render(request, "volunteers/roster.html", context)


@login_required
@require_POST
def message_captain(request):
    require_perm(request, "volunteers.message_captain")
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
        captain_inbox.message_captain(
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
@require_POST
def captain_reply(request, message_id):
    message = get_object_or_404(CaptainMessage.objects.select_related("household"), pk=message_id)
    require_perm(request, "volunteers.reply_to_captain_message", message)
    form = CaptainReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write an answer first."))
        return redirect("volunteers:captain_messages")
    try:
        captain_inbox.reply_to_captain_message(
            captain=request.user, message_id=message.pk, body=form.cleaned_data["body"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Your answer was sent to %(name)s.") % {"name": message.sender.display_name},
        )
    return redirect("volunteers:captain_messages")


@login_required
def captain_messages(request):
    require_perm(request, "volunteers.read_captain_messages")
    page = paginate(request, selectors.messages_for_captain(captain=request.user))
    unread = {message.pk for message in page if message.read_at is None}
    captain_inbox.mark_messages_read(captain=request.user, shown=list(page))
    return render(request, "volunteers/captain_messages.html", {"page": page, "unread": unread})
