"""Every change to a three-party deliberation: opening, linking ideas, seats, posts, meetings,
resolutions and their sign-off, action items.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from covenant.models import Building, Community, Party, User
from covenant.rules import parties_represented_by, roles_of
from proposals import notifications
from proposals.models import (
    ActionItem,
    Deliberation,
    DeliberationPost,
    DeliberationStatusChange,
    Idea,
    Meeting,
    MeetingAttendance,
    Representative,
    Resolution,
    ResolutionVersion,
    SignOff,
    TimelineEntry,
)
from proposals.triage.services import ALLOWED_TRANSITIONS, change_status, post_public_reply

logger = logging.getLogger(__name__)
Status = Idea.Status

# --- Deliberations -------------------------------------------------------------------
# Every write locks the deliberation's row first, so a post, a sign-off or an edit of the
# resolution cannot slip in beside a closing or an adoption.

DStatus = Deliberation.Status

DELIBERATION_TRANSITIONS: dict[str, set[str]] = {
    DStatus.OPEN: {DStatus.IN_SESSION, DStatus.RESOLUTION_PROPOSED, DStatus.CLOSED},
    DStatus.IN_SESSION: {DStatus.RESOLUTION_PROPOSED, DStatus.CLOSED},
    DStatus.RESOLUTION_PROPOSED: {DStatus.RESOLVED, DStatus.CLOSED},
    DStatus.RESOLVED: set(),
    DStatus.CLOSED: set(),
}
# What a referred idea becomes when its deliberation's resolution is adopted: work to do
# if the resolution carries action items, a decision taken if not.
IDEA_STATUS_ON_ADOPTION = {True: Status.IN_PROGRESS, False: Status.ACCEPTED}


def _lock_deliberation(deliberation: Deliberation) -> Deliberation:
    return Deliberation.objects.select_for_update().get(pk=deliberation.pk)


def _require_posts_accepted(deliberation: Deliberation) -> None:
    if not deliberation.accepts_posts:
        raise ValidationError(_("This deliberation is over; it accepts nothing more."))


def _move_deliberation(
    deliberation: Deliberation, *, actor: User, to_status: str, reason: str = ""
) -> None:
    """Change the (locked) deliberation's status and write its history row."""
    if to_status == deliberation.status:
        return
    if to_status not in DELIBERATION_TRANSITIONS[deliberation.status]:
        raise ValidationError(
            _("A deliberation that is “%(from)s” cannot become “%(to)s”.")
            % {"from": deliberation.get_status_display(), "to": DStatus(to_status).label}
        )
    now = timezone.now()
    DeliberationStatusChange.objects.create(
        deliberation=deliberation,
        actor=actor,
        from_status=deliberation.status,
        to_status=to_status,
        reason=reason,
        created_at=now,
    )
    deliberation.status = to_status
    deliberation.status_changed_at = now
    deliberation.closing_reason = reason if to_status == DStatus.CLOSED else ""
    deliberation.save(update_fields=["status", "status_changed_at", "closing_reason"])


def open_deliberation(
    *,
    opener: User,
    community: Community,
    topic: str,
    background: str = "",
    open_to_residents: bool = True,
) -> Deliberation:
    """Open a deliberation; an opener who speaks for exactly one party takes its seat."""
    with transaction.atomic():
        deliberation = Deliberation.objects.create(
            community=community,
            topic=topic.strip(),
            background=background.strip(),
            open_to_residents=open_to_residents,
            opened_by=opener,
        )
        DeliberationStatusChange.objects.create(
            deliberation=deliberation, actor=opener, to_status=DStatus.OPEN
        )
        held = parties_represented_by(opener, community.pk)
        own_parties = [party for party in Party.values if party in held]
        if len(own_parties) == 1:
            Representative.objects.create(
                deliberation=deliberation, user=opener, party=own_parties[0], named_by=opener
            )
    logger.info("deliberation %s opened by user %s", deliberation.pk, opener.pk)
    return deliberation


def update_deliberation(
    *, deliberation: Deliberation, topic: str, background: str, open_to_residents: bool
) -> Deliberation:
    with transaction.atomic():
        locked = _lock_deliberation(deliberation)
        _require_posts_accepted(locked)
        locked.topic = topic.strip()
        locked.background = background.strip()
        locked.open_to_residents = open_to_residents
        locked.save(update_fields=["topic", "background", "open_to_residents"])
    return locked


