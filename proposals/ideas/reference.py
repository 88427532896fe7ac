"""What the idea list shows beside the ideas and is the same for every reader of an estate:
the categories, the filter's choices, the open campaigns. Kept in Django's cache under a
version that any save or delete of a category, building or campaign bumps (the signals are
connected in proposals/apps.py), so nothing kept outlives a change; a day's open campaigns
are also keyed by the day.

Changes made with `QuerySet.update()` or `bulk_create()` send no signal: call
`reference_changed()` after them.
"""

from __future__ import annotations

from django.core.cache import cache

from covenant.models import User
from covenant.rules import listed_estates
from proposals.models import Category

VERSION_KEY = "proposals:reference-version"
# An hour: if the cache was unreachable when something changed (no bump), it heals soon.
TIMEOUT = 3600


def reference_changed(**kwargs) -> None:
    """Signal receiver (and a call after bulk changes): everything kept is stale."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # never set, or evicted: nothing kept under the old one is reachable
        cache.set(VERSION_KEY, 1, None)


def version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, None)


def categories_by_id() -> dict[int, Category]:
    """Every category (active or not: old ideas keep theirs), by id."""
    key = f"proposals:categories:{version()}"
    categories = cache.get(key)
    if categories is None:
        categories = {category.pk: category for category in Category.objects.all()}
        cache.set(key, categories, TIMEOUT)
    return categories


def estates_key(user: User) -> str:
    """Which estates' reference data the user's lists show (`in_estates_of`): the listed
    ones, or every estate for a superuser without a grant of their own."""
    estates = sorted(listed_estates(user))
    return "all" if user.is_superuser and not estates else ",".join(map(str, estates))
