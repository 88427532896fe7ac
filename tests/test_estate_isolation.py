"""Two estates on one site, A (甲园小区) and B (乙苑小区): nothing of A reaches anyone of B.

The suite walks every URL pattern of the site itself (the portal's, allauth's and the
admin's), fills each pattern's arguments with A's objects, and requests it with GET and
POST as each person of B: a resident, a captain, a steward, a Party branch member and an
admin (who is staff, so the admin is reached too). For each request:

- **read**: no text of A appears in the response (its body, a file inside an xlsx, its
  headers). Every text of A carries the mark 甲园: names, titles, bodies, notes; A's
  people's addresses end in @estate-a.example;
- **changed**: none of A's rows differs afterwards, and no new row points at one of A's
  rows (a foreign key, or a generic reference such as a notification's target);
- **opened**: a GET of a URL naming one of A's objects does not succeed (2xx);
- **counted or listed**: a page that succeeds without naming A's objects looks the same
  after A gets a second helping of everything (another idea, deliberation, vote,
  announcement, activity, ...): A's rows change nothing B sees, counts included.

Every pattern must be classified below (why it exists and how it is checked) and its
arguments fillable, or its test fails with the pattern's name: a new URL cannot be left
out. Tokens (unsubscribe, calendar feed, check-in, open-data links, allauth's keys) are
A's own; where the token is the permission by design (a bearer link), B's person must get
nothing more than a visitor holding the same token.

The two estates are built once for the module, in a transaction rolled back at its end;
each test rolls back to that state.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.test import Client, TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from PIL import Image

from covenant.models import Community, District, Household, Membership, Party, Role, User
from notices import relay
from notices import services as notices_services
from notices.models import Audience, Digest, Notification
from proposals.deliberations import services as deliberations_services
from proposals.ideas import services as ideas_services
from proposals.insight import services as insight_services
from proposals.models import (
    Campaign,
    IdeaBoxSettings,
    OwnersVote,
    ReplyTemplate,
    Theme,
    ThemeMembership,
)
from proposals.moderation import services as moderation_services
from proposals.themes import services as themes_services
from proposals.triage import services as triage_services
from proposals.votes import services as votes_services
from tests.factories import (
    BuildingFactory,
    HouseholdFactory,
    MembershipFactory,
    RoleGrantFactory,
    UserFactory,
)
from tests.proposals.factories import seeded_category
from volunteers import captain_inbox
from volunteers import services as volunteers_services
from volunteers.models import Activity, ServiceEntry

pytestmark = pytest.mark.django_db

MARK = "甲园"  # in every text of estate A
A_DOMAIN = "estate-a.example"  # A's people's addresses
PERSONAS = ("resident", "captain", "steward", "party", "admin")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# --- The two estates --------------------------------------------------------------------


@dataclass
class Estate:
    estate: Community
    building: object
    homes: dict[str, Household]
    people: dict[str, User]


@dataclass
class World:
    a: Estate
    b: Estate
    district: District
    objects: dict[str, object] = field(default_factory=dict)  # A's object of each kind
    tokens: dict[str, str] = field(default_factory=dict)  # A's tokens, by pattern
    # A's rows are those made after B's: model → the last pk before A, the last pk of all.
    a_rows: dict[type, tuple[object, object]] = field(default_factory=dict)
    # The rows of A's second helping (everything again): (table, key column, last pk before).
    second_helping: list[tuple[str, str, int]] = field(default_factory=list)
    a_snapshot: dict[str, list] = field(default_factory=dict)  # A's rows as built


def _estate(name: str, letter: str, prefix: str, district: District) -> Estate:
    estate = Community.objects.create(name=name, address=f"{prefix}路1号", district=district)
    building = BuildingFactory(community=estate, number=1, floor_count=6)
    homes = {
        key: HouseholdFactory(building=building, floor=floor, unit=f"0{floor}01")
        for key, floor in (("resident", 1), ("captain", 2), ("volunteer", 3), ("spare", 5))
    }
    homes["newcomer"] = HouseholdFactory(building=building, floor=4, unit="0401")
    people = {}
    for key, role in (
        ("resident", None),
        ("captain", Role.CAPTAIN),
        ("steward", Role.PROPERTY_STAFF),
        ("party", Role.PARTY_BRANCH),
        ("admin", Role.COMMUNITY_ADMIN),
    ):
        user = UserFactory(
            email=f"{key}@estate-{letter}.example",
            name=f"{prefix}{key}",
            is_staff=key == "admin",
        )
        if role is not None:
            RoleGrantFactory(
                user=user,
                community=estate,
                role=role,
                building=building if role == Role.CAPTAIN else None,
            )
        if key in homes:
            MembershipFactory(user=user, household=homes[key], verified=True)
        people[key] = user
    return Estate(estate, building, homes, people)


def _a_people(a: Estate) -> None:
    """A's volunteer and newcomer (an unconfirmed address, a request waiting)."""
    volunteer = UserFactory(email=f"volunteer@{A_DOMAIN}", name=f"{MARK}志愿者")
    MembershipFactory(user=volunteer, household=a.homes["volunteer"], verified=True)
    newcomer = UserFactory(email=f"newcomer@{A_DOMAIN}", name=f"{MARK}新住户", verified_email=False)
    EmailAddress.objects.create(user=newcomer, email=newcomer.email, verified=False, primary=True)
    a.people.update(volunteer=volunteer, newcomer=newcomer)