def link_ideas(*, deliberation: Deliberation, ideas: Iterable[Idea], actor: User) -> int:
    """Bring ideas into the deliberation; those whose workflow allows it become "referred".

    Returns how many ideas were newly linked. Their authors and supporters hear of it once,
    in the deliberation's words, not as a bare status change.
    """
    with transaction.atomic():
        locked = _lock_deliberation(deliberation)
        _require_posts_accepted(locked)
        already = set(locked.ideas.values_list("pk", flat=True))
        new = [
            idea
            for idea in ideas
            if idea.pk not in already
            and idea.community_id == locked.community_id
            and idea.duplicate_of_id is None
        ]
        locked.ideas.add(*new)
        reply = _("Taken up in the deliberation [%(topic)s](%(url)s).") % {
            "topic": locked.topic,
            "url": locked.get_absolute_url(),
        }
        for idea in new:
            if Status.REFERRED in ALLOWED_TRANSITIONS[idea.status]:
                change_status(
                    idea=idea, actor=actor, to_status=Status.REFERRED, public_reply=reply,
                    tell=False,
                )  # fmt: skip
            notifications.tell_idea_taken_up(idea=idea, deliberation=locked, actor=actor)
    logger.info("user %s linked %s ideas to deliberation %s", actor.pk, len(new), locked.pk)
    return len(new)


def unlink_idea(*, deliberation: Deliberation, idea: Idea, actor: User) -> None:
    """Take an idea off a deliberation. An idea no other deliberation holds goes back to
    the status it had before it was referred, so a link made by mistake undoes cleanly."""
    with transaction.atomic():
        locked = _lock_deliberation(deliberation)
        _require_posts_accepted(locked)
        locked.ideas.remove(idea)
        idea = Idea.objects.select_for_update().get(pk=idea.pk)
        if idea.status != Status.REFERRED or idea.deliberations.exists():
            return
        referral = idea.timeline.filter(to_status=Status.REFERRED).order_by("-created_at", "-pk")
        previous = getattr(referral.first(), "from_status", "") or Status.SUBMITTED
        now = timezone.now()
        TimelineEntry.objects.create(
            idea=idea,
            actor=actor,
            from_status=Status.REFERRED,
            to_status=previous,
            public_reply=_("No longer taken up in the deliberation “%(topic)s”.")
            % {"topic": locked.topic},
            created_at=now,
        )
        idea.status = previous
        idea.status_changed_at = now
        idea.save(update_fields=["status", "status_changed_at"])


def name_representative(
    *, deliberation: Deliberation, user: User, party: str, actor: User
) -> Representative:
    """Seat `user` for `party`. They must hold that party's role, and sit for no other
    party here: one person cannot agree on behalf of two of the three sides. The role
    must be held in the deliberation's estate, not in another one."""
    if party not in parties_represented_by(user, deliberation.community_id):
        raise ValidationError(
            _("%(name)s does not hold a role of “%(party)s” in this estate.")
            % {"name": user.display_name, "party": Party(party).label}
        )
    with transaction.atomic():
        locked = _lock_deliberation(deliberation)
        _require_posts_accepted(locked)
        seats = Representative.objects.filter(deliberation=locked, user=user)
        if seats.exclude(party=party).exists():
            raise ValidationError(
                _("%(name)s already represents another party in this deliberation.")
                % {"name": user.display_name}
            )
        seat, _created = Representative.objects.get_or_create(
            deliberation=locked, user=user, party=party, defaults={"named_by": actor}
        )
    return seat


def remove_representative(*, seat: Representative) -> None:
    with transaction.atomic():
        locked = _lock_deliberation(seat.deliberation)
        _require_posts_accepted(locked)
        seat.delete()


