"""Submitting, withdrawing, supporting and discussing golden ideas.

These functions keep the invariants: counters stay right under concurrent requests and
photos are processed after commit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from covenant.models import Household, User
from covenant.uploads import store_in_quarantine
from proposals import dispatch, notifications
from proposals.ideas import search, selectors
from proposals.models import (
    Campaign,
    Category,
    Comment,
    Idea,
    IdeaBoxSettings,
    IdeaPhoto,
    Moderation,
    ModerationAction,
    Support,
)
from proposals.moderation.services import count_comment, lock_item, set_moderation
from proposals.triage.services import change_status

logger = logging.getLogger(__name__)
Status = Idea.Status
Action = ModerationAction.Action


# --- Submitting ----------------------------------------------------------------------


def premoderation_is_on(community) -> bool:
    return IdeaBoxSettings.objects.filter(community=community, premoderation=True).exists()


def submit_idea(
    *,
    author: User,
    title: str,
    body: str,
    category: Category,
    hide_name: bool = False,
    campaign: Campaign | None = None,
    photos: Sequence[UploadedFile] = (),
    recorded_by: User | None = None,
    household: Household | None = None,
    resident_name: str = "",
) -> Idea:
    """File a new idea in the estate of the author's household (`selectors.filing_place`),
    or of the household a captain records it for; building and floor come from it."""
    if household is not None:
        community_id = household.building.community_id
    elif recorded_by is not None:
        raise ValidationError(_("This resident has no verified household yet."))
    else:
        community_id, household = selectors.filing_place(author)
        if community_id is None:
            raise ValidationError(
                _("Only residents and the estate's role holders can submit ideas.")
            )
    if campaign is not None and campaign.community_id != community_id:
        raise ValidationError(_("This campaign is another estate's."))
    if campaign is not None and not campaign.is_open():
        raise ValidationError(_("This campaign is closed; the idea goes to the standing idea box."))
    now = timezone.now()
    with transaction.atomic():
        idea = Idea.objects.create(
            community_id=community_id,
            campaign=campaign,
            category=category,
            title=title.strip(),
            body=body.strip(),
            author=author,
            recorded_by=recorded_by,
            resident_name=resident_name.strip(),
            household=household,
            building=household.building if household else None,
            floor=household.floor if household else None,
            hide_name=hide_name,
            moderation=(
                Moderation.PENDING if premoderation_is_on(community_id) else Moderation.VISIBLE
            ),
            search_tokens=search.search_tokens_for(title, body),
            created_at=now,
            status_changed_at=now,
            last_activity_at=now,
        )
        attach_photos(idea=idea, photos=photos)
        if idea.moderation == Moderation.PENDING:
            notifications.tell_moderators(item=idea)
    logger.info("idea %s submitted by user %s", idea.pk, author.pk)
    return idea


def attach_photos(*, idea: Idea, photos: Sequence[UploadedFile]) -> list[IdeaPhoto]:
    """Quarantine the (already validated) uploads and process them after commit."""
    start = idea.photos.count()
    created = []
    for offset, upload in enumerate(photos):
        photo = IdeaPhoto.objects.create(
            idea=idea,
            position=start + offset,
            quarantined_name=store_in_quarantine(upload, folder="ideas"),
        )
        dispatch.after_commit("proposals.tasks.process_idea_photo", photo.pk)
        created.append(photo)
    return created


def withdraw_idea(*, idea: Idea, actor: User) -> Idea:
    if idea.duplicates.exists():
        # Merged residents' support now lives here; withdrawing would silence them.
        raise ValidationError(
            _("Other ideas were merged into this one, so it can no longer be withdrawn.")
        )
    return change_status(idea=idea, actor=actor, to_status=Status.WITHDRAWN, public_reply="")


# --- Supports ------------------------------------------------------------------------


def set_support(*, idea: Idea, user: User, supported: bool) -> int:
    """Support or stop supporting; returns the idea's support count.

    The wanted state is explicit (not a toggle), so a double click or a retried request
    cannot undo itself; the unique constraint and F() updates keep the count exact when
    the same person's requests race.
    """
    with transaction.atomic():
        if supported:
            try:
                with transaction.atomic():
                    Support.objects.create(idea=idea, user=user)
            except IntegrityError:
                pass  # already supported: another request of theirs won the race
            else:
                Idea.objects.filter(pk=idea.pk).update(
                    support_count=F("support_count") + 1, last_activity_at=timezone.now()
                )
        else:
            deleted, _ = Support.objects.filter(idea=idea, user=user).delete()
            if deleted:
                Idea.objects.filter(pk=idea.pk).update(support_count=F("support_count") - 1)
    return Idea.objects.values_list("support_count", flat=True).get(pk=idea.pk)


# --- Comments ------------------------------------------------------------------------


def add_comment(*, idea: Idea, author: User, body: str, parent: Comment | None = None) -> Comment:
    if parent is not None:
        if parent.idea_id != idea.pk:
            raise ValidationError(_("That comment belongs to another idea."))
        # One level of replies: a reply to a reply joins its parent's thread.
        if parent.parent_id is not None:
            parent = parent.parent
    moderation = (
        Moderation.PENDING if premoderation_is_on(idea.community_id) else Moderation.VISIBLE
    )
    with transaction.atomic():
        comment = Comment.objects.create(
            idea=idea, author=author, body=body.strip(), parent=parent, moderation=moderation
        )
        if moderation == Moderation.VISIBLE:
            count_comment(idea.pk, +1)
            notifications.tell_comment(comment=comment)
        else:
            notifications.tell_moderators(item=comment)
    return comment


def edit_comment(*, comment: Comment, body: str) -> Comment:
    """Change a comment's text; under pre-moderation the new text waits for a moderator
    again, or an approved comment could be rewritten into anything."""
    with transaction.atomic():
        locked = lock_item(comment)
        locked.body = body.strip()
        locked.edited_at = timezone.now()
        locked.save(update_fields=["body", "edited_at"])
        if locked.moderation == Moderation.VISIBLE and premoderation_is_on(
            locked.idea.community_id
        ):
            set_moderation(locked, Moderation.PENDING, actor=None, action=Action.EDITED)
    return locked
