"""Reads of golden ideas, with visibility applied.

`ideas_visible_to` is the list counterpart of the `proposals.read_idea` permission and is
tested to agree with it. Lists are paginated by keyset and never join COUNT()s: supports and
comments are stored counters on the idea.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.urls import reverse
from django.utils import timezone

from covenant.models import Building, Community, Household, Membership, Role, User
from covenant.pagination import KeysetPage, keyset_paginate
from covenant.rules import listed_estates, listed_estates_where, roles_of
from covenant.selectors import captained_places
from proposals.ideas import reference, search
from proposals.models import (
    Campaign,
    Category,
    Comment,
    Idea,
    IdeaPhoto,
    Moderation,
    Support,
)

IDEAS_PER_PAGE = 20
BOARD_PER_PAGE = 50
# Conversations (a comment and its replies) per page of an idea: a phone's few screens.
COMMENTS_PER_PAGE = 20
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


def moderated_scope(user: User, *, listed: bool = True) -> Q:
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
        visible |= moderated_scope(user, listed=listed)
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


def _people(*relations: str) -> list[str]:
    """How the detail page names people (`User.display_name`): the name, or "former
    resident" once the account was deleted; their other columns are never shown."""
    return [f"{relation}__{field}" for relation in relations for field in ("name", "deleted_at")]


# What the list's cards (proposals/ideas/cards.py), their permission checks and the keyset
# cursor read: a card page builds 20 ideas and their relations, and the columns it does not
# show (the search words, the triage fields) cost more to load than the query itself.
CARD_FIELDS = (
    "community_id",
    "category",
    "title",
    "body",
    "author__name",
    "author__deleted_at",
    "recorded_by_id",
    "resident_name",
    "household_id",
    "building__number",
    "floor",
    "hide_name",
    "status",
    "moderation",
    "duplicate_of_id",
    "support_count",
    "comment_count",
    "created_at",
    "last_activity_at",
)


def idea_page(*, user: User, filters: IdeaFilters, cursor: str | None) -> KeysetPage:
    # Categories come from the kept reference data, not a join: a page has twenty ideas
    # and the estate a handful of categories.
    ideas = _listed(user, filters).select_related("building", "author").only(*CARD_FIELDS)
    page = keyset_paginate(
        ideas,
        ordering=SORTS.get(filters.sort, SORTS["newest"]),
        cursor=cursor,
        per_page=IDEAS_PER_PAGE,
    )
    categories = reference.categories_by_id()
    for idea in page.items:
        idea.category = categories[idea.category_id]
    _mark_supported(page.items, user)
    _attach_thumbnails(page.items)
    return page


# What the triage board's rows show (proposals/triage/board.py).
BOARD_FIELDS = (
    "category",
    "title",
    "priority",
    "status",
    "building__number",
    "support_count",
    "created_at",
    *_people("assignee"),
)


def board_page(*, user: User, filters: IdeaFilters, cursor: str | None) -> KeysetPage:
    ideas = _listed(user, filters).select_related("building", "assignee").only(*BOARD_FIELDS)
    page = keyset_paginate(
        ideas,
        ordering=BOARD_SORTS.get(filters.sort, BOARD_SORTS["oldest"]),
        cursor=cursor,
        per_page=BOARD_PER_PAGE,
    )
    categories = reference.categories_by_id()
    for idea in page.items:
        idea.category = categories[idea.category_id]
    return page


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


@dataclass(frozen=True)
class Cover:
    """An idea's first ready photo, as the list's card shows it: its thumbnail's address."""

    thumbnail_url: str


def _attach_thumbnails(ideas: list[Idea]) -> None:
    if not ideas:
        return
    first_photo: dict[int, Cover] = {}
    photos = (
        IdeaPhoto.objects.filter(idea__in=[idea.pk for idea in ideas], state=IdeaPhoto.State.READY)
        .order_by("idea_id", "position", "pk")
        .values_list("idea_id", "pk")
    )
    for idea_id, photo_id in photos:
        if idea_id not in first_photo:
            url = reverse("proposals:idea_photo_thumbnail", args=[idea_id, photo_id])
            first_photo[idea_id] = Cover(url)
    for idea in ideas:
        idea.cover_photo = first_photo.get(idea.pk)


