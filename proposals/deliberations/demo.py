"""Three-party deliberations of the demo estate (三方联动议事协商)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.utils import timezone

from covenant.models import Community, Membership, Party, RoleGrant, User
from proposals.models import (
    ActionItem,
    Deliberation,
    DeliberationPost,
    DeliberationStatusChange,
    Idea,
    Meeting,
    MeetingAttendance,
    Moderation,
    Representative,
    Resolution,
    ResolutionVersion,
    SignOff,
    TimelineEntry,
)

# --- Three-party deliberations (三方联动议事协商) ------------------------------------------
# Written directly, like the ideas: the story's notifications were read long ago.

PARKING_BACKGROUND = """金点子征集中，**规范停车**是居民反映最多的三大主题之一，共收到八十多条相关建议，主要集中在：

- 消防通道、单元门口长期被私家车占用；
- 地面车位不足，访客车辆随意停放；
- 电动车在楼道、大堂充电，存在火灾隐患。

社区党总支牵头，邀请楼长代表和物业共同协商，形成三方都认可的停车管理办法。"""

PARKING_POSTS = (
    (
        Party.PARTY_BRANCH,
        0,
        "感谢各位。今天先把问题摆出来：消防通道占用是底线问题，必须先解决；车位不足需要长远规划。请物业先介绍现状。",
    ),
    (
        Party.PROPERTY,
        0,
        "目前地面车位 312 个，地下车位 540 个，已售或租出 498 个。晚上八点后东门、3 栋和 5 栋之间的消防通道经常停满车，我们巡逻劝离效果有限。",
    ),
    (
        Party.RESIDENTS,
        3,
        "3 栋住户普遍反映：晚上回来找不到车位，只能停路边。大家愿意配合，但希望地下车位租金能优惠，并增加访客临时车位。",
    ),
    (
        Party.RESIDENTS,
        5,
        "5 栋老人多，消防通道被堵最让人担心。建议在通道上画黄色网格线，装上提示牌，物业夜间加强巡查。",
    ),
    (
        Party.PROPERTY,
        0,
        "可以在一个月内完成网格线和提示牌。地下车位租金方面，可以对本小区业主推出半年优惠，每月减 50 元，需要和公司报批。",
    ),
    (
        Party.PARTY_BRANCH,
        0,
        "建议把电动车集中充电桩也纳入这次协商，社区可以协调街道的专项资金支持一部分。",
    ),
    (
        Party.RESIDENTS,
        3,
        "同意。住户还希望违停处理有个公开的流程，不要只贴条，先电话提醒，屡次不改再通报。",
    ),
    (
        Party.PROPERTY,
        0,
        "同意按“电话提醒—书面告知—楼栋公告”三步走，物业负责记录，每月在公开记录里公布处理情况。",
    ),
)
PARKING_RESIDENT_POSTS = (
    "支持画网格线！上周救护车进来差点被挡住。",
    "地下车位优惠的话我愿意租一个，希望尽快落实。",
    "充电桩能不能装在 12 栋旁边的空地？那里离大家都近。",
)
PARKING_POINTS = (
    (3, "3 栋楼长汇总：本栋 26 户反映访客车位不够，建议在北门增设 10 个临时车位。"),
    (5, "5 栋楼长汇总：老人希望消防通道旁边保留一个临时上下车点，方便接送看病。"),
)
PARKING_RESOLUTION = """**碧海花园规范停车协商决议**

1. 消防通道及单元门口全天禁止停车，物业在一个月内施划黄色网格线、设置提示牌；
2. 违停处理按“电话提醒—书面告知—楼栋公告”三步进行，物业每月在公开记录公布情况；
3. 地下车位对本小区业主推出半年租金优惠（每月减 50 元）；
4. 在 12 栋旁空地建设电动车集中充电棚，社区协调专项资金，物业负责建设和运营；
5. 北门增设 10 个访客临时车位，5 栋消防通道旁保留临时上下车点。"""
PARKING_FIRST_DRAFT = """1. 消防通道全天禁止停车，物业施划网格线；
2. 地下车位租金优惠；
3. 建设电动车集中充电棚。"""
PARKING_ACTIONS = (
    (
        "施划消防通道黄色网格线、设置提示牌",
        Party.PROPERTY,
        -10,
        ActionItem.Status.DONE,
        "已完成东门、3 栋、5 栋周边共 6 处网格线和 12 块提示牌。",
    ),
    (
        "地下车位半年租金优惠报批并公布",
        Party.PROPERTY,
        14,
        ActionItem.Status.IN_PROGRESS,
        "公司已同意，正在准备公告，下周发布。",
    ),
    (
        "协调街道专项资金建设电动车充电棚",
        Party.PARTY_BRANCH,
        45,
        ActionItem.Status.IN_PROGRESS,
        "已向街道提交申请，首批资金预计下月到位。",
    ),
    ("各楼栋宣传停车新规、收集违停反馈", Party.RESIDENTS, 20, ActionItem.Status.PLANNED, ""),
)

PETS_BACKGROUND = """**文明养宠**是金点子中排名第一的主题：遛狗不牵绳、宠物粪便不清理、夜间犬吠扰民。