def _photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "blue").save(buffer, format="PNG")
    return SimpleUploadedFile(f"{MARK}照片.png", buffer.getvalue(), content_type="image/png")


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def _a_content(a: Estate, mark: str = "", *, full: bool = True) -> dict[str, object]:
    """One of A's objects of every kind; again with another `mark` for the second
    helping (without the one-of-a-kind rows: files, applications, digests)."""
    people = {key: _fresh(user) for key, user in a.people.items()}
    resident, captain, steward = people["resident"], people["captain"], people["steward"]
    party, admin, volunteer = people["party"], people["admin"], people["volunteer"]
    now = timezone.now()
    facilities = seeded_category("facilities")
    made: dict[str, object] = {}

    idea = ideas_services.submit_idea(
        author=resident,
        title=f"{MARK}的金点子{mark}：湖边加装路灯",
        body=f"{MARK}湖边晚上太暗{mark}。",
        category=facilities,
    )
    made["idea"] = idea
    if full:  # a real file, re-encoded by the task (run at once here)
        made["photo"] = ideas_services.attach_photos(idea=idea, photos=[_photo()])[0]
    made["comment"] = ideas_services.add_comment(
        idea=idea, author=captain, body=f"{MARK}楼长的评论{mark}"
    )
    # Reported, so it waits in A's moderation queue (and its badge).
    moderation_services.report_item(
        reporter=volunteer, item=made["comment"], reason="other", note=f"{MARK}举报{mark}"
    )
    triage_services.post_public_reply(idea=idea, actor=steward, text=f"{MARK}物业的答复{mark}")
    triage_services.add_staff_note(idea=idea, author=steward, body=f"{MARK}内部备注{mark}")
    ideas_services.set_support(idea=idea, user=volunteer, supported=True)

    deliberation = deliberations_services.open_deliberation(
        opener=party, community=a.estate, topic=f"{MARK}议事{mark}", background=f"{MARK}背景"
    )
    made["deliberation"] = deliberation
    made["seat"] = deliberations_services.name_representative(
        deliberation=deliberation, user=captain, party=Party.RESIDENTS, actor=party
    )
    deliberations_services.name_representative(
        deliberation=deliberation, user=steward, party=Party.PROPERTY, actor=party
    )
    deliberations_services.link_ideas(deliberation=deliberation, ideas=[idea], actor=party)
    made["post"] = deliberations_services.add_deliberation_post(
        deliberation=deliberation,
        author=party,
        body=f"{MARK}党总支发言{mark}",
        kind="representative",
        party=Party.PARTY_BRANCH,
    )
    made["meeting"] = deliberations_services.schedule_meeting(
        deliberation=deliberation,
        actor=party,
        starts_at=now + datetime.timedelta(days=3),
        place=f"{MARK}会议室{mark}",
        agenda=f"{MARK}议程",
    )
    deliberations_services.propose_resolution(
        deliberation=deliberation, author=party, text=f"{MARK}决议{mark}"
    )
    deliberation.refresh_from_db()
    made["action_item"] = deliberations_services.add_action_item(
        resolution=deliberation.resolution,
        title=f"{MARK}行动项{mark}",
        owner_party=Party.PROPERTY,
        owner=steward,
        due_on=timezone.localdate() + datetime.timedelta(days=30),
        actor=steward,
    )

    vote = votes_services.create_vote(
        community=a.estate,
        title=f"{MARK}表决{mark}",
        question=f"{MARK}是否同意{mark}？",
        matter=OwnersVote.Matter.ORDINARY,
        closes_at=now + datetime.timedelta(days=14),
        created_by=admin,
    )
    made["vote"] = vote = votes_services.open_vote(vote_id=vote.pk, actor=admin)
    made["ballot"] = votes_services.cast_ballot(
        vote=vote, household=a.homes["resident"], user=resident, choice="agree"
    )

    theme = Theme.objects.create(community=a.estate, category=facilities, name=f"{MARK}主题{mark}")
    ThemeMembership.objects.create(theme=theme, idea=idea)
    made["theme"] = theme
    made["priority"] = priority = themes_services.promote_theme(
        theme=theme,
        actor=party,
        title=f"{MARK}重点工作{mark}",
        owner=steward,
        goals=f"{MARK}目标",
        deliberations=[deliberation],
    )
    themes_services.add_progress(
        priority=priority, author=steward, happened_on=timezone.localdate(), we_did=f"{MARK}进展"
    )
    made["open_data_link"] = insight_services.create_open_data_link(
        community=a.estate, label=f"{MARK}街道办{mark}", actor=admin
    )

    files = {"images": [_photo()], "pdfs": [SimpleUploadedFile(f"{MARK}.pdf", PDF)]}
    announcement = notices_services.publish(
        community=a.estate,
        author=steward,
        title=f"{MARK}公告{mark}：停水",
        body=f"{MARK}周三停水{mark}。",
        audience=Audience.BUILDINGS,
        buildings=[a.building],
        **(files if full else {}),
    )
    made["announcement"] = announcement
    notices_services.mark_reached(
        actor=captain, announcement=announcement, household=a.homes["spare"], method="in_person"
    )

    made["membership"] = Membership.objects.create(
        user=people["newcomer"],
        household=a.homes["newcomer"] if full else a.homes["spare"],
        relation=Membership.Relation.TENANT,
        message=f"{MARK}新住户的留言{mark}",
    )
    activity = volunteers_services.create_activity(
        organiser=captain,
        title=f"{MARK}楼道清理{mark}",
        description=f"{MARK}活动说明",
        category=Activity.Category.STAIRWELLS,
        starts_at=now + datetime.timedelta(days=2),
        ends_at=now + datetime.timedelta(days=2, hours=2),
        place=f"{MARK}1栋",
        capacity=5,
        community=a.estate,
    )
    made["activity"] = activity
    made["signup"] = volunteers_services.sign_up(activity_id=activity.pk, user=volunteer)
    made["captain_message"] = captain_inbox.message_captain(
        sender=resident, captain=captain, household=a.homes["resident"], body=f"{MARK}留言{mark}"
    )
    made["service_entry"] = ServiceEntry.objects.create(
        user=volunteer, served_on=timezone.localdate(), hours=Decimal("2"), note=f"{MARK}{mark}"
    )
    if full:
        made["attachment"] = announcement.attachments.get(kind="image")
        made["notification"] = Notification.objects.filter(recipient=resident).latest("pk")
        made["digest"] = Digest.objects.create(
            user=resident, frequency="daily", period=timezone.localdate()
        )
        made["applicant"] = volunteers_services.apply_to_team(
            user=resident,
            skills=f"{MARK}急救",
            availability=f"{MARK}周末",
            roster_name=f"{MARK}王姨",
        )
        volunteers_services.apply_to_team(user=volunteer, skills=f"{MARK}摄影", availability="")
        volunteers_services.approve_volunteer(
            volunteer_id=volunteer.volunteer.pk, actor=people["party"]
        )
        made["campaign"] = Campaign.objects.create(
            community=a.estate,
            created_by=admin,
            title=f"{MARK}征集",
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate() + datetime.timedelta(days=30),
        )
        made["idea_box_settings"] = IdeaBoxSettings.objects.get_or_create(community=a.estate)[0]
    return made


