"""The ledger of volunteer hours, and a volunteer's printable statement."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from covenant.models import User
from volunteers import selectors
from volunteers.chart import month_chart
from volunteers.views.common import STATEMENT_PAGE_SIZE, paginate, require_perm


@login_required
def ledger(request):
    require_perm(request, "volunteers.see_ledger")
    # The ledgers of the listed estates' teams.
    estates = selectors.listed_estates_of(request.user)
    months = selectors.monthly_hours(estates=estates)
    context = {
        "chart": month_chart(months),
        "months": months,
        "totals": selectors.team_totals(estates=estates),
        "page": paginate(request, selectors.hours_by_volunteer(estates=estates)),
        # Those who approve the team may open anyone's statement (volunteers.see_statement).
        "can_see_all_statements": request.user.has_perm("volunteers.decide_application"),
    }
    return render(request, "volunteers/ledger.html", context)


@login_required
def statement(request, user_id):
    person = get_object_or_404(User.objects.select_related("volunteer"), pk=user_id)
    require_perm(request, "volunteers.see_statement", person)
    # One's own hours everywhere; to an approver, those served in the estates they approve.
    estates = selectors.statement_estates(viewer=request.user, person=person)
    months = selectors.monthly_hours(user=person, estates=estates)
    entries = selectors.entries_of(user=person, estates=estates)
    context = {
        "person": person,
        "chart": month_chart(months),
        "months": months,
        "page": paginate(request, entries, size=STATEMENT_PAGE_SIZE),
        "total": selectors.total_hours_of(user=person, estates=estates),
        "printed_at": timezone.localtime(),
    }
    return render(request, "volunteers/statement.html", context)
