"""The staff's triage: an idea's status, category, priority, assignee and public reply,
staff notes, the board and its exports (under /ideas/, names ``proposals:...``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from proposals.access import idea_for, require_perm
from proposals.ideas import selectors as ideas_selectors
from proposals.ideas.forms import BoardFilterForm, CommentForm
from proposals.ideas.kept_forms import kept_fields
from proposals.insight import exports
from proposals.moderation import selectors as moderation_selectors
from proposals.moderation.forms import HideForm, MergeForm
from proposals.triage import selectors as triage_selectors
from proposals.triage import services as triage_services
from proposals.triage.board import board_rows
from proposals.triage.forms import BulkTriageForm, StaffNoteForm, TriageForm


@login_required
@require_POST
def idea_triage(request, idea_id: int):
    idea = idea_for(request, idea_id, "proposals.triage_idea")
    form = TriageForm(request.POST, idea=idea)
    if form.is_valid():
        data = form.cleaned_data
        try:
            triage_services.triage(
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
    detail = ideas_selectors.idea_for_detail(user=request.user, idea_id=idea.pk)
    context = {
        "idea": detail,
        "comment_form": CommentForm(idea=detail),
        "can_triage": True,
        "can_moderate": request.user.has_perm("proposals.moderate_item", detail),
        "triage_form": form,
        "note_form": StaffNoteForm(),
        "staff_notes": triage_selectors.staff_notes(detail),
        "triage_history": triage_selectors.triage_history(detail),
        "audit_log": moderation_selectors.audit_log(detail),
        "hide_form": HideForm(),
        "merge_form": MergeForm(idea=detail),
    }
    return render(request, "proposals/idea_detail.html", context, status=400)


@login_required
@require_POST
def idea_note(request, idea_id: int):
    idea = idea_for(request, idea_id, "proposals.triage_idea")
    form = StaffNoteForm(request.POST)
    if form.is_valid():
        triage_services.add_staff_note(
            idea=idea, author=request.user, body=form.cleaned_data["body"]
        )
        messages.success(request, _("Note saved."))
    else:
        messages.error(request, " ".join(form.errors["body"]))
    return redirect(f"{idea.get_absolute_url()}#staff-notes")


BOARD_FILTERS = ("status", "category", "building", "campaign", "age", "sort")


@login_required
@require_http_methods(["GET", "POST"])
def triage_board(request):
    require_perm(request, "proposals.triage_idea")
    if request.method == "POST":
        bulk = BulkTriageForm(request.POST, user=request.user)
        if bulk.is_valid():
            try:
                count = triage_services.bulk_triage(
                    ideas=bulk.cleaned_data["ideas"],
                    actor=request.user,
                    category=bulk.cleaned_data["category"],
                    assignee=bulk.cleaned_data["assignee"],
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
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
    page = ideas_selectors.board_page(
        user=request.user, filters=filters, cursor=request.GET.get("after")
    )
    bulk_form = BulkTriageForm(user=request.user)
    context = {
        "form": form,
        "filter_fields": kept_fields(form, BOARD_FILTERS, user=request.user),
        "page": page,
        "ideas": page.items,
        "rows": board_rows(page.items),
        "bulk_form": bulk_form,
        "bulk_fields": kept_fields(
            bulk_form, ("category", "assignee"), user=request.user, read=("assignee",)
        ),
    }
    return render(request, "proposals/triage_board.html", context)


@login_required
@require_GET
def idea_export(request, file_format: str):
    require_perm(request, "proposals.export_ideas")
    filters = BoardFilterForm(request.GET, user=request.user).filters()
    ideas = ideas_selectors.ideas_for_export(user=request.user, filters=filters)
    if file_format == "xlsx":
        return exports.xlsx_response(ideas)
    return exports.csv_response(ideas)
