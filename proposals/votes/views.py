"""Owners' votes (业主表决): the vote, ballots, the result and the admins' breakdown."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from covenant.models import Household, Role
from proposals.access import require_perm
from proposals.ideas import selectors as ideas_selectors
from proposals.models import OwnersVote
from proposals.votes import selectors as votes_selectors
from proposals.votes import services
from proposals.votes.forms import BallotForm, PaperBallotForm, VoteForm

# --- Owners' votes (业主表决) -----------------------------------------------------------


def _vote_for(request, vote_id: int, perm: str = "proposals.read_vote") -> OwnersVote:
    """The vote, if the user may see it and has `perm` on it; 404 if they may not see it."""
    require_perm(request, "proposals.browse_votes")
    vote = (
        votes_selectors.votes_visible_to(request.user, listed=False)
        .select_related("deliberation", "community")
        .filter(pk=vote_id)
        .first()
    )
    if vote is None:
        raise Http404
    require_perm(request, perm, vote)
    return vote


@login_required
@require_GET
def vote_list(request):
    require_perm(request, "proposals.browse_votes")
    lists = votes_selectors.vote_lists(request.user, page=request.GET.get("page"))
    return render(request, "proposals/votes/vote_list.html", {"lists": lists})


def _from_deliberation(request, deliberation_id: str):
    """A draft prefilled from a deliberation the admin may put to a vote: its topic, and
    the adopted (or latest) text of its resolution as the question. The vote belongs to
    the deliberation's estate."""
    deliberation = votes_selectors.deliberation_to_put_to_vote(
        user=request.user, deliberation_id=int(deliberation_id)
    )
    if deliberation is None:
        raise Http404
    require_perm(request, "proposals.manage_votes", deliberation)
    initial = {
        "deliberation": deliberation.pk,
        "title": deliberation.topic,
        "question": deliberation.resolution_text or deliberation.background,
    }
    return [deliberation.community], initial


