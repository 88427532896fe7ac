"""The one way user-written text becomes HTML: Markdown rendered, then sanitised by nh3.

Every app renders residents' titles, bodies, comments and announcements through
`render_markdown` (or the `markdown` template filter), so the allowlist lives in one place.
"""

from __future__ import annotations

import functools
import html

import nh3
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "strong", "em", "del", "a", "ul", "ol", "li", "blockquote",
        "code", "pre", "hr", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer ugc"

# Raw HTML is escaped by the renderer and images are switched off: no external image can
# track a reader, and nh3 removes whatever slips through.
_renderer = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable("table")
_renderer.disable("image")


def _demote_headings(markup: str) -> str:
    # A resident's "# heading" must not outrank the page's own h1 and h2.
    for level in (2, 1):
        markup = markup.replace(f"<h{level}>", f"<h{level + 2}>").replace(
            f"</h{level}>", f"</h{level + 2}>"
        )
    return markup


def sanitise_html(markup: str) -> str:
    return nh3.clean(
        markup,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


# Rendering is a pure function of the text, and the same comments and ideas are shown
# again and again: each worker keeps the last few thousand results, keyed by the text
# itself (hashed by the dict), so a page of 160 comments renders Markdown only for those
# it has not seen. Kept in process, not in Redis: a cache round trip per comment would
# cost more than most renders.
RENDERED_KEPT = 4096


@functools.lru_cache(maxsize=RENDERED_KEPT)
def _rendered(text: str) -> str:
    return sanitise_html(_demote_headings(_renderer.render(text)))


def render_markdown(text: str) -> SafeString:
    """Markdown from a user, as HTML safe to put in any page or email."""
    if not text:
        return mark_safe("")
    return mark_safe(_rendered(text))


@functools.lru_cache(maxsize=RENDERED_KEPT)
def markdown_to_text(text: str) -> str:
    """The words of a Markdown text without markup, for excerpts, search and plain-text mail."""
    return " ".join(html.unescape(strip_tags(render_markdown(text))).split())
