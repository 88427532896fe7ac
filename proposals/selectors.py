"""Reads of golden ideas, with visibility applied.

`ideas_visible_to` is the list counterpart of the `proposals.read_idea` permission and is
tested to agree with it. Lists are paginated by keyset and never join COUNT()s: supports and
comments are stored counters on the idea.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from covenant.models import Building, Community, Household, Membership, Party, Role, RoleGrant, User
from covenant.pagination import KeysetPage, keyset_paginate
from covenant.rules import listed_estates, listed_estates_where, roles_of
from covenant.selectors import captained_places
from proposals import search, tally
from proposals.models import (
    ActionItem,
    Ballot,
    Campaign,
    Category,
    Comment,
    Deliberation,
    DeliberationPost,
    Idea,
    IdeaPhoto,
    Meeting,
    Moderation,
    ModerationAction,
    OpenDataLink,
    OwnersVote,
    Priority,
    ProgressEntry,
    Report,
    Representative,
    ResolutionVersion,
    StaffNote,
    Support,
    Theme,
    ThemeEdit,
    ThemeMembership,
    TriageChange,
    VoteRollEntry,
)
from volunteers.selectors import scheduled_activities

IDEAS_PER_PAGE = 20
BOARD_PER_PAGE = 50
QUEUE_PER_PAGE = 30
COMMENTS_PER_PAGE = 50
SIMILAR_IDEAS_SHOWN = 5
SIMILAR_CANDIDATES = 200
SIMILARITY_THRESHOLD = 0.45

SORTS = {
    "newest": ("-created_at", "-id"),
    "supported": ("-support_count", "-id"),
    "active": ("-last_activity_at", "-id"),
}
BOARD_SORTS = {
    "oldest": ("created_at", "id"),
    "newest": ("-created_at", "-id"),
    "supported": ("-support_count", "-id"),
}
AGE_FILTERS = {"7": 7, "30": 30, "90": 90}
OPEN_STATUSES = [
    Idea.Status.SUBMITTED,
    Idea.Status.ACCEPTED,
    Idea.Status.IN_PROGRESS,
    Idea.Status.REFERRED,
]


STAFF_SIDE_ROLES = (Role.PROPERTY_STAFF, Role.COMMUNITY_ADMIN)
# Who reads the themes (proposals.see_themes): the staff side and the Party branch.
THEME_READER_ROLES = (Role.PROPERTY_STAFF, Role.PARTY_BRANCH, Role.COMMUNITY_ADMIN)


def _is_staff_side(user: User) -> bool:
    return user.has_perm("proposals.triage_idea")


def _estates_of(user: User, *roles: str, listed: bool) -> frozenset[int]:
    """The estates a list shows (`covenant.rules.listed_estates`: the one the user works
    in), or, for an object's page (`listed=False`), every estate the user belongs to: a
    link to another of their estates' pages opens whichever estate they work in."""
    if listed:
        return listed_estates_where(user, *roles) if roles else listed_estates(user)
    held = roles_of(user)
    return held.estates_where(*roles) if roles else held.community_ids


def in_estates_of(user: User, *, listed: bool = True) -> Q:
    """Ideas (or anything with a `community`) of the estates the user's lists show
    (`covenant.rules.listed_estates`), or of all theirs for an object's page.

    A superuser with no grant of their own administers every estate on the site.
    """
    estates = _estates_of(user, listed=listed)
    if user.is_superuser and not estates:
        return Q(pk__isnull=False)
    return Q(community_id__in=estates)


def in_estates_where(user: User, *roles: str, listed: bool = True) -> Q:
    """Anything with a `community` of the listed estates (all the user's, for an object's
    page) where the user holds one of these roles (roles are per estate); a superuser is
    admin wherever `in_estates_of` reaches."""
    if user.is_superuser and Role.COMMUNITY_ADMIN in roles:
        return in_estates_of(user, listed=listed)
    return Q(community_id__in=_estates_of(user, *roles, listed=listed))


def _moderated_scope(user: User, *, listed: bool = True) -> Q:
    """The ideas whose building the user moderates (all of the estate, for its admin), in
    the listed estates (all the user's, for an object's page)."""
    scope = captained_places(user)
    if roles_of(user).is_admin:
        scope |= in_estates_where(user, Role.COMMUNITY_ADMIN, listed=listed)
    return scope & in_estates_of(user, listed=listed)


def ideas_visible_to(user: User, *, listed: bool = True) -> QuerySet[Idea]:
    """Every idea the user may open: public ones, their own, and, for moderators and
    staff, the hidden ones in their care; of the listed estates, or of all the user's
    (`listed=False`, an idea's page)."""
    if not user.has_perm("proposals.browse_ideas"):
        return Idea.objects.none()
    visible = Q(moderation=Moderation.VISIBLE) | Q(author=user)
    if _is_staff_side(user):
        visible |= in_estates_where(user, *STAFF_SIDE_ROLES, listed=listed)
    if roles_of(user).captain_grants:
        visible |= _moderated_scope(user, listed=listed)
    return Idea.objects.filter(in_estates_of(user, listed=listed) & visible)


