"""Themes (regrouping, renaming, merging, moving ideas, promoting) and priority work."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from covenant.models import Community, User
from covenant.rules import roles_of
from proposals.models import (
    Category,
    Deliberation,
    Idea,
    Priority,
    ProgressEntry,
    Theme,
    ThemeEdit,
    ThemeMembership,
)
from proposals.themes import grouping as themes
from proposals.themes import selectors

THEME_BATCH_SIZE = 2000


@dataclass(frozen=True)
class _Corpus:
    """The estate's counted ideas as the grouping sees them."""

    documents: list[themes.Document]
    vectors: dict[int, themes.Vector]

    @cached_property
    def words(self) -> dict[int, tuple[str, ...]]:
        return {document.id: document.words for document in self.documents}

    @cached_property
    def supports(self) -> dict[int, int]:
        return {document.id: document.supports for document in self.documents}


def _corpus(community: Community) -> _Corpus:
    rows = (
        Idea.objects.filter(selectors.counted_in_themes(), community=community)
        .order_by("pk")
        .values_list("pk", "category_id", "title", "body", "support_count")
    )
    documents = [
        themes.Document(pk, category_id, themes.words_of(f"{title}\n{body}"), supports)
        for pk, category_id, title, body, supports in rows
    ]
    return _Corpus(documents, themes.vectorise(documents))


def _lock_estate(community: Community) -> None:
    # Regroupings and staff edits of one estate take turns: a move committed while a
    # regrouping runs would otherwise be lost when it rewrites the unpinned memberships.
    Community.objects.select_for_update().filter(pk=community.pk).first()


def _describe(
    corpus: _Corpus, members_by_theme: dict[int, list[ThemeMembership]], themes_by_id
) -> None:
    """Keywords, automatic names, closeness and ranks of the given themes, in memory."""
    for theme_id, memberships in members_by_theme.items():
        theme = themes_by_id[theme_id]
        counted = [m for m in memberships if m.idea_id in corpus.vectors]
        if not counted:
            continue
        description = themes.describe([m.idea_id for m in counted], corpus.vectors, corpus.words)
        theme.keywords = " ".join(description.keywords)
        theme.shared_keywords = " ".join(description.shared)
        if not theme.named_by_staff:
            theme.name = (description.name or theme.category.name)[:60]
        for membership in counted:
            membership.centrality = description.centrality[membership.idea_id]
        counted.sort(
            key=lambda m: (-m.centrality, -corpus.supports[m.idea_id], m.idea_id),
        )
        for rank, membership in enumerate(counted, start=1):
            membership.rank = rank


def _matching_theme(members: list[int], current: dict[int, tuple[int, bool]]) -> int | None:
    """The theme most of a computed group's ideas were in: a group keeps its theme's
    identity (its name, its priority) from one regrouping to the next."""
    held = Counter(current[idea_id][0] for idea_id in members if idea_id in current)
    if not held:
        return None
    return max(held, key=lambda theme_id: (held[theme_id], -theme_id))


@dataclass(frozen=True)
class RegroupResult:
    ideas: int
    themes: int
    new_themes: int