def _tokens(world: World) -> dict[str, str]:
    a, objects = world.a, world.objects
    reset_user = a.people["resident"]
    confirmation = EmailAddress.objects.get(user=a.people["newcomer"])
    feed = volunteers_services.calendar_feed_of(user=a.people["volunteer"])
    link = objects["open_data_link"]
    relay_link = relay.links_for(announcement=objects["announcement"], buildings=[a.building])[
        a.building.pk
    ]
    return {
        "relay:open": relay_link.token,
        "notices:unsubscribe": notices_services.unsubscribe_token(
            user=a.people["resident"], kind="announcement.published"
        ),
        "volunteers:calendar_feed": feed.token,
        "volunteers:check_in_scan": volunteers_services.check_in_token(objects["signup"]),
        "proposals:open_data_shared_csv": link.token,
        "proposals:open_data_shared_json": link.token,
        "account_confirm_email": EmailConfirmationHMAC(confirmation).key,
        "uidb36": user_pk_to_url_str(reset_user),
        "reset_key": default_token_generator.make_token(reset_user),
    }


def _last_pks() -> dict[type, object]:
    return {
        model: model.objects.order_by("-pk").values_list("pk", flat=True).first()
        for model in _models()
    }


def _models() -> list[type]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


LINKED: list = []  # filled with the world


def _newer(model, since) -> models.QuerySet:
    rows = model.objects.all()
    return rows if since is None else rows.filter(pk__gt=since)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("isolation")
    settings = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=media / "media",
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            "quarantine": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": media / "quarantine", "base_url": None},
            },
        },
        NOTICES_PRIVATE_ROOT=media / "private",
        IDEAS_PRIVATE_ROOT=media / "ideas",
        CELERY_TASK_ALWAYS_EAGER=True,
    )
    from covenant.celery import app as celery_app

    eager_before = celery_app.conf.task_always_eager
    with django_db_blocker.unblock(), settings:
        celery_app.conf.task_always_eager = True
        # Marked as a test case's block, so services' durable transactions nest in it.
        outer = transaction.atomic()
        outer._from_testcase = True
        outer.__enter__()
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                district = District.objects.create(name="测试社区")
                category = seeded_category("facilities")
                b = _estate("乙苑小区", "b", "乙苑", district)
                ideas_services.submit_idea(
                    author=b.people["resident"],
                    title="乙苑的金点子",
                    body="乙苑的路灯。",
                    category=category,
                )
                ReplyTemplate.objects.get_or_create(
                    title="通用答复", defaults={"body": "已收到，正在处理。"}
                )
                Group.objects.get_or_create(name="编辑")
                before_a = _last_pks()
                a = _estate("甲园小区", "a", MARK, district)
                _a_people(a)
                world = World(a=a, b=b, district=district)
                world.objects = _a_content(a)
                world.tokens = _tokens(world)
                world.objects.update(
                    building=a.building,
                    household=a.homes["resident"],
                    statement_user=a.people["volunteer"],
                    category=category,
                    reply_template=ReplyTemplate.objects.first(),
                    group=Group.objects.get(name="编辑"),
                    district=district,
                    estate=a.estate,
                    user=a.people["resident"],
                    email_address=EmailAddress.objects.get(user=a.people["resident"]),
                    role_grant=a.people["captain"].role_grants.get(),
                    delivery=_any_delivery(a),
                )
                before_second = _last_pks()
                _a_content(a, "·二", full=False)
            last = _last_pks()
            world.a_rows = {
                model: (before_a[model], last[model])
                for model in _models()
                if last[model] is not None and last[model] != before_a[model]
            }
            world.second_helping = [
                (model._meta.db_table, model._meta.pk.column, before_second[model] or 0)
                for model in _models()
                if _integer_pk(model) and last[model] != before_second[model]
            ]
            world.a_snapshot = snapshot(world)
            world.last_pk = last
            LINKED[:] = _linked_models(world)
            yield world
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            celery_app.conf.task_always_eager = eager_before