@login_required
@require_http_methods(["GET", "POST"])
def vote_create(request):
    require_perm(request, "proposals.manage_votes")
    deliberation_id = request.GET.get("deliberation", "")
    if deliberation_id.isdigit():
        estates, initial = _from_deliberation(request, deliberation_id)
    else:
        # The estates the user administers; several are a choice in the form.
        estates, initial = ideas_selectors.estates_where(request.user, Role.COMMUNITY_ADMIN), {}
    form = VoteForm(request.POST or None, estates=estates, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        community = data.pop("estate")
        require_perm(request, "proposals.manage_votes", community)
        vote = services.create_vote(community=community, created_by=request.user, **data)
        messages.success(request, _("Draft saved. Check it, then open the vote."))
        return redirect(vote)
    return render(request, "proposals/votes/vote_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def vote_edit(request, vote_id: int):
    vote = _vote_for(request, vote_id, "proposals.manage_votes")
    if vote.status != OwnersVote.Status.DRAFT:
        messages.error(request, _("An opened vote can no longer be edited."))
        return redirect(vote)
    form = VoteForm(request.POST or None, instance=vote, estates=[vote.community])
    if request.method == "POST" and form.is_valid():
        services.edit_vote(vote_id=vote.pk, **form.cleaned_data)
        messages.success(request, _("Draft saved."))
        return redirect(vote)
    return render(request, "proposals/votes/vote_form.html", {"form": form, "vote": vote})


def _render_vote(request, vote: OwnersVote, *, bound_form=None, status: int = 200):
    units = votes_selectors.units_of_voter(request.user, vote) if vote.is_open else []
    forms = []
    for unit in units:
        if bound_form is not None and bound_form.data.get("household") == str(unit.household.pk):
            form = bound_form
        else:
            initial = {"household": unit.household.pk}
            if unit.ballot:
                initial["choice"] = unit.ballot.choice
            form = BallotForm(initial=initial, auto_id=f"id_%s_{unit.household.pk}")
        forms.append((unit, form))
    context = {
        "vote": vote,
        "unit_forms": forms,
        "result": votes_selectors.vote_result(vote)
        if vote.status != OwnersVote.Status.DRAFT
        else None,
        "can_manage": request.user.has_perm("proposals.manage_votes", vote),
    }
    return render(request, "proposals/votes/vote_detail.html", context, status=status)


@login_required
@require_GET
def vote_detail(request, vote_id: int):
    return _render_vote(request, _vote_for(request, vote_id))


@login_required
@require_POST
def vote_cast(request, vote_id: int):
    vote = _vote_for(request, vote_id)
    form = BallotForm(request.POST)
    household_id = request.POST.get("household", "")
    household = (
        Household.objects.filter(pk=household_id).first() if household_id.isdigit() else None
    )
    require_perm(request, "proposals.cast_ballot", household)
    if not form.is_valid():
        return _render_vote(request, vote, bound_form=form, status=400)
    try:
        ballot = services.cast_ballot(
            vote=vote, household=household, user=request.user, choice=form.cleaned_data["choice"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Recorded for %(unit)s: %(choice)s. You can change it until the vote closes.")
            % {"unit": household, "choice": ballot.get_choice_display()},
        )
    return redirect(vote)


@login_required
@require_POST
def vote_open(request, vote_id: int):
    vote = _vote_for(request, vote_id, "proposals.manage_votes")
    try:
        vote = services.open_vote(vote_id=vote.pk, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The vote is open; %(count)s households are on its roll and the owners are told.")
            % {"count": vote.electorate_households},
        )
    return redirect(vote)


@login_required
@require_http_methods(["GET", "POST"])
def vote_close(request, vote_id: int):
    """Closing early publishes the result and tells everyone: it asks first, showing the
    turnout so far, and closes only on a POST that carries the confirmation."""
    vote = _vote_for(request, vote_id, "proposals.manage_votes")
    if vote.status != OwnersVote.Status.OPEN:
        messages.info(request, _("This vote was not open."))
        return redirect(vote)
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        context = {"vote": vote, "result": votes_selectors.vote_result(vote)}
        return render(request, "proposals/votes/vote_close.html", context)
    if services.close_vote(vote_id=vote.pk, actor=request.user):
        messages.success(request, _("The vote is closed and its result published."))
    else:
        messages.info(request, _("This vote was not open."))
    return redirect("votes:vote_result", vote_id=vote.pk)


@login_required
@require_GET
def vote_result(request, vote_id: int):
    vote = _vote_for(request, vote_id)
    if vote.status == OwnersVote.Status.DRAFT:
        return redirect(vote)
    context = {
        "vote": vote,
        "result": votes_selectors.vote_result(vote),
        "can_see_breakdown": request.user.has_perm("proposals.see_vote_breakdown", vote),
    }
    return render(request, "proposals/votes/vote_result.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def vote_breakdown(request, vote_id: int):
    """Who voted how, household by household: the admins alone. They also enter the
    paper ballots collected at the door here."""
    vote = _vote_for(request, vote_id, "proposals.see_vote_breakdown")
    if vote.status == OwnersVote.Status.DRAFT:
        return redirect(vote)
    form = PaperBallotForm(request.POST or None, vote=vote)
    if request.method == "POST":
        require_perm(request, "proposals.manage_votes", vote)
        if form.is_valid():
            try:
                services.record_paper_ballot(
                    vote=vote,
                    household=form.cleaned_data["household"],
                    choice=form.cleaned_data["choice"],
                    recorded_by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Paper ballot of %(unit)s entered.")
                    % {"unit": form.cleaned_data["household"]},
                )
                return redirect("votes:vote_breakdown", vote_id=vote.pk)
    page, rows = votes_selectors.vote_breakdown(vote, page=request.GET.get("page"))
    context = {"vote": vote, "page": page, "rows": rows, "form": form}
    status = 400 if form.errors else 200
    return render(request, "proposals/votes/vote_breakdown.html", context, status=status)