def regroup_ideas(*, community: Community, actor: User | None = None) -> RegroupResult:
    """Group the estate's counted ideas into themes again (proposals/themes/grouping.py).

    What the staff decided stays: pinned ideas stay in their theme, staff names stay,
    and a computed group goes to the theme most of its ideas were already in, so merged
    themes stay merged and every theme keeps its identity. Only unpinned ideas move.
    """
    with transaction.atomic():
        _lock_estate(community)
        corpus = _corpus(community)
        groups = themes.group_documents(corpus.documents, corpus.vectors)
        memberships = ThemeMembership.objects.filter(theme__community=community)
        current = {
            idea_id: (theme_id, pinned)
            for idea_id, theme_id, pinned in memberships.values_list(
                "idea_id", "theme_id", "pinned"
            )
        }
        existing = Theme.objects.filter(community=community).select_related("category")
        themes_by_id = {theme.pk: theme for theme in existing}
        categories = Category.objects.in_bulk()
        now = timezone.now()
        placed: list[tuple[int, Theme]] = []
        new_themes: list[Theme] = []
        for category_id, members in groups:
            theme_id = _matching_theme(members, current)
            if theme_id is None:
                theme = Theme(
                    community=community,
                    category=categories[category_id],
                    name=categories[category_id].name,
                    created_at=now,
                )
                new_themes.append(theme)
            else:
                theme = themes_by_id[theme_id]
            placed += [
                (idea_id, theme) for idea_id in members if not current.get(idea_id, (0, False))[1]
            ]
        Theme.objects.bulk_create(new_themes)
        themes_by_id.update({theme.pk: theme for theme in new_themes})

        memberships.filter(pinned=False).delete()
        pinned = list(memberships.filter(pinned=True))
        fresh = [ThemeMembership(idea_id=idea_id, theme=theme) for idea_id, theme in placed]
        members_by_theme: dict[int, list[ThemeMembership]] = defaultdict(list)
        for membership in (*pinned, *fresh):
            members_by_theme[membership.theme_id].append(membership)
        _describe(corpus, members_by_theme, themes_by_id)
        ThemeMembership.objects.bulk_create(fresh, batch_size=THEME_BATCH_SIZE)
        ThemeMembership.objects.bulk_update(
            pinned, ["centrality", "rank"], batch_size=THEME_BATCH_SIZE
        )
        described = [themes_by_id[theme_id] for theme_id in members_by_theme]
        for theme in described:
            theme.updated_at = now
        Theme.objects.bulk_update(
            described, ["name", "keywords", "shared_keywords", "updated_at"], batch_size=500
        )
        # Themes left without ideas go, unless they are priority work.
        Theme.objects.filter(
            community=community, memberships__isnull=True, priority__isnull=True
        ).delete()
        themes_left = Theme.objects.filter(community=community).count()
        ThemeEdit.objects.create(
            community=community,
            actor=actor,
            action=ThemeEdit.Action.REGROUP,
            detail=f"{len(corpus.documents)} / {themes_left}",
        )
    return RegroupResult(len(corpus.documents), themes_left, len(new_themes))


def _redescribe(community: Community, theme_ids: Iterable[int]) -> None:
    corpus = _corpus(community)
    chosen = Theme.objects.filter(community=community, pk__in=list(theme_ids))
    themes_by_id = {theme.pk: theme for theme in chosen.select_related("category")}
    memberships = list(ThemeMembership.objects.filter(theme_id__in=themes_by_id))
    members_by_theme: dict[int, list[ThemeMembership]] = defaultdict(list)
    for membership in memberships:
        members_by_theme[membership.theme_id].append(membership)
    _describe(corpus, members_by_theme, themes_by_id)
    ThemeMembership.objects.bulk_update(memberships, ["centrality", "rank"], batch_size=500)
    now = timezone.now()
    for theme in themes_by_id.values():
        theme.updated_at = now
    Theme.objects.bulk_update(
        themes_by_id.values(), ["name", "keywords", "shared_keywords", "updated_at"]
    )


def _theme_edit(theme: Theme, actor: User, action: str, detail: str = "") -> None:
    ThemeEdit.objects.create(
        community_id=theme.community_id, theme=theme, actor=actor, action=action, detail=detail
    )


def rename_theme(*, theme: Theme, name: str, actor: User) -> Theme:
    with transaction.atomic():
        _lock_estate(theme.community)
        old = theme.name
        theme.name = name.strip()[:60]
        theme.named_by_staff = True
        theme.updated_at = timezone.now()
        theme.save(update_fields=["name", "named_by_staff", "updated_at"])
        _theme_edit(theme, actor, ThemeEdit.Action.RENAME, f"{old} → {theme.name}")
    return theme


def merge_themes(*, source: Theme, target: Theme, actor: User) -> Theme:
    """All ideas of `source` join `target`, pinned there; `source` is gone."""
    if source.pk == target.pk or source.community_id != target.community_id:
        raise ValidationError(_("Choose another theme of the estate to merge with."))
    if Priority.objects.filter(theme=source).exists():
        raise ValidationError(
            _("“%(name)s” is priority work; merge the other theme into it instead.")
            % {"name": source.name}
        )
    with transaction.atomic():
        _lock_estate(source.community)
        moved = ThemeMembership.objects.filter(theme=source).update(theme=target, pinned=True)
        _theme_edit(
            target, actor, ThemeEdit.Action.MERGE, f"{source.name} → {target.name} ({moved})"
        )
        ThemeEdit.objects.filter(theme=source).update(theme=target)
        source.delete()
        _redescribe(target.community, [target.pk])
    target.refresh_from_db()
    return target


