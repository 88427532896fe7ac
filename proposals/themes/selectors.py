"""Reads of themes and priority work, with visibility applied."""

from __future__ import annotations

from django.db.models import (
    Case,
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from covenant.models import Community, Role, User
from covenant.pagination import KeysetPage, keyset_paginate
from proposals.ideas.selectors import (
    STAFF_SIDE_ROLES,
    estates_where,
    in_estates_of,
    in_estates_where,
)
from proposals.models import (
    ActionItem,
    Category,
    Deliberation,
    Idea,
    Moderation,
    Priority,
    ProgressEntry,
    ResolutionVersion,
    Theme,
    ThemeEdit,
    ThemeMembership,
)
from volunteers.selectors import scheduled_activities

# Who reads the themes (proposals.see_themes): the staff side and the Party branch.
THEME_READER_ROLES = (Role.PROPERTY_STAFF, Role.PARTY_BRANCH, Role.COMMUNITY_ADMIN)


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


def estates_editing_themes(user: User) -> QuerySet[Community]:
    """The estates whose themes the user regroups: the listed ones where they edit themes."""
    return estates_where(user, *STAFF_SIDE_ROLES)
