import copy
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from covenant import panels, selectors, services
from covenant.elders import elders_home, is_elders_mode
from covenant.forms import (
    DeleteAccountForm,
    JoinHouseholdForm,
    ProfileForm,
    RejectMembershipForm,
    VerifyMembershipForm,
)
from covenant.health import broker_status, database_status, heartbeat_status
from covenant.middleware import SUPPORTED_LANGUAGES
from covenant.models import Community, Membership
from covenant.personal_data import collect_personal_data
from covenant.rules import roles_of

logger = logging.getLogger(__name__)


def home(request):
    if is_elders_mode(request):
        return elders_home(request)
    if not request.user.is_authenticated:
        return render(request, "covenant/home.html")
    memberships = list(selectors.memberships_of(user=request.user))
    unseen_outcomes = [membership for membership in memberships if membership.outcome_is_unseen]
    awaiting = [m for m in memberships if m.status == Membership.Status.REQUESTED]
    captains = selectors.captains_of(households=[m.household for m in awaiting]) if awaiting else {}
    services.mark_outcomes_seen(user=request.user, shown=unseen_outcomes)
    since = services.mark_home_seen(user=request.user)
    roles = roles_of(request.user)
    context = {
        "memberships": memberships,
        "unseen_outcomes": unseen_outcomes,
        "awaiting": [(membership, captains[membership.household_id]) for membership in awaiting],
        "since": since,
        "runs_estate": bool(roles.estate_roles or roles.captain_grants or roles.is_superuser),
    }
    # What the feature apps have for this reader (covenant.panels), most pressing first.
    context["panels"] = panels.collect("home", request=request, since=since)
    context["anything_new"] = any(panel.context.get("has_new") for panel in context["panels"])
    return render(request, "covenant/home.html", context)


def privacy(request):
    return render(request, "covenant/privacy.html")


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice on a signed-in
    user's account so it follows them to every device."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in SUPPORTED_LANGUAGES:
        services.set_preferred_language(user=request.user, language=language)
    return response


@login_required
@require_POST
def choose_estate(request):
    """The estate switcher in the account menu, for someone who belongs to several."""
    estate = get_object_or_404(Community, pk=_posted_id(request, "estate"))
    if not request.user.has_perm("covenant.work_in_estate", estate):
        raise PermissionDenied
    services.choose_working_estate(user=request.user, estate=estate)
    messages.success(request, _("You are now working in %(estate)s.") % {"estate": estate.name})
    return redirect(_safe_next(request, default=reverse("home")))


def _posted_id(request, name: str) -> int:
    value = request.POST.get(name, "")
    if not value.isdigit():
        raise Http404
    return int(value)


@never_cache
@require_GET
def healthz(request):
    """503 when the database or the broker is down. A worker or beat that has not been
    heard from for HEARTBEAT_LATE_SECONDS makes the site "degraded" (mail has stopped)
    but still 200: the web itself answers, and restarting it would not help."""
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = all(state in ("ok", "not configured") for state in checks.values())
    background = heartbeat_status() if checks["database"] == "ok" else {}
    if not healthy:
        status = "error"
    elif any(background.get(name) in ("late", "never seen") for name in ("worker", "beat")):
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse({"status": status, **checks, **background}, status=200 if healthy else 503)


