"""The page's chrome (navigation bar and tab bar) is rendered once and kept: what a person
sees in it must still be theirs, current, and its forms must still work."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from covenant.models import Role
from covenant.templatetags.covenant_chrome import HERE_PLACEHOLDER, TOKEN_PLACEHOLDER
from tests.factories import HouseholdFactory, MembershipFactory, RoleGrantFactory, UserFactory

pytestmark = pytest.mark.django_db

LANGUAGE_FORM = re.compile(
    r'<form method="post" action="/language/"[^>]*>\s*'
    r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">\s*'
    r'<input type="hidden" name="next" value="([^"]*)">'
)


def _page(client, url: str, data=None) -> str:
    response = client.get(url, data)
    assert response.status_code == 200
    return response.content.decode()


def test_a_kept_chrome_carries_this_requests_token_and_address(resident):
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    _page(client, reverse("proposals:idea_list"))  # renders and keeps the chrome
    page = _page(client, reverse("proposals:idea_list"), {"q": "电梯", "sort": "supported"})

    assert TOKEN_PLACEHOLDER not in page and HERE_PLACEHOLDER not in page
    token, next_url = LANGUAGE_FORM.search(page).groups()
    assert next_url == "/ideas/?q=%E7%94%B5%E6%A2%AF&amp;sort=supported"
    # The token works: the language switcher posts from the kept chrome.
    response = client.post(
        reverse("set_language"),
        {"csrfmiddlewaretoken": token, "language": "en", "next": "/ideas/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/ideas/"


def test_two_people_never_share_a_chrome(client, resident, neighbour):
    client.force_login(resident)
    assert resident.name in _page(client, reverse("proposals:idea_list"))
    client.force_login(neighbour)
    page = _page(client, reverse("proposals:idea_list"))
    assert neighbour.name in page
    assert resident.name not in page


def test_a_new_role_shows_on_the_next_page(client, resident, building_3):
    client.force_login(resident)
    assert 'id="workbench-menu"' not in _page(client, reverse("home"))
    RoleGrantFactory(
        user=resident, community=building_3.community, role=Role.CAPTAIN, building=building_3
    )
    page = _page(client, reverse("home"))
    assert 'id="workbench-menu"' in page
    assert reverse("membership_queue") in page


def test_the_workbench_badge_follows_what_waits(client, captain_3, building_3):
    client.force_login(captain_3)
    assert "text-bg-warning" not in _page(client, reverse("proposals:idea_list"))
    MembershipFactory(
        user=UserFactory(), household=HouseholdFactory(building=building_3, floor=4, unit="0401")
    )
    page = _page(client, reverse("proposals:idea_list"))
    workbench = page[page.index('id="workbench-menu"') :]
    assert re.search(r'text-bg-warning">1<span class="visually-hidden">', workbench)


def test_the_active_tab_follows_the_page(client, resident):
    client.force_login(resident)
    home = _page(client, reverse("home"))
    ideas = _page(client, reverse("proposals:idea_list"))
    assert 'class="tabbar-item active" href="/" aria-current="page"' in home
    assert 'class="tabbar-item active" href="/" aria-current="page"' not in ideas
    assert f'class="tabbar-item active" href="{reverse("proposals:idea_list")}"' in ideas


def test_the_elders_switch_in_the_menu_follows_the_mode(client, resident):
    client.force_login(resident)
    assert 'name="on" value="1" class="dropdown-item"' in _page(client, reverse("home"))
    resident.elders_mode = True
    resident.save(update_fields=["elders_mode"])
    assert 'name="on" value="0" class="dropdown-item"' in _page(client, reverse("home"))


def test_visitors_share_a_chrome_but_not_its_address_or_token(client):
    first = _page(client, reverse("privacy"))
    second = Client().get(reverse("privacy"), {"from": "poster"}).content.decode()
    token_1, next_1 = LANGUAGE_FORM.search(first).groups()
    token_2, next_2 = LANGUAGE_FORM.search(second).groups()
    assert (next_1, next_2) == ("/privacy/", "/privacy/?from=poster")
    assert token_1 != token_2