def _any_delivery(a: Estate):
    from notices.models import Delivery

    delivery = Delivery.objects.filter(notification__recipient__in=a.people.values()).first()
    if delivery is None:
        notification = Notification.objects.filter(recipient=a.people["resident"]).first()
        delivery = Delivery.objects.create(notification=notification)
    return delivery


# --- The URL patterns, each classified ---------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # the pattern's name, or its route where it has none
    route: str
    kwargs: tuple[str, ...]
    defaults: dict
    model_admin: object | None


def _walk(patterns, prefix="", namespace=None, defaults=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(
                pattern.url_patterns,
                prefix + str(pattern.pattern),
                inner,
                {**(defaults or {}), **pattern.default_kwargs},
            )
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield Route(
                key=name or route,
                route=route,
                kwargs=tuple(pattern.pattern.regex.groupindex),
                defaults={**(defaults or {}), **pattern.default_args},
                model_admin=getattr(pattern.callback, "model_admin", None),
            )


ROUTES = {route.key: route for route in _walk(get_resolver().url_patterns)}


@dataclass(frozen=True)
class Rule:
    why: str
    bearer: bool = False  # the token in the address is the permission: B gets what a visitor gets
    may_show: tuple[str, ...] = ()  # texts of A that may appear, by design
    may_add: tuple[str, ...] = ()  # models whose new rows may point at A, by design
    query: tuple[tuple[str, str], ...] | None = None  # the GET's query string (default below)
    site_wide: bool = False  # the object in its address is the whole site's, not A's


ESTATE = Rule("the estate's own pages: B's people reach nothing of A")
OWN = Rule("the signed-in person's own pages and actions: nothing of A in them")
PUBLIC = Rule("public by design, the same for everyone: nothing of A in it")
SIGN_IN = Rule("allauth's account pages: B's person's own account, nothing of A")
BEARER = Rule("a token link: whoever holds A's token gets what a visitor with it gets", True)
ADMIN = Rule("the admin: staff of B reach nothing of A (changelists, forms, actions)")
SITE_WIDE = Rule(
    "the admin of site-wide records (categories, reply templates, groups, communities): "
    "their pages show none of A's rows",
    site_wide=True,
)

CLASSIFIED: dict[str, Rule] = {
    # covenant
    "home": PUBLIC,
    "privacy": PUBLIC,
    "healthz": PUBLIC,
    "set_language": OWN,
    "choose_estate": OWN,
    "elders_mode": OWN,
    "profile": OWN,
    "personal_data_download": OWN,
    "delete_account": OWN,
    "join_household": Rule(
        "joining: any estate's buildings are offered, so a newcomer finds their home; "
        "asking to join a unit of A is how one joins A (its captain decides)",
        may_show=("甲园小区",),
        may_add=("covenant.membership", "covenant.membershipevent"),
    ),
    "my_memberships": OWN,
    "membership_queue": ESTATE,
    "membership_detail": ESTATE,
    "membership_verify": ESTATE,
    "membership_reject": ESTATE,
    "membership_withdraw": ESTATE,
    # allauth
    "account_login": SIGN_IN,
    "account_logout": SIGN_IN,
    "account_inactive": SIGN_IN,
    "account_signup": SIGN_IN,
    "account_reauthenticate": SIGN_IN,
    "account_email": SIGN_IN,
    "account_email_verification_sent": SIGN_IN,
    "account_change_password": SIGN_IN,
    "account_set_password": SIGN_IN,
    "account_reset_password": SIGN_IN,
    "account_request_login_code": SIGN_IN,
    "account_confirm_login_code": SIGN_IN,
    "account_reset_password_from_key_done": SIGN_IN,
    "account_reset_password_done": SIGN_IN,
    "account_confirm_email": BEARER,
    "account_reset_password_from_key": BEARER,
    # notices
    "notices:inbox": OWN,
    "notices:mark_all_read": OWN,
    "notices:unread_badge": OWN,
    "notices:open": ESTATE,
    "notices:mark_read": ESTATE,
    "notices:preferences": OWN,
    "notices:unsubscribe": BEARER,
    "notices:announcement_list": ESTATE,
    "notices:announcement_create": ESTATE,
    "notices:estate_coverage": ESTATE,
    "notices:announcement_detail": ESTATE,
    "notices:announcement_edit": ESTATE,
    "notices:announcement_withdraw": ESTATE,
    "notices:attachment": ESTATE,
    "notices:attachment_thumbnail": ESTATE,
    "notices:announcement_print": ESTATE,
    "notices:door_knock": ESTATE,
    "notices:mark_household": ESTATE,
    "notices:coverage": ESTATE,
    "notices:relay": ESTATE,
    "relay:open": Rule(
        "a building group's short link: A's link sends B's people on to A's announcement, "
        "which refuses them; nothing is counted for them"
    ),
    # proposals (the rest are the estate's by default, below)
    "proposals:comment_reply": ESTATE,
    # volunteers
    "volunteers:calendar_feed": BEARER,
    "volunteers:check_in_scan": ESTATE,
    "volunteers:captain_reply": ESTATE,
    "proposals:open_data_shared_csv": BEARER,
    "proposals:open_data_shared_json": BEARER,
    # the admin's own pages
    "admin:index": ADMIN,
    "admin:login": SIGN_IN,
    "admin:logout": SIGN_IN,
    "admin:password_change": SIGN_IN,
    "admin:password_change_done": SIGN_IN,
    "admin:jsi18n": PUBLIC,
    "admin:app_list": ADMIN,
    "admin:view_on_site": Rule("the admin's redirect to an object's page (which checks)"),
    "admin:auth_user_password_change": ADMIN,
    "admin:autocomplete": Rule(
        "the admin's autocomplete: B's staff find none of A's people",
        query=(
            ("app_label", "covenant"),
            ("model_name", "membership"),
            ("field_name", "user"),
            ("term", ""),
        ),
    ),
    "admin/(?P<url>.*)$": Rule("the admin's catch-all for unknown addresses"),
}
# The rest of the portal's apps: every page is the estate's.
for _key in ROUTES:
    if _key.split(":")[0] in ("proposals", "votes", "priorities", "volunteers"):
        CLASSIFIED.setdefault(_key, ESTATE)

# The admin's pages of each model: A's object of that model fills object_id.
ADMIN_MODELS: dict[str, tuple[str, Rule]] = {
    "covenant.user": ("user", ADMIN),
    "covenant.community": ("estate", ADMIN),
    "covenant.building": ("building", ADMIN),
    "covenant.household": ("household", ADMIN),
    "covenant.membership": ("membership", ADMIN),
    "covenant.rolegrant": ("role_grant", ADMIN),
    "covenant.district": ("district", SITE_WIDE),
    "account.emailaddress": ("email_address", ADMIN),
    "auth.group": ("group", SITE_WIDE),
    "proposals.category": ("category", SITE_WIDE),
    "proposals.replytemplate": ("reply_template", SITE_WIDE),
    "proposals.campaign": ("campaign", ADMIN),
    "proposals.ideaboxsettings": ("idea_box_settings", ADMIN),
    "proposals.deliberation": ("deliberation", ADMIN),
    "proposals.ownersvote": ("vote", ADMIN),
    "proposals.priority": ("priority", ADMIN),
    "volunteers.volunteer": ("applicant", ADMIN),
    "volunteers.activity": ("activity", ADMIN),
    "volunteers.serviceentry": ("service_entry", ADMIN),
    "notices.announcement": ("announcement", ADMIN),
    "notices.notification": ("notification", ADMIN),
    "notices.delivery": ("delivery", ADMIN),
    "notices.digest": ("digest", ADMIN),
}

# The admin's pages of an object that are not a model admin's own.
ADMIN_PAGES_OF = {
    "admin:auth_user_password_change": "covenant.user",
    "admin:view_on_site": "covenant.membership",
}

# Which of A's objects fills each argument of the portal's patterns.
KWARG_OBJECTS = {
    "membership_id": "membership",
    "idea_id": "idea",
    "photo_id": "photo",
    "comment_id": "comment",
    "deliberation_id": "deliberation",
    "seat_id": "seat",
    "meeting_id": "meeting",
    "item_id": "action_item",
    "vote_id": "vote",
    "theme_id": "theme",
    "priority_id": "priority",
    "link_id": "open_data_link",
    "announcement_id": "announcement",
    "attachment_id": "attachment",
    "household_id": "household",
    "notification_id": "notification",
    "volunteer_id": "applicant",
    "activity_id": "activity",
    "signup_id": "signup",
    "user_id": "statement_user",
    "building_id": "building",
    "message_id": "captain_message",
}


def _admin_model(route: Route) -> str | None:
    if route.model_admin is not None:
        return route.model_admin.model._meta.label_lower
    match = re.match(r"admin/(\w+)/(\w+)/<path:object_id>/$", route.route)
    return f"{match[1]}.{match[2]}" if match else None


def rule_of(route: Route) -> Rule | None:
    if route.key in CLASSIFIED:
        return CLASSIFIED[route.key]
    model = _admin_model(route)
    if model in ADMIN_MODELS:
        return ADMIN_MODELS[model][1]
    return None


def fill(route: Route, world: World) -> dict[str, object] | None:
    """The pattern's arguments from A's objects and tokens; None if one cannot be filled."""
    kwargs = {}
    for name in route.kwargs:
        if name == "token":
            value = world.tokens.get(route.key)
        elif name == "key":
            value = world.tokens.get(
                "account_confirm_email" if route.key == "account_confirm_email" else "reset_key"
            )
        elif name == "uidb36":
            value = world.tokens["uidb36"]
        elif name in ("year", "month"):
            today = timezone.localdate()
            value = today.year if name == "year" else today.month
        elif name in ("object_id", "id"):  # the admin's pages of an object
            model = _admin_model(route) or ADMIN_PAGES_OF[route.key]
            kind = ADMIN_MODELS.get(model, (None,))[0]
            value = getattr(world.objects.get(kind), "pk", None)
        elif name == "content_type_id":
            value = ContentType.objects.get_for_model(Membership).pk
        elif name == "app_label":
            value = "covenant"
        elif name == "url":
            value = f"{MARK}/"
        else:
            value = getattr(world.objects.get(KWARG_OBJECTS.get(name, "")), "pk", None)
        if value is None:
            return None
        kwargs[name] = value
    return kwargs


def _address(route: Route, kwargs: dict) -> str:
    """The route with its arguments put in (reverse() cannot name the unnamed ones)."""
    path = route.route

    def put(match):
        return str(kwargs[match["name"]])

    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", put, path)
    path = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", put, path)
    path = path.replace("^", "").replace("$", "")
    path = re.sub(r"\((\w+)(\|\w+)*\)", lambda match: match[1], path)
    return "/" + path


# --- What a response shows, and what changed ----------------------------------------------


def body_of(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:2] == b"PK":  # an xlsx: its sheets' XML
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            body = b"".join(archive.read(name) for name in archive.namelist())
    return body.decode("utf-8", "replace")


def text_of(response) -> str:
    """All a response shows: its headers (a file's name, a redirect's address) and body."""
    headers = "\n".join(f"{name}: {value}" for name, value in response.headers.items())
    return headers + "\n" + body_of(response)


def a_texts(text: str, rule: Rule) -> list[str]:
    """What of A the text shows: each mark with a little of its context."""
    for allowed in rule.may_show:
        text = text.replace(allowed, "")
    found = []
    for needle in (MARK, A_DOMAIN):
        found += [text[max(0, m.start() - 20) : m.end() + 30] for m in re.finditer(needle, text)]
    return found


def _of_a(model, bounds) -> models.QuerySet:
    low, high = bounds
    rows = model.objects.filter(pk__lte=high)
    return rows if low is None else rows.filter(pk__gt=low)


def snapshot(world: World) -> dict[str, list]:
    """A's rows, as they are now."""
    return {
        model._meta.label_lower: sorted(_of_a(model, bounds).values_list(), key=str)
        for model, bounds in world.a_rows.items()
    }


def _linked_models(world: World) -> list[tuple[type, list, list]]:
    """The models whose rows can point at A's: (model, foreign keys, generic references)."""
    linked = []
    for model in _models():
        if model in (Session, LogEntry):
            continue
        links = [
            f
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model in world.a_rows
        ]
        generic = [f for f in model._meta.private_fields if isinstance(f, GenericForeignKey)]
        if (links or generic) and _integer_pk(model):
            linked.append((model, links, generic))
    return linked


def _integer_pk(model) -> bool:
    return isinstance(model._meta.pk, (models.AutoField, models.BigAutoField))


def _grown(world: World, linked) -> list[tuple[type, list, list]]:
    """Of the linked models, those with rows newer than the world's: one query."""
    quote = connection.ops.quote_name
    parts = [
        f"SELECT {n} AS i, MAX({quote(model._meta.pk.column)}) AS m FROM {quote(model._meta.db_table)}"
        for n, (model, _links, _generic) in enumerate(linked)
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        highest = dict(cursor.fetchall())
    return [
        entry
        for n, entry in enumerate(linked)
        if highest.get(n) is not None and highest[n] > (world.last_pk[entry[0]] or 0)
    ]


def new_rows_pointing_at_a(world: World, rule: Rule) -> list[str]:
    """New rows (made after the world was built) whose foreign key or generic reference
    names one of A's rows."""
    found = []
    for model, links, generic in _grown(world, LINKED):
        label = model._meta.label_lower
        if label in rule.may_add:
            continue
        for row in _newer(model, world.last_pk[model]):
            for f in links:
                value = getattr(row, f.attname)
                if value is not None and _is_a(world, f.related_model, value):
                    found.append(f"{label} {row.pk}.{f.name} → A's {f.related_model.__name__}")
            for f in generic:
                kind = getattr(row, model._meta.get_field(f.ct_field).attname)
                target = kind and ContentType.objects.get_for_id(kind).model_class()
                object_id = getattr(row, f.fk_field)
                if target in world.a_rows and _is_a(world, target, int(object_id)):
                    found.append(f"{label} {row.pk}.{f.name} → A's {target.__name__}")
    return found


def _is_a(world: World, model, pk) -> bool:
    low, high = world.a_rows.get(model, (None, None))
    return high is not None and (low is None or pk > low) and pk <= high


def changes(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after.get(label)]


# "2 分钟" / "2 minutes" (Django's timesince, with its no-break space): it ticks over between
# two reads of the same page when a minute ends in between.
RELATIVE_TIME = re.compile(
    r"\d+\xa0(?:分钟|小时|日|天|周|月|年|minutes?|hours?|days?|weeks?|months?|years?)"
)


def comparable(response) -> str:
    """What a page shows, without what differs on every request (CSRF tokens, nonces,
    the dates in the headers and in an XLSX file's properties, how long ago something
    happened)."""
    kept = [f"{name}: {response.headers.get(name)}" for name in ("Location", "Content-Disposition")]
    text = "\n".join(kept) + "\n" + body_of(response)
    text = re.sub(r'(csrfmiddlewaretoken" value=")[^"]+', r"\1", text)
    text = re.sub(r'("X-CSRFToken": ")[^"]+', r"\1", text)
    # An XLSX file says when it was made, to the second.
    text = re.sub(r'(xsi:type="dcterms:W3CDTF">)[^<]+', r"\1", text)
    text = RELATIVE_TIME.sub("…", text)
    return re.sub(r'(nonce=")[^"]+', r"\1", text)


def post_data(world: World, route: Route) -> dict[str, object]:
    """A form as B's person might send it, naming A's objects wherever a form names one."""
    o, a = world.objects, world.a
    soon = (timezone.localtime() + datetime.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    later = (timezone.localtime() + datetime.timedelta(days=5, hours=2)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "estate": a.estate.pk,
        "community": a.estate.pk,
        "building": a.building.pk,
        "buildings": [a.building.pk],
        "floor": 1,
        "household": a.homes["resident"].pk,
        "idea": o["idea"].pk,
        "ideas": [o["idea"].pk],
        "original": o["idea"].pk,
        "parent": o["comment"].pk,
        "deliberation": o["deliberation"].pk,
        "deliberations": [o["deliberation"].pk],
        "activity": o["activity"].pk,
        "activities": [o["activity"].pk],
        "theme": o["theme"].pk,
        "target": o["theme"].pk,
        "user": a.people["resident"].pk,
        "owner": a.people["steward"].pk,
        "assignee": a.people["steward"].pk,
        "captain": a.people["captain"].pk,
        "category": o["category"].pk,
        "priority": 2,
        "title": "乙苑的标题",
        "body": "乙苑的正文",
        "text": "乙苑的文字",
        "reason": "乙苑的理由",
        "label": "乙苑",
        "topic": "乙苑的议题",
        "question": "乙苑的问题？",
        "agenda": "乙苑的议程",
        "place": "乙苑",
        "goals": "乙苑的目标",
        "we_did": "乙苑做了",
        "note": "乙苑",
        "message": "乙苑",
        "public_reply": "乙苑的答复",
        "minutes": "乙苑的纪要",
        "progress_note": "乙苑",
        "name": "乙苑",
        "matter": "ordinary",
        "choice": "agree",
        "decision": "agree",
        "status": "done",
        "to_status": "done",
        "party": Party.RESIDENTS,
        "relation": "owner",
        "audience": Audience.ESTATE,
        "method": "in_person",
        "starts_at": soon,
        "ends_at": later,
        "closes_at": later,
        "due_on": timezone.localdate().isoformat(),
        "happened_on": timezone.localdate().isoformat(),
        "capacity": 5,
        "next": "/",
        "language": "en",
        "email": "new@estate-b.example",
    }
    model = _admin_model(route)
    if model in ADMIN_MODELS:
        kind = ADMIN_MODELS[model][0]
        data.update(action="delete_selected", _selected_action=[o[kind].pk], post="yes")
    return data


def default_query(world: World) -> dict[str, object]:
    """Every GET names A's estate and objects in its query string as well: a filter must not
    reach them either."""
    o = world.objects
    return {
        "estate": world.a.estate.pk,
        "district": world.district.pk,
        "building": world.a.building.pk,
        "deliberation": o["deliberation"].pk,
        "idea": o["idea"].pk,
        "activity": o["activity"].pk,
    }


# --- The tests ---------------------------------------------------------------------------


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _request(client: Client, method: str, address: str, data: dict):
    if method == "get":
        return client.get(address, data)
    return client.post(address, data)


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)

    def add(self, what: str, items) -> None:
        if items:
            shown = "; ".join(repr(item) for item in list(items)[:3])
            more = f" (and {len(items) - 3} more)" if len(items) > 3 else ""
            self.problems.append(f"{what}: {shown}{more}")


def _check_one(world: World, route: Route, rule: Rule, client: Client, label: str) -> Findings:
    findings = Findings()
    address = _address(route, fill(route, world))
    names_a = not rule.site_wide and any(
        name in KWARG_OBJECTS or name in ("object_id", "id") for name in route.kwargs
    )
    query = _query(world, route, rule)

    response = client.get(address, query)
    findings.add(f"GET {label} shows A's", a_texts(text_of(response), rule))
    if names_a and 200 <= response.status_code < 300:
        findings.add(f"GET {label} opens A's object", [response.status_code])
    if not names_a and response.status_code == 200:
        findings.add(f"GET {label} counts or lists A's", _counted(world, client, address, query))

    sent_to_sign_in = _to_sign_in(response)
    response = client.post(address, post_data(world, route))
    findings.add(f"POST {label} shows A's", a_texts(text_of(response), rule))

    if sent_to_sign_in and _to_sign_in(response):
        return findings  # refused before the view ran: nothing was done
    findings.add(f"{label} changed A's rows", changes(world.a_snapshot, snapshot(world)))
    findings.add(f"{label} added rows pointing at A", new_rows_pointing_at_a(world, rule))
    return findings


def _to_sign_in(response) -> bool:
    location = response.headers.get("Location", "")
    return response.status_code == 302 and location.startswith(
        ("/accounts/login/", "/admin/login/")
    )


def _query(world: World, route: Route, rule: Rule) -> dict:
    if rule.query is not None:
        return dict(rule.query)
    return {} if route.key.startswith("admin") else default_query(world)


def _counted(world: World, client: Client, address: str, query: dict) -> list[str]:
    """Whether the page changes when A's second helping (everything again) is taken away.
    The first GET has been made: a page that changes on being read has done so."""
    with_both = comparable(client.get(address, query))
    savepoint = transaction.savepoint_create()
    try:
        with connection.cursor() as cursor:
            quote = connection.ops.quote_name
            for table, column, last in world.second_helping:
                cursor.execute(f"DELETE FROM {quote(table)} WHERE {quote(column)} > %s", [last])
        with_one = comparable(client.get(address, query))
    finally:
        transaction.savepoint_rollback(savepoint)
    return [] if with_both == with_one else [_first_difference(with_one, with_both)]


def _first_difference(first: str, second: str) -> str:
    at = next((i for i, (x, y) in enumerate(zip(first, second, strict=False)) if x != y), None)
    at = min(len(first), len(second)) if at is None else at
    return f"…{first[max(0, at - 60) : at + 60]!r} became …{second[max(0, at - 60) : at + 60]!r}"


def _bearer(world: World, route: Route, rule: Rule, user: User) -> Findings:
    """B's person with A's token gets what a visitor with it gets, and changes the same."""
    findings = Findings()
    address = _address(route, fill(route, world))
    outcomes = []
    for who in (None, user):
        savepoint = transaction.savepoint_create()
        client = _client(who)
        seen = []
        statuses = []
        for method in ("get", "post"):
            data = _query(world, route, rule) if method == "get" else post_data(world, route)
            response = _request(client, method, address, data)
            statuses.append(response.status_code)
            seen.append(set(a_texts(text_of(response), rule)))
        outcomes.append((statuses, seen, changes(world.a_snapshot, snapshot(world))))
        transaction.savepoint_rollback(savepoint)
    (visitor_statuses, visitor_seen, visitor_changed), (statuses, seen, changed) = outcomes
    findings.add(
        "answers unlike a visitor's",
        [statuses, visitor_statuses][: 2 * (statuses != visitor_statuses)],
    )
    for method, own, visitors in zip(("GET", "POST"), seen, visitor_seen, strict=True):
        findings.add(f"{method} shows more of A than a visitor sees", sorted(own - visitors))
    findings.add(
        "changes A's rows unlike a visitor",
        [changed, visitor_changed][: 2 * (changed != visitor_changed)],
    )
    return findings


ROUTE_KEYS = sorted(ROUTES)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("key", ROUTE_KEYS)
def test_nothing_of_estate_a_reaches_estate_b(world, key, persona):
    route = ROUTES[key]
    rule = rule_of(route)
    if rule is None:
        pytest.fail(
            f"{key} is not classified: add it to CLASSIFIED (or ADMIN_MODELS) in "
            "tests/test_estate_isolation.py with why it exists and how it is checked",
            pytrace=False,
        )
    if fill(route, world) is None:
        pytest.fail(f"{key}: its arguments {route.kwargs} cannot be filled", pytrace=False)
    user = User.objects.get(pk=world.b.people[persona].pk)
    if rule.bearer:
        findings = _bearer(world, route, rule, user)
    else:
        findings = _check_one(world, route, rule, _client(user), f"as B's {persona}")
    if findings.problems:
        pytest.fail(f"{key} ({rule.why}):\n" + "\n".join(findings.problems), pytrace=False)


# --- The suite checks what it means to ---------------------------------------------------


def test_every_pattern_is_walked_allauths_and_the_admins_included():
    assert {"home", "account_login", "admin:index", "proposals:idea_detail"} <= set(ROUTES)
    assert any(route.model_admin is not None for route in ROUTES.values())


def test_a_pattern_left_out_is_named(world):
    stranger = Route("stranger:page", "stranger/<int:gadget_id>/", ("gadget_id",), {}, None)
    assert rule_of(stranger) is None
    assert fill(stranger, world) is None


def test_as_a_person_of_a_the_same_checks_find_a(world, client):
    """The checks can fail: A's own resident reads A's idea, and A's list changes with
    A's second helping."""
    route = ROUTES["proposals:idea_detail"]
    client.force_login(User.objects.get(pk=world.a.people["resident"].pk))
    response = client.get(_address(route, fill(route, world)))
    assert response.status_code == 200
    assert a_texts(text_of(response), ESTATE)
    assert _counted(world, client, "/ideas/", {})


def test_as_a_person_of_a_the_files_of_a_open(world, client):
    """A's photo and attachment exist: B's refusals are refusals, not missing files."""
    client.force_login(User.objects.get(pk=world.a.people["resident"].pk))
    for key in ("proposals:idea_photo", "notices:attachment"):
        route = ROUTES[key]
        assert client.get(_address(route, fill(route, world))).status_code == 200, key


def test_a_refused_post_would_be_seen_as_a_change(world, client):
    """A's admin verifying A's request changes A's rows: the snapshot notices."""
    client.force_login(User.objects.get(pk=world.a.people["admin"].pk))
    before = snapshot(world)
    membership = world.objects["membership"]
    assert client.post(f"/memberships/{membership.pk}/verify/").status_code == 302
    assert "covenant.membership" in changes(before, snapshot(world))
