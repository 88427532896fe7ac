"""The triage board's rows, rendered in Python rather than by the template's loop: a page
has fifty ideas, and a template row (an include, a dozen lookups, `timesince`) cost more
than the rest of the page."""

from __future__ import annotations

from html import escape

from django.template.defaultfilters import truncatechars
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext

from proposals.ideas.threads import url_maker
from proposals.models import Idea


def _row(idea: Idea, detail_url) -> str:
    number = idea.pk
    select = escape(gettext("Select idea %(number)s") % {"number": number})
    priority = (
        f' <span class="badge text-bg-danger">{escape(idea.get_priority_display())}</span>'
        if idea.priority >= Idea.Priority.HIGH
        else ""
    )
    building = idea.building.number if idea.building_id else "–"
    assignee = escape(str(idea.assignee.display_name)) if idea.assignee_id else "–"
    return (
        "      <tr>\n"
        f'        <td><input type="checkbox" class="form-check-input" name="ideas" '
        f'value="{number}" id="pick-{number}" aria-label="{select}"></td>\n'
        f"        <td>{number}</td>\n"
        f'        <td><a href="{detail_url(number)}">{escape(truncatechars(idea.title, 40))}</a>'
        f"{priority}</td>\n"
        f'        <td><span class="badge idea-status idea-status-{idea.status}">'
        f"{escape(idea.get_status_display())}</span></td>\n"
        f"        <td>{escape(idea.category.label)}</td>\n"
        f"        <td>{building}</td>\n"
        f'        <td class="text-end">{idea.support_count}</td>\n'
        f"        <td>{assignee}</td>\n"
        f'        <td class="text-nowrap">{escape(timesince(idea.created_at))}</td>\n'
        "      </tr>\n"
    )


def board_rows(ideas: list[Idea]) -> SafeString:
    detail_url = url_maker("proposals:idea_detail")
    return mark_safe("".join(_row(idea, detail_url) for idea in ideas))