希望三方商定一份《碧海花园文明养宠公约》，既照顾养宠家庭，也保障其他居民的安全和环境卫生。"""
PETS_POSTS = (
    (
        Party.PARTY_BRANCH,
        0,
        "养宠家庭和不养宠的居民都是邻居，公约要兼顾双方。建议先登记、再宣传、后管理。",
    ),
    (
        Party.RESIDENTS,
        3,
        "居民的诉求很集中：出门必须牵绳，大型犬戴嘴套，粪便随手清理。楼长们可以挨家挨户宣传。",
    ),
    (
        Party.PROPERTY,
        0,
        "物业可以在中心花园设三个宠物便便箱，免费提供拾便袋。但违规处理我们没有执法权，这一点需要在公约里说清楚。",
    ),
)
PETS_RESOLUTION = """**碧海花园文明养宠公约**

1. 犬只出户必须牵绳，大型犬须佩戴嘴套，电梯内主动避让他人；
2. 宠物粪便随手清理，物业在中心花园设置三个便便箱并免费提供拾便袋；
3. 每晚 22 点至次日 7 点避免犬吠扰民；
4. 养犬家庭到物业服务中心登记，楼长协助宣传；
5. 屡次违反公约的，由楼长上门沟通，社区党总支协调，必要时报告执法部门。"""

STAIRWELL_BACKGROUND = """楼道堆放旧家具、纸箱和自行车，既影响通行，也有严重的火灾隐患。

