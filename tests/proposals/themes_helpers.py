"""Ideas written like the demo estate's, for the themes and priority tests."""

import random

from proposals.ideas.demo_phrases import compose
from proposals.ideas.demo_texts import THEMES
from proposals.models import Idea, Theme, ThemeMembership
from tests.proposals.factories import IdeaFactory, seeded_category

DEMO_THEMES = {theme.key: theme for theme in THEMES}


def ideas_about(key: str, count: int, *, author, household, seed: int = 7, **fields) -> list[Idea]:
    """`count` ideas on one of the demo's concerns (leash, ebike, parking_chaos, ...)."""
    theme = DEMO_THEMES[key]
    rng = random.Random(f"{key}:{seed}")
    ideas = []
    for _ in range(count):
        title, body = compose(theme, rng, household.building.number, household.floor)
        ideas.append(
            IdeaFactory(
                author=author,
                household=household,
                category=seeded_category(theme.category),
                title=title,
                body=body,
                **fields,
            )
        )
    return ideas


def theme_of(idea: Idea) -> Theme:
    return ThemeMembership.objects.select_related("theme").get(idea=idea).theme


def themes_of_ideas(ideas) -> set[int]:
    return set(ThemeMembership.objects.filter(idea__in=ideas).values_list("theme_id", flat=True))
