"""The pages of 转发到楼栋群 (see notices/relay.py)."""

import segno
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from notices import relay, services
from notices.models import RelayLink
from notices.views import _announcement_for


@login_required
@require_GET
def relay_page(request, announcement_id):
    """For each building the user relays to: the text to paste into its WeChat group
    (copied in one tap) and a poster with a QR code of its short link, drawn on the
    phone itself (static/js/relay.js) in the phone's own Chinese fonts."""
    announcement = _announcement_for(request, announcement_id)
    if not request.user.has_perm("notices.relay_announcement", announcement):
        raise PermissionDenied
    buildings = relay.relay_buildings(user=request.user, announcement=announcement)
    if not buildings:
        raise PermissionDenied
    links = relay.links_for(announcement=announcement, buildings=buildings)
    summary = relay.summary_of(announcement)
    rows = []
    for building in buildings:
        url = services.site_url(links[building.pk].get_absolute_url())
        rows.append(
            {
                "building": building,
                "url": url,
                "text": relay.relay_text(announcement=announcement, building=building, url=url),
                # segno's SVG of our own short link, drawn into the poster by relay.js.
                "qr_svg": mark_safe(segno.make(url, error="m").svg_inline(scale=6, border=2)),
            }
        )
    context = {"announcement": announcement, "rows": rows, "summary": summary}
    return render(request, "notices/relay.html", context)


@require_GET
def relay_open(request, token):
    """A building's short link: on to the announcement, counting a verified member of
    the building for its group. A visitor signs in first (unless it is public), then
    comes back here, so their opening counts too."""
    link = get_object_or_404(
        RelayLink.objects.select_related("announcement__community"), token=token
    )
    announcement = link.announcement
    if not request.user.is_authenticated:
        if not request.user.has_perm("notices.read_announcement", announcement):
            return redirect_to_login(request.get_full_path())
    elif request.user.has_perm("notices.read_announcement", announcement):
        relay.record_visit(link=link, user=request.user)
    return redirect(announcement)
