"""Comments, replies and staff notes of the demo ideas, and the composing of idea texts.

Everything comes from random.Random(SEED), so every run writes the same ideas.
`generate_texts` is shared with ``manage.py bench_ideas``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from covenant.models import Household, User
from proposals.ideas.demo_texts import CAMPAIGN_DAYS_AGO, PLACES, THEMES, TIMES, Theme
from proposals.models import (
    Idea,
    Report,
)

Status = Idea.Status

GENERIC_COMMENTS = (
    "同意！",
    "支持，这个问题存在很久了。",
    "我们{b}栋也是这样。",
    "希望物业尽快处理。",
    "附议 +1",
    "说得对，早该管管了。",
    "楼长能不能在群里提醒一下？",
)
REPLIES = (
    "谢谢支持！",
    "是的，我也反映过好几次了。",
    "物业说下周会处理，等等看。",
    "同意楼上。",
    "希望这次能解决。",
)
CAPTAIN_COMMENTS = (
    "我是{b}栋楼长，已经在楼栋群里提醒大家了。",
    "楼长已记录，会和物业一起跟进。",
)

# Public replies of the property staff, by category and by the status they move to.
STAFF_REPLIES: dict[str, dict[str, tuple[str, ...]]] = {
    "pets": {
        Status.ACCEPTED: ("已收到，物业将在各楼栋张贴文明养犬告示，并加强巡查。",),
        Status.IN_PROGRESS: (
            "已安排保安每天早晚巡查，劝导遛狗不牵绳、不清理狗粪的行为。",
            "已上门与养犬住户沟通，提醒注意宠物扰民。",
        ),
        Status.DONE: (
            "已在小区增设6个宠物粪便箱并配备免费拾便袋，欢迎大家监督。",
            "文明养犬告示已张贴到每个楼栋，保安巡查记录在物业中心可查。",
        ),
    },
    "parking": {
        Status.ACCEPTED: ("已受理，物业正在统计车位和乱停车情况。",),
        Status.IN_PROGRESS: (
            "已联系消防部门，下周起在消防通道施划禁停标线。",
            "充电棚选址已初步确定，正在报价。",
        ),
        Status.DONE: (
            "消防通道已施划黄色禁停标线并安装隔离桩，占用车辆已联系车主挪走。",
            "新增电动车充电桩20个，已投入使用。",
        ),
    },
    "stairwell": {
        Status.ACCEPTED: ("已受理，将通知本楼住户限期自行清理楼道杂物。",),
        Status.IN_PROGRESS: ("已张贴限期清理通知，三天后由物业统一清理。",),
        Status.DONE: ("已安排保洁清理，共清走杂物约两车，请大家保持楼道畅通。", "已安排保洁清理。"),
    },
}
DEFAULT_REPLIES: dict[str, tuple[str, ...]] = {
    Status.ACCEPTED: ("已收到您的建议，物业已受理，将尽快安排处理。",),
    Status.IN_PROGRESS: ("已安排相关人员处理，预计两周内完成。",),
    Status.DONE: ("已处理完毕，感谢您的建议，欢迎继续监督。", "已安排维修，现已恢复正常。"),
}
DECLINE_REASONS: dict[str, str] = {
    "parking": "该区域为消防通道，按规定不能改为停车位，敬请理解；已在其他位置增设临时车位。",
    "facilities": "加装或更新电梯需本单元三分之二以上业主同意并申请维修资金，物业不能单方面实施，建议先在本单元征求意见。",
    "safety": "经核实，该位置监控工作正常，如有需要可到物业中心申请调取录像。",
    "default": "经评估，该建议目前条件不具备，暂不采纳，感谢理解。",
}
REFERRAL_REPLY = "此事涉及全体业主的共同利益，已提交业主协商议事会讨论，结果将在此公布。"
INTERIM_REPLIES = ("感谢反映，我们正在核实情况。", "已转交楼长跟进。")
STAFF_NOTES = (
    "已电话联系住户，口头提醒。",
    "需要和业委会商量经费。",
    "下次巡查时拍照留存。",
    "同类问题已有多条，考虑统一处理。",
)

REPLY_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("已受理", "您好，您的建议已收到并受理，物业将在三个工作日内安排人员处理，结果会在这里公布。"),
    ("已安排处理", "已安排相关人员现场处理，预计一周内完成，届时会在这里更新进展。"),
    ("已完成", "已处理完毕，感谢您的建议。如仍有问题，欢迎继续留言或到物业服务中心反映。"),
    (
        "暂不采纳（需写明原因）",
        "经评估，该建议暂不采纳，原因是：＿＿＿＿。感谢您的理解，我们会继续关注。",
    ),
    ("提交协商议事", "此事涉及全体业主的共同利益，已提交业主协商议事会讨论，结果将在此公布。"),
)

# Extra ideas of the moderation demo: (building number, title, body).
REPORTED_IDEA = (
    3,
    "3栋天台有人私搭晾衣架，建议拆除",
    "3栋天台被人私自搭了晾衣架和雨棚，其他住户上不去。",
)
AUTO_HIDDEN_IDEA = (
    5,
    "5栋0802那户的狗天天叫，主人没素质",
    "5栋0802姓X的那户养的狗天天叫，主人电话138xxxxxxxx，大家一起去骂他。",
)
SPAM_IDEA = (
    17,
    "专业疏通下水道、开锁换锁",
    "专业疏通下水道、开锁换锁，上门服务，电话139xxxxxxxx。",
)
RUDE_COMMENT = "说这些有什么用，物业都是收钱不干活的，一群废物。"


def _slots(rng: random.Random, building: int, floor: int) -> dict[str, object]:
    """What a text's placeholders stand for: the same place in its title and body."""
    other = rng.randint(1, 26)
    if other == building:
        other = building % 26 + 1
    place = rng.choice(PLACES).format(b=building, b2=other)
    return {"b": building, "b2": other, "floor": floor, "place": place, "time": rng.choice(TIMES)}


