"""The demo estate's themes and priority work, as ``seed_demo`` leaves them."""

from collections import Counter, defaultdict

import pytest

from proposals.models import Priority, ThemeMembership
from tests.proposals.test_demo import seeded  # noqa: F401 (the module's seeded estate)

pytestmark = pytest.mark.django_db

BIG_THREE = ("pets", "parking", "stairwell")


def test_pets_parking_and_stairwell_ideas_have_themes_of_their_own(seeded):  # noqa: F811
    categories_of_theme = defaultdict(Counter)
    for theme_id, slug in ThemeMembership.objects.values_list("theme_id", "idea__category__slug"):
        categories_of_theme[theme_id][slug] += 1
    for counts in categories_of_theme.values():
        assert sum(counts[slug] > 0 for slug in BIG_THREE) <= 1, counts
    for slug in BIG_THREE:
        total = sum(counts[slug] for counts in categories_of_theme.values())
        in_pure = sum(
            counts[slug]
            for counts in categories_of_theme.values()
            if counts[slug] >= 0.9 * sum(counts.values())
        )
        assert total >= 70 and in_pure >= 0.9 * total, slug


def test_the_three_most_raised_themes_are_priority_work(seeded):  # noqa: F811
    priorities = {p.title: p for p in Priority.objects.select_related("theme__category")}
    assert set(priorities) == {"文明养宠", "规范停车", "清理楼道杂物"}
    expected = {"文明养宠": "pets", "规范停车": "parking", "清理楼道杂物": "stairwell"}
    for title, priority in priorities.items():
        assert priority.theme.category.slug == expected[title]
        assert priority.theme.name == title and priority.theme.named_by_staff
        assert priority.progress.exists() and priority.activities.exists()
        assert priority.owner.role_grants.exists()
    assert "牵绳" in priorities["文明养宠"].theme.shared_keyword_list


def test_each_priority_is_linked_to_its_deliberation(seeded):  # noqa: F811
    linked = {
        priority.title: [d.topic for d in priority.deliberations.all()]
        for priority in Priority.objects.prefetch_related("deliberations")
    }
    assert linked == {
        "文明养宠": ["文明养宠公约"],
        "规范停车": ["规范停车：消防通道、车位与充电"],
        "清理楼道杂物": ["清理楼道杂物"],
    }
