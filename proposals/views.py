from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from covenant.models import Community
from covenant.rules import roles_of
from covenant.selectors import current_community
from proposals import exports, selectors, services
from proposals.forms import (
    ActionItemForm,
    BoardFilterForm,
    BuildingPointForm,
    BulkTriageForm,
    CloseForm,
    CommentEditForm,
    CommentForm,
    DeliberationForm,
    HideForm,
    IdeaFilterForm,
    IdeaForm,
    IdeaPickerForm,
    MeetingForm,
    MergeForm,
    MinutesForm,
    PostForm,
    ProgressForm,
    RecordIdeaForm,
    ReportForm,
    RepresentativeForm,
    RepresentativePostForm,
    ResolutionForm,
    SignOffForm,
    StaffNoteForm,
    TriageForm,
)
from proposals.models import (
    ActionItem,
    Comment,
    Deliberation,
    DeliberationPost,
    Idea,
    Meeting,
    Moderation,
    Representative,
)
from proposals.rules import parties_user_may_post_for, parties_user_may_sign_for

logger = logging.getLogger(__name__)


def _require(request, perm: str, obj=None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def _idea_for(request, idea_id: int, perm: str = "proposals.read_idea") -> Idea:
    """The idea, if the user may see it and has `perm` on it; 404 if they may not see it."""
    _require(request, "proposals.browse_ideas")
    idea = (
        selectors.ideas_visible_to(request.user)
        .select_related("building")
        .filter(pk=idea_id)
        .first()
    )
    if idea is None:
        raise Http404
    _require(request, perm, idea)
    return idea


def _comment_for(request, comment_id: int, perm: str) -> Comment:
    comment = get_object_or_404(Comment.objects.select_related("idea__building"), pk=comment_id)
    _idea_for(request, comment.idea_id)
    _require(request, perm, comment)
    return comment


def _rate_limited(request, group: str) -> bool:
    """Count one more `group` action for this user; True once over the limit."""
    limited = is_ratelimited(
        request,
        group=f"proposals.{group}",
        key="user",
        rate=settings.IDEA_RATE_LIMITS[group],
        increment=True,
    )
    if limited:
        logger.warning("user %s over the %s rate limit", request.user.pk, group)
    return limited


def _too_many(request, kept_text: str = ""):
    return render(request, "proposals/rate_limited.html", {"kept_text": kept_text}, status=429)


# --- Browsing ------------------------------------------------------------------------


@login_required
@require_GET
def idea_list(request):
    _require(request, "proposals.browse_ideas")
    form = IdeaFilterForm(request.GET, user=request.user)
    filters = form.filters()
    page = selectors.idea_page(user=request.user, filters=filters, cursor=request.GET.get("after"))
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "ideas": page.items,
        "campaigns": selectors.open_campaigns(request.user),
    }
    if request.htmx and request.GET.get("after"):
        return render(request, "proposals/idea_list.html#idea-page", context)
    return render(request, "proposals/idea_list.html", context)


@login_required
@require_GET
def idea_detail(request, idea_id: int):
    _require(request, "proposals.browse_ideas")
    idea = selectors.idea_for_detail(
        user=request.user, idea_id=idea_id, comments_after=request.GET.get("comments")
    )
    if idea is None:
        raise Http404
    _require(request, "proposals.read_idea", idea)
    user = request.user
    can_triage = user.has_perm("proposals.triage_idea", idea)
    context = {
        "idea": idea,
        "comment_form": CommentForm(idea=idea),
        "can_moderate": user.has_perm("proposals.moderate_item", idea),
        "can_triage": can_triage,
        "audit_log": selectors.audit_log(idea)
        if user.has_perm("proposals.see_audit_log", idea)
        else (),
        "staff_notes": selectors.staff_notes(idea) if can_triage else (),
        "triage_history": selectors.triage_history(idea) if can_triage else (),
        "triage_form": TriageForm(idea=idea) if can_triage else None,
        "note_form": StaffNoteForm() if can_triage else None,
        "hide_form": HideForm(),
        "merge_form": MergeForm(idea=idea),
    }
    return render(request, "proposals/idea_detail.html", context)


@login_required
@require_GET
def campaign_list(request):
    _require(request, "proposals.browse_ideas")
    campaigns = selectors.campaigns_of(request.user)
    return render(request, "proposals/campaign_list.html", {"campaigns": campaigns})


# --- Submitting ----------------------------------------------------------------------