@dataclass(frozen=True)
class IdeaFilters:
    """The named options of the idea list; anything else in the query string is ignored."""

    q: str = ""
    category: Category | None = None
    status: str = ""
    building: Building | None = None
    campaign: Campaign | None = None
    mine: bool = False
    supported: bool = False
    sort: str = "newest"
    age_days: int | None = None
    assignee: User | None = None


def _listed(user: User, filters: IdeaFilters) -> QuerySet[Idea]:
    ideas = ideas_visible_to(user).filter(duplicate_of__isnull=True)
    if filters.mine:
        ideas = ideas.filter(author=user)
    elif filters.status != Idea.Status.WITHDRAWN:
        ideas = ideas.exclude(status=Idea.Status.WITHDRAWN)
    if filters.q:
        ideas = search.filter_by_keywords(ideas, filters.q)
    if filters.category:
        ideas = ideas.filter(category=filters.category)
    if filters.status == "open":
        ideas = ideas.filter(status__in=OPEN_STATUSES)
    elif filters.status:
        ideas = ideas.filter(status=filters.status)
    if filters.building:
        ideas = ideas.filter(building=filters.building)
    if filters.campaign:
        ideas = ideas.filter(campaign=filters.campaign)
    if filters.supported:
        ideas = ideas.filter(Exists(Support.objects.filter(idea=OuterRef("pk"), user=user)))
    if filters.age_days:
        ideas = ideas.filter(created_at__lte=timezone.now() - timedelta(days=filters.age_days))
    if filters.assignee:
        ideas = ideas.filter(assignee=filters.assignee)
    return ideas


def idea_page(*, user: User, filters: IdeaFilters, cursor: str | None) -> KeysetPage:
    ideas = _listed(user, filters).select_related("category", "building", "author", "campaign")
    page = keyset_paginate(
        ideas,
        ordering=SORTS.get(filters.sort, SORTS["newest"]),
        cursor=cursor,
        per_page=IDEAS_PER_PAGE,
    )
    _mark_supported(page.items, user)
    _attach_thumbnails(page.items)
    return page


def board_page(*, user: User, filters: IdeaFilters, cursor: str | None) -> KeysetPage:
    ideas = _listed(user, filters).select_related("category", "building", "assignee", "author")
    return keyset_paginate(
        ideas,
        ordering=BOARD_SORTS.get(filters.sort, BOARD_SORTS["oldest"]),
        cursor=cursor,
        per_page=BOARD_PER_PAGE,
    )


def ideas_for_export(*, user: User, filters: IdeaFilters):
    """Every listed idea for the CSV/XLSX export, in id order, streamed in chunks.

    Hidden and waiting ideas stay in the portal: a file, once downloaded, is out of reach
    of moderation.
    """
    return (
        _listed(user, filters)
        .filter(moderation=Moderation.VISIBLE)
        .select_related("category", "building", "author")
        .order_by("pk")
        .iterator(chunk_size=1000)
    )


def _mark_supported(ideas: list[Idea], user: User) -> None:
    supported = (
        set(
            Support.objects.filter(user=user, idea__in=[idea.pk for idea in ideas]).values_list(
                "idea_id", flat=True
            )
        )
        if ideas
        else set()
    )
    for idea in ideas:
        idea.is_supported = idea.pk in supported


def _attach_thumbnails(ideas: list[Idea]) -> None:
    if not ideas:
        return
    first_photo: dict[int, IdeaPhoto] = {}
    photos = IdeaPhoto.objects.filter(
        idea__in=[idea.pk for idea in ideas], state=IdeaPhoto.State.READY
    ).order_by("idea_id", "position", "pk")
    for photo in photos:
        first_photo.setdefault(photo.idea_id, photo)
    for idea in ideas:
        idea.cover_photo = first_photo.get(idea.pk)


def idea_for_detail(*, user: User, idea_id: int, comments_after: str | None = None) -> Idea | None:
    """The idea with everything its page shows, or None if the user may not see it (an
    idea of any estate of theirs: a link opens whichever estate they work in)."""
    idea = (
        ideas_visible_to(user, listed=False)
        .select_related(
            "category",
            "building",
            "household__building",
            "author",
            "recorded_by",
            "campaign",
            "assignee",
            "duplicate_of",
        )
        .filter(pk=idea_id)
        .first()
    )
    if idea is None:
        return None
    idea.ready_photos = list(idea.photos.filter(state=IdeaPhoto.State.READY))
    states = set(idea.photos.exclude(state=IdeaPhoto.State.READY).values_list("state", "pk"))
    idea.photos_processing = any(state == IdeaPhoto.State.PROCESSING for state, _ in states)
    idea.photos_failed = sum(state == IdeaPhoto.State.FAILED for state, _ in states)
    idea.public_timeline = list(idea.timeline.select_related("actor"))
    idea.is_supported = Support.objects.filter(idea=idea, user=user).exists()
    idea.comment_page = comment_thread(idea=idea, user=user, after=comments_after)
    idea.thread = idea.comment_page.items
    return idea


