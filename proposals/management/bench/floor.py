"""The framework's floor, for ``bench_ideas``: one query and a tiny standalone template,
served through the site's full middleware (sessions, CSRF, CSP, authentication, the
sign-in gate...) to a signed-in resident. It is what any page costs before a line of ours
runs, so the ratios the bench prints (floor time / page time) do not drift when our base
template or pages change.

The view is reachable only through this module's URLconf, which the bench installs in
its own process (``override_settings(ROOT_URLCONF=...)``, or ``ROOT_URLCONF`` in the
environment of the gunicorn it starts with ``--http``); the site's URLs never name it.
"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import include, path

from covenant.models import Community

FLOOR_PATH = "/bench/floor/"
URLCONF = "proposals.management.bench.floor"


def floor(request):
    """One query, one tiny template with the CSP nonce and the CSRF token a real page has."""
    community = Community.objects.order_by("pk").only("name").first()
    return render(request, "proposals/bench/floor.html", {"community": community})


urlpatterns = [
    path(FLOOR_PATH.strip("/") + "/", floor, name="bench_floor"),
    path("", include("covenant.urls")),
]
