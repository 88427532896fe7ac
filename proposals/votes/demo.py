"""Owners' votes of the demo estate."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from covenant.models import Community, Household, Membership, User
from proposals.ideas.demo import moment_between
from proposals.ideas.demo_texts import BATCH_SIZE, SEED
from proposals.models import (
    Deliberation,
    OwnersVote,
)


@dataclass(frozen=True)
class _DemoVote:
    title: str
    question: str
    matter: str
    opened_days_ago: float
    runs_days: float
    online_share: float  # of the households with a verified owner on the portal
    paper_share: float  # of the other households: paper ballots collected at the door
    choices: tuple[float, float]  # agree, object; the rest abstain
    deliberation_topic: str = ""  # the deliberation the vote came from, if any


DEMO_VOTES = (
    _DemoVote(
        title="规范停车：地面划线停车位方案",
        question=(
            "为解决乱停乱放、消防通道被占的问题，物业与业委会筹备组提出在小区主干道一侧"
            "施划 **126 个地面停车位**，按月租用，收入扣除划线及管理成本后全部计入业主"
            "共有收益。\n\n- 消防通道两侧全部禁停并加装地桩\n- 划线费用约 3.8 万元，由共有收益"
            "先行垫付\n- 方案及车位图已张贴在各楼栋大堂\n\n请问：您是否同意按上述方案施划"
            "地面停车位？"
        ),
        matter=OwnersVote.Matter.ORDINARY,
        opened_days_ago=20,  # after the parking deliberation adopted its resolution
        runs_days=14,
        online_share=0.9,
        paper_share=0.62,
        choices=(0.70, 0.20),
        deliberation_topic="规范停车：消防通道、车位与充电",
    ),
    _DemoVote(
        title="续筹专项维修资金并更换 3、5 栋老旧电梯",
        question=(
            "3 栋、5 栋电梯已运行十余年，故障频繁。维修资金账户余额不足以更换，"
            "拟按每平方米 25 元向全体业主续筹专项维修资金，用于更换两栋共 4 部电梯。"
            "\n\n请问：您是否同意续筹专项维修资金？"
        ),
        matter=OwnersVote.Matter.RAISE_FUND,
        opened_days_ago=75,
        runs_days=21,
        online_share=0.8,
        paper_share=0.05,
        choices=(0.62, 0.30),
    ),
    _DemoVote(
        title="修订《管理规约》：增加文明养宠条款",
        question=(
            "金点子征集中，文明养宠是大家提得最多的话题。三方议事协商后，拟在《管理规约》"
            "中增加：\n\n1. 遛狗必须牵绳，大型犬须戴嘴套\n2. 宠物粪便由主人即时清理\n"
            "3. 晚上十点后不得在楼道内遛狗\n\n请问：您是否同意将上述条款写入《管理规约》？"
        ),
        matter=OwnersVote.Matter.ORDINARY,
        opened_days_ago=4,
        runs_days=14,
        online_share=0.35,
        paper_share=0.1,
        choices=(0.75, 0.15),
        deliberation_topic="文明养宠公约",
    ),
)


def link_votes_to_deliberations(community: Community) -> None:
    """The parking and pet-keeping votes put what the three parties resolved to the
    owners (the votes are seeded first, the deliberations with the ideas)."""
    for plan in DEMO_VOTES:
        if plan.deliberation_topic:
            deliberation = Deliberation.objects.filter(
                community=community, topic=plan.deliberation_topic
            ).first()
            OwnersVote.objects.filter(community=community, title=plan.title).update(
                deliberation=deliberation
            )


def seed_owners_votes(*, community: Community, admin: User, say: Callable[[str], None]) -> None:
    """Two closed votes (one passed, one short of the turnout) and one open, with ballots
    of the demo's verified owners and paper ballots entered by the admin. Written in
    bulk, without notifications: the demo's mailbox stays quiet. The demo resident's
    unit (3-1201) has not voted in the open one yet, so its ballot form shows."""
    from covenant.demo import DEMO_UNIT
    from proposals.models import Ballot, VoteRollEntry

    if OwnersVote.objects.filter(community=community).exists():
        say("业主表决 owners' votes: already there, nothing added")
        return
    rng = random.Random(f"{SEED}:votes")
    now = timezone.now()
    households = list(
        Household.objects.filter(building__community=community)
        .order_by("pk")
        .values_list("pk", "floor_area")
    )
    owner_of: dict[int, int] = {}
    for user_id, household_id in (
        Membership.objects.filter(
            household__building__community=community,
            relation=Membership.Relation.OWNER,
            status=Membership.Status.VERIFIED,
        )
        .order_by("pk")
        .values_list("user_id", "household_id")
    ):
        owner_of.setdefault(household_id, user_id)
    kept = set(
        Household.objects.filter(
            building__community=community, building__number=DEMO_UNIT[0], unit=DEMO_UNIT[1]
        ).values_list("pk", flat=True)
    )
    roll, ballots = [], []
    for plan in DEMO_VOTES:
        opens_at = now - timedelta(days=plan.opened_days_ago)
        closes_at = opens_at + timedelta(days=plan.runs_days)
        vote = OwnersVote.objects.create(
            community=community, title=plan.title, question=plan.question, matter=plan.matter,
            status=OwnersVote.Status.CLOSED if closes_at < now else OwnersVote.Status.OPEN,
            opens_at=opens_at, closes_at=closes_at,
            closed_at=closes_at if closes_at < now else None, created_by=admin,
            electorate_households=len(households),
            electorate_area=sum((area for _pk, area in households), Decimal(0)),
        )  # fmt: skip
        last = min(now, closes_at)
        for household_id, area in households:
            roll.append(VoteRollEntry(vote=vote, household_id=household_id, floor_area=area))
            owner = owner_of.get(household_id)
            online = owner is not None and rng.random() < plan.online_share
            paper = owner is None and rng.random() < plan.paper_share
            if not (online or paper) or (vote.status == "open" and household_id in kept):
                continue
            draw = rng.random()
            choice = "agree" if draw < plan.choices[0] else "object"
            if draw >= plan.choices[0] + plan.choices[1]:
                choice = "abstain"
            cast_at = moment_between(rng, opens_at, last)
            ballots.append(
                Ballot(
                    vote=vote, household_id=household_id, floor_area=area, choice=choice,
                    cast_by_id=owner if online else admin.pk, on_paper=paper,
                    first_cast_at=cast_at, cast_at=cast_at,
                    change_count=1 if rng.random() < 0.04 else 0,
                )
            )  # fmt: skip
    VoteRollEntry.objects.bulk_create(roll, batch_size=BATCH_SIZE)
    Ballot.objects.bulk_create(ballots, batch_size=BATCH_SIZE)
    say(f"业主表决 owners' votes: {len(DEMO_VOTES)} ({len(ballots):,} ballots)")