def move_ideas(
    *,
    theme: Theme,
    idea_ids: Sequence[int],
    actor: User,
    target: Theme | None = None,
    new_name: str = "",
) -> Theme:
    """Move some of a theme's ideas to another theme, or split them off into a new one
    (named `new_name`). Moved ideas are pinned where the staff put them; after a split,
    the ideas that stayed are pinned too, so that a regrouping does not join the two
    halves again."""
    if target is not None and (target.pk == theme.pk or target.community_id != theme.community_id):
        raise ValidationError(_("Choose another theme of the estate."))
    with transaction.atomic():
        _lock_estate(theme.community)
        chosen = ThemeMembership.objects.filter(theme=theme, idea_id__in=list(idea_ids))
        if not chosen.exists():
            raise ValidationError(_("Choose at least one idea of this theme."))
        if target is None:
            target = Theme.objects.create(
                community=theme.community,
                category=theme.category,
                name=new_name.strip()[:60],
                named_by_staff=True,
            )
            action = ThemeEdit.Action.SPLIT
            ThemeMembership.objects.filter(theme=theme).exclude(pk__in=chosen).update(pinned=True)
        else:
            action = ThemeEdit.Action.MOVE
        moved = chosen.update(theme=target, pinned=True)
        _theme_edit(theme, actor, action, f"{theme.name} → {target.name} ({moved})")
        _redescribe(theme.community, [theme.pk, target.pk])
    return target


def promote_theme(
    *,
    theme: Theme,
    actor: User,
    title: str,
    owner: User,
    goals: str,
    status: str = Priority.Status.PLANNED,
    activities: Iterable = (),
    deliberations: Iterable[Deliberation] = (),
) -> Priority:
    _require_owner_of_estate(owner, theme.community_id)
    deliberations = _of_the_estate(deliberations, theme.community_id)
    activities = _activities_of_the_estate(activities, theme.community_id)
    with transaction.atomic():
        # The theme's row is the lock: two promotions at once meet here, not in a 500.
        Theme.objects.select_for_update().filter(pk=theme.pk).first()
        if Priority.objects.filter(theme=theme).exists():
            raise ValidationError(_("This theme is priority work already."))
        priority = Priority.objects.create(
            community_id=theme.community_id,
            theme=theme,
            title=title,
            owner=owner,
            goals=goals,
            status=status,
            created_by=actor,
        )
        priority.activities.set(activities)
        priority.deliberations.set(deliberations)
        _theme_edit(theme, actor, ThemeEdit.Action.PROMOTE, title)
    return priority


def _of_the_estate(deliberations: Iterable[Deliberation], community_id: int) -> list:
    deliberations = list(deliberations)
    if any(d.community_id != community_id for d in deliberations):
        raise ValidationError(
            {"deliberations": _("Only deliberations of the same estate can be linked.")}
        )
    return deliberations


def _require_owner_of_estate(owner: User, community_id: int) -> None:
    """Priority work is owned by a role holder of its estate (`priority_owner_choices`)."""
    if not roles_of(owner).roles_in(community_id):
        raise ValidationError({"owner": _("The owner must hold a role in this estate.")})


def _activities_of_the_estate(activities: Iterable, community_id: int) -> list:
    activities = list(activities)
    if any(activity.community_id != community_id for activity in activities):
        raise ValidationError(
            {"activities": _("Only volunteer activities of the same estate can be linked.")}
        )
    return activities


def update_priority(
    *,
    priority: Priority,
    fields: dict,
    activities: Iterable,
    deliberations: Iterable[Deliberation] = (),
) -> Priority:
    if "owner" in fields and fields["owner"].pk != priority.owner_id:
        _require_owner_of_estate(fields["owner"], priority.community_id)
    deliberations = _of_the_estate(deliberations, priority.community_id)
    activities = _activities_of_the_estate(activities, priority.community_id)
    for name, value in fields.items():
        setattr(priority, name, value)
    priority.updated_at = timezone.now()
    with transaction.atomic():
        priority.save()
        priority.activities.set(activities)
        priority.deliberations.set(deliberations)
    return priority


def add_progress(
    *, priority: Priority, author: User, happened_on, we_did: str, you_said: str = ""
) -> ProgressEntry:
    with transaction.atomic():
        entry = ProgressEntry.objects.create(
            priority=priority,
            author=author,
            happened_on=happened_on,
            you_said=you_said,
            we_did=we_did,
        )
        Priority.objects.filter(pk=priority.pk).update(updated_at=timezone.now())
    return entry