def comment_thread(*, idea: Idea, user: User, after: str | None = None) -> KeysetPage:
    """A page of top-level comments, oldest first, with their replies (one level), as the
    user may see them."""
    visible = Q(moderation=Moderation.VISIBLE) | Q(author=user)
    is_moderator = user.has_perm("proposals.moderate_item", idea)
    if is_moderator:
        visible = Q(pk__isnull=False)
    replies = Comment.objects.filter(visible).select_related("author").order_by("created_at", "pk")
    # A hidden comment with visible replies stays as a placeholder, so the replies (which
    # count) keep their place in the conversation.
    shown_threads = visible | Exists(
        Comment.objects.filter(parent=OuterRef("pk"), moderation=Moderation.VISIBLE)
    )
    page = keyset_paginate(
        idea.comments.filter(shown_threads, parent__isnull=True)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="shown_replies")),
        ordering=("created_at", "id"),
        cursor=after,
        per_page=COMMENTS_PER_PAGE,
    )
    for comment in page.items:
        comment.idea = idea
        comment.is_placeholder = not (
            is_moderator or comment.author_id == user.pk or comment.moderation == Moderation.VISIBLE
        )
        for reply in comment.shown_replies:
            reply.idea = idea
    return page


def audit_log(idea: Idea) -> list[ModerationAction]:
    return list(idea.moderation_actions.select_related("actor", "comment"))


def staff_notes(idea: Idea) -> list[StaffNote]:
    return list(idea.staff_notes.select_related("author"))


def triage_history(idea: Idea) -> list[TriageChange]:
    return list(idea.triage_changes.select_related("actor"))


def similar_ideas(*, user: User, text: str, exclude_id: int | None = None) -> list[Idea]:
    """Public ideas whose words overlap most with what is being typed."""
    tokens = search.tokenize(text)
    if not tokens:
        return []
    candidates = search.filter_by_any_keyword(
        Idea.objects.filter(
            in_estates_of(user), moderation=Moderation.VISIBLE, duplicate_of__isnull=True
        ).exclude(status=Idea.Status.WITHDRAWN),
        tokens,
    )
    if exclude_id:
        candidates = candidates.exclude(pk=exclude_id)
    rows = [
        (idea, set(idea.search_tokens.split()))
        for idea in candidates.select_related("category").order_by("-support_count", "-id")[
            :SIMILAR_CANDIDATES
        ]
    ]
    # Typed words found in no candidate (a typo, or jieba's 又坏了) say nothing about
    # which idea is meant, so they do not dilute the score.
    typed = {token for token in tokens if any(search.contains(terms, token) for _, terms in rows)}
    scored = []
    for idea, terms in rows:
        # What the title says weighs most: a body that mentions 电梯 in passing is not
        # an idea about the lift.
        in_title = search.similarity(typed, set(search.search_tokens_for(idea.title).split()))
        score = 0.7 * in_title + 0.3 * search.similarity(typed, terms)
        if score >= SIMILARITY_THRESHOLD:
            scored.append((score, idea.support_count, idea))
    scored.sort(key=lambda row: (row[0], row[1]), reverse=True)
    ideas = [idea for _, _, idea in scored[:SIMILAR_IDEAS_SHOWN]]
    _mark_supported(ideas, user)
    return ideas


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


def moderation_queue(*, user: User, limit: int = QUEUE_PER_PAGE) -> list[QueueItem]:
    """Items waiting for this moderator: new ones under pre-moderation, reported ones and
    those hidden by reports, oldest first; never the moderator's own."""
    scope = _moderated_scope(user)
    ideas = list(
        Idea.objects.filter(scope & NEEDS_ATTENTION)
        .exclude(author=user)
        .select_related("author", "building", "category")
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
        .order_by("created_at", "pk")
    )
    open_reports: dict[tuple[str, int], list[Report]] = {}
    reports = (
        Report.objects.filter(resolved_at__isnull=True)
        .filter(Q(idea__in=[i.pk for i in ideas]) | Q(comment__in=[c.pk for c in comments]))
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
    scope = _moderated_scope(user)
    ideas = Idea.objects.filter(scope & NEEDS_ATTENTION).exclude(author=user).values("pk")
    comments = (
        Comment.objects.filter(_through("idea__", scope) & NEEDS_ATTENTION)
        .exclude(author=user)
        .values("pk")
    )
    return ideas.union(comments, all=True).count()


def campaigns_of(user: User) -> QuerySet[Campaign]:
    return Campaign.objects.filter(in_estates_of(user))


def open_campaigns(user: User) -> QuerySet[Campaign]:
    today = timezone.localdate()
    return campaigns_of(user).filter(starts_on__lte=today, ends_on__gte=today)


def open_campaigns_of_estate(community_id: int | None) -> QuerySet[Campaign]:
    """The campaigns an idea filed in this estate may join: the estate's open ones."""
    today = timezone.localdate()
    return Campaign.objects.filter(
        community_id=community_id, starts_on__lte=today, ends_on__gte=today
    )


def active_categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)


def assignable_staff(*, community_ids) -> QuerySet[User]:
    """Who may be assigned an idea: the property staff and admins of its estate (of these
    estates, for a choice over several ideas)."""
    grants = RoleGrant.objects.filter(
        role__in=STAFF_SIDE_ROLES, community_id__in=community_ids
    ).values("user_id")
    return User.objects.filter(is_active=True, pk__in=grants).order_by("name", "pk")


def may_be_assigned(user: User, community_id: int) -> bool:
    """Whether `user` may be assigned an idea of this estate (`assignable_staff`)."""
    return bool(roles_of(user).roles_in(community_id) & set(STAFF_SIDE_ROLES))


