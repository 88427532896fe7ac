"""The demo estate's golden ideas written in bulk: supports, comments, moderation, triage."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from covenant.models import Community, Household, Membership, RoleGrant, User
from proposals.ideas.demo_phrases import (
    AUTO_HIDDEN_IDEA,
    CAPTAIN_COMMENTS,
    GENERIC_COMMENTS,
    INTERIM_REPLIES,
    REPLIES,
    REPLY_TEMPLATES,
    REPORT_REASONS,
    REPORTED_IDEA,
    RUDE_COMMENT,
    SPAM_IDEA,
    STAFF_NOTES,
    DemoResident,
    generate_texts,
    staff_reply,
    status_path,
)
from proposals.ideas.demo_texts import (
    ACTIVE_CAPTAIN_BUILDINGS,
    BATCH_SIZE,
    CAMPAIGN_DAYS_AGO,
    HISTORY_DAYS,
    IDEA_TOTAL,
    SEED,
    THEMES,
    Theme,
)
from proposals.ideas.search import search_tokens_for
from proposals.models import (
    Campaign,
    Category,
    Comment,
    Idea,
    Moderation,
    ModerationAction,
    ReplyTemplate,
    Report,
    StaffNote,
    Support,
    TimelineEntry,
)

Status = Idea.Status


@dataclass
class _Plan:
    idea: Idea
    theme: Theme | None
    supporters: set[int] = field(default_factory=set)
    last_activity: datetime | None = None


def moment_between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = max((end - start).total_seconds(), 60)
    return start + timedelta(seconds=rng.uniform(0, span))


def _created_at(rng: random.Random, now: datetime) -> datetime:
    # A third of the ideas came in during the campaign, the rest over the half-year.
    if rng.random() < 0.35:
        days = rng.uniform(0.2, CAMPAIGN_DAYS_AGO)
    else:
        days = rng.uniform(CAMPAIGN_DAYS_AGO, HISTORY_DAYS)
    return now - timedelta(days=days)


def _residents(community: Community, role_holders: set[int]) -> list[DemoResident]:
    memberships = (
        Membership.objects.filter(
            status=Membership.Status.VERIFIED, household__building__community=community
        )
        .select_related("user", "household__building")
        .order_by("pk")
    )
    seen: set[int] = set()
    residents = []
    for membership in memberships:
        if membership.user_id in seen or membership.user_id in role_holders:
            continue
        seen.add(membership.user_id)
        residents.append(
            DemoResident(
                membership.user, membership.household, membership.household.building.number
            )
        )
    return residents


def demo_categories() -> dict[str, Category]:
    categories = Category.objects.in_bulk(field_name="slug")
    for theme in THEMES:
        if theme.category not in categories:
            categories[theme.category], _ = Category.objects.get_or_create(
                slug=theme.category, defaults={"name": theme.category, "name_en": theme.category}
            )
    return categories


class IdeaSeeder:
    def __init__(self, users: dict[str, User], community: Community):
        from covenant.demo import (
            ADMIN_EMAIL,
            STEWARD_EMAILS,
            captain_email,
        )

        self.rng = random.Random(SEED)
        self.now = timezone.now()
        self.community = community
        self.admin = users[ADMIN_EMAIL]
        self.stewards = [users[email] for email in STEWARD_EMAILS]
        self.captains = {n: users[captain_email(n)] for n in ACTIVE_CAPTAIN_BUILDINGS}
        role_holders = set(
            RoleGrant.objects.filter(community=community).values_list("user_id", flat=True)
        )
        self.residents = _residents(community, role_holders)
        self.by_building: dict[int, list[DemoResident]] = {}
        for resident in self.residents:
            self.by_building.setdefault(resident.number, []).append(resident)
        self.categories = demo_categories()
        self.plans: list[_Plan] = []
        self.comments: list[Comment] = []
        self.timeline: list[TimelineEntry] = []
        self.actions: list[tuple[ModerationAction, datetime]] = []
        self.reports: list[tuple[Report, datetime]] = []
        self.merges: list[tuple[_Plan, _Plan]] = []
        self.notes: list[StaffNote] = []

    # Ideas -------------------------------------------------------------------------

    def _idea(
        self,
        *,
        author: User,
        household: Household,
        theme: Theme | None,
        category: Category,
        title: str,
        body: str,
        created_at: datetime,
        **extra,
    ) -> _Plan:
        idea = Idea(
            community=self.community,
            category=category,
            title=title,
            body=body,
            author=author,
            household=household,
            building=household.building,
            floor=household.floor,
            search_tokens=search_tokens_for(title, body),
            created_at=created_at,
            status_changed_at=created_at,
            last_activity_at=created_at,
            **extra,
        )
        plan = _Plan(idea, theme, last_activity=created_at)
        self.plans.append(plan)
        return plan

    def plan_ideas(self, campaign: Campaign) -> None:
        rng = self.rng
        floors = [(r.number, r.household.floor) for r in self.residents]
        recorded_left = 8
        for theme, title, body, where in generate_texts(rng, IDEA_TOTAL - 3, floors):
            author = self.residents[where]
            created = _created_at(rng, self.now)
            extra = {"hide_name": rng.random() < 0.15}
            if self.now - created < timedelta(days=CAMPAIGN_DAYS_AGO - 1) and rng.random() < 0.85:
                extra["campaign"] = campaign
            household = author.household
            user = author.user
            if recorded_left and author.number in self.captains and rng.random() < 0.25:
                # The captain wrote it down for a resident without a phone.
                recorded_left -= 1
                user = self.captains[author.number]
                extra |= {
                    "recorded_by": user,
                    "resident_name": rng.choice(("陈伯", "黄婆婆", "李奶奶", "伍叔")),
                }
                extra["hide_name"] = False
                household = self._household_without_phone(author.number) or household
            self._idea(
                author=user,
                household=household,
                theme=theme,
                category=self.categories[theme.category],
                title=title,
                body=body,
                created_at=created,
                **extra,
            )

    def _household_without_phone(self, number: int) -> Household | None:
        if not hasattr(self, "_empty"):
            occupied = {r.household.pk for r in self.residents}
            self._empty: dict[int, list[Household]] = {}
            households = Household.objects.filter(
                building__community=self.community,
                building__number__in=ACTIVE_CAPTAIN_BUILDINGS,
            ).select_related("building")
            for household in households.order_by("pk"):
                if household.pk not in occupied:
                    self._empty.setdefault(household.building.number, []).append(household)
        empty = self._empty.get(number)
        return self.rng.choice(empty) if empty else None

    def plan_moderation_ideas(self) -> None:
        for number, title, body in (REPORTED_IDEA, AUTO_HIDDEN_IDEA, SPAM_IDEA):
            author = self.rng.choice(self.by_building[number])
            created = self.now - timedelta(days=self.rng.uniform(2, 20))
            category = self.categories["pets" if number == 5 else "other"]
            self._idea(
                author=author.user,
                household=author.household,
                theme=None,
                category=category,
                title=title,
                body=body,
                created_at=created,
            )

    # Supports, comments, status ------------------------------------------------------

    def plan_supports(self) -> None:
        rng = self.rng
        for plan in self.plans:
            wanted = min(int(rng.lognormvariate(1.8, 1.0)), 180)
            if plan.theme is not None and plan.theme.category in {"pets", "parking", "stairwell"}:
                wanted = int(wanted * 1.4)
            same = [
                r.user.pk
                for r in self.by_building.get(plan.idea.building.number, [])
                if r.user.pk != plan.idea.author_id
            ]
            everyone = [r.user.pk for r in self.residents if r.user.pk != plan.idea.author_id]
            chosen = set(rng.sample(same, min(len(same), wanted // 3)))
            while len(chosen) < min(wanted, len(everyone)):
                chosen.add(rng.choice(everyone))
            plan.supporters = chosen

    def plan_comments(self) -> None:
        rng = self.rng
        by_user = {r.user.pk: r for r in self.residents}
        for plan in self.plans:
            idea = plan.idea
            count = min(int(len(plan.supporters) * rng.uniform(0.05, 0.2)) + rng.randint(0, 2), 30)
            theme_comments = plan.theme.comments if plan.theme else ()
            pool = list(plan.supporters) or [r.user.pk for r in self.residents[:50]]
            tops: list[Comment] = []
            for _ in range(count):
                author_id = rng.choice(pool)
                resident = by_user.get(author_id)
                number = resident.number if resident else idea.building.number
                text = rng.choice(theme_comments + GENERIC_COMMENTS)
                if tops and rng.random() < 0.25:
                    parent = rng.choice(tops)
                    reply_author = idea.author_id if rng.random() < 0.4 else author_id
                    comment = Comment(
                        idea=idea,
                        parent=parent,
                        author_id=reply_author,
                        body=rng.choice(REPLIES),
                        created_at=moment_between(rng, parent.created_at, self.now),
                    )
                else:
                    comment = Comment(
                        idea=idea,
                        author_id=author_id,
                        body=text.format(b=number),
                        created_at=moment_between(rng, idea.created_at, self.now),
                    )
                    tops.append(comment)
                self.comments.append(comment)
            captain = self.captains.get(idea.building.number)
            if captain and captain.pk != idea.author_id and rng.random() < 0.3:
                comment = Comment(
                    idea=idea,
                    author=captain,
                    body=rng.choice(CAPTAIN_COMMENTS).format(b=idea.building.number),
                    created_at=moment_between(rng, idea.created_at, self.now),
                )
                self.comments.append(comment)

    def plan_triage(self) -> None:
        rng = self.rng
        notes = []
        for plan in self.plans:
            idea = plan.idea
            if plan.theme is None:
                continue
            age = (self.now - idea.created_at).total_seconds() / 86400
            path = status_path(rng, age)
            steward = rng.choice(self.stewards)
            when = idea.created_at
            status = Status.SUBMITTED
            if (path and path != [Status.WITHDRAWN]) or rng.random() < 0.2:
                idea.assignee = steward
            if rng.random() < 0.15:
                when = moment_between(rng, when, min(when + timedelta(days=3), self.now))
                self.timeline.append(
                    TimelineEntry(
                        idea=idea,
                        actor=steward,
                        public_reply=rng.choice(INTERIM_REPLIES),
                        created_at=when,
                    )
                )
            for to_status in path:
                when = moment_between(
                    rng, when, min(when + timedelta(days=age / (len(path) + 1)), self.now)
                )
                actor = idea.author if to_status == Status.WITHDRAWN else steward
                reply = (
                    ""
                    if to_status == Status.WITHDRAWN
                    else staff_reply(rng, idea.category.slug, to_status)
                )
                if to_status == Status.ACCEPTED and rng.random() < 0.3:
                    reply = ""
                self.timeline.append(
                    TimelineEntry(
                        idea=idea,
                        actor=actor,
                        from_status=status,
                        to_status=to_status,
                        public_reply=reply,
                        created_at=when,
                    )
                )
                status = to_status
                idea.status_changed_at = when
            idea.status = status
            if theme_is_urgent(plan.theme) and status in {Status.SUBMITTED, Status.ACCEPTED}:
                idea.priority = Idea.Priority.URGENT
            elif len(plan.supporters) > 40:
                idea.priority = Idea.Priority.HIGH
            elif rng.random() < 0.1:
                idea.priority = Idea.Priority.LOW
            plan.last_activity = max(plan.last_activity, when)
            if idea.assignee and rng.random() < 0.06:
                notes.append(StaffNote(idea=idea, author=steward, body=rng.choice(STAFF_NOTES)))
        self.notes = notes

    # Moderation ------------------------------------------------------------------------

    def _reporters(self, plan: _Plan, count: int) -> list[User]:
        candidates = [r.user for r in self.residents if r.user.pk != plan.idea.author_id]
        return self.rng.sample(candidates, count)

    def _report(self, *, reporters, at, resolved=None, **target) -> None:
        for reporter in reporters:
            when = moment_between(self.rng, at, min(at + timedelta(days=1), self.now))
            reason, note = self.rng.choice(REPORT_REASONS)
            report = Report(
                reporter=reporter, reason=reason, note=note, resolved_at=resolved, **target
            )
            self.reports.append((report, when))

    def plan_moderation(self) -> None:
        reported, auto_hidden, spam = self.plans[-3:]
        now = self.now
        # Two reports waiting in building 3's queue.
        reported.idea.report_count = 2
        self._report(
            reporters=self._reporters(reported, 2), at=reported.idea.created_at, idea=reported.idea
        )
        # Three reports from different residents: hidden until a moderator decides.
        idea = auto_hidden.idea
        idea.report_count = 3
        idea.moderation = Moderation.AUTO_HIDDEN
        self._report(reporters=self._reporters(auto_hidden, 3), at=idea.created_at, idea=idea)
        self.actions.append(
            (
                ModerationAction(idea=idea, action=ModerationAction.Action.AUTO_HIDE),
                idea.created_at + timedelta(days=1),
            )
        )
        # An advertisement, hidden by building 17's captain; its reports settled.
        idea = spam.idea
        idea.moderation = Moderation.HIDDEN
        idea.hidden_reason = "广告信息，与小区事务无关。"
        self._report(
            reporters=self._reporters(spam, 2), at=idea.created_at, resolved=now, idea=idea
        )
        self.actions.append(
            (
                ModerationAction(
                    idea=idea,
                    actor=self.captains[17],
                    action=ModerationAction.Action.HIDE,
                    reason=idea.hidden_reason,
                ),
                idea.created_at + timedelta(days=1),
            )
        )
        # One more reported idea, from a building with a busy idea box.
        extra = next(p for p in self.plans if p.theme and p.idea.building.number == 12)
        extra.idea.report_count = 1
        self._report(reporters=self._reporters(extra, 1), at=extra.idea.created_at, idea=extra.idea)

    def plan_comment_moderation(self, saved_comments: list[Comment]) -> None:
        """A rude comment hidden by building 3's captain, and a reported one waiting."""
        in_3 = [
            c
            for c in saved_comments
            if c.idea.building.number == 3
            and c.parent_id is None
            and c.author_id != self.captains[3].pk
        ]
        hidden, reported = in_3[0], in_3[1]
        hidden.body = RUDE_COMMENT
        hidden.moderation = Moderation.HIDDEN
        hidden.hidden_reason = "含人身攻击，请文明发言。"
        reported.report_count = 1
        Comment.objects.bulk_update(
            [hidden, reported], ["body", "moderation", "hidden_reason", "report_count"]
        )
        self.actions.append(
            (
                ModerationAction(
                    idea=hidden.idea,
                    comment=hidden,
                    actor=self.captains[3],
                    action=ModerationAction.Action.HIDE,
                    reason=hidden.hidden_reason,
                ),
                hidden.created_at + timedelta(hours=5),
            )
        )
        reporter = next(r.user for r in self.residents if r.user.pk not in {reported.author_id})
        self.reports.append(
            (
                Report(comment=reported, reporter=reporter, reason=Report.Reason.ABUSE),
                reported.created_at,
            )
        )

    def plan_duplicates(self) -> None:
        """Two ideas merged into an earlier one on the same theme; supports move along."""
        for key in ("dog_mess", "fire_lane"):
            same = sorted(
                (
                    p
                    for p in self.plans
                    if p.theme and p.theme.key == key and p.idea.moderation == Moderation.VISIBLE
                ),
                key=lambda p: p.idea.created_at,
            )
            original, duplicate = same[0], same[-1]
            duplicate.idea.title = original.idea.title
            duplicate.idea.search_tokens = search_tokens_for(
                duplicate.idea.title, duplicate.idea.body
            )
            moved = (duplicate.supporters | {duplicate.idea.author_id}) - {original.idea.author_id}
            original.supporters |= moved
            actor = self.captains.get(duplicate.idea.building.number, self.admin)
            if actor.pk in {duplicate.idea.author_id, original.idea.author_id}:
                actor = self.admin
            self.actions.append(
                (
                    ModerationAction(
                        idea=duplicate.idea,
                        actor=actor,
                        action=ModerationAction.Action.MERGE,
                        reason="与较早的建议内容相同，已合并。",
                    ),
                    duplicate.idea.created_at + timedelta(days=2),
                )
            )
            self.merges.append((duplicate, original))

    # Writing --------------------------------------------------------------------------

    def write(self) -> dict[str, int]:
        rng = self.rng
        ideas = [plan.idea for plan in self.plans]
        Idea.objects.bulk_create(ideas, batch_size=BATCH_SIZE)
        for duplicate, original in self.merges:
            duplicate.idea.duplicate_of = original.idea
        Idea.objects.bulk_update([d.idea for d, _ in self.merges], ["duplicate_of"])

        supports = []
        for plan in self.plans:
            for user_id in sorted(plan.supporters):
                at = moment_between(rng, plan.idea.created_at, self.now)
                supports.append(Support(idea=plan.idea, user_id=user_id, created_at=at))
                plan.last_activity = max(plan.last_activity, at)
        Support.objects.bulk_create(supports, batch_size=BATCH_SIZE)

        tops = [c for c in self.comments if c.parent is None]
        replies = [c for c in self.comments if c.parent is not None]
        Comment.objects.bulk_create(tops, batch_size=BATCH_SIZE)
        for reply in replies:
            reply.parent_id = reply.parent.pk
        Comment.objects.bulk_create(replies, batch_size=BATCH_SIZE)
        self.plan_comment_moderation(tops)

        TimelineEntry.objects.bulk_create(self.timeline, batch_size=BATCH_SIZE)
        StaffNote.objects.bulk_create(self.notes, batch_size=BATCH_SIZE)

        visible_comments: dict[int, int] = {}
        last_comment: dict[int, datetime] = {}
        for comment in self.comments:
            if comment.moderation == Moderation.VISIBLE:
                visible_comments[comment.idea.pk] = visible_comments.get(comment.idea.pk, 0) + 1
            last = last_comment.get(comment.idea.pk)
            last_comment[comment.idea.pk] = (
                max(last, comment.created_at) if last else comment.created_at
            )
        for plan in self.plans:
            idea = plan.idea
            idea.support_count = len(plan.supporters)
            idea.comment_count = visible_comments.get(idea.pk, 0)
            candidates = [plan.last_activity, last_comment.get(idea.pk, idea.created_at)]
            idea.last_activity_at = min(max(candidates), self.now)
        Idea.objects.bulk_update(
            ideas,
            ["support_count", "comment_count", "last_activity_at"],
            batch_size=BATCH_SIZE,
        )

        # auto_now_add stamps these with now; give them their time in the story.
        actions = [action for action, _ in self.actions]
        ModerationAction.objects.bulk_create(actions)
        reports = [report for report, _ in self.reports]
        Report.objects.bulk_create(reports)
        for objects, timed in ((actions, self.actions), (reports, self.reports)):
            for obj, (_, at) in zip(objects, timed, strict=True):
                obj.created_at = min(at, self.now)
        ModerationAction.objects.bulk_update(actions, ["created_at"])
        Report.objects.bulk_update(reports, ["created_at"])
        return {"ideas": len(ideas), "supports": len(supports), "comments": len(self.comments)}


def theme_is_urgent(theme: Theme | None) -> bool:
    return theme is not None and theme.key in {"fire_lane", "fire_risk"}


def seed_campaign(community: Community, admin: User) -> Campaign:
    today = timezone.localdate()
    return Campaign.objects.create(
        community=community,
        title=f"{today.year}年金点子征集",
        description=(
            "小区居民金点子征集活动：关于宠物饲养、停车、楼道堆物、绿化、安全、公共设施等，"
            "任何让碧海花园更好的想法都欢迎提出。物业和业委会将逐条回复，"
            "附议多的建议将列为重点工作。"
        ),
        starts_on=today - timedelta(days=CAMPAIGN_DAYS_AGO),
        ends_on=today + timedelta(days=35),
        created_by=admin,
    )


def seed_reply_templates() -> None:
    existing = set(ReplyTemplate.objects.values_list("title", flat=True))
    ReplyTemplate.objects.bulk_create(
        [ReplyTemplate(title=t, body=b) for t, b in REPLY_TEMPLATES if t not in existing]
    )
