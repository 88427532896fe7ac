"""The idea list's cards, rendered in Python rather than by a template include per card.

A card has two halves:
- what every reader sees alike (photo, status, category, moderation badge, title and
  excerpt): rendered once per idea, language and content, and kept in Django's cache
  (`card_head`), keyed by a hash of what it shows, so an edit, a new status or a new photo
  is a new key and nothing needs invalidating;
- what depends on the reader (the support button and whether they may press it, the
  author's name as they may see it) and the counts that change all day: built per
  request from strings (`_tail`), which costs microseconds, not a template render.

The markup matches `_idea_card.html` and `_support_button.html` (which the detail page
and the support button's htmx answer still use); tests/proposals/test_speed.py holds
them equal.
"""

from __future__ import annotations

import hashlib
from html import escape

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.defaultfilters import truncatechars
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext, ngettext

from covenant.markup import markdown_to_text
from proposals.ideas.kept_forms import kept_fields, row_of_fields
from proposals.ideas.names import author_as_seen_by
from proposals.ideas.threads import url_maker
from proposals.models import Idea, Moderation

HEAD_TIMEOUT = 24 * 3600


def _head_key(idea: Idea, language: str) -> str:
    photo = getattr(idea, "cover_photo", None)
    shown = "\x1f".join(
        (
            idea.title,
            idea.body,
            idea.status,
            idea.moderation,
            str(idea.category_id),
            # The label too: a category renamed in the admin is a new card, not a stale one.
            str(idea.category.label),
            photo.thumbnail_url if photo else "",
        )
    )
    digest = hashlib.blake2b(shown.encode(), digest_size=12).hexdigest()
    return f"proposals:card-head:{idea.pk}:{language}:{digest}"


def _head(idea: Idea) -> str:
    photo = getattr(idea, "cover_photo", None)
    thumb = (
        format_html(
            '\n      <img src="{}" alt="" class="idea-thumb rounded flex-shrink-0" '
            'loading="lazy" width="72" height="72">',
            photo.thumbnail_url,
        )
        if photo
        else ""
    )
    moderation = (
        format_html(
            '\n        <span class="badge text-bg-warning">{}</span>',
            idea.get_moderation_display(),
        )
        if idea.moderation != Moderation.VISIBLE
        else ""
    )
    return format_html(
        '<article class="card idea-card mb-2">\n  <div class="card-body d-flex gap-3">{}\n'
        '    <div class="flex-grow-1 min-w-0">\n'
        '      <div class="d-flex flex-wrap gap-1 mb-1 small">\n'
        '        <span class="badge idea-status idea-status-{}">{}</span>\n'
        '        <span class="badge text-bg-light border">{}</span>{}\n      </div>\n'
        '      <h2 class="h6 mb-1"><a href="{}" class="stretched-link-none">{}</a></h2>\n'
        '      <p class="small text-body-secondary mb-2 idea-excerpt">{}</p>\n',
        thumb,
        idea.status,
        idea.get_status_display(),
        idea.category.label,
        moderation,
        idea.get_absolute_url(),
        idea.title,
        truncatechars(markdown_to_text(idea.body), 90),
    )


def card_heads(ideas: list[Idea]) -> dict[int, str]:
    """Each idea's reader-independent half, from the cache or rendered and cached."""
    language = get_language()
    keys = {idea.pk: _head_key(idea, language) for idea in ideas}
    found = cache.get_many(list(keys.values()))
    heads, missing = {}, {}
    for idea in ideas:
        head = found.get(keys[idea.pk])
        if head is None:
            head = missing[keys[idea.pk]] = str(_head(idea))
        heads[idea.pk] = head
    if missing:
        cache.set_many(missing, HEAD_TIMEOUT)
    return heads


