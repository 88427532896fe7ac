"""Golden ideas: browsing, submitting, supporting and discussing, reporting. The moderators'
and the staff's pages are in proposals/moderation/views.py and proposals/triage/views.py."""

from __future__ import annotations

import logging
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from proposals.access import comment_for, idea_for, is_local, require_perm
from proposals.ideas import selectors as ideas_selectors
from proposals.ideas import services as ideas_services
from proposals.ideas import withdrawal
from proposals.ideas.cards import filter_fields, render_cards
from proposals.ideas.forms import (
    CommentEditForm,
    CommentForm,
    IdeaFilterForm,
    IdeaForm,
    RecordIdeaForm,
)
from proposals.models import (
    Comment,
    Idea,
    IdeaPhoto,
    Moderation,
)
from proposals.moderation import selectors as moderation_selectors
from proposals.moderation import services as moderation_services
from proposals.moderation.forms import HideForm, MergeForm, ReportForm
from proposals.triage import selectors as triage_selectors
from proposals.triage.forms import StaffNoteForm, TriageForm

logger = logging.getLogger(__name__)


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
    require_perm(request, "proposals.browse_ideas")
    form = IdeaFilterForm(request.GET, user=request.user)
    filters = form.filters()
    page = ideas_selectors.idea_page(
        user=request.user, filters=filters, cursor=request.GET.get("after")
    )
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "ideas": page.items,
        "cards": render_cards(page.items, request=request),
        "filter_fields": filter_fields(form, user=request.user),
        "campaigns": ideas_selectors.open_campaigns(request.user),
    }
    if request.htmx and request.GET.get("after"):
        return render(request, "proposals/idea_list.html#idea-page", context)
    return render(request, "proposals/idea_list.html", context)


@login_required
@require_GET
def idea_detail(request, idea_id: int):
    require_perm(request, "proposals.browse_ideas")
    idea = ideas_selectors.idea_for_detail(
        user=request.user, idea_id=idea_id, comments_after=request.GET.get("comments")
    )
    if idea is None:
        raise Http404
    require_perm(request, "proposals.read_idea", idea)
    user = request.user
    may_comment = user.has_perm("proposals.comment_on_idea", idea)
    if request.htmx and request.GET.get("comments"):
        # "Later comments": the next conversations alone, joining the ones on the page.
        context = {"idea": idea, "may_comment": may_comment}
        return render(request, "proposals/idea_detail.html#comment-page", context)
    can_triage = user.has_perm("proposals.triage_idea", idea)
    context = {
        "idea": idea,
        "may_comment": may_comment,
        "comment_form": CommentForm(idea=idea),
        "can_moderate": user.has_perm("proposals.moderate_item", idea),
        "can_triage": can_triage,
        "audit_log": moderation_selectors.audit_log(idea)
        if user.has_perm("proposals.see_audit_log", idea)
        else (),
        "staff_notes": triage_selectors.staff_notes(idea) if can_triage else (),
        "triage_history": triage_selectors.triage_history(idea) if can_triage else (),
        "triage_form": TriageForm(idea=idea) if can_triage else None,
        "note_form": StaffNoteForm() if can_triage else None,
        "hide_form": HideForm(),
        "merge_form": MergeForm(idea=idea),
    }
    return render(request, "proposals/idea_detail.html", context)


# What `covenant.uploads.reencode_image` stores: JPEG, or PNG for a photo with transparency.
PHOTO_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


@login_required
@require_GET
def idea_photo(request, idea_id: int, photo_id: int, variant: str = "image"):
    """Stream a photo of an idea, or its thumbnail, to those who may read the idea, as its
    page does (404 when they may not see it, the sign-in page for visitors). The files are
    outside MEDIA_ROOT, so a hidden idea's photos stop reaching residents however their
    address was passed on."""
    idea = idea_for(request, idea_id)
    photo = get_object_or_404(IdeaPhoto, pk=photo_id, idea=idea, state=IdeaPhoto.State.READY)
    stored = photo.thumbnail if variant == "thumbnail" else photo.image
    content_type = PHOTO_TYPES.get(PurePosixPath(stored.name or "").suffix.lower())
    if not stored or content_type is None:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, max_age=3600)
    return response


