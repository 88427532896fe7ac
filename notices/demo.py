"""Demo announcements, notifications and reach for ``manage.py seed_demo``.

Idempotent: an announcement whose title exists is left alone. No mail is sent: the
demo's urgent announcement has its deliveries marked as not needed before commit.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from covenant.demo import (
    ADMIN_EMAIL,
    CAPTAIN_EMAILS,
    COMMUNITY_NAME,
    PARTY_EMAILS,
    STEWARD_EMAILS,
)
from covenant.models import Building, Community, Membership
from notices import receivers, services
from notices.models import Announcement, Audience, Delivery, HouseholdReach, Notification

SEED = 20211018

ANNOUNCEMENTS = [
    {
        "author": STEWARD_EMAILS[0],
        "title": "本周三 9:00–15:00 全小区停水",
        "body": (
            "因市政管网维修，**本周三 9:00 至 15:00** 全小区停水。\n\n"
            "- 请提前储水；\n- 恢复供水后先放水几分钟；\n"
            "- 有老人独居的家庭，楼长会上门确认。\n\n如有疑问请致电物业服务中心。"
        ),
        "audience": Audience.ESTATE,
        "pinned": True,
        "read_share": 0.72,
        "attachments": True,
    },
    {
        "author": CAPTAIN_EMAILS[2],
        "title": "3栋电梯年检：周五上午暂停使用",
        "body": "3栋电梯周五 8:30–11:30 年检，期间请走楼梯。需要帮忙搬运的住户请联系楼长。",
        "audience": Audience.BUILDINGS,
        "buildings": [3],
        "read_share": 0.45,
    },
    {
        "author": PARTY_EMAILS[0],
        "title": "台风“海燕”防御提醒",
        "body": "台风预计周六夜间登陆。请收好阳台花盆和杂物，关好门窗，非必要不外出。",
        "audience": Audience.ESTATE,
        "urgent": True,
        "read_share": 0.81,
    },
    {
        "author": ADMIN_EMAIL,
        "title": "碧海花园社区开放日",
        "body": "欢迎邻居和访客参观小区的共建共治成果：文明养宠角、规范停车区和清爽楼道。",
        "audience": Audience.PUBLIC,
        "read_share": 0.3,
    },
    {
        "author": STEWARD_EMAILS[1],
        "title": "下月消防演练安排",
        "body": "下月第一个周日上午举行消防演练，具体安排届时公布。",
        "audience": Audience.ESTATE,
        "later": True,
        "read_share": 0,
    },
]


def seed(*, users, say) -> None:
    rng = random.Random(SEED)
    # The demo estate's own, never "the first estate": the database may hold others
    # (bench_ideas' estate, a second real one).
    estate = Community.objects.get(name=COMMUNITY_NAME)
    buildings = {
        building.number: building for building in Building.objects.filter(community=estate)
    }
    made = 0
    for plan in ANNOUNCEMENTS:
        if Announcement.objects.filter(community=estate, title=plan["title"]).exists():
            continue
        announcement = services.publish(
            author=users[plan["author"]],
            community=estate,
            title=plan["title"],
            body=plan["body"],
            audience=plan["audience"],
            buildings=[buildings[number] for number in plan.get("buildings", [])],
            pinned=plan.get("pinned", False),
            urgent=plan.get("urgent", False),
            publish_at=timezone.now() + datetime.timedelta(days=20) if plan.get("later") else None,
            **(_demo_attachments() if plan.get("attachments") else {}),
        )
        # The demo sends no mail: its addresses are on a reserved domain anyway.
        Delivery.objects.filter(notification__target_id=announcement.pk).update(
            state=Delivery.State.SKIPPED
        )
        _seed_reach(announcement, plan["read_share"], rng, users)
        made += 1
    requests = 0
    if not Notification.objects.filter(kind="membership.requested").exists():
        for membership in Membership.objects.filter(
            status=Membership.Status.REQUESTED, household__building__community=estate
        ).select_related("household__building", "user"):
            receivers.on_membership_requested(Membership, membership=membership)
            requests += 1
    say(
        f"公告 announcements: {Announcement.objects.filter(community=estate).count()} "
        f"(new: {made}); "
        f"通知 notifications: {Notification.objects.count()} (join requests told: {requests})"
    )


def _demo_attachments() -> dict:
    """A drawn notice board photo and a one-page PDF, made here (no files in the repo)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 800), (36, 99, 160))
    draw = ImageDraw.Draw(image)
    draw.rectangle((120, 120, 1080, 680), fill=(250, 248, 240), outline=(179, 38, 30), width=12)
    for row in range(6):
        draw.rectangle((200, 220 + row * 70, 1000 - row * 60, 250 + row * 70), fill=(90, 90, 90))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    pdf = (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )
    return {
        "images": [SimpleUploadedFile("停水示意图.jpg", buffer.getvalue(), "image/jpeg")],
        "pdfs": [SimpleUploadedFile("停水通知（物业盖章版）.pdf", pdf, "application/pdf")],
    }