def add_deliberation_post(
    *,
    deliberation: Deliberation,
    author: User,
    body: str,
    kind: str,
    party: str = "",
    building: Building | None = None,
) -> DeliberationPost:
    """A post in the representatives' thread (for `party`) or in the residents' section
    (a resident's post, or a captain's point from a building they look after)."""
    from proposals.rules import parties_user_may_post_for, seats_of

    Kind = DeliberationPost.Kind
    if not body.strip():
        raise ValidationError({"body": _("Write something first.")})
    with transaction.atomic():
        locked = _lock_deliberation(deliberation)
        _require_posts_accepted(locked)
        on_behalf = False
        if kind == Kind.REPRESENTATIVE:
            if party not in parties_user_may_post_for(author, locked):
                raise PermissionDenied(_("You do not speak for this party here."))
            on_behalf = party not in seats_of(author, locked)
            building = None
        elif kind == Kind.BUILDING_POINT:
            if building is None or not roles_of(author).captains(building.pk):
                raise PermissionDenied(_("Bring points only from a building you look after."))
            if building.community_id != locked.community_id:
                raise PermissionDenied(
                    _("Bring points only from a building of this deliberation's estate.")
                )
            party = ""
        else:
            if not locked.open_to_residents:
                raise PermissionDenied(_("This deliberation is not open to residents' posts."))
            party, building = "", None
        return DeliberationPost.objects.create(
            deliberation=locked,
            author=author,
            kind=kind,
            party=party,
            on_behalf=on_behalf,
            building=building,
            body=body.strip(),
        )


def start_session(*, deliberation: Deliberation, actor: User) -> Deliberation:
    with transaction.atomic():
        locked = _lock_deliberation(deliberation)
        _move_deliberation(locked, actor=actor, to_status=DStatus.IN_SESSION)
    return locked