def filing_place(user: User) -> tuple[int | None, Household | None]:
    """Where a new idea by `user` is filed: (estate id, household). Their first verified
    household in a listed estate; else, for a role holder without one there, the first
    listed estate where they hold a role (no household); else (None, None)."""
    listed = listed_estates(user)
    membership = (
        Membership.objects.filter(
            user=user,
            status=Membership.Status.VERIFIED,
            household__building__community_id__in=listed,
        )
        .select_related("household__building")
        .order_by("requested_at", "pk")
        .first()
    )
    if membership is not None:
        return membership.household.building.community_id, membership.household
    held = sorted(community_id for community_id in listed if roles_of(user).roles_in(community_id))
    return (held[0] if held else None), None


def open_ideas_of_building(*, user: User, building: Building, limit: int = 8) -> list[Idea]:
    """The building's open ideas that the user may see, most supported first."""
    return list(
        ideas_visible_to(user)
        .filter(building=building, status__in=OPEN_STATUSES, duplicate_of__isnull=True)
        .select_related("category")
        .order_by("-support_count", "-id")[:limit]
    )


# --- Deliberations -------------------------------------------------------------------

DELIBERATIONS_PER_PAGE = 20
POSTS_PER_PAGE = 30
IDEAS_FOR_LINKING = 100
ROLE_OF_PARTY = {
    Party.PARTY_BRANCH: Role.PARTY_BRANCH,
    Party.RESIDENTS: Role.CAPTAIN,
    Party.PROPERTY: Role.PROPERTY_STAFF,
}


def deliberations_visible_to(user: User, *, listed: bool = True) -> QuerySet[Deliberation]:
    """The list counterpart of `proposals.read_deliberation`: every deliberation of the
    listed estates (all the user's, for a page), for verified residents and the estate's
    role holders."""
    if not user.has_perm("proposals.browse_deliberations"):
        return Deliberation.objects.none()
    return Deliberation.objects.filter(in_estates_of(user, listed=listed))


def deliberation_page(*, user: User, status: str = "", cursor: str | None) -> KeysetPage:
    deliberations = deliberations_visible_to(user).annotate(linked_ideas=Count("ideas"))
    if status in Deliberation.Status.values:
        deliberations = deliberations.filter(status=status)
    return keyset_paginate(
        deliberations, ordering=("-created_at", "-id"), cursor=cursor,
        per_page=DELIBERATIONS_PER_PAGE,
    )  # fmt: skip


def _thread(deliberation: Deliberation, kinds: list[str], cursor: str | None) -> KeysetPage:
    return keyset_paginate(
        DeliberationPost.objects.filter(deliberation=deliberation, kind__in=kinds).select_related(
            "author", "building"
        ),
        ordering=("created_at", "id"),
        cursor=cursor,
        per_page=POSTS_PER_PAGE,
    )


def representatives_thread(*, deliberation: Deliberation, cursor: str | None = None) -> KeysetPage:
    return _thread(deliberation, [DeliberationPost.Kind.REPRESENTATIVE], cursor)


def residents_thread(*, deliberation: Deliberation, cursor: str | None = None) -> KeysetPage:
    kinds = [DeliberationPost.Kind.RESIDENT, DeliberationPost.Kind.BUILDING_POINT]
    return _thread(deliberation, kinds, cursor)


def _with_resolution(deliberations: QuerySet[Deliberation]) -> QuerySet[Deliberation]:
    return deliberations.select_related("resolution").prefetch_related(
        Prefetch(
            "resolution__versions",
            queryset=ResolutionVersion.objects.select_related("written_by").prefetch_related(
                "sign_offs__signed_by"
            ),
        ),
        Prefetch(
            "resolution__action_items",
            queryset=ActionItem.objects.select_related("owner"),
        ),
    )


def deliberation_for_detail(
    *,
    user: User,
    deliberation_id: int,
    thread_after: str | None = None,
    residents_after: str | None = None,
) -> Deliberation | None:
    """The deliberation with everything its page shows, in a fixed number of queries (of
    any estate of the user's: a link opens whichever estate they work in)."""
    deliberation = (
        _with_resolution(deliberations_visible_to(user, listed=False))
        .select_related("opened_by")
        .prefetch_related(
            Prefetch("representatives", queryset=Representative.objects.select_related("user")),
            Prefetch(
                "meetings",
                queryset=Meeting.objects.select_related("minutes_recorded_by").prefetch_related(
                    "attendance"
                ),
            ),
            Prefetch(
                "owners_votes",
                queryset=with_counts(votes_visible_to(user, listed=False)).order_by(
                    "-closes_at", "-pk"
                ),
                to_attr="linked_votes",
            ),
        )
        .filter(pk=deliberation_id)
        .first()
    )
    if deliberation is None:
        return None
    deliberation.linked_ideas = list(
        deliberation.ideas.filter(moderation=Moderation.VISIBLE)
        .select_related("category", "building")
        .order_by("-support_count", "-id")
    )
    deliberation.thread_page = representatives_thread(
        deliberation=deliberation, cursor=thread_after
    )
    deliberation.residents_page = residents_thread(
        deliberation=deliberation, cursor=residents_after
    )
    deliberation.history = list(deliberation.status_changes.select_related("actor"))
    for vote in deliberation.linked_votes:
        vote.result = result_of_counted(vote)
    _describe(deliberation)
    return deliberation


