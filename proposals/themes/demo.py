"""Themes and priority work of the demo estate."""

from __future__ import annotations

import time
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from covenant.models import Community, User
from proposals.models import (
    Deliberation,
    Priority,
)
from proposals.models import Theme as IdeaTheme

# --- Themes and priority work ----------------------------------------------------------

# (category, a word its theme shares, title, owner, status, activity category, goals,
#  progress: (days ago, said, did))
PRIORITIES = (
    (
        "pets",
        "牵绳",
        "文明养宠",
        "party1",
        Priority.Status.ACTIVE,
        "pets",
        "居民反映最多的是**遛狗不牵绳**、**狗粪不清理**和**犬吠扰民**。\n\n"
        "- 三个月内制定并公示《碧海花园文明养犬公约》\n"
        "- 每栋楼门口张贴牵绳提示，中心花园设三个拾便袋箱\n"
        "- 志愿者每周两次在遛狗高峰时段劝导",
        (
            (60, "遛狗不牵绳，孩子被吓哭。", "党总支、物业、楼长三方议事，决定起草文明养犬公约。"),
            (
                38,
                "草坪上狗粪太多，踩到好几次。",
                "中心花园和东门草坪设置了三个拾便袋箱，每天补袋。",
            ),
            (12, "晚上七八点大狗乱跑最多。", "红心碧海志愿队开始晚间劝导，两周劝导四十多人次。"),
        ),
    ),
    (
        "parking",
        "停车",
        "规范停车",
        "steward1",
        Priority.Status.ACTIVE,
        "parking",
        "主干道两侧和消防通道**乱停车**，会车困难，消防车进不来。\n\n"
        "- 重新划定停车线，消防通道全线画黄色禁停网格\n"
        "- 外来车辆登记进出，夜间巡查占道车辆\n"
        "- 研究地下车库空置车位低价出租方案，提交业主表决",
        (
            (50, "主干道两边停满车，会车都困难。", "物业重新施划了主干道停车线，禁停路段立牌。"),
            (25, "消防通道经常被占。", "消防通道画上黄色网格，夜间巡查时电话通知车主挪车。"),
        ),
    ),
    (
        "stairwell",
        "杂物",
        "清理楼道杂物",
        "captain03",
        Priority.Status.PLANNED,
        "stairwells",
        "楼道堆放旧家具、纸箱和自行车，**堵住逃生通道**，还有火灾隐患。\n\n"
        "- 楼长逐栋摸排，提前七天张贴清理通知\n"
        "- 物业与志愿者每月一次集中清理，无主物按规定处置\n"
        "- 清理后每季度复查一次",
        ((20, "楼道里堆满纸箱，晚上容易绊倒。", "楼长完成了3栋、5栋的摸排，张贴了清理通知。"),),
    ),
)


# Each priority's deliberation (seeded before the priorities), by their topics.
PRIORITY_DELIBERATIONS = {
    "规范停车": "规范停车：消防通道、车位与充电",
    "文明养宠": "文明养宠公约",
    "清理楼道杂物": "清理楼道杂物",
}


def seed_priorities(*, community: Community, users: dict[str, User], say) -> None:
    """Group the ideas into themes and make the three most-raised ones priority work,
    as the estate did after its drive. Nothing is added if priority work exists."""
    from covenant.demo import demo_email
    from proposals.themes import selectors, services
    from volunteers.selectors import activities_for_linking

    if Priority.objects.filter(community=community).exists():
        say(f"重点工作 priority work: {Priority.objects.count()} (exist; none added)")
        return
    started = time.perf_counter()
    result = services.regroup_ideas(community=community)
    today = timezone.localdate()
    themes = list(
        IdeaTheme.objects.filter(community=community)
        .annotate(
            size=Count("memberships", filter=selectors.counted_in_themes("memberships__idea__"))
        )
        .select_related("category")
        .order_by("-size", "pk")
    )
    for slug, word, title, owner, status, activity_category, goals, progress in PRIORITIES:
        in_category = [theme for theme in themes if theme.category.slug == slug]
        theme = next((t for t in in_category if word in t.shared_keyword_list), None)
        theme = theme or next(iter(in_category), None)
        if theme is None:
            continue
        owner_user = users[demo_email(owner)]
        services.rename_theme(theme=theme, name=title, actor=users[demo_email("steward1")])
        priority = services.promote_theme(
            theme=theme,
            actor=users[demo_email("party1")],
            title=title,
            owner=owner_user,
            goals=goals,
            status=status,
            activities=activities_for_linking(community_id=community.pk).filter(
                category=activity_category
            )[:3],
            deliberations=Deliberation.objects.filter(
                community=community, topic=PRIORITY_DELIBERATIONS[title]
            ),
        )
        for days_ago, said, did in progress:
            services.add_progress(
                priority=priority,
                author=owner_user,
                happened_on=today - timedelta(days=days_ago),
                you_said=said,
                we_did=did,
            )
    say(
        f"主题 themes: {result.themes} from {result.ideas} ideas; 重点工作 priority work: "
        f"{Priority.objects.filter(community=community).count()} "
        f"in {time.perf_counter() - started:.1f} s"
    )
