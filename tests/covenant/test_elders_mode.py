"""长辈模式 (elders' mode): the switch, where it is remembered, the page it changes, and
the elders' home. The same URLs and permissions: a way of showing, not a second site."""

import pytest
from django.urls import reverse

from covenant.elders import COOKIE
from tests.conftest import fresh

TOGGLE = reverse("elders_mode")


def test_it_rejects_get(client, resident):
    client.force_login(resident)
    assert client.get(TOGGLE).status_code == 405


def test_a_signed_in_persons_choice_is_kept_on_their_account(client, resident):
    client.force_login(resident)
    response = client.post(TOGGLE, {"on": "1", "next": "/notices/announcements/"})
    assert response.status_code == 302
    assert response.url == "/notices/announcements/"
    assert fresh(resident).elders_mode is True
    client.post(TOGGLE, {"on": "0"})
    assert fresh(resident).elders_mode is False


def test_a_visitors_choice_is_kept_in_a_cookie(client, db):
    response = client.post(TOGGLE, {"on": "1"})
    assert response.cookies[COOKIE].value == "1"
    assert 'class="elders"' in client.get(reverse("privacy")).text
    client.post(TOGGLE, {"on": "0"})
    assert 'class="elders"' not in client.get(reverse("privacy")).text


def test_it_goes_back_only_to_the_sites_own_pages(client, resident):
    client.force_login(resident)
    response = client.post(TOGGLE, {"on": "1", "next": "https://evil.example.com/"})
    assert response.url == reverse("home")


def test_it_needs_the_csrf_token(resident):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    assert client.post(TOGGLE, {"on": "1"}).status_code == 403
    assert fresh(resident).elders_mode is False


def test_the_account_follows_the_person_not_the_cookie(client, resident):
    """On a shared phone the visitor's cookie does not switch a signed-in account."""
    client.cookies[COOKIE] = "1"
    client.force_login(resident)
    assert 'class="elders"' not in client.get(reverse("privacy")).text


def test_in_elders_mode_every_page_loads_the_large_type_and_marks_the_body(client, resident):
    resident.elders_mode = True
    resident.save()
    client.force_login(resident)
    page = client.get(reverse("notices:announcement_list")).text
    assert 'class="elders"' in page
    assert "css/elders.css" in page


def test_the_standard_view_loads_neither(client, resident):
    client.force_login(resident)
    page = client.get(reverse("notices:announcement_list")).text
    assert "css/elders.css" not in page
    assert 'class="elders"' not in page


def test_the_home_page_and_the_account_menu_offer_the_switch(client, resident):
    client.force_login(resident)
    page = client.get(reverse("home")).text
    assert page.count(f'action="{TOGGLE}"') == 2  # on the page, and in the account menu


def test_the_elders_home_shows_the_three_things_and_the_captain(client, resident, captain_3):
    captain_3.phone = "138 0000 1234"
    captain_3.save()
    resident.elders_mode = True
    resident.save()
    client.force_login(resident)
    response = client.get(reverse("home"))
    assert response.templates[0].name == "covenant/home_elders.html"
    page = response.text
    assert reverse("notices:announcement_list") in page
    assert reverse("votes:vote_list") in page
    assert 'href="tel:13800001234"' in page
    assert 'href="sms:13800001234"' in page
    assert "三栋楼长老张" in page
    assert "138 0000 1234" in page


def test_the_elders_home_shows_no_other_buildings_captain(client, resident, captain_5):
    resident.elders_mode = True
    resident.save()
    client.force_login(resident)
    assert "五栋楼长老刘" not in client.get(reverse("home")).text


def test_a_newcomers_elders_home_asks_them_to_join_their_household(client, newcomer):
    newcomer.elders_mode = True
    newcomer.save()
    client.force_login(newcomer)
    assert reverse("join_household") in client.get(reverse("home")).text


def test_a_visitors_elders_home_offers_to_sign_in(client, db):
    client.cookies[COOKIE] = "1"
    page = client.get(reverse("home")).text
    assert reverse("account_login") in page
    assert reverse("notices:announcement_list") in page


@pytest.mark.parametrize("on", [True, False])
def test_the_same_permissions_hold_in_either_mode(client, neighbour, to_building_3, on):
    neighbour.elders_mode = on
    neighbour.save()
    client.force_login(neighbour)
    assert client.get(to_building_3.get_absolute_url()).status_code == 403


@pytest.fixture
def to_building_3(community, captain_3, building_3):
    from notices import services
    from notices.models import Audience

    return services.publish(
        community=community,
        author=captain_3,
        title="3栋电梯停运通知",
        body="周二电梯检修。",
        audience=Audience.BUILDINGS,
        buildings=[building_3],
    )


def test_the_choice_is_in_the_persons_data_download(resident):
    from covenant.personal_data import collect_personal_data

    resident.elders_mode = True
    resident.save()
    assert "'elders_mode': True" in str(collect_personal_data(user=resident))