本次议事讨论集中清理的时间安排、暂存场地，以及清理后如何长效管理。"""
STAIRWELL_POSTS = (
    (Party.PROPERTY, 0, "我们建议分楼栋集中清理，每栋提前一周通知，暂存点设在地下室 B1 东侧空地。"),
    (Party.RESIDENTS, 12, "12 栋有几户老人的旧家具自己搬不动，希望志愿者帮忙。"),
    (Party.PARTY_BRANCH, 0, "红心碧海志愿队可以组织两次集中清理活动，党员带头。"),
)


def _demo_people(community: Community, users: dict[str, User]) -> dict[str, object]:
    from covenant.demo import (
        ADMIN_EMAIL,
        PARTY_EMAILS,
        STEWARD_EMAILS,
        captain_email,
    )

    role_holders = set(
        RoleGrant.objects.filter(community=community).values_list("user_id", flat=True)
    )
    residents = list(
        User.objects.filter(
            memberships__household__building__community=community,
            memberships__status=Membership.Status.VERIFIED,
        )
        .exclude(pk__in=role_holders)
        .distinct()
        .order_by("pk")[:6]
    )
    return {
        "admin": users[ADMIN_EMAIL],
        "party": users[PARTY_EMAILS[0]],
        "party2": users[PARTY_EMAILS[1]],
        "steward": users[STEWARD_EMAILS[0]],
        "steward2": users[STEWARD_EMAILS[1]],
        "captains": {n: users[captain_email(n)] for n in (3, 5, 12)},
        "residents": residents,
    }


def _speaker(people: dict, party: str, building: int) -> User:
    if party == Party.PARTY_BRANCH:
        return people["party"]
    if party == Party.PROPERTY:
        return people["steward"]
    return people["captains"][building]


class _DeliberationWriter:
    def __init__(self, community: Community, people: dict, opened_days_ago: int):
        self.community = community
        self.people = people
        self.now = timezone.now()
        self.clock = self.now - timedelta(days=opened_days_ago)

    def tick(self, hours: float = 20) -> datetime:
        moment = timezone.localtime(self.clock + timedelta(hours=hours))
        if not 8 <= moment.hour < 22:
            # People write in the day: night-time steps move on to the next morning.
            days = 1 if moment.hour >= 22 else 0
            moment = (moment + timedelta(days=days)).replace(hour=8, minute=40 + moment.minute % 20)
        self.clock = min(moment, self.now - timedelta(minutes=5))
        return self.clock

    def open(self, *, topic: str, background: str, opener: User) -> Deliberation:
        self.deliberation = Deliberation.objects.create(
            community=self.community, topic=topic, background=background, opened_by=opener,
            created_at=self.clock, status_changed_at=self.clock,
        )  # fmt: skip
        self.status(Deliberation.Status.OPEN, opener)
        return self.deliberation

    def status(self, to_status: str, actor: User) -> None:
        deliberation = self.deliberation
        DeliberationStatusChange.objects.create(
            deliberation=deliberation, actor=actor, from_status=deliberation.status
            if to_status != Deliberation.Status.OPEN else "",
            to_status=to_status, created_at=self.clock,
        )  # fmt: skip
        deliberation.status = to_status
        deliberation.status_changed_at = self.clock
        deliberation.save(update_fields=["status", "status_changed_at"])

    def seat(self, building_captains: Sequence[int]) -> None:
        people = self.people
        seats = [(people["party"], Party.PARTY_BRANCH), (people["steward"], Party.PROPERTY)]
        seats += [(people["captains"][n], Party.RESIDENTS) for n in building_captains]
        Representative.objects.bulk_create(
            Representative(
                deliberation=self.deliberation, user=user, party=party, named_by=people["party"],
                created_at=self.clock,
            )
            for user, party in seats
        )  # fmt: skip

    def posts(self, posts) -> None:
        for party, building, body in posts:
            DeliberationPost.objects.create(
                deliberation=self.deliberation, author=_speaker(self.people, party, building),
                kind=DeliberationPost.Kind.REPRESENTATIVE, party=party, body=body,
                created_at=self.tick(),
            )  # fmt: skip

    def residents_say(self, texts, points=()) -> None:
        for resident, body in zip(self.people["residents"], texts, strict=False):
            DeliberationPost.objects.create(
                deliberation=self.deliberation, author=resident,
                kind=DeliberationPost.Kind.RESIDENT, body=body, created_at=self.tick(5),
            )  # fmt: skip
        for number, body in points:
            captain = self.people["captains"][number]
            DeliberationPost.objects.create(
                deliberation=self.deliberation, author=captain,
                kind=DeliberationPost.Kind.BUILDING_POINT, building=captain.role_grants.get(
                    role="captain"
                ).building, body=body, created_at=self.tick(5),
            )  # fmt: skip

    def link(self, ideas: list[Idea], actor: User) -> None:
        deliberation = self.deliberation
        deliberation.ideas.add(*ideas)
        reply = f"已纳入三方议事[{deliberation.topic}]({deliberation.get_absolute_url()})。"
        referable = [idea for idea in ideas if idea.status in {"submitted", "accepted"}]
        self._move(referable, Idea.Status.REFERRED, actor, reply)

    def _move(self, ideas: list[Idea], to_status: str, actor: User, reply: str) -> None:
        # Never before the idea's own last change, so its timeline stays in order.
        latest = self.now - timedelta(minutes=1)
        entries = []
        for idea in ideas:
            at = min(max(self.clock, idea.status_changed_at + timedelta(minutes=1)), latest)
            entries.append(
                TimelineEntry(
                    idea=idea, actor=actor, from_status=idea.status, to_status=to_status,
                    public_reply=reply, created_at=at,
                )
            )  # fmt: skip
            idea.status, idea.status_changed_at = to_status, at
            idea.last_activity_at = max(idea.last_activity_at, at)
        TimelineEntry.objects.bulk_create(entries)
        Idea.objects.bulk_update(ideas, ["status", "status_changed_at", "last_activity_at"])

    def resolve(self, drafts: Sequence[str], signers: dict[str, str]) -> Resolution:
        """Propose each draft in turn; the last one gets the given answers by party."""
        people = self.people
        resolution = Resolution.objects.create(
            deliberation=self.deliberation, proposed_by=people["party"], created_at=self.tick()
        )
        self.status(Deliberation.Status.RESOLUTION_PROPOSED, people["party"])
        voices = {
            Party.PARTY_BRANCH: people["party"],
            Party.RESIDENTS: people["captains"][3],
            Party.PROPERTY: people["steward"],
        }
        for number, text in enumerate(drafts, start=1):
            version = ResolutionVersion.objects.create(
                resolution=resolution, number=number, text=text, written_by=people["party"],
                created_at=self.tick(),
            )  # fmt: skip
            answers = signers if number == len(drafts) else {Party.PARTY_BRANCH: "agree"}
            for party, decision in answers.items():
                SignOff.objects.create(
                    version=version, party=party, signed_by=voices[party], decision=decision,
                    comment="" if decision == "agree" else "需要补充访客车位的安排。",
                    created_at=self.tick(6),
                )  # fmt: skip
        return resolution


def _open_ideas(community: Community, slug: str) -> list[Idea]:
    return list(
        Idea.objects.filter(
            community=community, category__slug=slug, moderation=Moderation.VISIBLE,
            duplicate_of__isnull=True,
            status__in=["submitted", "accepted", "in_progress", "referred"],
        ).order_by("-support_count", "pk")
    )  # fmt: skip


def seed_deliberations(community: Community, users: dict[str, User]) -> int:
    people = _demo_people(community, users)
    admin, party = people["admin"], people["party"]

    # 规范停车: all three parties spoke, a meeting with minutes, resolution adopted.
    writer = _DeliberationWriter(community, people, opened_days_ago=40)
    parking = writer.open(
        topic="规范停车：消防通道、车位与充电", background=PARKING_BACKGROUND, opener=party
    )
    writer.seat([3, 5])
    ideas = _open_ideas(community, "parking")
    writer.link(ideas, party)
    writer.status(Deliberation.Status.IN_SESSION, party)
    writer.posts(PARKING_POSTS[:4])
    writer.residents_say(PARKING_RESIDENT_POSTS, PARKING_POINTS)
    meeting = Meeting.objects.create(
        deliberation=parking, starts_at=writer.tick(48), place="社区党群服务中心二楼会议室",
        agenda="1. 物业介绍停车现状\n2. 楼长代表反映住户意见\n3. 讨论消防通道管理和车位优惠",
        minutes=(
            "**出席**：三方代表共 9 人。\n\n"
            "1. 三方一致同意消防通道全天禁停，物业一个月内完成网格线；\n"
            "2. 物业同意向公司申请地下车位租金优惠；\n"
            "3. 社区党总支协调街道资金建设充电棚；\n"
            "4. 违停处理按三步走，每月公开。"
        ),
        minutes_recorded_by=admin, minutes_recorded_at=writer.tick(3), scheduled_by=party,
    )  # fmt: skip
    MeetingAttendance.objects.bulk_create(
        MeetingAttendance(meeting=meeting, party=p, attendees=names)
        for p, names in (
            (Party.PARTY_BRANCH, f"{people['party'].name}、{people['party2'].name}"),
            (Party.RESIDENTS, "、".join(people["captains"][n].name for n in (3, 5, 12))),
            (Party.PROPERTY, f"{people['steward'].name}、{people['steward2'].name}"),
        )
    )
    writer.posts(PARKING_POSTS[4:])
    resolution = writer.resolve(
        [PARKING_FIRST_DRAFT, PARKING_RESOLUTION],
        {Party.PARTY_BRANCH: "agree", Party.PROPERTY: "agree", Party.RESIDENTS: "agree"},
    )
    today = timezone.localdate()
    ActionItem.objects.bulk_create(
        ActionItem(
            resolution=resolution, title=title, owner_party=owner, due_on=today + timedelta(days=due),
            status=status, progress_note=note, owner=people["steward"] if owner == Party.PROPERTY else None,
            updated_by=admin, updated_at=writer.tick(2),
        )
        for title, owner, due, status, note in PARKING_ACTIONS
    )  # fmt: skip
    resolution.adopted_at = writer.tick(4)
    resolution.save(update_fields=["adopted_at"])
    writer.status(Deliberation.Status.RESOLVED, people["steward"])
    referred = [idea for idea in ideas if idea.status == Idea.Status.REFERRED]
    reply = f"三方已通过[{parking.topic}]({parking.get_absolute_url()})的决议，正在落实。"
    writer._move(referred, Idea.Status.IN_PROGRESS, people["steward"], reply)

    # 文明养宠: a resolution awaiting the property's sign-off.
    writer = _DeliberationWriter(community, people, opened_days_ago=15)
    writer.open(topic="文明养宠公约", background=PETS_BACKGROUND, opener=people["captains"][3])
    writer.seat([3])
    writer.link(_open_ideas(community, "pets")[:30], people["captains"][3])
    writer.status(Deliberation.Status.IN_SESSION, people["captains"][3])
    writer.posts(PETS_POSTS)
    writer.residents_say(["希望公约里写明电梯里怎么避让，我家孩子怕狗。"])
    writer.resolve([PETS_RESOLUTION], {Party.PARTY_BRANCH: "agree", Party.RESIDENTS: "agree"})

    # 清理楼道杂物: in session, a meeting coming up.
    writer = _DeliberationWriter(community, people, opened_days_ago=6)
    stairwell = writer.open(
        topic="清理楼道杂物", background=STAIRWELL_BACKGROUND, opener=people["steward"]
    )
    writer.seat([12])
    writer.link(_open_ideas(community, "stairwell")[:20], people["steward"])
    writer.status(Deliberation.Status.IN_SESSION, people["steward"])
    writer.posts(STAIRWELL_POSTS)
    Meeting.objects.create(
        deliberation=stairwell, starts_at=writer.now + timedelta(days=4, hours=2),
        place="物业服务中心会议室", agenda="1. 确定各楼栋清理时间表\n2. 暂存场地和志愿者分工",
        scheduled_by=people["steward"],
    )  # fmt: skip
    return 3


# --- Owners' votes (业主表决) -----------------------------------------------------------