@login_required
@require_http_methods(["GET", "POST"])
def join_household(request):
    if not request.user.has_perm("covenant.request_membership"):
        raise PermissionDenied
    if request.method == "POST" and "step" not in request.POST:
        form = JoinHouseholdForm(request.POST)
        if form.is_valid():
            try:
                membership = services.request_membership(
                    user=request.user,
                    household=form.cleaned_data["household"],
                    relation=form.cleaned_data["relation"],
                    message=form.cleaned_data["message"],
                    proof_note=form.cleaned_data["proof_note"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Your request to join %(household)s has been sent to the building's captain.")
                    % {"household": membership.household},
                )
                return redirect("my_memberships")
    else:
        # A step (a building or floor chosen) narrows the next choice without validating.
        form = JoinHouseholdForm(
            initial=(request.POST if request.method == "POST" else request.GET).dict()
        )
    template = "covenant/join.html"
    if request.htmx and request.htmx.target == "join-choices":
        template += "#join-choices"
    return render(request, template, {"form": form})


@login_required
def my_memberships(request):
    memberships = list(selectors.memberships_of(user=request.user))
    services.mark_outcomes_seen(user=request.user, shown=memberships)
    return render(request, "covenant/my_memberships.html", {"memberships": memberships})


@login_required
@require_POST
def membership_withdraw(request, membership_id):
    membership = _get_membership_for(request, membership_id, "covenant.see_membership")
    if membership.user_id != request.user.pk:
        raise PermissionDenied
    try:
        services.withdraw_membership(membership_id=membership.pk, actor=request.user)
    except services.TransitionNotAllowed:
        messages.error(request, _("This request can no longer be withdrawn."))
    else:
        messages.success(request, _("Withdrawn."))
    return redirect("my_memberships")


@login_required
def membership_queue(request):
    if not request.user.has_perm("covenant.see_membership_queue"):
        raise PermissionDenied
    paginator = Paginator(
        selectors.pending_requests_for(user=request.user), settings.MEMBERSHIP_QUEUE_PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    for membership in page:
        membership.reject_form = RejectMembershipForm(auto_id=f"reject-{membership.pk}-%s")
    context = {"page": page, "membership_queue_count": paginator.count}
    return render(request, "covenant/membership_queue.html", context)


def _decision_context(request, membership, **forms) -> dict:
    """What the deciders' page shows: the household's members now, the warnings to confirm,
    the proof note. Only for a decider: the requester sees their own request only."""
    can_decide = request.user.has_perm("covenant.decide_membership", membership)
    context = {"membership": membership, "can_decide": can_decide}
    if not can_decide:
        return context
    members = selectors.household_members(household=membership.household, excluding=membership)
    warnings = selectors.verification_warnings(
        membership=membership, decider=request.user, members=members
    )
    return {
        **context,
        "members": members,
        "warnings": warnings,
        "verify_form": forms.get("verify_form") or VerifyMembershipForm(warnings=warnings),
        "reject_form": forms.get("reject_form") or RejectMembershipForm(),
        "events": membership.events.select_related("actor"),
    }


@login_required
def membership_detail(request, membership_id):
    membership = _get_membership_for(request, membership_id, "covenant.see_membership")
    return render(
        request, "covenant/membership_detail.html", _decision_context(request, membership)
    )


@login_required
@require_POST
def membership_verify(request, membership_id):
    membership = _get_membership_for(request, membership_id, "covenant.decide_membership")
    form = VerifyMembershipForm(request.POST)
    confirmed = form.is_valid() and form.cleaned_data["confirm"]
    try:
        services.verify_membership(
            membership_id=membership.pk, actor=request.user, confirmed=confirmed
        )
    except services.ConfirmationNeeded as needed:
        # One tap from the queue, or no tick: the page with the warnings and the box.
        form = VerifyMembershipForm(request.POST, warnings=needed.warnings)
        form.is_valid()
        context = _decision_context(request, membership, verify_form=form)
        return render(request, "covenant/membership_detail.html", context, status=400)
    except services.TransitionNotAllowed:
        messages.warning(request, _("This request was already decided."))
    else:
        messages.success(
            request,
            _("%(name)s is now a verified resident of %(household)s.")
            % {"name": membership.user, "household": membership.household},
        )
    return redirect(_after_decision(request))


@login_required
@require_POST
def membership_reject(request, membership_id):
    membership = _get_membership_for(request, membership_id, "covenant.decide_membership")
    form = RejectMembershipForm(request.POST)
    if not form.is_valid():
        context = _decision_context(request, membership, reject_form=form)
        return render(request, "covenant/membership_detail.html", context, status=400)
    try:
        services.reject_membership(
            membership_id=membership.pk, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except services.TransitionNotAllowed:
        messages.warning(request, _("This request was already decided."))
    else:
        messages.success(request, _("The request was rejected and the resident will see why."))
    return redirect(_after_decision(request))


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    # A copy, so an invalid form does not rename the user in the navigation.
    form = ProfileForm(request.POST or None, instance=copy.copy(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile has been saved."))
        return redirect("profile")
    return render(request, "covenant/profile.html", {"form": form})


@login_required
@require_GET
def personal_data_download(request):
    data = collect_personal_data(user=request.user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="covenant-my-data.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.delete_account(user=request.user)
        logout(request)
        messages.success(request, _("Your account has been deleted. Thank you for taking part."))
        return redirect("home")
    return render(request, "covenant/delete_account.html", {"form": form})


def _get_membership_for(request, membership_id: int, permission: str) -> Membership:
    membership = selectors.membership_with_details(membership_id=membership_id)
    if membership is None:
        raise Http404
    if not request.user.has_perm(permission, membership):
        raise PermissionDenied
    return membership


def _safe_next(request, *, default: str) -> str:
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return default


def _after_decision(request) -> str:
    return _safe_next(request, default=reverse("membership_queue"))


def csrf_failure(request, reason=""):
    """Django's own page carries an inline style our CSP refuses; this one fits the site."""
    return render(request, "403_csrf.html", status=403)
