"""Golden ideas of the demo estate 碧海花园: 437 ideas, as in the estate's own drive.

Called by ``manage.py seed_demo`` inside its transaction; ``seed`` is the one entry point
and calls each room's demo in turn. Everything comes from random.Random(SEED), so every
run writes the same ideas (their dates are relative to today). If the estate has ideas
already, nothing is added.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from covenant.models import Community, Membership, User
from proposals.deliberations.demo import seed_deliberations
from proposals.ideas.demo import IdeaSeeder, demo_categories, seed_campaign, seed_reply_templates
from proposals.ideas.search import search_tokens_for
from proposals.insight.demo import seed_open_data_links
from proposals.models import (
    Campaign,
    Deliberation,
    Idea,
    OpenDataLink,
    OwnersVote,
    Priority,
    ThemeEdit,
    TimelineEntry,
)
from proposals.models import Theme as IdeaTheme
from proposals.themes.demo import seed_priorities
from proposals.votes.demo import link_votes_to_deliberations, seed_owners_votes


def seed(*, users: dict[str, User], say: Callable[[str], None]) -> None:
    from covenant.demo import ADMIN_EMAIL, COMMUNITY_NAME

    started = time.perf_counter()
    community = Community.objects.get(name=COMMUNITY_NAME)
    seed_owners_votes(
        community=community,
        admin=users[ADMIN_EMAIL],
        say=say,
    )
    existing = Idea.objects.filter(community=community).count()
    if existing:
        say(f"金点子 ideas: {existing} already there, nothing added")
        seed_priorities(community=community, users=users, say=say)
        return
    seeder = IdeaSeeder(users, community)
    campaign = seed_campaign(community, users[ADMIN_EMAIL])
    seeder.plan_ideas(campaign)
    seeder.plan_moderation_ideas()
    seeder.plan_supports()
    seeder.plan_moderation()
    seeder.plan_duplicates()
    seeder.plan_comments()
    seeder.plan_triage()
    counts = seeder.write()
    seed_reply_templates()
    deliberations = seed_deliberations(community, users)
    link_votes_to_deliberations(community)
    seed_open_data_links(community, users[ADMIN_EMAIL])
    in_campaign = sum(1 for plan in seeder.plans if plan.idea.campaign_id)
    say(
        f"金点子 ideas: {counts['ideas']} ({in_campaign} in “{campaign.title}”; "
        f"supports {counts['supports']:,}, comments {counts['comments']:,}; "
        f"三方议事 deliberations {deliberations}) in {time.perf_counter() - started:.1f} s"
    )
    seed_priorities(community=community, users=users, say=say)


def unseed(community_name: str | None = None) -> None:
    """Delete the demo estate's ideas, campaigns and owners' votes (tests tidying up
    before they delete the estate's users, which ideas and votes protect)."""
    from covenant.demo import COMMUNITY_NAME

    Deliberation.objects.filter(community__name=community_name or COMMUNITY_NAME).delete()
    OwnersVote.objects.filter(community__name=community_name or COMMUNITY_NAME).delete()
    estate = community_name or COMMUNITY_NAME
    Priority.objects.filter(community__name=estate).delete()  # owners are protected
    ThemeEdit.objects.filter(community__name=estate).delete()
    IdeaTheme.objects.filter(community__name=estate).delete()
    ideas = Idea.objects.filter(community__name=community_name or COMMUNITY_NAME)
    ideas.exclude(duplicate_of=None).update(duplicate_of=None)
    ideas.delete()
    Campaign.objects.filter(community__name=community_name or COMMUNITY_NAME).delete()
    OpenDataLink.objects.filter(community__name=community_name or COMMUNITY_NAME).delete()


# --- The second estate (翠湖苑): a few ideas of its own ----------------------------------

# (category, title, text, building, days ago, status, the steward's public reply)
SECOND_ESTATE_IDEAS = (
    (
        "greenery",
        "翠湖边的步道想加几盏路灯",
        "晚上沿湖散步的老人不少，步道北段没有路灯，黑乎乎的容易摔倒。",
        2,
        3,
        Idea.Status.SUBMITTED,
        "",
    ),
    (
        "parking",
        "电动车充电桩不够用",
        "6 栋楼下只有两个充电口，晚上排队，有人把车推进大堂充电，很危险。",
        6,
        12,
        Idea.Status.ACCEPTED,
        "已收到，物业正在评估在 5、6 栋之间增设一组充电桩。",
    ),
    (
        "pets",
        "湖边草坪遛狗请拴绳",
        "周末孩子在草坪上玩，常有大狗不拴绳跑过来，家长很紧张。",
        3,
        20,
        Idea.Status.IN_PROGRESS,
        "已在草坪入口加装提示牌，楼长会上门宣传文明养宠。",
    ),
    (
        "hygiene",
        "垃圾分类点晚上满溢",
        "2 栋旁边的分类点晚上八点就满了，能不能加一次清运？",
        2,
        35,
        Idea.Status.DONE,
        "已调整为每天两次清运，晚上九点加收一次。",
    ),
    (
        "facilities",
        "小区门禁卡能否改成人脸识别",
        "老人常忘带门禁卡，建议大门加装人脸识别，自愿登记。",
        1,
        50,
        Idea.Status.DECLINED,
        "经业主代表商议，人脸信息涉及隐私，暂不采用，改为给老人补办挂绳门禁卡。",
    ),
)


def seed_second_estate(
    *, estate: Community, users: dict[str, User], say: Callable[[str], None]
) -> None:
    """A few ideas of 翠湖苑's residents, some answered by its steward. Ideas already
    there (by title, in this estate) are left alone."""
    from covenant.demo import SECOND_STEWARD_EMAIL

    steward = users[SECOND_STEWARD_EMAIL]
    now = timezone.now()
    categories = demo_categories()
    existing = set(Idea.objects.filter(community=estate).values_list("title", flat=True))
    authors = list(
        Membership.objects.filter(
            household__building__community=estate, status=Membership.Status.VERIFIED
        )
        .exclude(user__role_grants__community=estate)
        .select_related("user", "household__building")
        .order_by("household__building__number", "household__floor", "pk")
    )
    made = 0
    for slug, title, body, building, days_ago, status, reply in SECOND_ESTATE_IDEAS:
        if title in existing:
            continue
        home = next(m for m in authors if m.household.building.number == building)
        created = now - timedelta(days=days_ago)
        answered = created + timedelta(hours=20)
        idea = Idea.objects.create(
            community=estate,
            category=categories[slug],
            title=title,
            body=body,
            author=home.user,
            household=home.household,
            building=home.household.building,
            floor=home.household.floor,
            status=status,
            search_tokens=search_tokens_for(title, body),
            created_at=created,
            status_changed_at=answered if reply else created,
            last_activity_at=answered if reply else created,
        )
        if reply:
            TimelineEntry.objects.create(
                idea=idea,
                actor=steward,
                from_status=Idea.Status.SUBMITTED,
                to_status=status,
                public_reply=reply,
                created_at=answered,
            )
        made += 1
    say(
        f"  金点子 ideas in {estate.name}: {Idea.objects.filter(community=estate).count()} (new: {made})"
    )