def close_deliberation(*, deliberation: Deliberation, actor: User, reason: str) -> Deliberation:
    """Close without a resolution; every linked idea's timeline says so, with the reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why the deliberation closes without a resolution.")}
        )
    with transaction.atomic():
        locked = _lock_deliberation(deliberation)
        _move_deliberation(locked, actor=actor, to_status=DStatus.CLOSED, reason=reason)
        note = _(
            "The deliberation [%(topic)s](%(url)s) closed without a resolution: %(reason)s"
        ) % {
            "topic": locked.topic,
            "url": locked.get_absolute_url(),
            "reason": reason,
        }
        for idea in locked.ideas.all():
            post_public_reply(idea=idea, actor=actor, text=note)
    return locked


def schedule_meeting(
    *, deliberation: Deliberation, actor: User, starts_at, place: str, agenda: str
) -> Meeting:
    with transaction.atomic():
        locked = _lock_deliberation(deliberation)
        _require_posts_accepted(locked)
        meeting = Meeting.objects.create(
            deliberation=locked,
            starts_at=starts_at,
            place=place.strip(),
            agenda=agenda.strip(),
            scheduled_by=actor,
        )
        notifications.tell_meeting_scheduled(meeting=meeting, actor=actor)
    return meeting


def record_minutes(
    *, meeting: Meeting, actor: User, minutes: str, attendance: dict[str, str]
) -> Meeting:
    """Write (or correct) a meeting's minutes and who attended for each party. Minutes may
    be recorded after the deliberation ended: the record of a meeting is not a new post."""
    if not minutes.strip():
        raise ValidationError({"minutes": _("Write the minutes.")})
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        locked.minutes = minutes.strip()
        locked.minutes_recorded_by = actor
        locked.minutes_recorded_at = timezone.now()
        locked.save(update_fields=["minutes", "minutes_recorded_by", "minutes_recorded_at"])
        MeetingAttendance.objects.filter(meeting=locked).delete()
        MeetingAttendance.objects.bulk_create(
            MeetingAttendance(meeting=locked, party=party, attendees=names.strip())
            for party, names in attendance.items()
            if names.strip()
        )
    return locked


def propose_resolution(*, deliberation: Deliberation, author: User, text: str) -> ResolutionVersion:
    """Propose the resolution's text, or change it: the old text stays as a version, and
    every party signs again, since they agreed to words that are no longer the proposal."""
    if not text.strip():
        raise ValidationError({"text": _("Write the text of the resolution.")})
    with transaction.atomic():
        locked = _lock_deliberation(deliberation)
        _require_posts_accepted(locked)
        resolution, _created = Resolution.objects.get_or_create(
            deliberation=locked, defaults={"proposed_by": author}
        )
        latest = resolution.versions.order_by("-number").first()
        if latest is not None and latest.text == text.strip():
            return latest
        version = ResolutionVersion.objects.create(
            resolution=resolution,
            number=latest.number + 1 if latest else 1,
            text=text.strip(),
            written_by=author,
        )
        _move_deliberation(locked, actor=author, to_status=DStatus.RESOLUTION_PROPOSED)
        notifications.tell_sign_off_awaited(deliberation=locked, actor=author, parties=Party.values)
    return version


def sign_resolution(
    *,
    deliberation: Deliberation,
    user: User,
    party: str,
    decision: str,
    comment: str = "",
    version_read: int | None = None,
) -> SignOff:
    """One party's answer to the current text. Adopted when all three parties agree.

    `version_read` is the version the signer was shown; if the text changed since, the
    answer is refused rather than recorded against words they did not read."""
    from proposals.rules import parties_user_may_sign_for

    if decision == SignOff.Decision.OBJECT and not comment.strip():
        raise ValidationError({"comment": _("Say what your party objects to.")})
    with transaction.atomic():
        locked = _lock_deliberation(deliberation)
        _require_posts_accepted(locked)
        if party not in parties_user_may_sign_for(user, locked):
            raise PermissionDenied(_("You do not sign for this party here."))
        resolution = Resolution.objects.filter(deliberation=locked).first()
        version = resolution.versions.order_by("-number").first() if resolution else None
        if version is None:
            raise ValidationError(_("There is no resolution to sign yet."))
        if version_read is not None and version_read != version.number:
            raise ValidationError(
                _(
                    "The text was changed while you were reading it. Read version %(number)s "
                    "and answer again."
                )
                % {"number": version.number}
            )
        sign_off, _created = SignOff.objects.update_or_create(
            version=version,
            party=party,
            defaults={
                "signed_by": user,
                "decision": decision,
                "comment": comment.strip(),
                "created_at": timezone.now(),
            },
        )
        agreeing = set(
            version.sign_offs.filter(decision=SignOff.Decision.AGREE).values_list(
                "party", flat=True
            )
        )
        if agreeing == set(Party.values):
            _adopt(locked, resolution, actor=user)
    return sign_off


def _adopt(deliberation: Deliberation, resolution: Resolution, *, actor: User) -> None:
    resolution.adopted_at = timezone.now()
    resolution.save(update_fields=["adopted_at"])
    _move_deliberation(deliberation, actor=actor, to_status=DStatus.RESOLVED)
    to_status = IDEA_STATUS_ON_ADOPTION[resolution.action_items.exists()]
    reply = _("The three parties adopted the resolution of [%(topic)s](%(url)s).") % {
        "topic": deliberation.topic,
        "url": deliberation.get_absolute_url(),
    }
    ideas = list(deliberation.ideas.all())
    for idea in ideas:
        # Only ideas still waiting on the deliberation move; one already done or declined
        # meanwhile keeps its status and just hears of the resolution.
        if idea.status == Status.REFERRED and to_status in ALLOWED_TRANSITIONS[idea.status]:
            change_status(
                idea=idea, actor=actor, to_status=to_status, public_reply=reply, tell=False
            )
        else:
            post_public_reply(idea=idea, actor=actor, text=reply)
    notifications.tell_resolution_adopted(deliberation=deliberation, ideas=ideas, actor=actor)
    logger.info("resolution of deliberation %s adopted", deliberation.pk)


def add_action_item(
    *,
    resolution: Resolution,
    title: str,
    owner_party: str,
    owner: User | None = None,
    due_on=None,
    actor: User,
) -> ActionItem:
    with transaction.atomic():
        if _lock_deliberation(resolution.deliberation).status == DStatus.CLOSED:
            raise ValidationError(
                _("This deliberation was closed without a resolution: it has nothing to carry out.")
            )
        return ActionItem.objects.create(
            resolution=resolution,
            title=title.strip(),
            owner_party=owner_party,
            owner=owner,
            due_on=due_on,
            updated_by=actor,
        )


def update_action_item(
    *, item: ActionItem, actor: User, status: str, progress_note: str
) -> ActionItem:
    with transaction.atomic():
        locked = ActionItem.objects.select_for_update().get(pk=item.pk)
        locked.status = status
        locked.progress_note = progress_note.strip()
        locked.updated_by = actor
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "progress_note", "updated_by", "updated_at"])
    return locked


def leave_deliberations(user: User) -> None:
    """What deliberations forget of a person who deletes their account (a deletion handler
    of covenant.personal_data): their seats in deliberations still running and the action
    items named after them. What they said and signed stays, as a former resident's."""
    Representative.objects.filter(
        user=user,
        deliberation__status__in=[DStatus.OPEN, DStatus.IN_SESSION, DStatus.RESOLUTION_PROPOSED],
    ).delete()
    ActionItem.objects.filter(owner=user).update(owner=None)
