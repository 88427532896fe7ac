"""The moderation queue and its badge (on every page a moderator opens) read the small
partial indexes of items needing attention, so that their cost follows the moderator's
estate and not the whole site (bench_ideas --estates 20). SQLite uses a partial index only
when the query states the index's condition literally, not through bound parameters."""

import pytest
from django.db import connection

from proposals.models import Comment, Idea, Moderation
from proposals.moderation import selectors
from tests.factories import UserFactory
from tests.proposals.factories import CommentFactory, IdeaFactory

ATTENTION_INDEXES = (
    "idea_attention_by_estate",
    "idea_attention_by_building",
    "comment_attention_by_idea",
    "idea_needs_attention",
    "comment_needs_attention",
)


def moderation_plans(read) -> dict[str, str]:
    """The query plan of each query of `read()` that looks at moderation, by its SQL."""
    plans = {}

    def explain(execute, sql, params, many, context):
        if '"moderation"' in sql and not sql.startswith("EXPLAIN"):
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                plans[sql] = "\n".join(str(row[-1]) for row in cursor.fetchall())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(explain):
        read()
    return plans


@pytest.fixture
def waiting_items(unit_3_1201, unit_5_0802):
    author = UserFactory()
    pending = IdeaFactory(household=unit_3_1201, author=author, moderation=Moderation.PENDING)
    IdeaFactory(household=unit_5_0802, author=author, report_count=1)
    visible = IdeaFactory(household=unit_3_1201, author=author)
    CommentFactory(idea=visible, author=author, moderation=Moderation.AUTO_HIDDEN)
    CommentFactory(idea=pending, author=author, report_count=2)
    CommentFactory(idea=visible, author=author)
    # Many items need nothing, as on a real site, and the planner knows it.
    quiet = Idea.objects.bulk_create(
        IdeaFactory.build(household=household, author=author, category=visible.category)
        for household in [unit_3_1201, unit_5_0802] * 150
    )
    Comment.objects.bulk_create(
        Comment(idea=idea, author=author, body="同意") for idea in quiet for _ in range(2)
    )
    # SQLite only: on PostgreSQL an ANALYZE inside the test's transaction would leave
    # every table's statistics near empty for the rest of the run, and its plans with them.
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's EXPLAIN QUERY PLAN")
@pytest.mark.parametrize("moderator", ["admin_user", "captain_3"])
def test_the_queue_and_its_badge_read_the_partial_indexes_of_waiting_items(
    request, waiting_items, moderator
):
    user = request.getfixturevalue(moderator)

    plans = moderation_plans(
        lambda: (selectors.moderation_queue(user=user), selectors.moderation_queue_size(user))
    )

    assert len(plans) == 3  # ideas, comments, the badge's count of both
    for sql, plan in plans.items():
        assert any(index in plan for index in ATTENTION_INDEXES), f"{sql}\n{plan}"
    badge = next(plan for sql, plan in plans.items() if "COUNT(" in sql)
    assert "idea_attention_by" in badge
    assert "comment_attention_by_idea" in badge or "comment_needs_attention" in badge


def test_the_queue_and_its_badge_count_the_same_items(admin_user, captain_3, waiting_items):
    assert len(selectors.moderation_queue(user=admin_user)) == 4
    assert selectors.moderation_queue_size(admin_user) == 4
    assert len(selectors.moderation_queue(user=captain_3)) == 3
    assert selectors.moderation_queue_size(captain_3) == 3