def _describe(deliberation: Deliberation) -> None:
    """Attach the resolution's current text, older versions and sign-offs by party."""
    resolution = getattr(deliberation, "resolution", None)
    deliberation.current_resolution = resolution
    if resolution is None:
        return
    versions = list(resolution.versions.all())  # newest first
    resolution.current = versions[0] if versions else None
    resolution.older_versions = versions[1:]
    resolution.items = list(resolution.action_items.all())
    sign_offs = {s.party: s for s in resolution.current.sign_offs.all()} if versions else {}
    resolution.by_party = [(party, label, sign_offs.get(party)) for party, label in Party.choices]
    resolution.awaiting = [label for party, label, s in resolution.by_party if s is None]


def upcoming_meeting(deliberation: Deliberation):
    now = timezone.now()
    return next((m for m in deliberation.meetings.all() if m.starts_at >= now), None)


def public_record_page(*, user: User, cursor: str | None) -> KeysetPage:
    """Every deliberation of the user's estates with its resolution and action items."""
    page = keyset_paginate(
        _with_resolution(deliberations_visible_to(user)),
        ordering=("-created_at", "-id"),
        cursor=cursor,
        per_page=DELIBERATIONS_PER_PAGE,
    )
    for deliberation in page.items:
        _describe(deliberation)
    return page


def ideas_for_linking(
    *, user: User, deliberation: Deliberation, category: Category | None, query: str
) -> QuerySet[Idea]:
    """Open, public ideas of the deliberation's estate not linked yet, matching the filters.
    Done, declined and withdrawn ideas are settled: a deliberation does not reopen them."""
    ideas = (
        ideas_visible_to(user)
        .filter(
            community_id=deliberation.community_id,
            moderation=Moderation.VISIBLE,
            duplicate_of__isnull=True,
            status__in=OPEN_STATUSES,
        )
        .exclude(deliberations=deliberation)
    )
    if category is not None:
        ideas = ideas.filter(category=category)
    if query.strip():
        ideas = search.filter_by_keywords(ideas, query)
    return ideas.select_related("category", "building").order_by("-support_count", "-id")


def representative_candidates(*, deliberation: Deliberation, party: str) -> QuerySet[User]:
    """People holding the party's role in the deliberation's estate."""
    grants = RoleGrant.objects.filter(
        community_id=deliberation.community_id, role=ROLE_OF_PARTY[party]
    )
    return User.objects.filter(is_active=True, pk__in=grants.values("user_id")).order_by("name")


def open_data_links(estates) -> QuerySet[OpenDataLink]:
    """The share links of these estates, active ones first."""
    return (
        OpenDataLink.objects.filter(community__in=estates)
        .select_related("community", "created_by", "revoked_by")
        .order_by(F("revoked_at").desc(nulls_first=True), "-created_at", "-pk")
    )


def active_open_data_link(token: str) -> OpenDataLink | None:
    return (
        OpenDataLink.objects.filter(token=token, revoked_at__isnull=True)
        .select_related("community")
        .first()
    )


# --- Owners' votes (业主表决) -----------------------------------------------------------

VOTES_PER_PAGE = 20
AREA_STEP = Decimal("0.01")
BREAKDOWN_PER_PAGE = 100


def votes_visible_to(user: User, *, listed: bool = True) -> QuerySet[OwnersVote]:
    """The list counterpart of `proposals.read_vote`: the listed estates' votes (all the
    user's estates', for a vote's pages), drafts for admins only."""
    votes = OwnersVote.objects.filter(in_estates_of(user, listed=listed))
    # Drafts of the estates the user administers only: roles are per estate.
    return votes.exclude(
        Q(status=OwnersVote.Status.DRAFT)
        & ~in_estates_where(user, Role.COMMUNITY_ADMIN, listed=listed)
    )


@dataclass(frozen=True)
class VoteLists:
    drafts: list[OwnersVote]
    open: list[OwnersVote]
    closed: Page


def vote_lists(user: User, *, page: str | int | None = None) -> VoteLists:
    """Drafts (admins), open votes, and closed votes a page at a time, newest first; an
    open vote past its closing time is listed as closed (`OwnersVote.state_at`). Closed
    votes carry their `result`, counted in the page's own query."""
    now = timezone.now()
    votes = votes_visible_to(user)
    still_open = Q(status=OwnersVote.Status.OPEN, closes_at__gt=now)
    closed = with_counts(
        votes.filter(
            Q(status=OwnersVote.Status.CLOSED)
            | Q(status=OwnersVote.Status.OPEN, closes_at__lte=now)
        )
    ).order_by("-closes_at", "-pk")
    closed_page = Paginator(closed, VOTES_PER_PAGE).get_page(page)
    for vote in closed_page:
        vote.result = result_of_counted(vote)
    return VoteLists(
        drafts=list(votes.filter(status=OwnersVote.Status.DRAFT).order_by("-created_at")),
        open=list(votes.filter(still_open).order_by("closes_at", "pk")),
        closed=closed_page,
    )


_CHOICE_COUNTS = {
    "agree": Ballot.Choice.AGREE,
    "object": Ballot.Choice.OBJECT,
    "abstain": Ballot.Choice.ABSTAIN,
}


