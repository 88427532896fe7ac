from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

SUPPORTED_LANGUAGES = {code for code, _name in settings.LANGUAGES}


def language_for(request) -> str:
    """The user's saved choice, else the language cookie, else Simplified Chinese.

    The browser's Accept-Language is deliberately not consulted: the estate's portal
    speaks Chinese unless someone asks for English with the switcher.
    """
    user = getattr(request, "user", None)
    if (
        user is not None
        and user.is_authenticated
        and user.preferred_language in SUPPORTED_LANGUAGES
    ):
        return user.preferred_language
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in SUPPORTED_LANGUAGES:
        return cookie
    return settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class PrivateCacheControlMiddleware:
    """Pages served to a signed-in user are personal, and so are the account pages
    (confirmation links, reset keys) even before sign-in: no shared or disk cache may
    keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" in response:
            return response
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/accounts/"):
            response["Cache-Control"] = "private, no-store"
        return response
