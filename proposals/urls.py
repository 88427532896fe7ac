"""Golden ideas and the deliberations they lead to, under their own prefixes, in the
namespace ``proposals``; each room keeps its patterns in its own ``urls.py``. Owners' votes
(``votes:``, /votes/) and priority work (``priorities:``, /priorities/) are mounted by
``covenant/urls.py`` from ``proposals/votes/urls.py`` and ``proposals/themes/priority_urls.py``.
"""

from django.urls import include, path

from proposals.deliberations import urls as deliberation_urls
from proposals.ideas import urls as idea_urls
from proposals.insight import urls as insight_urls
from proposals.themes import urls as theme_urls

app_name = "proposals"

urlpatterns = [
    path(
        "ideas/",
        include(idea_urls.urlpatterns + insight_urls.urlpatterns + theme_urls.urlpatterns),
    ),
    path("deliberations/", include(deliberation_urls.urlpatterns)),
]
