"""Ideas and their people: building 3's captain moderates ideas from building 3."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from covenant.models import Party
from proposals.deliberations import services
from proposals.models import Idea
from tests.proposals.factories import CommentFactory, IdeaFactory, seeded_category


@pytest.fixture
def english(monkeypatch):
    """Pages in English, so that tests read the wording they assert. Chinese is everyone's
    default; choosing the language is tested in tests/covenant/test_i18n.py and the
    catalogs' completeness in tests/test_translations.py."""
    monkeypatch.setattr("covenant.middleware.language_for", lambda request: "en")


@pytest.fixture
def category(db):
    # Seeded by the migration: pet keeping, parking, stairwell clutter, ...
    return seeded_category("parking")


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


@pytest.fixture
def media(settings, tmp_path):
    """Uploads go to a temporary folder; returns (media root, quarantine root). Idea
    photos, once processed, go to `settings.IDEAS_PRIVATE_ROOT`, a temporary folder too."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IDEAS_PRIVATE_ROOT = tmp_path / "private-ideas"
    quarantine = tmp_path / "quarantine"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": settings.MEDIA_ROOT},
        },
        "quarantine": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": quarantine},
        },
    }
    return settings.MEDIA_ROOT, quarantine


def page_queries(client, user, url) -> list[str]:
    """The SQL of one page view by `user`, to assert that it does not grow with the data."""
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def files_in(folder) -> list:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


# --- Deliberations: on parking, a representative of each of the three parties ----------


@pytest.fixture
def deliberation(community, party_member, captain_3, steward):
    deliberation = services.open_deliberation(
        opener=party_member,
        community=community,
        topic="规范停车",
        background="地面车位紧张，消防通道常被占用。",
    )
    services.name_representative(
        deliberation=deliberation, user=captain_3, party=Party.RESIDENTS, actor=party_member
    )
    services.name_representative(
        deliberation=deliberation, user=steward, party=Party.PROPERTY, actor=party_member
    )
    return deliberation


@pytest.fixture
def proposed(deliberation, party_member):
    services.propose_resolution(
        deliberation=deliberation, author=party_member, text="消防通道全天禁止停车。"
    )
    deliberation.refresh_from_db()
    return deliberation


__all__ = ["Idea"]