def compose(theme: Theme, rng: random.Random, building: int, floor: int) -> tuple[str, str]:
    """A title and body on the theme, with this building's number and floor in places."""
    slots = _slots(rng, building, floor)
    if theme.aligned:
        # One concern of several: the title, opener, middle and suggestion at one position.
        index = rng.randrange(len(theme.titles))
        parts = [theme.openers[index], theme.middles[index], theme.suggestions[index]]
        if rng.random() < 0.15:
            parts.pop()
        title = theme.titles[index]
    else:
        title = rng.choice(theme.titles)
        parts = [rng.choice(theme.openers), rng.choice(theme.middles)]
        if rng.random() < 0.85:
            parts.append(rng.choice(theme.suggestions))
        if rng.random() < 0.3:
            parts.append(rng.choice(theme.middles))
    body = "".join(dict.fromkeys(parts))
    return title.format(**slots)[:80], body.format(**slots)


def theme_plan(total: int) -> list[Theme]:
    """`total` themes drawn in the proportions of THEMES (the demo's counts at 437)."""
    weight = sum(theme.count for theme in THEMES)
    plan: list[Theme] = []
    for theme in THEMES:
        plan += [theme] * round(theme.count * total / weight)
    while len(plan) < total:
        plan.append(THEMES[len(plan) % len(THEMES)])
    return plan[:total]


def generate_texts(
    rng: random.Random, count: int, building_floors: Sequence[tuple[int, int]]
) -> list[tuple[Theme, str, str, int]]:
    """`count` (theme, title, body, index into building_floors) tuples, shuffled."""
    plan = theme_plan(count)
    rng.shuffle(plan)
    rows = []
    for theme in plan:
        where = rng.randrange(len(building_floors))
        number, floor = building_floors[where]
        title, body = compose(theme, rng, number, floor)
        rows.append((theme, title, body, where))
    return rows


# --- Seeding ---------------------------------------------------------------------------


@dataclass
class DemoResident:
    user: User
    household: Household
    number: int  # building number


REPORT_REASONS = [
    (Report.Reason.PRIVACY, "里面写了邻居的门牌号"),
    (Report.Reason.FALSE, "天台没有搭建，说的不对"),
    (Report.Reason.ABUSE, ""),
    (Report.Reason.SPAM, "像是广告"),
    (Report.Reason.OTHER, "和小区无关"),
]


def status_path(rng: random.Random, age_days: float) -> list[str]:
    """The statuses an idea went through after submitted, older ones further along."""
    if age_days < 7:
        weights = {"submitted": 85, "accepted": 10, "declined": 2, "withdrawn": 3}
    elif age_days < CAMPAIGN_DAYS_AGO:
        weights = {"submitted": 45, "accepted": 20, "in_progress": 15, "done": 8}
        weights |= {"declined": 5, "referred": 4, "withdrawn": 3}
    else:
        weights = {"submitted": 20, "accepted": 12, "in_progress": 15, "done": 33}
        weights |= {"declined": 10, "referred": 6, "withdrawn": 4}
    final = rng.choices(list(weights), weights=list(weights.values()))[0]
    return {
        "submitted": [],
        "accepted": [Status.ACCEPTED],
        "in_progress": [Status.ACCEPTED, Status.IN_PROGRESS],
        "done": [Status.ACCEPTED, Status.IN_PROGRESS, Status.DONE]
        if rng.random() < 0.7
        else [Status.ACCEPTED, Status.DONE],
        "declined": [Status.DECLINED],
        "referred": [Status.REFERRED],
        "withdrawn": [Status.WITHDRAWN],
    }[final]


def staff_reply(rng: random.Random, category: str, status: str) -> str:
    if status == Status.DECLINED:
        return DECLINE_REASONS.get(category, DECLINE_REASONS["default"])
    if status == Status.REFERRED:
        return REFERRAL_REPLY
    replies = STAFF_REPLIES.get(category, DEFAULT_REPLIES).get(status) or DEFAULT_REPLIES[status]
    return rng.choice(replies)
