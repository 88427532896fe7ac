"""The captain's building: its households, who to visit, and what other apps add to
the page through the "building" panel slot (covenant/panels.py)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from covenant import panels
from covenant.models import Building
from notices import selectors as notices_selectors
from volunteers import selectors
from volunteers.views.common import paginate, require_perm


@login_required
def buildings(request):
    choices = list(selectors.buildings_seen_by(user=request.user))
    if not choices:
        raise PermissionDenied
    if len(choices) == 1:
        return redirect("volunteers:building", choices[0].pk)
    return render(request, "volunteers/buildings.html", {"buildings": choices})


@login_required
def building(request, building_id):
    building = get_object_or_404(Building, pk=building_id)
    require_perm(request, "volunteers.see_building", building)
    # A captain of some floors sees those floors only; the counts follow.
    households = paginate(
        request, selectors.households_of_building(building=building, user=request.user)
    )
    to_visit = paginate(
        request,
        selectors.households_to_visit(building=building, user=request.user),
        name="visit_page",
    )
    context = {
        "building": building,
        "households": households,
        "to_visit": to_visit,
        "reached": households.paginator.count - to_visit.paginator.count,
        # What other apps show here (the building's open ideas): volunteers import none.
        "panels": panels.collect("building", request=request, building=building),
        "unreached": notices_selectors.unreached_in_building(user=request.user, building=building),
        # Each list pages on its own and keeps the other's page in its links.
        "households_keep": f"&page={households.number}",
        "visit_keep": f"&visit_page={to_visit.number}",
    }
    return render(request, "volunteers/building.html", context)