def _submit(request, form_class, template: str):
    form = form_class(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        if _rate_limited(request, "idea"):
            # The form comes back as typed, with the reason, so nothing is lost.
            form.add_error(
                None,
                _(
                    "You have shared many ideas in a short time. Please wait a while, then send this one again."
                ),
            )
            return render(request, template, {"form": form}, status=429)
        data = form.cleaned_data
        extra = {}
        if isinstance(form, RecordIdeaForm):
            extra = {
                "recorded_by": request.user,
                "household": data["household"],
                "resident_name": data["resident_name"],
            }
        try:
            idea = services.submit_idea(
                author=request.user,
                title=data["title"],
                body=data["body"],
                category=data["category"],
                hide_name=data["hide_name"],
                campaign=data.get("campaign"),
                photos=data["photos"],
                **extra,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if idea.moderation == Moderation.PENDING:
                messages.info(
                    request,
                    _("Thank you! A moderator will look at your idea before others see it."),
                )
            else:
                messages.success(
                    request, _("Thank you! Your idea is published. Share it with your neighbours.")
                )
            return redirect(idea)
    return render(request, template, {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def idea_create(request):
    _require(request, "proposals.submit_idea")
    return _submit(request, IdeaForm, "proposals/idea_form.html")


@login_required
@require_http_methods(["GET", "POST"])
def idea_record(request):
    _require(request, "proposals.record_idea_for_resident")
    return _submit(request, RecordIdeaForm, "proposals/idea_record.html")


@login_required
@require_GET
def similar_ideas(request):
    """While a title is typed: ideas with similar wording, to support instead."""
    _require(request, "proposals.browse_ideas")
    title = request.GET.get("title", "")[:200]
    ideas = (
        selectors.similar_ideas(user=request.user, text=title) if len(title.strip()) >= 2 else []
    )
    return render(request, "proposals/_similar_ideas.html", {"similar": ideas})


@login_required
@require_POST
def idea_withdraw(request, idea_id: int):
    idea = _idea_for(request, idea_id, "proposals.withdraw_idea")
    try:
        services.withdraw_idea(idea=idea, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your idea has been withdrawn."))
    return redirect(idea)


# --- Supports, comments, reports -----------------------------------------------------


@login_required
@require_POST
def idea_support(request, idea_id: int):
    idea = _idea_for(request, idea_id)
    wants_support = request.POST.get("support") == "1"
    if wants_support:
        _require(request, "proposals.support_idea", idea)
    count = services.set_support(idea=idea, user=request.user, supported=wants_support)
    if request.htmx:
        idea.support_count = count
        idea.is_supported = wants_support
        # Inside the idea form the button has no form of its own (forms do not nest).
        variant = "toggle" if request.POST.get("variant") == "toggle" else "button"
        return render(request, f"proposals/_support_{variant}.html", {"idea": idea})
    return redirect(request.POST.get("next") if _is_local(request.POST.get("next")) else idea)


def _is_local(url: str | None) -> bool:
    return bool(url) and url.startswith("/") and not url.startswith("//")


@login_required
@require_POST
def comment_create(request, idea_id: int):
    idea = _idea_for(request, idea_id, "proposals.comment_on_idea")
    form = CommentForm(request.POST, idea=idea)
    if form.is_valid():
        if _rate_limited(request, "comment"):
            return _too_many(request, kept_text=form.cleaned_data["body"])
        comment = services.add_comment(
            idea=idea,
            author=request.user,
            body=form.cleaned_data["body"],
            parent=form.cleaned_data["parent"],
        )
        if comment.moderation != Moderation.VISIBLE:
            messages.info(
                request, _("Thank you! Your comment appears once a moderator has seen it.")
            )
        return redirect(comment.get_absolute_url())
    idea = selectors.idea_for_detail(user=request.user, idea_id=idea.pk)
    return render(
        request,
        "proposals/idea_detail.html",
        {
            "idea": idea,
            "comment_form": form,
            "hide_form": HideForm(),
            "merge_form": MergeForm(idea=idea),
        },
        status=400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request, comment_id: int):
    comment = _comment_for(request, comment_id, "proposals.edit_comment")
    form = CommentEditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        services.edit_comment(comment=comment, body=form.cleaned_data["body"])
        return redirect(comment.get_absolute_url())
    return render(request, "proposals/comment_edit.html", {"form": form, "comment": comment})


def _report(request, item, idea: Idea):
    _require(request, "proposals.report_item", item)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _rate_limited(request, "report"):
            return _too_many(request, kept_text=form.cleaned_data["note"])
        recorded = services.report_item(reporter=request.user, item=item, **form.cleaned_data)
        if recorded:
            messages.success(request, _("Thank you. The moderators have been told."))
        else:
            messages.info(request, _("You have reported this already; the moderators have it."))
        return redirect(idea)
    return render(request, "proposals/report.html", {"form": form, "item": item, "idea": idea})


@login_required
@require_http_methods(["GET", "POST"])
def idea_report(request, idea_id: int):
    idea = _idea_for(request, idea_id)
    return _report(request, idea, idea)


@login_required
@require_http_methods(["GET", "POST"])
def comment_report(request, comment_id: int):
    comment = _comment_for(request, comment_id, "proposals.read_idea")
    return _report(request, comment, comment.idea)


# --- Moderation ----------------------------------------------------------------------


@login_required
@require_GET
def moderation_queue(request):
    _require(request, "proposals.see_moderation_queue")
    items = selectors.moderation_queue(user=request.user)
    return render(
        request,
        "proposals/moderation_queue.html",
        {"items": items, "hide_form": HideForm()},
    )


def _moderate(request, item, idea: Idea):
    _require(request, "proposals.moderate_item", item)
    action = request.POST.get("action")
    try:
        if action == "hide":
            form = HideForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors["reason"])
            services.hide_item(item=item, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("Hidden. The author sees your reason."))
        elif action == "restore":
            services.restore_item(item=item, actor=request.user)
            messages.success(request, _("Visible again; its reports are settled."))
        elif action == "merge" and isinstance(item, Idea):
            form = MergeForm(request.POST, idea=item)
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            services.mark_duplicate(
                idea=item,
                original=form.cleaned_data["original"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("Merged: its supports now count for the original."))
        else:
            return HttpResponse(status=400)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(request.POST.get("next") if _is_local(request.POST.get("next")) else idea)


@login_required
@require_POST
def idea_moderate(request, idea_id: int):
    idea = _idea_for(request, idea_id)
    return _moderate(request, idea, idea)


@login_required
@require_POST
def comment_moderate(request, comment_id: int):
    comment = _comment_for(request, comment_id, "proposals.read_idea")
    return _moderate(request, comment, comment.idea)


# --- Triage --------------------------------------------------------------------------


@login_required
@require_POST
def idea_triage(request, idea_id: int):
    idea = _idea_for(request, idea_id, "proposals.triage_idea")
    form = TriageForm(request.POST, idea=idea)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.triage(
                idea=idea,
                actor=request.user,
                category=data["category"],
                priority=data["priority"],
                assignee=data["assignee"],
                to_status=data["status"],
                public_reply=data["public_reply"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Saved. Residents see the status and reply on the idea's timeline.")
            )
            return redirect(idea)
    detail = selectors.idea_for_detail(user=request.user, idea_id=idea.pk)
    context = {
        "idea": detail,
        "comment_form": CommentForm(idea=detail),
        "can_triage": True,
        "can_moderate": request.user.has_perm("proposals.moderate_item", detail),
        "triage_form": form,
        "note_form": StaffNoteForm(),
        "staff_notes": selectors.staff_notes(detail),
        "triage_history": selectors.triage_history(detail),
        "audit_log": selectors.audit_log(detail),
        "hide_form": HideForm(),
        "merge_form": MergeForm(idea=detail),
    }
    return render(request, "proposals/idea_detail.html", context, status=400)


@login_required
@require_POST
def idea_note(request, idea_id: int):
    idea = _idea_for(request, idea_id, "proposals.triage_idea")
    form = StaffNoteForm(request.POST)
    if form.is_valid():
        services.add_staff_note(idea=idea, author=request.user, body=form.cleaned_data["body"])
        messages.success(request, _("Note saved."))
    else:
        messages.error(request, " ".join(form.errors["body"]))
    return redirect(f"{idea.get_absolute_url()}#staff-notes")


@login_required
@require_http_methods(["GET", "POST"])
def triage_board(request):
    _require(request, "proposals.triage_idea")
    if request.method == "POST":
        bulk = BulkTriageForm(request.POST, user=request.user)
        if bulk.is_valid():
            count = services.bulk_triage(
                ideas=bulk.cleaned_data["ideas"],
                actor=request.user,
                category=bulk.cleaned_data["category"],
                assignee=bulk.cleaned_data["assignee"],
            )
            messages.success(
                request,
                ngettext("%(count)d idea updated.", "%(count)d ideas updated.", count)
                % {"count": count},
            )
        else:
            for error in bulk.non_field_errors() or [_("Tick at least one idea.")]:
                messages.error(request, error)
        return redirect(f"{reverse('proposals:triage_board')}?{request.GET.urlencode()}")
    form = BoardFilterForm(request.GET, user=request.user)
    filters = form.filters()
    page = selectors.board_page(user=request.user, filters=filters, cursor=request.GET.get("after"))
    context = {
        "form": form,
        "page": page,
        "ideas": page.items,
        "bulk_form": BulkTriageForm(user=request.user),
    }
    return render(request, "proposals/triage_board.html", context)


@login_required
@require_GET
def idea_export(request, file_format: str):
    _require(request, "proposals.export_ideas")
    filters = BoardFilterForm(request.GET, user=request.user).filters()
    ideas = selectors.ideas_for_export(user=request.user, filters=filters)
    if file_format == "xlsx":
        return exports.xlsx_response(ideas)
    return exports.csv_response(ideas)


# --- Deliberations -------------------------------------------------------------------

DELIBERATION_TEMPLATES = "proposals/deliberations/"


def _deliberation_for(request, deliberation_id: int, perm: str) -> Deliberation:
    """The deliberation, with its seats, if the user may read it (404 otherwise) and has
    `perm` on it (403 otherwise)."""
    _require(request, "proposals.browse_deliberations")
    deliberation = (
        selectors.deliberations_visible_to(request.user)
        .prefetch_related("representatives")
        .filter(pk=deliberation_id)
        .first()
    )
    if deliberation is None:
        raise Http404
    _require(request, perm, deliberation)
    return deliberation


def _form_page(request, template: str, context: dict, status: int = 200):
    return render(request, DELIBERATION_TEMPLATES + template, context, status=status)


@login_required
@require_GET
def deliberation_list(request):
    _require(request, "proposals.browse_deliberations")
    status = request.GET.get("status", "")
    page = selectors.deliberation_page(
        user=request.user, status=status, cursor=request.GET.get("after")
    )
    context = {"page": page, "status": status, "statuses": Deliberation.Status.choices}
    return _form_page(request, "list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def deliberation_create(request):
    _require(request, "proposals.start_deliberation")
    form = DeliberationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        community = (
            Community.objects.filter(pk__in=roles_of(request.user).community_ids)
            .order_by("pk")
            .first()
            or current_community()
        )
        deliberation = services.open_deliberation(
            opener=request.user, community=community, **form.cleaned_data
        )
        messages.success(
            request, _("The deliberation is open. Name the representatives and link the ideas.")
        )
        return redirect(deliberation)
    return _form_page(request, "form.html", {"form": form})


@login_required
@require_GET
def deliberation_detail(request, deliberation_id: int):
    _require(request, "proposals.browse_deliberations")
    deliberation = selectors.deliberation_for_detail(
        user=request.user,
        deliberation_id=deliberation_id,
        thread_after=request.GET.get("posts"),
        residents_after=request.GET.get("residents"),
    )
    if deliberation is None:
        raise Http404
    _require(request, "proposals.read_deliberation", deliberation)
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
    resolution = deliberation.current_resolution
    context = {
        "deliberation": deliberation,
        "can": can,
        "upcoming_meeting": selectors.upcoming_meeting(deliberation),
        "post_form": RepresentativePostForm(parties=voices)
        if can["post_as_representative"]
        else None,
        "resident_form": PostForm() if can["post_as_resident"] else None,
        "point_form": BuildingPointForm(user=user) if can["bring_building_point"] else None,
        "sign_form": SignOffForm(parties=signatures)
        if can["sign_resolution"] and resolution and resolution.current
        else None,
        "representative_form": RepresentativeForm(deliberation=deliberation)
        if can["convene_deliberation"] and deliberation.accepts_posts
        else None,
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
    matching = selectors.ideas_for_linking(
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
        "ideas": list(matching[: selectors.IDEAS_FOR_LINKING]),
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
        services.unlink_idea(deliberation=deliberation, idea=idea)
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
        form = BuildingPointForm(request.POST, user=request.user)
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
                deliberation=deliberation, user=request.user, **form.cleaned_data
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
        services.add_action_item(
            resolution=deliberation.resolution, actor=request.user, **form.cleaned_data
        )
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
    _require(request, "proposals.update_action_item", item)
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
    _require(request, "proposals.browse_deliberations")
    page = selectors.public_record_page(user=request.user, cursor=request.GET.get("after"))
    return _form_page(request, "record.html", {"page": page})