# The idea's own columns but its search words, and of its relations what the page shows:
# eight relations of whole rows cost more to build than the rest of the query.
DETAIL_FIELDS = (
    *(field.name for field in Idea._meta.concrete_fields if field.name != "search_tokens"),
    "category__name",
    "category__name_en",
    "building__number",
    "building__community_id",
    "household__unit",
    "household__building__number",
    "campaign__title",
    "duplicate_of__title",
    *_people("author", "recorded_by", "assignee"),
)


def idea_for_detail(*, user: User, idea_id: int, comments_after: str | None = None) -> Idea | None:
    """The idea with everything its page shows, or None if the user may not see it (an
    idea of any estate of theirs: a link opens whichever estate they work in)."""
    idea = (
        ideas_visible_to(user, listed=False)
        .select_related(
            "category",
            "building",
            "household__building",  # the unit, for those who may know who wrote it
            "author",
            "recorded_by",
            "campaign",
            "assignee",
            "duplicate_of",
        )
        .only(*DETAIL_FIELDS)
        .filter(pk=idea_id)
        .order_by()  # one row by its key: an ORDER BY would only cost compiling it
    )
    idea = next(iter(idea), None)
    if idea is None:
        return None
    # Every photo in one query: the page shows the ready ones and says how many are
    # still being processed or failed.
    photos = list(idea.photos.all())
    idea.ready_photos = [photo for photo in photos if photo.state == IdeaPhoto.State.READY]
    idea.photos_processing = any(photo.state == IdeaPhoto.State.PROCESSING for photo in photos)
    idea.photos_failed = sum(photo.state == IdeaPhoto.State.FAILED for photo in photos)
    idea.public_timeline = list(idea.timeline.select_related("actor"))
    idea.is_supported = Support.objects.filter(idea=idea, user=user).exists()
    idea.comment_page = comment_thread(idea=idea, user=user, after=comments_after)
    idea.thread = idea.comment_page.items
    return idea


COMMENT_FIELDS = (*(field.name for field in Comment._meta.concrete_fields), *_people("author"))


def comment_thread(*, idea: Idea, user: User, after: str | None = None) -> KeysetPage:
    """A page of top-level comments, oldest first, with their replies (one level), as the
    user may see them."""
    visible = Q(moderation=Moderation.VISIBLE) | Q(author=user)
    is_moderator = user.has_perm("proposals.moderate_item", idea)
    if is_moderator:
        visible = Q(pk__isnull=False)
    replies = (
        Comment.objects.filter(visible)
        .select_related("author")
        .only(*COMMENT_FIELDS)
        .order_by("created_at", "pk")
    )
    # A hidden comment with visible replies stays as a placeholder, so the replies (which
    # count) keep their place in the conversation.
    shown_threads = visible | Exists(
        Comment.objects.filter(parent=OuterRef("pk"), moderation=Moderation.VISIBLE)
    )
    page = keyset_paginate(
        idea.comments.filter(shown_threads, parent__isnull=True)
        .select_related("author")
        .only(*COMMENT_FIELDS)
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


def campaigns_of(user: User) -> QuerySet[Campaign]:
    return Campaign.objects.filter(in_estates_of(user))


def open_campaigns(user: User) -> list[Campaign]:
    """The campaigns open today in the estates the user's lists show; kept per estates,
    day and version of the reference data (proposals/ideas/reference.py)."""
    today = timezone.localdate()
    key = (
        f"proposals:open-campaigns:{reference.version()}:{today.isoformat()}:"
        f"{reference.estates_key(user)}"
    )
    campaigns = cache.get(key)
    if campaigns is None:
        campaigns = list(campaigns_of(user).filter(starts_on__lte=today, ends_on__gte=today))
        cache.set(key, campaigns, reference.TIMEOUT)
    return campaigns


def open_campaigns_of_estate(community_id: int | None) -> QuerySet[Campaign]:
    """The campaigns an idea filed in this estate may join: the estate's open ones."""
    today = timezone.localdate()
    return Campaign.objects.filter(
        community_id=community_id, starts_on__lte=today, ends_on__gte=today
    )


def active_categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)


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