def with_counts(votes: QuerySet[OwnersVote]) -> QuerySet[OwnersVote]:
    """Each vote's ballots counted by choice in the same query as the votes (read back
    with `result_of_counted`), so that a list of votes with results costs one query."""
    counts = {}
    for name, choice in _CHOICE_COUNTS.items():
        chosen = Q(ballots__choice=choice)
        counts[f"{name}_households"] = Count("ballots", filter=chosen)
        counts[f"{name}_area"] = Sum("ballots__floor_area", filter=chosen)
    return votes.annotate(**counts)


def _share(households: int, area) -> tally.Share:
    # Areas have two places; SQLite sums decimals in floating point, so the sum is put
    # back to two places (exact on PostgreSQL's numeric anyway).
    return tally.Share(households, Decimal(area or 0).quantize(AREA_STEP))


def _result(vote: OwnersVote, shares: dict[str, tally.Share]) -> tally.Result:
    empty = tally.Share()
    return tally.Result(
        electorate=tally.Share(vote.electorate_households, vote.electorate_area),
        agree=shares.get(Ballot.Choice.AGREE, empty),
        objecting=shares.get(Ballot.Choice.OBJECT, empty),
        abstaining=shares.get(Ballot.Choice.ABSTAIN, empty),
        special=vote.is_special,
    )


def result_of_counted(vote: OwnersVote) -> tally.Result:
    """The result of a vote fetched through `with_counts`, without a query."""
    shares = {
        choice: _share(getattr(vote, f"{name}_households"), getattr(vote, f"{name}_area"))
        for name, choice in _CHOICE_COUNTS.items()
    }
    return _result(vote, shares)


def vote_result(vote: OwnersVote) -> tally.Result:
    """The count of a vote's ballots against its roll, in one query."""
    shares = {
        row["choice"]: _share(row["households"], row["area"])
        for row in Ballot.objects.filter(vote=vote)
        .values("choice")
        .annotate(households=Count("pk"), area=Sum("floor_area"))
        .order_by()
    }
    return _result(vote, shares)


def published_votes(user: User) -> list[OwnersVote]:
    """Every opened vote of the user's estates for the public record, newest closing
    first, each with its `result` and deliberation: one query however many votes."""
    votes = (
        with_counts(
            OwnersVote.objects.filter(in_estates_of(user)).exclude(status=OwnersVote.Status.DRAFT)
        )
        .select_related("deliberation")
        .order_by("-closes_at", "-pk")
    )
    return _with_results(votes)


def _with_results(votes: QuerySet[OwnersVote]) -> list[OwnersVote]:
    votes = list(votes)
    for vote in votes:
        vote.result = result_of_counted(vote)
    return votes


@dataclass(frozen=True)
class OwnedUnit:
    """A unit the user may vote for, with the household's current ballot (if any)."""

    household: Household
    ballot: Ballot | None


def units_of_voter(user: User, vote: OwnersVote) -> list[OwnedUnit]:
    """The user's verified-owner units on the vote's roll, each with its ballot, in two
    queries whatever the size of the estate."""
    if not user.is_authenticated or vote.status == OwnersVote.Status.DRAFT:
        return []
    households = list(
        Household.objects.filter(
            memberships__user=user,
            memberships__relation=Membership.Relation.OWNER,
            memberships__status=Membership.Status.VERIFIED,
            pk__in=VoteRollEntry.objects.filter(vote=vote).values("household_id"),
        )
        .select_related("building")
        .order_by("building__number", "unit")
    )
    if not households:
        return []
    ballots = {
        ballot.household_id: ballot
        for ballot in Ballot.objects.filter(vote=vote, household__in=households).select_related(
            "cast_by"
        )
    }
    return [OwnedUnit(household, ballots.get(household.pk)) for household in households]


@dataclass(frozen=True)
class BreakdownRow:
    entry: VoteRollEntry
    ballot: Ballot | None


def vote_breakdown(vote: OwnersVote, *, page: str | int | None = None) -> tuple[Page, list]:
    """Every household on the roll with its ballot, if any, by building and unit: who
    voted how, for the admins alone (`proposals.see_vote_breakdown`). Three queries a
    page: the count, the roll's page, its ballots."""
    roll = (
        VoteRollEntry.objects.filter(vote=vote)
        .select_related("household__building")
        .order_by("household__building__number", "household__floor", "household__unit", "pk")
    )
    page = Paginator(roll, BREAKDOWN_PER_PAGE).get_page(page)
    ballots = {
        ballot.household_id: ballot
        for ballot in Ballot.objects.filter(
            vote=vote, household_id__in=[entry.household_id for entry in page]
        ).select_related("cast_by")
    }
    return page, [BreakdownRow(entry, ballots.get(entry.household_id)) for entry in page]


def deliberation_to_put_to_vote(*, user: User, deliberation_id: int):
    """A deliberation of the estates the user administers (any of them: the link is on
    its page), with `resolution_text`: its resolution's latest text (the adopted one once
    all three parties signed), or "" without a resolution."""
    deliberation = (
        Deliberation.objects.filter(
            in_estates_where(user, Role.COMMUNITY_ADMIN, listed=False), pk=deliberation_id
        )
        .select_related("resolution", "community")
        .first()
    )
    if deliberation is None:
        return None
    resolution = getattr(deliberation, "resolution", None)
    latest = resolution.versions.first() if resolution is not None else None
    deliberation.resolution_text = latest.text if latest is not None else ""
    return deliberation


