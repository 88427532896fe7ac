"""Dashboards, the monthly report and open data for those who oversee the estate."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from proposals.access import require_perm
from proposals.insight import (
    analytics,
    charts,
    dashboards,
    district_overview,
    open_data,
    selectors,
    services,
)
from proposals.insight.forms import DashboardFilterForm, OpenDataLinkForm

# --- Dashboards, the monthly report, open data ----------------------------------------


def _overseen_estates(request, perm: str) -> list:
    """The estates the user oversees and has `perm` in (share links: their admin's)."""
    require_perm(request, perm)
    estates = [
        estate
        for estate in analytics.dashboard_estates(request.user)
        if request.user.has_perm(perm, estate)
    ]
    if not estates:
        raise PermissionDenied
    return estates


def _dashboard(request, template: str, figures) -> HttpResponse:
    """A dashboard tab: the estate and period from the filter, then the tab's figures."""
    estates = _overseen_estates(request, "proposals.see_dashboards")
    form = DashboardFilterForm(request.GET or None, estates=estates)
    estate, months = form.chosen()
    window = analytics.recent_window(months)
    context = {"form": form, "estate": estate, "window": window, "months": months}
    context.update(figures(request, estate, window))
    return render(request, f"proposals/dashboards/{template}.html", context)


@login_required
@require_GET
def dashboard_ideas(request):
    return _dashboard(request, "ideas", dashboards.ideas_figures)


@login_required
@require_GET
def dashboard_responses(request):
    return _dashboard(request, "responses", dashboards.response_figures)


@login_required
@require_GET
def dashboard_participation(request):
    return _dashboard(request, "participation", dashboards.participation_figures)


@login_required
@require_GET
def dashboard_community(request):
    return _dashboard(request, "community", dashboards.community_figures)


@login_required
@require_GET
def district_overview_page(request):
    """The estates of one community (社区) side by side, for one month."""
    require_perm(request, "covenant.see_district_overview")
    overseen = district_overview.districts_overseen_by(request.user)
    chosen = next(
        (o for o in overseen if str(o.district.pk) == request.GET.get("district")),
        overseen[0] if overseen else None,
    )
    month = district_overview.month_asked(request.GET.get("month", ""))
    window = analytics.months_window(month, 1)
    next_month = analytics.add_months(month, 1)
    context = {
        "overseen": overseen,
        "chosen": chosen,
        "month": month,
        "previous_month": analytics.add_months(month, -1),
        "next_month": next_month if next_month <= timezone.localdate() else None,
        "columns": (
            district_overview.estate_columns(request.user, chosen.estates, window) if chosen else []
        ),
    }
    return render(request, "proposals/dashboards/district.html", context)


@login_required
@require_GET
def monthly_report_latest(request):
    """The month picker's target; without a month, the last complete month."""
    require_perm(request, "proposals.see_dashboards")
    try:
        month = datetime.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        month = analytics.last_complete_month()
    url = reverse("proposals:monthly_report", args=[month.year, month.month])
    estate = request.GET.get("estate", "")
    return redirect(f"{url}?estate={estate}" if estate.isdigit() else url)


@login_required
@require_GET
def monthly_report(request, year: int, month: int):
    estates = _overseen_estates(request, "proposals.see_dashboards")
    if (
        not (1 <= month <= 12 and year >= 2000)
        or datetime.date(year, month, 1) > timezone.localdate()
    ):
        raise Http404
    form = DashboardFilterForm(request.GET or None, estates=estates)
    estate, _months = form.chosen()
    window = analytics.months_window(datetime.date(year, month, 1), 1)
    new_count, new_by_category = analytics.new_ideas(estate, window)
    context = {
        "form": form,
        "estate": estate,
        "window": window,
        "month": window.first_month,
        "previous_month": analytics.add_months(window.first_month, -1),
        "next_month": analytics.add_months(window.first_month, 1)
        if analytics.add_months(window.first_month, 1) <= timezone.localdate()
        else None,
        "new_count": new_count,
        "new_by_category": new_by_category,
        "new_chart": charts.horizontal_bars(
            [(label, count, str(count)) for label, count in new_by_category]
        ),
        "themes": analytics.themes_of_the_month(estate, window),
        "priority_items_done": analytics.priority_items_done(estate, window),
        "done": analytics.ideas_done(estate, window),
        "times": analytics.response_times(estate, window),
        "participation": analytics.participation(estate, window),
        "coverage": analytics.announcement_coverage(request.user, estate, window),
        "hours": analytics.volunteer_hours(estate, window),
    }
    return render(request, "proposals/dashboards/monthly_report.html", context)


@login_required
@require_GET
def open_data_page(request):
    estates = _overseen_estates(request, "proposals.download_open_data")
    shared_estates = [e for e in estates if request.user.has_perm("proposals.share_open_data", e)]
    can_share = bool(shared_estates)
    context = {
        "estates": estates,
        "can_share": can_share,
        "links": selectors.open_data_links(shared_estates) if can_share else (),
        "link_form": OpenDataLinkForm(estates=shared_estates) if can_share else None,
        "min_households": open_data.MIN_HOUSEHOLDS_FOR_BUILDING,
        "fields": open_data.field_meanings(),
    }
    return render(request, "proposals/dashboards/open_data.html", context)


def _open_data_file(estate, file_format: str) -> HttpResponse:
    if file_format == "json":
        return open_data.json_response(estate)
    return open_data.csv_response(estate)


@login_required
@require_GET
def open_data_download(request, file_format: str):
    estates = _overseen_estates(request, "proposals.download_open_data")
    form = DashboardFilterForm(request.GET or None, estates=estates)
    estate, _months = form.chosen()
    return _open_data_file(estate, file_format)


@require_GET
def open_data_shared(request, token: str, file_format: str):
    """The download behind a share link: no sign-in, only the token."""
    link = selectors.active_open_data_link(token)
    if link is None:
        raise Http404
    services.record_open_data_use(link=link)
    return _open_data_file(link.community, file_format)


@login_required
@require_POST
def open_data_link_create(request):
    estates = _overseen_estates(request, "proposals.share_open_data")
    form = OpenDataLinkForm(request.POST, estates=estates)
    if form.is_valid():
        services.create_open_data_link(
            community=form.cleaned_data["estate"],
            label=form.cleaned_data["label"],
            actor=request.user,
        )
        messages.success(request, _("Link created. Copy it and send it to whoever it is for."))
        return redirect("proposals:open_data")
    context = {
        "estates": estates,
        "can_share": True,
        "links": selectors.open_data_links(estates),
        "link_form": form,
        "min_households": open_data.MIN_HOUSEHOLDS_FOR_BUILDING,
        "fields": open_data.field_meanings(),
    }
    return render(request, "proposals/dashboards/open_data.html", context, status=400)


@login_required
@require_POST
def open_data_link_revoke(request, link_id: int):
    estates = _overseen_estates(request, "proposals.share_open_data")
    link = get_object_or_404(selectors.open_data_links(estates), pk=link_id)
    services.revoke_open_data_link(link=link, actor=request.user)
    messages.success(request, _("The link no longer works."))
    return redirect("proposals:open_data")
