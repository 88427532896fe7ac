"""The idea list's cards, rendered in Python rather than by a template include per card.

A card has two halves:
- what every reader sees alike (photo, status, category, moderation badge, title and
  excerpt): rendered once per idea, language and content, and kept in Django's cache
  (`card_head`), keyed by a hash of what it shows, so an edit, a new status or a new photo
  is a new key and nothing needs invalidating;
- what depends on the reader (the support button and whether they may press it, the
  author's name as they may see it) and the counts that change all day: filled in per
  request with `format_html`, which costs microseconds, not a template render.

The markup matches `_idea_card.html` and `_support_button.html` (which the detail page
and the support button's htmx answer still use); tests/proposals/test_cards.py holds
them equal.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext, ngettext

from covenant.markup import markdown_to_text
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


def support_button(
    idea: Idea, *, request, may_support: bool, csrf_token: str, support_url=None
) -> SafeString:
    """`_support_button.html` for the list, without a template render."""
    url = support_url(idea.pk) if support_url else reverse("proposals:idea_support", args=[idea.pk])
    if idea.is_supported:
        inner = format_html(
            '<input type="hidden" name="support" value="0">\n'
            '    <button type="submit" class="btn btn-sm btn-primary" aria-pressed="true">'
            "\n      {}\n    </button>",
            gettext("Supported · %(counter)s") % {"counter": idea.support_count},
        )
    elif may_support:
        inner = format_html(
            '<input type="hidden" name="support" value="1">\n'
            '    <button type="submit" class="btn btn-sm btn-outline-primary" '
            'aria-pressed="false">\n      {}\n    </button>',
            gettext("Support · %(counter)s") % {"counter": idea.support_count},
        )
    else:
        inner = format_html(
            '<span class="badge text-bg-light border">{}</span>',
            ngettext("%(counter)s support", "%(counter)s supports", idea.support_count)
            % {"counter": idea.support_count},
        )
    return format_html(
        '<form method="post" action="{}" class="d-inline support-form"\n'
        '      hx-post="{}" hx-target="this" hx-swap="outerHTML">\n'
        '  <input type="hidden" name="csrfmiddlewaretoken" value="{}">\n'
        '  <input type="hidden" name="next" value="{}">\n  {}\n</form>',
        url,
        url,
        csrf_token,
        request.get_full_path(),
        inner,
    )


def _support_facts(idea: Idea) -> tuple:
    """What `proposals.support_idea` reads of an idea (the estate, whether it is public,
    its status and whether it was merged): ideas alike in these get the same answer, so a
    page asks the rule once per kind of idea, not once per card. tests/proposals/
    test_cards.py holds this equal to `has_perm` idea by idea."""
    return (idea.community_id, idea.moderation, idea.status, idea.duplicate_of_id is None)


def _tail(idea: Idea, *, request, csrf_token: str, may_support: dict, support_url) -> SafeString:
    user = request.user
    facts = _support_facts(idea)
    if facts not in may_support:
        may_support[facts] = user.has_perm("proposals.support_idea", idea)
    created = localtime(idea.created_at)
    place = (
        gettext("Building %(number)s") % {"number": idea.building.number}
        if idea.building_id
        else ""
    )
    return format_html(
        '      <div class="d-flex flex-wrap align-items-center gap-2 small text-body-secondary">\n'
        "        {}\n        <span>{}</span>\n        <span>· {}{}</span>\n"
        '        <span>· <time datetime="{}">{}</time></span>\n'
        "      </div>\n    </div>\n  </div>\n</article>\n",
        support_button(
            idea,
            request=request,
            may_support=may_support[facts],
            csrf_token=csrf_token,
            support_url=support_url,
        ),
        ngettext("%(counter)s comment", "%(counter)s comments", idea.comment_count)
        % {"counter": idea.comment_count},
        author_as_seen_by(idea, user),
        format_html(" · {}", place) if place else "",
        created.isoformat(),  # the date filter's "c"
        created.strftime("%Y-%m-%d"),
    )


def render_cards(ideas: list[Idea], *, request) -> SafeString:
    """The list's cards: cached heads, per-reader tails."""
    if not ideas:
        return mark_safe("")
    heads = card_heads(ideas)
    csrf_token = get_token(request)
    may_support: dict[tuple, bool] = {}
    support_url = url_maker("proposals:idea_support")
    return format_html_join(
        "",
        "{}{}",
        (
            (
                mark_safe(heads[idea.pk]),
                _tail(
                    idea,
                    request=request,
                    csrf_token=csrf_token,
                    may_support=may_support,
                    support_url=support_url,
                ),
            )
            for idea in ideas
        ),
    )


FILTER_FIELDS = ("category", "status", "building", "sort")


def filter_fields(form) -> SafeString:
    """The list's four filter selects as crispy renders them, kept in the cache per
    language, choices and chosen values: crispy runs once per combination, not per
    request. The choices are still read (one query each, as before), so the page asks
    the same queries whether the markup was cached or not."""
    choices = []
    for name in FILTER_FIELDS:
        field = form.fields[name]
        # read once (iter: no COUNT query for a length hint), also by crispy below
        field.choices = evaluated = list(iter(field.choices))
        choices.append([(str(value), str(label)) for value, label in evaluated])
    chosen = [str(form[name].value() or "") for name in FILTER_FIELDS]
    shown = repr((get_language(), choices, chosen, form.is_bound and form.errors.as_data()))
    key = "proposals:idea-filters:" + hashlib.blake2b(shown.encode(), digest_size=16).hexdigest()
    markup = cache.get(key)
    if markup is None:
        from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

        markup = "".join(
            f'<div class="col-6 col-md-3">{as_crispy_field(form[name])}</div>'
            for name in FILTER_FIELDS
        )
        cache.set(key, markup, HEAD_TIMEOUT)
    return mark_safe(markup)
