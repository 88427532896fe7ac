"""Fixtures of notices: announcements to building 3, the estate, and the public."""

import pytest
from django.core import mail

from notices import services
from notices.models import Audience


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://covenant.example.org"


@pytest.fixture(autouse=True)
def _tasks_in_process(request, settings):
    """Tasks run in this process, also where REDIS_URL is set, except in the tests that
    bring their own broker (integration, Redis down)."""
    if request.node.get_closest_marker("own_broker"):
        yield
        return
    from covenant.celery import app

    had_own_value = "task_always_eager" in app.conf.changes
    previous = app.conf.changes.get("task_always_eager")
    app.conf.task_always_eager = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    yield
    # Put back what was there: Celery reads the others from Django's settings lazily.
    if had_own_value:
        app.conf.task_always_eager = previous
    else:
        app.conf.changes.pop("task_always_eager", None)


@pytest.fixture
def to_building_3(community, captain_3, building_3, resident, neighbour):
    """Captain 3's announcement to building 3; the resident (3-1201) and the neighbour
    (5-0802) exist, so there is someone it should and should not reach."""
    return services.publish(
        community=community,
        author=captain_3,
        title="3栋电梯停运通知",
        body="周二 **9:00–12:00** 电梯检修。",
        audience=Audience.BUILDINGS,
        buildings=[building_3],
    )


@pytest.fixture
def to_estate(community, steward, resident, neighbour):
    return services.publish(
        community=community,
        author=steward,
        title="全小区停水通知",
        body="周三停水。",
        audience=Audience.ESTATE,
    )


@pytest.fixture
def public_notice(community, admin_user, resident):
    return services.publish(
        community=community,
        author=admin_user,
        title="社区开放日",
        body="欢迎参观。",
        audience=Audience.PUBLIC,
    )


@pytest.fixture
def outbox():
    mail.outbox.clear()
    return mail.outbox


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    """Announcement attachments go to a private folder of this test, never the repo's."""
    settings.NOTICES_PRIVATE_ROOT = tmp_path / "private-notices"
