"""The moderation queue's entries, rendered in Python rather than by the template's loop:
a queue shows thirty items, and each template entry (two forms, two addresses, Markdown
cut to sixty words, half a dozen translations) cost more than the rest of the page."""

from __future__ import annotations

import functools
from html import escape

from django.middleware.csrf import get_token
from django.template.defaultfilters import truncatewords_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext

from covenant.markup import RENDERED_KEPT, render_markdown
from proposals.ideas.threads import url_maker
from proposals.models import Moderation
from proposals.moderation.selectors import QueueItem

EXCERPT_WORDS = 60


@functools.lru_cache(maxsize=RENDERED_KEPT)
def _excerpt(body: str) -> str:
    """The item's Markdown as sanitised HTML, cut to sixty words (cutting HTML is slow)."""
    return truncatewords_html(render_markdown(body), EXCERPT_WORDS)


class _Page:
    def __init__(self, request):
        self.csrf_token = get_token(request)
        self.here = escape(request.get_full_path())
        self.idea_url = url_maker("proposals:idea_detail")
        self.moderate = {
            True: url_maker("proposals:comment_moderate"),
            False: url_maker("proposals:idea_moderate"),
        }
        self.kind = {True: escape(gettext("Comment")), False: escape(gettext("Idea"))}
        self.reason = escape(gettext("Reason, shown to the author"))
        self.hide = escape(gettext("Hide"))


def _entry(entry: QueueItem, number: int, page: _Page) -> str:
    item, idea, is_comment = entry.item, entry.idea, entry.is_comment
    badges = (
        f'<span class="badge {"text-bg-info" if is_comment else "text-bg-secondary"}">'
        f"{page.kind[is_comment]}</span>"
    )
    if item.moderation != Moderation.VISIBLE:
        badges += (
            f'\n      <span class="badge text-bg-warning">'
            f"{escape(item.get_moderation_display())}</span>"
        )
    if item.report_count:
        reports = ngettext("%(counter)s report", "%(counter)s reports", item.report_count)
        badges += (
            '\n      <span class="badge text-bg-danger">'
            f"{escape(reports % {'counter': item.report_count})}</span>"
        )
    idea_url = page.idea_url(idea.pk)
    if is_comment:
        title = gettext("Comment on #%(number)s %(title)s") % {
            "number": idea.pk,
            "title": idea.title,
        }
        heading = f'<a href="{idea_url}#comment-{item.pk}">{escape(title)}</a>'
    else:
        heading = f'<a href="{idea_url}">#{idea.pk} {escape(item.title)}</a>'
    place = (
        " · " + escape(gettext("Building %(number)s") % {"number": idea.building.number})
        if idea.building_id
        else ""
    )
    reports_list = ""
    if entry.reports:
        lines = "".join(
            f"<li>{escape(report.get_reason_display())}"
            + (f": “{escape(report.note)}”" if report.note else "")
            + "</li>"
            for report in entry.reports
        )
        reports_list = f'    <ul class="small mb-2">{lines}</ul>\n'
    keep = (
        gettext("Keep visible")
        if item.moderation == Moderation.VISIBLE
        else gettext("Make visible")
    )
    action = page.moderate[is_comment](item.pk)
    token = f'<input type="hidden" name="csrfmiddlewaretoken" value="{page.csrf_token}">'
    return (
        '  <article class="card mb-2"><div class="card-body">\n'
        f'    <div class="d-flex flex-wrap gap-1 mb-1 small">\n      {badges}\n    </div>\n'
        f'    <h2 class="h6 mb-1">\n      {heading}\n    </h2>\n'
        f'    <div class="small text-body-secondary mb-2">'
        f"{escape(str(item.author.display_name))}{place} · "
        f"{localtime(item.created_at):%Y-%m-%d %H:%M}</div>\n"
        f'    <div class="user-text border-start border-3 ps-2 mb-2">{_excerpt(item.body)}</div>\n'
        f"{reports_list}"
        '    <div class="d-flex flex-wrap gap-2 align-items-start">\n'
        f'      <form method="post" action="{action}">{token}\n'
        '        <input type="hidden" name="action" value="restore">'
        f'<input type="hidden" name="next" value="{page.here}">\n'
        f'        <button class="btn btn-sm btn-outline-success text-nowrap">{escape(keep)}</button>\n'
        "      </form>\n"
        f'      <form method="post" class="d-flex gap-2 flex-grow-1" action="{action}">{token}\n'
        '        <input type="hidden" name="action" value="hide">'
        f'<input type="hidden" name="next" value="{page.here}">\n'
        f'        <label class="visually-hidden" for="reason-{number}">{page.reason}</label>\n'
        f'        <input type="text" name="reason" id="reason-{number}" '
        'class="form-control form-control-sm" maxlength="200" required '
        f'placeholder="{page.reason}">\n'
        f'        <button class="btn btn-sm btn-outline-danger text-nowrap">{page.hide}</button>\n'
        "      </form>\n"
        "    </div>\n"
        "  </div></article>\n"
    )


def render_queue(items: list[QueueItem], *, request) -> SafeString:
    page = _Page(request)
    return mark_safe(
        "".join(_entry(entry, number, page) for number, entry in enumerate(items, start=1))
    )