# --- Themes and priority work (issue 7) ------------------------------------------------

REPRESENTATIVES_SHOWN = 3
THEME_IDEAS_PER_PAGE = 50
PRIORITY_IDEAS_SHOWN = 5


def counted_in_themes(path: str = "") -> Q:
    """The ideas themes count: public, not withdrawn, not merged into another."""
    return Q(**{f"{path}moderation": Moderation.VISIBLE, f"{path}duplicate_of__isnull": True}) & ~Q(
        **{f"{path}status": Idea.Status.WITHDRAWN}
    )


def _with_theme_figures(themes: QuerySet[Theme], path: str = "") -> QuerySet[Theme]:
    counted = counted_in_themes(f"{path}memberships__idea__")
    return themes.annotate(
        size=Count(f"{path}memberships", filter=counted),
        supports=Coalesce(Sum(f"{path}memberships__idea__support_count", filter=counted), 0),
    )


def _buildings_by_theme(theme_ids: list[int]) -> dict[int, list[int]]:
    """The building numbers each theme's ideas come from, in one query."""
    rows = (
        ThemeMembership.objects.filter(
            counted_in_themes("idea__"), theme_id__in=theme_ids, idea__building__isnull=False
        )
        .values_list("theme_id", "idea__building__number")
        .distinct()
        .order_by()
    )
    buildings: dict[int, set[int]] = {}
    for theme_id, number in rows:
        buildings.setdefault(theme_id, set()).add(number)
    return {theme_id: sorted(numbers) for theme_id, numbers in buildings.items()}


def _representatives(theme_ids: list[int], shown: int) -> dict[int, list[Idea]]:
    memberships = (
        ThemeMembership.objects.filter(
            counted_in_themes("idea__"), theme_id__in=theme_ids, rank__lte=shown, rank__gt=0
        )
        .select_related("idea__category", "idea__building")
        .order_by("theme_id", "rank")
    )
    ideas: dict[int, list[Idea]] = {}
    for membership in memberships:
        ideas.setdefault(membership.theme_id, []).append(membership.idea)
    return ideas


def _attach_theme_details(themes: list[Theme], shown: int) -> None:
    ids = [theme.pk for theme in themes]
    buildings = _buildings_by_theme(ids)
    representatives = _representatives(ids, shown)
    for theme in themes:
        theme.building_numbers = buildings.get(theme.pk, [])
        theme.representatives = representatives.get(theme.pk, [])


def themes_of(*, user: User, category: Category | None = None) -> list[Theme]:
    """The estate's themes with size, supports, buildings and representative ideas, in
    four queries whatever their number: largest first within each category."""
    if not user.has_perm("proposals.see_themes"):
        return []
    themes = _with_theme_figures(Theme.objects.filter(in_estates_where(user, *THEME_READER_ROLES)))
    if category is not None:
        themes = themes.filter(category=category)
    themes = list(
        themes.select_related("category", "priority").order_by(
            "category__position", "category_id", "-size", "pk"
        )
    )
    _attach_theme_details(themes, REPRESENTATIVES_SHOWN)
    return themes


def theme_for(*, user: User, theme_id: int) -> Theme | None:
    if not user.has_perm("proposals.see_themes"):
        return None
    theme = (
        # Of the user's estates: one where they read no themes is refused by the view.
        _with_theme_figures(Theme.objects.filter(in_estates_of(user, listed=False), pk=theme_id))
        .select_related("category", "priority", "community")
        .first()
    )
    if theme is not None:
        _attach_theme_details([theme], REPRESENTATIVES_SHOWN)
    return theme


def ideas_of_theme(*, theme: Theme, cursor: str | None) -> KeysetPage:
    """A theme's counted ideas, the most representative first."""
    memberships = ThemeMembership.objects.filter(
        counted_in_themes("idea__"), theme=theme
    ).select_related("idea__category", "idea__building", "idea__author")
    return keyset_paginate(
        memberships, ordering=("rank", "id"), cursor=cursor, per_page=THEME_IDEAS_PER_PAGE
    )


def other_themes(*, theme: Theme) -> QuerySet[Theme]:
    return (
        Theme.objects.filter(community_id=theme.community_id)
        .exclude(pk=theme.pk)
        .select_related("category")
        .order_by("category__position", "name", "pk")
    )


def last_regrouping(*, user: User) -> ThemeEdit | None:
    return (
        ThemeEdit.objects.filter(
            in_estates_where(user, *THEME_READER_ROLES), action=ThemeEdit.Action.REGROUP
        )
        .select_related("actor")
        .first()
    )


def theme_history(*, theme: Theme, limit: int = 20) -> list[ThemeEdit]:
    return list(theme.edits.select_related("actor")[:limit])


def priority_owner_choices(*, community_id: int) -> QuerySet[User]:
    """Who may own priority work: the estate's role holders."""
    return (
        User.objects.filter(role_grants__community_id=community_id, is_active=True)
        .distinct()
        .order_by("name", "pk")
    )


