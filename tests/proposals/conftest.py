"""Ideas and their people: building 3's captain moderates ideas from building 3."""

import pytest

from proposals.models import Category, Idea
from tests.proposals.factories import CommentFactory, IdeaFactory


@pytest.fixture
def category(db):
    # Seeded by the migration: pet keeping, parking, stairwell clutter, ...
    return Category.objects.get(slug="parking")


@pytest.fixture
def idea(resident, unit_3_1201, category):
    """A public idea by the resident of 3-1201."""
    return IdeaFactory(author=resident, household=unit_3_1201, category=category)


@pytest.fixture
def hidden_name_idea(resident, unit_3_1201, category):
    return IdeaFactory(
        author=resident,
        household=unit_3_1201,
        category=category,
        hide_name=True,
        title="楼道堆物太多",
    )


@pytest.fixture
def neighbours_idea(neighbour, unit_5_0802, category):
    """A public idea from building 5."""
    return IdeaFactory(author=neighbour, household=unit_5_0802, category=category)


@pytest.fixture
def comment(idea, neighbour):
    return CommentFactory(idea=idea, author=neighbour)


__all__ = ["Idea"]
