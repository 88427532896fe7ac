"""The moderators' pages: the queue of what waits for them, and hiding, restoring or
merging an idea or a comment (under /ideas/, names ``proposals:...``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from proposals.access import comment_for, idea_for, is_local, require_perm
from proposals.models import Idea
from proposals.moderation import selectors as moderation_selectors
from proposals.moderation import services as moderation_services
from proposals.moderation.forms import HideForm, MergeForm
from proposals.moderation.queue import render_queue


@login_required
@require_GET
def moderation_queue(request):
    require_perm(request, "proposals.see_moderation_queue")
    items = moderation_selectors.moderation_queue(user=request.user)
    return render(
        request,
        "proposals/moderation_queue.html",
        {"items": items, "entries": render_queue(items, request=request)},
    )


def _moderate(request, item, idea: Idea):
    require_perm(request, "proposals.moderate_item", item)
    action = request.POST.get("action")
    try:
        if action == "hide":
            form = HideForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors["reason"])
            moderation_services.hide_item(
                item=item, actor=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Hidden. The author sees your reason."))
        elif action == "restore":
            moderation_services.restore_item(item=item, actor=request.user)
            messages.success(request, _("Visible again; its reports are settled."))
        elif action == "merge" and isinstance(item, Idea):
            form = MergeForm(request.POST, idea=item)
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            moderation_services.mark_duplicate(
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
    return redirect(request.POST.get("next") if is_local(request.POST.get("next")) else idea)


@login_required
@require_POST
def idea_moderate(request, idea_id: int):
    idea = idea_for(request, idea_id)
    return _moderate(request, idea, idea)


@login_required
@require_POST
def comment_moderate(request, comment_id: int):
    comment = comment_for(request, comment_id, "proposals.read_idea")
    return _moderate(request, comment, comment.idea)