@login_required
@require_GET
def campaign_list(request):
    require_perm(request, "proposals.browse_ideas")
    campaigns = ideas_selectors.campaigns_of(request.user)
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
            idea = ideas_services.submit_idea(
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
    require_perm(request, "proposals.submit_idea")
    return _submit(request, IdeaForm, "proposals/idea_form.html")


@login_required
@require_http_methods(["GET", "POST"])
def idea_record(request):
    require_perm(request, "proposals.record_idea_for_resident")
    return _submit(request, RecordIdeaForm, "proposals/idea_record.html")


@login_required
@require_GET
def similar_ideas(request):
    """While a title is typed: ideas with similar wording, to support instead."""
    require_perm(request, "proposals.browse_ideas")
    title = request.GET.get("title", "")[:200]
    ideas = (
        ideas_selectors.similar_ideas(user=request.user, text=title)
        if len(title.strip()) >= 2
        else []
    )
    return render(request, "proposals/_similar_ideas.html", {"similar": ideas})


@login_required
@require_http_methods(["GET", "POST"])
def idea_withdraw(request, idea_id: int):
    """Asks first (saying what withdrawing an accepted idea means); withdraws only on a POST
    that carries the confirmation."""
    idea = idea_for(request, idea_id, "proposals.withdraw_idea")
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        minutes = int(withdrawal.UNDO_WINDOW.total_seconds() // 60)
        return render(
            request, "proposals/idea_withdraw.html", {"idea": idea, "undo_minutes": minutes}
        )
    try:
        ideas_services.withdraw_idea(idea=idea, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Your idea has been withdrawn. For %(minutes)s minutes you can still undo this.")
            % {"minutes": int(withdrawal.UNDO_WINDOW.total_seconds() // 60)},
        )
    return redirect(idea)


@login_required
@require_POST
def idea_restore(request, idea_id: int):
    """Undo a withdrawal made minutes ago."""
    idea = idea_for(request, idea_id, "proposals.restore_idea")
    try:
        withdrawal.restore_withdrawn_idea(idea=idea, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your idea is back, as it was before you withdrew it."))
    return redirect(idea)


# --- Supports, comments, reports -----------------------------------------------------


@login_required
@require_POST
def idea_support(request, idea_id: int):
    idea = idea_for(request, idea_id)
    wants_support = request.POST.get("support") == "1"
    if wants_support:
        require_perm(request, "proposals.support_idea", idea)
    count = ideas_services.set_support(idea=idea, user=request.user, supported=wants_support)
    if request.htmx:
        idea.support_count = count
        idea.is_supported = wants_support
        # Inside the idea form the button has no form of its own (forms do not nest).
        variant = "toggle" if request.POST.get("variant") == "toggle" else "button"
        return render(request, f"proposals/_support_{variant}.html", {"idea": idea})
    return redirect(request.POST.get("next") if is_local(request.POST.get("next")) else idea)


@login_required
@require_POST
def comment_create(request, idea_id: int):
    idea = idea_for(request, idea_id, "proposals.comment_on_idea")
    form = CommentForm(request.POST, idea=idea)
    if form.is_valid():
        if _rate_limited(request, "comment"):
            return _too_many(request, kept_text=form.cleaned_data["body"])
        comment = ideas_services.add_comment(
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
    idea = ideas_selectors.idea_for_detail(user=request.user, idea_id=idea.pk)
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
@require_GET
def comment_reply(request, comment_id: int):
    """The reply form for a comment, loaded when "Reply" is pressed instead of sitting
    hidden under every comment: the form alone for htmx, a page of its own without
    JavaScript. It posts to `comment_create` like the form it replaces."""
    comment = get_object_or_404(Comment, pk=comment_id)
    idea = idea_for(request, comment.idea_id, "proposals.comment_on_idea")
    if comment.moderation != Moderation.VISIBLE:
        raise Http404
    template = "proposals/comment_reply.html"
    if request.htmx:
        template += "#reply-form"
    return render(request, template, {"comment": comment, "idea": idea})


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request, comment_id: int):
    comment = comment_for(request, comment_id, "proposals.edit_comment")
    form = CommentEditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        ideas_services.edit_comment(comment=comment, body=form.cleaned_data["body"])
        return redirect(comment.get_absolute_url())
    return render(request, "proposals/comment_edit.html", {"form": form, "comment": comment})


def _report(request, item, idea: Idea):
    require_perm(request, "proposals.report_item", item)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _rate_limited(request, "report"):
            return _too_many(request, kept_text=form.cleaned_data["note"])
        recorded = moderation_services.report_item(
            reporter=request.user, item=item, **form.cleaned_data
        )
        if recorded:
            messages.success(request, _("Thank you. The moderators have been told."))
        else:
            messages.info(request, _("You have reported this already; the moderators have it."))
        return redirect(idea)
    return render(request, "proposals/report.html", {"form": form, "item": item, "idea": idea})


@login_required
@require_http_methods(["GET", "POST"])
def idea_report(request, idea_id: int):
    idea = idea_for(request, idea_id)
    return _report(request, idea, idea)


@login_required
@require_http_methods(["GET", "POST"])
def comment_report(request, comment_id: int):
    comment = comment_for(request, comment_id, "proposals.read_idea")
    return _report(request, comment, comment.idea)
