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
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.middleware.csrf import get_token
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

TIMEOUT = 600
# Letters and digits only, so that escaping leaves them as they are wherever they land.
TOKEN_PLACEHOLDER = "chromecsrf7f3a91c2placeholder"
HERE_PLACEHOLDER = "chromehere5e08d1b4placeholder"


class ChromeNode(template.Node):
    def __init__(self, nodelist, vary_on):
        self.nodelist = nodelist
        self.vary_on = vary_on

    def render(self, context):
        request = context["request"]
        vary_on = [get_language(), *(variable.resolve(context) for variable in self.vary_on)]
        key = make_template_fragment_key("covenant.chrome", vary_on)
        fragment = cache.get(key)
        if fragment is None:
            with context.push(csrf_token=TOKEN_PLACEHOLDER, here=HERE_PLACEHOLDER):
                fragment = self.nodelist.render(context)
            cache.set(key, fragment, TIMEOUT)
        return mark_safe(
            fragment.replace(TOKEN_PLACEHOLDER, get_token(request)).replace(
                HERE_PLACEHOLDER, escape(request.get_full_path())
            )
        )


@register.tag
def chrome(parser, token):
    vary_on = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endchrome",))
    parser.delete_first_token()
    return ChromeNode(nodelist, vary_on)
