"""No page speaks the wrong language: key pages, each as the persona who uses it, rendered in
Simplified Chinese must show no English word outside an allow-list, and rendered in English
no Han character outside the data on the page (names, titles, places) and the switcher.

What is checked is what a person reads or hears: the text of the page (not scripts or
styles) and the aria-label, title, placeholder and alt attributes.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from notices import services as notices_services
from notices.models import Audience
from tests.proposals.factories import IdeaFactory
from tests.volunteers.factories import ActivityFactory
from volunteers import captain_inbox

# English that belongs on a Chinese page: brands, formats, units, codes.
ZH_ALLOWED_WORDS = {
    "English",  # the language switcher offers English in English
    "Markdown",
    "PDF",
    "CSV",
    "JSON",
    "Excel",
    "xlsx",
    "csv",
    "json",
    "ics",
    "iCal",
    "QR",
    "WeChat",
    "Cookie",
    "JPEG",
    "PNG",
    "WebP",
    "Email",
    "email",
    "ID",
    "OK",
    "GB",
    "MB",
    "KB",
    "cm",
    "px",
}

# Chinese that belongs on an English page besides the data: the switcher's own name, the
# team's name, an example display name, and search examples (the ideas are written in Chinese).
EN_ALLOWED_HAN = {"简体中文", "中文", "红心碧海", "栋小李", "电梯", "停车", "楼道"}

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
URL = re.compile(r"(https?://|/)[\w./?=&%#:-]+")
WORD = re.compile(r"[A-Za-z]{2,}")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


class _Readable(HTMLParser):
    """The text a person reads or hears on the page."""

    ATTRIBUTES = {"aria-label", "title", "placeholder", "alt"}
    SKIPPED = {"script", "style", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self._skipping += 1
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping and data.strip():
            self.parts.append(data)


def readable(html: str) -> str:
    parser = _Readable()
    parser.feed(html)
    return "\n".join(parser.parts)


def english_words(text: str, data: set[str]) -> set[str]:
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    text = URL.sub(" ", EMAIL.sub(" ", text))
    return {word for word in WORD.findall(text) if word not in ZH_ALLOWED_WORDS}


def han_runs(text: str, data: set[str]) -> set[str]:
    for value in sorted(data | EN_ALLOWED_HAN, key=len, reverse=True):
        text = text.replace(value, " ")
    return set(HAN.findall(text))


@pytest.fixture
def world(
    community,
    building_3,
    unit_3_1201,
    resident,
    neighbour,
    newcomer,
    captain_3,
    steward,
    party_member,
    admin_user,
    join_request,
):
    idea = IdeaFactory(author=resident, household=unit_3_1201, title="加装电梯的建议")
    announcement = notices_services.publish(
        community=community,
        author=steward,
        title="全小区停水通知",
        body="周三停水。",
        audience=Audience.ESTATE,
    )
    activity = ActivityFactory(organiser=captain_3, title="楼道清理", place="3栋楼道")
    captain_inbox.message_captain(
        sender=resident, captain=captain_3, household=unit_3_1201, body="楼道灯坏了"
    )
    people = [resident, neighbour, newcomer, captain_3, steward, party_member, admin_user]
    data = {
        community.name,
        community.address,
        idea.title,
        idea.body,
        idea.category.name,
        announcement.title,
        announcement.body,
        activity.title,
        activity.place,
        "楼道灯坏了",
        *(person.name for person in people),
        *(person.email for person in people),
    }
    return {
        "idea": idea,
        "announcement": announcement,
        "activity": activity,
        "membership": join_request,
        "data": data,
    }


# (persona, url name, object whose pk is the argument). 40 pages.
PAGES = [
    ("visitor", "home", None),
    ("visitor", "privacy", None),
    ("visitor", "account_login", None),
    ("visitor", "account_signup", None),
    ("visitor", "account_reset_password", None),
    ("visitor", "account_request_login_code", None),
    ("visitor", "notices:announcement_list", None),
    ("resident", "home", None),
    ("resident", "profile", None),
    ("resident", "delete_account", None),
    ("resident", "my_memberships", None),
    ("resident", "join_household", None),
    ("resident", "account_email", None),
    ("resident", "account_change_password", None),
    ("resident", "proposals:idea_list", None),
    ("resident", "proposals:idea_create", None),
    ("resident", "proposals:idea_detail", "idea"),
    ("resident", "proposals:campaign_list", None),
    ("resident", "proposals:theme_list", None),
    ("resident", "proposals:deliberation_list", None),
    ("resident", "votes:vote_list", None),
    ("resident", "priorities:priority_list", None),
    ("resident", "notices:inbox", None),
    ("resident", "notices:preferences", None),
    ("resident", "notices:announcement_list", None),
    ("resident", "notices:announcement_detail", "announcement"),
    ("resident", "volunteers:index", None),
    ("resident", "volunteers:activity_list", None),
    ("resident", "volunteers:activity_detail", "activity"),
    ("resident", "volunteers:my_calendar", None),
    ("newcomer", "home", None),
    ("newcomer", "my_memberships", None),
    ("newcomer", "proposals:idea_detail", "idea"),
    ("newcomer", "volunteers:index", None),
    ("captain_3", "membership_queue", None),
    ("captain_3", "membership_detail", "membership"),
    ("captain_3", "volunteers:captain_messages", None),
    ("captain_3", "proposals:moderation_queue", None),
    ("steward", "proposals:triage_board", None),
    ("steward", "notices:announcement_create", None),
]

# Leaks found in files other helpers own (branch `signup` left them to their owners), as
# (persona, url name, language) -> the words; kept exact so a fix or a new leak shows.
KNOWN: dict[tuple[str, str, str], set[str]] = {}


def _page(client, persona_of, world, language, who, name, obj):
    if who == "visitor":
        client.cookies["covenant_language"] = language
    else:
        user = persona_of(who)
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
        client.force_login(user)
    args = [world[obj].pk] if obj else []
    return client.get(reverse(name, args=args))


@pytest.mark.parametrize(("who", "name", "obj"), PAGES, ids=[f"{p[0]}-{p[1]}" for p in PAGES])
def test_a_chinese_page_has_no_english_words(client, persona, world, who, name, obj):
    response = _page(client, persona, world, "zh-hans", who, name, obj)
    assert response.status_code in (200, 403), response.status_code
    words = english_words(readable(response.content.decode()), world["data"])
    expected = KNOWN.get((who, name, "zh-hans"), set())
    assert words == expected, f"new: {sorted(words - expected)}, gone: {sorted(expected - words)}"


@pytest.mark.parametrize(("who", "name", "obj"), PAGES, ids=[f"{p[0]}-{p[1]}" for p in PAGES])
def test_an_english_page_has_no_chinese_outside_the_data(client, persona, world, who, name, obj):
    response = _page(client, persona, world, "en", who, name, obj)
    assert response.status_code in (200, 403), response.status_code
    runs = han_runs(readable(response.content.decode()), world["data"])
    expected = KNOWN.get((who, name, "en"), set())
    assert runs == expected, f"new: {sorted(runs - expected)}, gone: {sorted(expected - runs)}"