def _seed_reach(announcement, read_share, rng, users) -> None:
    """Verified households that opened it, and in building 3 some its captain told."""
    if not read_share:
        return
    from notices.selectors import audience_households

    households = list(
        audience_households(announcement)
        .filter(memberships__status=Membership.Status.VERIFIED)
        .distinct()
        .values_list("pk", flat=True)
    )
    read = [pk for pk in households if rng.random() < read_share]
    HouseholdReach.objects.bulk_create(
        [HouseholdReach(announcement=announcement, household_id=pk, method="read") for pk in read],
        ignore_conflicts=True,
        batch_size=500,
    )
    captain = users[CAPTAIN_EMAILS[2]]
    told = [
        pk
        for pk in audience_households(announcement)
        .filter(building__number=3)
        .exclude(pk__in=read)
        .values_list("pk", flat=True)
        if rng.random() < 0.4
    ]
    HouseholdReach.objects.bulk_create(
        [
            HouseholdReach(
                announcement=announcement,
                household_id=pk,
                method=rng.choice(["in_person", "paper"]),
                recorded_by=captain,
            )
            for pk in told
        ],
        ignore_conflicts=True,
    )
    Notification.objects.filter(
        target_id=announcement.pk,
        recipient__memberships__household_id__in=read[: len(read) // 2],
    ).update(read_at=timezone.now())


# --- The second estate (翠湖苑): one announcement, read by some of its households -------

SECOND_ESTATE_ANNOUNCEMENT = {
    "title": "翠湖苑二次供水水箱清洗通知",
    "body": (
        "本周六 8:00–12:00 清洗二次供水水箱，**1–6 栋**届时停水。\n\n"
        "请提前储水；恢复供水后先放水两分钟。"
    ),
    "read_share": 0.55,
}


def seed_second_estate(*, estate, users, say) -> None:
    """翠湖苑's steward tells the whole estate about the water tanks; about half of its
    households with a verified member have read it."""
    from covenant.demo import SECOND_STEWARD_EMAIL

    plan = SECOND_ESTATE_ANNOUNCEMENT
    if Announcement.objects.filter(community=estate, title=plan["title"]).exists():
        say(f"  公告 announcements in {estate.name}: exist; none added")
        return
    announcement = services.publish(
        community=estate,
        author=users[SECOND_STEWARD_EMAIL],
        title=plan["title"],
        body=plan["body"],
        audience=Audience.ESTATE,
    )
    Delivery.objects.filter(notification__target_id=announcement.pk).update(
        state=Delivery.State.SKIPPED
    )
    rng = random.Random(f"{SEED}:second")
    from notices.selectors import audience_households

    households = audience_households(announcement).filter(
        memberships__status=Membership.Status.VERIFIED
    )
    HouseholdReach.objects.bulk_create(
        [
            HouseholdReach(announcement=announcement, household_id=pk, method="read")
            for pk in households.distinct().order_by("pk").values_list("pk", flat=True)
            if rng.random() < plan["read_share"]
        ],
        ignore_conflicts=True,
    )
    say(f"  公告 announcements in {estate.name}: 1 (new: 1)")
