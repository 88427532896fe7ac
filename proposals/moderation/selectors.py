"""The moderation queue and the moderators' audit log, with visibility applied."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Q,
    Value,
)

from covenant.models import User
from proposals.ideas.selectors import moderated_scope
from proposals.models import (
    Comment,
    Idea,
    Moderation,
    ModerationAction,
    Report,
)

QUEUE_PER_PAGE = 30


def audit_log(idea: Idea) -> list[ModerationAction]:
    return list(idea.moderation_actions.select_related("actor", "comment"))


# --- Moderation queue ----------------------------------------------------------------


class _Literal(Value):
    """A constant written into the SQL rather than bound as a parameter.

    SQLite uses a partial index only when the query repeats the index's condition
    literally, and Django binds values as parameters; so the condition of the partial
    indexes the moderation queue reads is written with these. Only for constants of
    the code: plain words and whole numbers, which need no quoting rules of a backend.
    """

    def __init__(self, value: str | int) -> None:
        if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, str) and value.isidentifier())
        ):
            raise ValueError(f"not a plain constant: {value!r}")
        super().__init__(value)

    def as_sql(self, compiler, connection):
        return (str(self.value) if isinstance(self.value, int) else f"'{self.value}'"), []


# The condition of the partial indexes `*_needs_attention` and `*_attention_by_*`
# (Idea.Meta, Comment.Meta), written so that the database can tell it is theirs.
NEEDS_ATTENTION = Q(
    moderation__in=[_Literal(Moderation.PENDING.value), _Literal(Moderation.AUTO_HIDDEN.value)]
) | Q(report_count__gt=_Literal(0))


def _through(path: str, condition: Q) -> Q:
    """The same filter, on a model that reaches the filtered one through `path`
    ("idea__" from a comment)."""
    rewritten = Q(_connector=condition.connector, _negated=condition.negated)
    for child in condition.children:
        if isinstance(child, Q):
            rewritten.children.append(_through(path, child))
        else:
            lookup, value = child
            rewritten.children.append((f"{path}{lookup}", value))
    return rewritten


@dataclass(frozen=True)
class QueueItem:
    item: Idea | Comment
    reports: list[Report]

    @property
    def is_comment(self) -> bool:
        return isinstance(self.item, Comment)

    @property
    def idea(self) -> Idea:
        return self.item.idea if self.is_comment else self.item


# What an entry shows (proposals/moderation/queue.py): thirty ideas and thirty comments
# with their relations are most of the page's cost, and most of their columns go unread.
_AUTHOR = ("author__name", "author__deleted_at")
QUEUE_IDEA_FIELDS = (
    "community_id",
    "title",
    "body",
    "moderation",
    "report_count",
    "created_at",
    "building__number",
    *_AUTHOR,
)
QUEUE_COMMENT_FIELDS = (
    "idea__community_id",
    "idea__title",
    "idea__building__number",
    "body",
    "moderation",
    "report_count",
    "created_at",
    *_AUTHOR,
)


def moderation_queue(*, user: User, limit: int = QUEUE_PER_PAGE) -> list[QueueItem]:
    """Items waiting for this moderator: new ones under pre-moderation, reported ones and
    those hidden by reports, oldest first; never the moderator's own."""
    scope = moderated_scope(user)
    ideas = list(
        Idea.objects.filter(scope & NEEDS_ATTENTION)
        .exclude(author=user)
        .select_related("author", "building")
        .only(*QUEUE_IDEA_FIELDS)
        .order_by("created_at", "pk")[:limit]
    )
    # The page's comments are chosen from the partial indexes alone (idea, author and
    # estate are all in indexes), then read: reading every waiting comment of the site
    # with its idea to find the estate's would grow with the number of estates.
    waiting_comments = (
        Comment.objects.filter(_through("idea__", scope) & NEEDS_ATTENTION)
        .exclude(author=user)
        .order_by("created_at", "pk")
        .values("pk")[:limit]
    )
    comments = list(
        Comment.objects.filter(pk__in=waiting_comments)
        .select_related("author", "idea__building")
        .only(*QUEUE_COMMENT_FIELDS)
        .order_by("created_at", "pk")
    )
    open_reports: dict[tuple[str, int], list[Report]] = {}
    reports = (
        Report.objects.filter(resolved_at__isnull=True)
        .filter(Q(idea__in=[i.pk for i in ideas]) | Q(comment__in=[c.pk for c in comments]))
        .only("idea_id", "comment_id", "reason", "note")
        .order_by("created_at")
    )
    for report in reports:
        key = ("idea", report.idea_id) if report.idea_id else ("comment", report.comment_id)
        open_reports.setdefault(key, []).append(report)
    items = [QueueItem(idea, open_reports.get(("idea", idea.pk), [])) for idea in ideas]
    items += [
        QueueItem(comment, open_reports.get(("comment", comment.pk), [])) for comment in comments
    ]
    items.sort(key=lambda entry: entry.item.created_at)
    return items[:limit]


def moderation_queue_size(user: User) -> int:
    """How many items wait for this moderator, in one query (it runs on every page)."""
    scope = moderated_scope(user)
    ideas = Idea.objects.filter(scope & NEEDS_ATTENTION).exclude(author=user).values("pk")
    comments = (
        Comment.objects.filter(_through("idea__", scope) & NEEDS_ATTENTION)
        .exclude(author=user)
        .values("pk")
    )
    return ideas.union(comments, all=True).count()