def _adopted_action_items(**filters) -> QuerySet[ActionItem]:
    """The action items of adopted resolutions: the only ones the three parties committed to."""
    return ActionItem.objects.filter(resolution__adopted_at__isnull=False, **filters)


def _count_of_action_items(**filters) -> Coalesce:
    items = (
        _adopted_action_items(resolution__deliberation__priorities=OuterRef("pk"), **filters)
        .order_by()
        .values("resolution__deliberation__priorities")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(items), 0)


def _priorities(user: User, *, listed: bool = True) -> QuerySet[Priority]:
    if not user.has_perm("proposals.browse_priorities"):
        return Priority.objects.none()
    latest = ProgressEntry.objects.filter(priority=OuterRef("pk")).order_by("-happened_on")
    # Subqueries, not Max() or Count() over a join: the join would multiply the counted ideas.
    estates = in_estates_of(user, listed=listed)
    return _with_theme_figures(Priority.objects.filter(estates), "theme__").annotate(
        last_progress_on=Subquery(latest.values("happened_on")[:1]),
        action_items=_count_of_action_items(),
        action_items_done=_count_of_action_items(status=ActionItem.Status.DONE),
    )


def priorities_of(*, user: User) -> list[Priority]:
    """The estate's priority work, under way first, with their themes' figures."""
    priorities = list(
        _priorities(user)
        .select_related("theme__category", "owner")
        .order_by(
            Case(
                When(status=Priority.Status.ACTIVE, then=0),
                When(status=Priority.Status.PLANNED, then=1),
                default=2,
            ),
            "created_at",
            "pk",
        )
    )
    buildings = _buildings_by_theme([p.theme_id for p in priorities])
    for priority in priorities:
        priority.building_numbers = buildings.get(priority.theme_id, [])
    return priorities


def priority_for(*, user: User, priority_id: int) -> Priority | None:
    """One priority with its theme's figures, progress log, activities, linked
    deliberations with their adopted resolutions' action items, and the ideas that say
    best what it is about."""
    priority = (
        _priorities(user, listed=False)
        .filter(pk=priority_id)
        .select_related("theme__category", "owner")
        .prefetch_related(
            Prefetch("progress", queryset=ProgressEntry.objects.select_related("author")),
            Prefetch("activities", queryset=scheduled_activities().order_by("starts_at")),
        )
        .first()
    )
    if priority is not None:
        priority.building_numbers = _buildings_by_theme([priority.theme_id]).get(
            priority.theme_id, []
        )
        priority.ideas = _representatives([priority.theme_id], PRIORITY_IDEAS_SHOWN).get(
            priority.theme_id, []
        )
        priority.linked_deliberations = _linked_deliberations(priority)
    return priority


def _linked_deliberations(priority: Priority) -> list[Deliberation]:
    """The priority's deliberations, each with `resolution_text` (the current text of its
    resolution) and `adopted_items` (its action items, if the resolution was adopted), in
    two queries whatever their number."""
    current_text = ResolutionVersion.objects.filter(
        resolution__deliberation=OuterRef("pk")
    ).order_by("-number")
    deliberations = list(
        priority.deliberations.select_related("resolution")
        .annotate(resolution_text=Subquery(current_text.values("text")[:1]))
        .order_by("-created_at", "-pk")
    )
    items: dict[int, list[ActionItem]] = {}
    today = timezone.localdate()
    for item in (
        _adopted_action_items(resolution__deliberation__priorities=priority)
        .select_related("owner", "resolution")
        .order_by(F("due_on").asc(nulls_last=True), "pk")
    ):
        item.is_overdue = (
            item.due_on is not None and item.due_on < today and item.status != item.Status.DONE
        )
        items.setdefault(item.resolution.deliberation_id, []).append(item)
    for deliberation in deliberations:
        deliberation.adopted_items = items.get(deliberation.pk, [])
    return deliberations


def activities_for_priority(*, community_id: int):
    """What a priority may be linked to: the volunteer activities of its own estate."""
    from volunteers.selectors import activities_for_linking

    return activities_for_linking(community_id=community_id)


def deliberations_for_priority(*, community_id: int) -> QuerySet[Deliberation]:
    """What a priority may be linked to: the deliberations of its own estate."""
    return Deliberation.objects.filter(community_id=community_id).order_by("-created_at", "-pk")


def idea_ids_of_theme(*, theme: Theme) -> list[int]:
    return list(
        ThemeMembership.objects.filter(counted_in_themes("idea__"), theme=theme).values_list(
            "idea_id", flat=True
        )
    )


def estates_where(user: User, *roles: str) -> QuerySet[Community]:
    """The listed estates where the user holds one of these roles, oldest first: what a
    form offers to choose from. A superuser is admin of their listed estates, or of every
    estate without a grant of their own."""
    listed = listed_estates(user)
    if user.is_superuser and not listed:
        return Community.objects.order_by("pk")
    community_ids = listed_estates_where(user, *roles)
    if user.is_superuser and Role.COMMUNITY_ADMIN in roles:
        community_ids |= listed
    return Community.objects.filter(pk__in=community_ids).order_by("pk")


def estates_editing_themes(user: User) -> QuerySet[Community]:
    """The estates whose themes the user regroups: the listed ones where they edit themes."""
    return estates_where(user, *STAFF_SIDE_ROLES)