class _Reader:
    """What every tail of one page shares: the reader, their token, the page's address,
    the support address maker and the answers of the support rule per kind of idea."""

    def __init__(self, request):
        self.user = request.user
        self.csrf_token = get_token(request)
        self.here = escape(request.get_full_path())
        self.support_url = url_maker("proposals:idea_support")
        self.may_support: dict[tuple, bool] = {}

    def may_support_idea(self, idea: Idea) -> bool:
        facts = _support_facts(idea)
        if facts not in self.may_support:
            self.may_support[facts] = self.user.has_perm("proposals.support_idea", idea)
        return self.may_support[facts]


def _support_button(idea: Idea, reader: _Reader) -> str:
    """`_support_button.html` for the list, without a template render."""
    url = reader.support_url(idea.pk)
    if idea.is_supported:
        inner = (
            '<input type="hidden" name="support" value="0">\n'
            '    <button type="submit" class="btn btn-sm btn-primary" aria-pressed="true">'
            f"\n      {escape(gettext('Supported · %(counter)s') % {'counter': idea.support_count})}"
            "\n    </button>"
        )
    elif reader.may_support_idea(idea):
        inner = (
            '<input type="hidden" name="support" value="1">\n'
            '    <button type="submit" class="btn btn-sm btn-outline-primary" '
            'aria-pressed="false">\n'
            f"      {escape(gettext('Support · %(counter)s') % {'counter': idea.support_count})}"
            "\n    </button>"
        )
    else:
        supports = ngettext("%(counter)s support", "%(counter)s supports", idea.support_count)
        inner = (
            '<span class="badge text-bg-light border">'
            f"{escape(supports % {'counter': idea.support_count})}</span>"
        )
    return (
        f'<form method="post" action="{url}" class="d-inline support-form"\n'
        f'      hx-post="{url}" hx-target="this" hx-swap="outerHTML">\n'
        f'  <input type="hidden" name="csrfmiddlewaretoken" value="{reader.csrf_token}">\n'
        f'  <input type="hidden" name="next" value="{reader.here}">\n  {inner}\n</form>'
    )


def _support_facts(idea: Idea) -> tuple:
    """What `proposals.support_idea` reads of an idea (the estate, whether it is public,
    its status and whether it was merged): ideas alike in these get the same answer, so a
    page asks the rule once per kind of idea, not once per card. tests/proposals/
    test_speed.py holds this equal to `has_perm` idea by idea."""
    return (idea.community_id, idea.moderation, idea.status, idea.duplicate_of_id is None)


def _tail(idea: Idea, reader: _Reader) -> str:
    """The reader's half of a card, built from strings (escaped here, with the standard
    library's escape: every value is a plain string): a page has twenty of them, and
    `format_html`'s lazy-aware escaping cost more than the rest of the card."""
    created = localtime(idea.created_at)
    comments = ngettext("%(counter)s comment", "%(counter)s comments", idea.comment_count)
    place = (
        " · " + escape(gettext("Building %(number)s") % {"number": idea.building.number})
        if idea.building_id
        else ""
    )
    return (
        '      <div class="d-flex flex-wrap align-items-center gap-2 small text-body-secondary">\n'
        f"        {_support_button(idea, reader)}\n"
        f"        <span>{escape(comments % {'counter': idea.comment_count})}</span>\n"
        f"        <span>· {escape(author_as_seen_by(idea, reader.user))}{place}</span>\n"
        # the date filter's "c", and "Y-m-d"
        f'        <span>· <time datetime="{created.isoformat()}">{created:%Y-%m-%d}</time></span>\n'
        "      </div>\n    </div>\n  </div>\n</article>\n"
    )


def render_cards(ideas: list[Idea], *, request) -> SafeString:
    """The list's cards: cached heads, per-reader tails."""
    if not ideas:
        return mark_safe("")
    heads = card_heads(ideas)
    reader = _Reader(request)
    return mark_safe("".join(heads[idea.pk] + _tail(idea, reader) for idea in ideas))


FILTER_FIELDS = ("category", "status", "building", "sort")


def filter_fields(form, *, user) -> SafeString:
    """The list's four filter selects as crispy renders them, kept (kept_forms.py)."""
    fields = kept_fields(form, FILTER_FIELDS, user=user)
    return row_of_fields(fields, "col-6 col-md-3")
