"""Open data: the estate's ideas and their statuses, anonymised, as CSV and JSON.

For anyone the community chooses to share it with (share links), so it holds nothing that
points to a person:

- no author, recorder, name, user id, email, household, unit or floor, for any idea
  (ideas with a hidden name are in it like the others: there is no author data to hide);
- no title, description, comment or reply: free text that residents write often names a
  unit or a neighbour ("3栋1201门口…"), and no filter can be trusted to find every one;
- dates only, no times of day;
- the building number only for buildings with at least `MIN_HOUSEHOLDS_FOR_BUILDING`
  households on record; a smaller building's ideas show no building;
- only the ideas every resident can see (not hidden, not pending, not merged duplicates).
"""

from __future__ import annotations

import json

from django.db.models import Count
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from covenant.models import Building, Community
from proposals.insight.analytics import counted_ideas
from proposals.insight.exports import csv_stream

MIN_HOUSEHOLDS_FOR_BUILDING = 20

FIELDS = (
    "number",
    "category",
    "category_zh",
    "category_en",
    "status",
    "submitted_on",
    "status_changed_on",
    "building",
    "supports",
)


def field_meanings() -> dict[str, str]:
    """What each column means, in the reader's language (the JSON carries it too)."""
    return {
        "number": _("The idea's number on the portal"),
        "category": _("Category key"),
        "category_zh": _("Category in Chinese"),
        "category_en": _("Category in English"),
        "status": _("submitted, accepted, in_progress, done, declined, referred or withdrawn"),
        "submitted_on": _("Date submitted (Beijing time)"),
        "status_changed_on": _("Date of the last status change"),
        "building": _("Building number; empty for buildings with fewer than %(count)d households")
        % {"count": MIN_HOUSEHOLDS_FOR_BUILDING},
        "supports": _("Number of residents who supported it"),
    }


def _date(moment) -> str:
    return timezone.localtime(moment).date().isoformat()


def rows(estate: Community) -> list[dict]:
    """One dict per idea, oldest first, with exactly the keys of FIELDS. Two queries."""
    large_enough = set(
        Building.objects.filter(community=estate)
        .annotate(household_count=Count("households"))
        .filter(household_count__gte=MIN_HOUSEHOLDS_FOR_BUILDING)
        .values_list("pk", flat=True)
    )
    ideas = (
        counted_ideas(estate)
        .order_by("created_at", "pk")
        .values_list(
            "pk",
            "category__slug",
            "category__name",
            "category__name_en",
            "status",
            "created_at",
            "status_changed_at",
            "building_id",
            "building__number",
            "support_count",
        )
    )
    return [
        {
            "number": pk,
            "category": slug,
            "category_zh": name,
            "category_en": name_en,
            "status": status,
            "submitted_on": _date(created_at),
            "status_changed_on": _date(changed_at),
            "building": number if building_id in large_enough else None,
            "supports": supports,
        }
        for (
            pk,
            slug,
            name,
            name_en,
            status,
            created_at,
            changed_at,
            building_id,
            number,
            supports,
        ) in ideas.iterator()
    ]


def _filename(estate: Community, extension: str) -> str:
    return f"open-data-ideas-{estate.pk}-{timezone.localdate():%Y%m%d}.{extension}"


def csv_response(estate: Community):
    data = rows(estate)
    lines = ([row[key] if row[key] is not None else "" for key in FIELDS] for row in data)
    return csv_stream(list(FIELDS), lines, _filename(estate, "csv"))


def json_response(estate: Community) -> HttpResponse:
    document = {
        "estate": estate.name,
        "generated_on": timezone.localdate().isoformat(),
        "fields": field_meanings(),
        "ideas": rows(estate),
    }
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(estate, "json")}"'
    return response
