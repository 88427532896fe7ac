"""`{% chrome vary... %}…{% endchrome %}`: Django's `{% cache %}` for the page's chrome
(the navigation bar and the phone's tab bar), which every page renders and which costs more
than the framework's floor.

Like `{% cache %}`, the fragment is kept under a key made of everything it varies on,
which the template names. Unlike it, the fragment may hold forms: it is rendered with
placeholders for the CSRF token and the page's address (`{{ here }}`, the `next` of its
forms), which are put back per request, so one person's chrome serves every page they open
in the same place, and no token is ever shared.

Whatever the fragment reads must be among its vary-on values (or follow from them: the
user's permissions follow from their roles' fingerprint).
"""

from __future__ import annotations

from django import template
from django.middleware.csrf import get_token
from django.templatetags.cache import CacheNode
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

TIMEOUT = "600"
# Letters and digits only, so that escaping leaves them as they are wherever they land.
TOKEN_PLACEHOLDER = "chromecsrf7f3a91c2placeholder"
HERE_PLACEHOLDER = "chromehere5e08d1b4placeholder"


class ChromeNode(CacheNode):
    """Django's CacheNode, rendering (on a miss) with placeholders, filled in on the way out."""

    def render(self, context):
        request = context["request"]
        with context.push(csrf_token=TOKEN_PLACEHOLDER, here=HERE_PLACEHOLDER):
            fragment = super().render(context)
        return mark_safe(
            fragment.replace(TOKEN_PLACEHOLDER, get_token(request)).replace(
                HERE_PLACEHOLDER, escape(request.get_full_path())
            )
        )


@register.tag
def chrome(parser, token):
    """`{% chrome vary... %}…{% endchrome %}`: as `{% cache 600 covenant.chrome
    LANGUAGE_CODE vary... %}`."""
    vary_on = [parser.compile_filter(bit) for bit in ("LANGUAGE_CODE", *token.split_contents()[1:])]
    nodelist = parser.parse(("endchrome",))
    parser.delete_first_token()
    return ChromeNode(nodelist, parser.compile_filter(TIMEOUT), "covenant.chrome", vary_on, None)
