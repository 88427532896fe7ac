"""Three-party deliberations: threads, meetings, resolutions and action items."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from covenant.models import Party
from covenant.rules import OPENING_ROLES
from proposals.access import require_perm
from proposals.deliberations import selectors as deliberations_selectors
from proposals.deliberations import services
from proposals.deliberations.forms import (
    ActionItemForm,
    BuildingPointForm,
    CloseForm,
    DeliberationForm,
    DeliberationOpenForm,
    IdeaPickerForm,
    MeetingForm,
    MinutesForm,
    PostForm,
    ProgressForm,
    RepresentativeForm,
    RepresentativePostForm,
    ResolutionForm,
    SignOffForm,
)
from proposals.ideas import selectors as ideas_selectors
from proposals.models import (
    ActionItem,
    Deliberation,
    DeliberationPost,
    Meeting,
    Representative,
)
from proposals.rules import parties_user_may_post_for, parties_user_may_sign_for
from proposals.votes import selectors as votes_selectors

# --- Deliberations -------------------------------------------------------------------

DELIBERATION_TEMPLATES = "proposals/deliberations/"


def _deliberation_for(request, deliberation_id: int, perm: str) -> Deliberation:
    """The deliberation, with its seats, if the user may read it (404 otherwise) and has
    `perm` on it (403 otherwise)."""
    require_perm(request, "proposals.browse_deliberations")
    deliberation = (
        deliberations_selectors.deliberations_visible_to(request.user, listed=False)
        .prefetch_related("representatives")
        .filter(pk=deliberation_id)
        .first()
    )
    if deliberation is None:
        raise Http404
    require_perm(request, perm, deliberation)
    return deliberation


def _form_page(request, template: str, context: dict, status: int = 200):
    return render(request, DELIBERATION_TEMPLATES + template, context, status=status)


@login_required
@require_GET
def deliberation_list(request):
    require_perm(request, "proposals.browse_deliberations")
    status = request.GET.get("status", "")
    page = deliberations_selectors.deliberation_page(
        user=request.user, status=status, cursor=request.GET.get("after")
    )
    context = {"page": page, "status": status, "statuses": Deliberation.Status.choices}
    return _form_page(request, "list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def deliberation_create(request):
    require_perm(request, "proposals.start_deliberation")
    estates = ideas_selectors.estates_where(request.user, *OPENING_ROLES)
    form = DeliberationOpenForm(request.POST or None, estates=estates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        deliberation = services.open_deliberation(
            opener=request.user, community=data.pop("estate"), **data
        )
        messages.success(
            request, _("The deliberation is open. Name the representatives and link the ideas.")
        )
        return redirect(deliberation)
    return _form_page(request, "form.html", {"form": form})


@login_required
@require_GET
def deliberation_detail(request, deliberation_id: int):
    require_perm(request, "proposals.browse_deliberations")
    deliberation = deliberations_selectors.deliberation_for_detail(
        user=request.user,
        deliberation_id=deliberation_id,
        thread_after=request.GET.get("posts"),
        residents_after=request.GET.get("residents"),
    )
    if deliberation is None:
        raise Http404
    require_perm(request, "proposals.read_deliberation", deliberation)
    user = request.user
    voices = parties_user_may_post_for(user, deliberation)
    signatures = parties_user_may_sign_for(user, deliberation)
    can = {
        perm: user.has_perm(f"proposals.{perm}", deliberation)
        for perm in [
            "convene_deliberation",
            "post_as_representative",
            "post_as_resident",
            "bring_building_point",
            "run_meetings",
            "draft_resolution",
            "sign_resolution",
            "manage_action_items",
        ]
    }
    can["put_to_vote"] = user.has_perm("proposals.manage_votes", deliberation)
    resolution = deliberation.current_resolution
    my_answers, still_to_answer = _answers_of(signatures, resolution)
    context = {
        "deliberation": deliberation,
        "can": can,
        "upcoming_meeting": deliberations_selectors.upcoming_meeting(deliberation),
        "post_form": RepresentativePostForm(parties=voices)
        if can["post_as_representative"]
        else None,
        "resident_form": PostForm() if can["post_as_resident"] else None,
        "point_form": BuildingPointForm(user=user, deliberation=deliberation)
        if can["bring_building_point"]
        else None,
        "sign_form": SignOffForm(
            parties=still_to_answer or signatures, initial={"version": resolution.current.number}
        )
        if can["sign_resolution"] and resolution and resolution.current
        else None,
        # Answered already: the answer is shown, and the form only to change it.
        "my_answers": my_answers,
        "sign_form_to_change": not still_to_answer,
        "representative_form": RepresentativeForm(deliberation=deliberation)
        if can["convene_deliberation"] and deliberation.accepts_posts
        else None,
        # The picker stays open until each of the three parties has someone.
        "seats_missing": {seat.party for seat in deliberation.representatives.all()}
        != set(Party.values),
        "action_form": ActionItemForm(deliberation=deliberation)
        if can["manage_action_items"] and resolution
        else None,
    }
    return _form_page(request, "detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def deliberation_edit(request, deliberation_id: int):
    deliberation = _deliberation_for(request, deliberation_id, "proposals.convene_deliberation")
    initial = {
        "topic": deliberation.topic,
        "background": deliberation.background,
        "open_to_residents": deliberation.open_to_residents,
    }
    form = DeliberationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_deliberation(deliberation=deliberation, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(deliberation)
    return _form_page(request, "form.html", {"form": form, "deliberation": deliberation})


@login_required
@require_http_methods(["GET", "POST"])
def deliberation_ideas(request, deliberation_id: int):
    """The idea picker: search by category and keywords, link the chosen or all matching."""
    deliberation = _deliberation_for(request, deliberation_id, "proposals.convene_deliberation")
    form = IdeaPickerForm(request.GET or request.POST or None)
    category, query = form.filters()
    matching = deliberations_selectors.ideas_for_linking(
        user=request.user, deliberation=deliberation, category=category, query=query
    )
    if request.method == "POST":
        if request.POST.get("link") == "all":
            chosen = list(matching)
        else:
            ids = [int(pk) for pk in request.POST.getlist("idea") if pk.isdigit()]
            chosen = list(matching.filter(pk__in=ids))
        try:
            count = services.link_ideas(deliberation=deliberation, ideas=chosen, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                ngettext("%(count)s idea linked.", "%(count)s ideas linked.", count)
                % {"count": count},
            )
        return redirect(deliberation)
    total = matching.count()
    context = {
        "deliberation": deliberation,
        "form": form,
        "ideas": list(matching[: deliberations_selectors.IDEAS_FOR_LINKING]),
        "total": total,
        "query_string": request.GET.urlencode(),
    }
    return _form_page(request, "ideas.html", context)


@login_required
@require_POST
def deliberation_unlink(request, deliberation_id: int, idea_id: int):
    deliberation = _deliberation_for(request, deliberation_id, "proposals.convene_deliberation")
    idea = get_object_or_404(deliberation.ideas, pk=idea_id)
    try:
        services.unlink_idea(deliberation=deliberation, idea=idea, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(deliberation)


@login_required
@require_POST
def representative_add(request, deliberation_id: int):
    deliberation = _deliberation_for(request, deliberation_id, "proposals.convene_deliberation")
    form = RepresentativeForm(request.POST, deliberation=deliberation)
    if form.is_valid():
        try:
            services.name_representative(
                deliberation=deliberation,
                user=form.cleaned_data["user"],
                party=form.cleaned_data["party"],
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Representative named."))
    else:
        messages.error(request, _("Choose a party and a person holding its role."))
    return redirect(deliberation)


@login_required
@require_POST
def representative_remove(request, deliberation_id: int, seat_id: int):
    deliberation = _deliberation_for(request, deliberation_id, "proposals.convene_deliberation")
    seat = get_object_or_404(Representative, pk=seat_id, deliberation=deliberation)
    try:
        services.remove_representative(seat=seat)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(deliberation)


POST_KINDS = {
    DeliberationPost.Kind.REPRESENTATIVE: "proposals.post_as_representative",
    DeliberationPost.Kind.RESIDENT: "proposals.post_as_resident",
    DeliberationPost.Kind.BUILDING_POINT: "proposals.bring_building_point",
}


@login_required
@require_POST
def deliberation_post(request, deliberation_id: int):
    kind = request.POST.get("kind", "")
    if kind not in POST_KINDS:
        raise Http404
    deliberation = _deliberation_for(request, deliberation_id, POST_KINDS[kind])
    if kind == DeliberationPost.Kind.REPRESENTATIVE:
        parties = parties_user_may_post_for(request.user, deliberation)
        form = RepresentativePostForm(request.POST, parties=parties)
    elif kind == DeliberationPost.Kind.BUILDING_POINT:
        form = BuildingPointForm(request.POST, user=request.user, deliberation=deliberation)
    else:
        form = PostForm(request.POST)
    if form.has_error("party") or form.has_error("building"):
        # Speaking for another party, or for a building one does not captain: refused.
        raise PermissionDenied
    if form.is_valid():
        try:
            post = services.add_deliberation_post(
                deliberation=deliberation,
                author=request.user,
                kind=kind,
                body=form.cleaned_data["body"],
                party=form.cleaned_data.get("party", ""),
                building=form.cleaned_data.get("building"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(f"{deliberation.get_absolute_url()}#post-{post.pk}")
    context = {"deliberation": deliberation, "form": form, "kind": kind}
    return _form_page(request, "post_form.html", context, status=400)


@login_required
@require_POST
def deliberation_start(request, deliberation_id: int):
    deliberation = _deliberation_for(request, deliberation_id, "proposals.convene_deliberation")
    try:
        services.start_session(deliberation=deliberation, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(deliberation)


def _answers_of(signatures: list[str], resolution) -> tuple[list, list[str]]:
    """Of the parties the user signs for: the sign-offs already given to the current text,
    and the parties still to answer it."""
    if not (resolution and resolution.current):
        return [], list(signatures)
    given = {
        party: sign_off
        for party, _label, sign_off in resolution.by_party
        if sign_off and party in signatures
    }
    return list(given.values()), [party for party in signatures if party not in given]


@login_required
@require_http_methods(["GET", "POST"])
def deliberation_close(request, deliberation_id: int):
    deliberation = _deliberation_for(request, deliberation_id, "proposals.convene_deliberation")
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_deliberation(
                deliberation=deliberation, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The deliberation is closed without a resolution."))
            return redirect(deliberation)
    return _form_page(request, "close.html", {"deliberation": deliberation, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request, deliberation_id: int):
    deliberation = _deliberation_for(request, deliberation_id, "proposals.run_meetings")
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_meeting(
                deliberation=deliberation, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Meeting scheduled; the representatives are told."))
            return redirect(deliberation)
    return _form_page(request, "meeting_form.html", {"deliberation": deliberation, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_minutes(request, meeting_id: int):
    meeting = get_object_or_404(Meeting.objects.prefetch_related("attendance"), pk=meeting_id)
    deliberation = _deliberation_for(request, meeting.deliberation_id, "proposals.run_meetings")
    initial = {"minutes": meeting.minutes}
    initial.update({f"attended_{a.party}": a.attendees for a in meeting.attendance.all()})
    form = MinutesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_minutes(
                meeting=meeting,
                actor=request.user,
                minutes=form.cleaned_data["minutes"],
                attendance=form.attendance(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(f"{deliberation.get_absolute_url()}#meeting-{meeting.pk}")
    context = {"deliberation": deliberation, "meeting": meeting, "form": form}
    return _form_page(request, "minutes_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def resolution_edit(request, deliberation_id: int):
    deliberation = _deliberation_for(request, deliberation_id, "proposals.draft_resolution")
    current = (
        deliberation.resolution.versions.order_by("-number").first()
        if hasattr(deliberation, "resolution")
        else None
    )
    form = ResolutionForm(request.POST or None, initial={"text": current.text if current else ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_resolution(
                deliberation=deliberation, author=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The resolution awaits the three parties' sign-off."))
            return redirect(f"{deliberation.get_absolute_url()}#resolution")
    context = {"deliberation": deliberation, "form": form, "current": current}
    return _form_page(request, "resolution_form.html", context)


@login_required
@require_POST
def resolution_sign(request, deliberation_id: int):
    deliberation = _deliberation_for(request, deliberation_id, "proposals.sign_resolution")
    parties = parties_user_may_sign_for(request.user, deliberation)
    form = SignOffForm(request.POST, parties=parties)
    if form.is_valid():
        try:
            services.sign_resolution(
                deliberation=deliberation,
                user=request.user,
                party=form.cleaned_data["party"],
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
                version_read=form.cleaned_data["version"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your party's answer is recorded."))
            return redirect(f"{deliberation.get_absolute_url()}#resolution")
    elif form.has_error("party"):
        # Another party's signature was asked for: refused, whatever the form says.
        raise PermissionDenied
    context = {"deliberation": deliberation, "form": form}
    return _form_page(request, "sign_form.html", context, status=400)


@login_required
@require_POST
def action_item_create(request, deliberation_id: int):
    deliberation = _deliberation_for(request, deliberation_id, "proposals.manage_action_items")
    if not hasattr(deliberation, "resolution"):
        raise Http404
    form = ActionItemForm(request.POST, deliberation=deliberation)
    if form.is_valid():
        try:
            services.add_action_item(
                resolution=deliberation.resolution, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(f"{deliberation.get_absolute_url()}#actions")
    context = {"deliberation": deliberation, "form": form}
    return _form_page(request, "action_form.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def action_item_update(request, item_id: int):
    item = get_object_or_404(
        ActionItem.objects.select_related("resolution__deliberation", "owner"), pk=item_id
    )
    deliberation = _deliberation_for(
        request, item.resolution.deliberation_id, "proposals.read_deliberation"
    )
    item.resolution.deliberation = deliberation
    require_perm(request, "proposals.update_action_item", item)
    form = ProgressForm(
        request.POST or None,
        initial={"status": item.status, "progress_note": item.progress_note},
    )
    if request.method == "POST" and form.is_valid():
        services.update_action_item(item=item, actor=request.user, **form.cleaned_data)
        return redirect(f"{deliberation.get_absolute_url()}#actions")
    context = {"deliberation": deliberation, "item": item, "form": form}
    return _form_page(request, "progress_form.html", context)


@login_required
@require_GET
def public_record(request):
    require_perm(request, "proposals.browse_deliberations")
    cursor = request.GET.get("after")
    page = deliberations_selectors.public_record_page(user=request.user, cursor=cursor)
    # The owners' votes head the first page; later pages continue the deliberations.
    votes = votes_selectors.published_votes(request.user) if not cursor else None
    return _form_page(request, "record.html", {"page": page, "votes": votes})
