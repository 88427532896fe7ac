"""Reach (送达): households that read an announcement or were told by their captain,
the captain's door-knock list, and coverage figures."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notices import selectors, services
from notices.models import HouseholdReach
from tests.conftest import fresh
from tests.factories import HouseholdFactory, MembershipFactory, UserFactory


def knock_url(announcement):
    return reverse("notices:door_knock", args=[announcement.pk])


def mark_url(announcement, household):
    return reverse("notices:mark_household", args=[announcement.pk, household.pk])


def coverage_url(announcement):
    return reverse("notices:coverage", args=[announcement.pk])


@pytest.fixture
def building_3_units(building_3, unit_3_1201):
    """Building 3 with four households: 1201 (the resident's) and three more."""
    others = [
        HouseholdFactory(building=building_3, floor=floor, unit=unit)
        for floor, unit in ((2, "0201"), (2, "0202"), (7, "0701"))
    ]
    return [unit_3_1201, *others]


def test_opening_it_marks_the_readers_household_reached(
    client, to_building_3, resident, unit_3_1201
):
    client.force_login(resident)
    client.get(to_building_3.get_absolute_url())
    reach = HouseholdReach.objects.get()
    assert (reach.household, reach.method) == (unit_3_1201, "read")


def test_opening_it_twice_counts_the_household_once(client, to_building_3, resident):
    client.force_login(resident)
    client.get(to_building_3.get_absolute_url())
    client.get(to_building_3.get_absolute_url())
    assert HouseholdReach.objects.count() == 1


def test_opening_it_marks_its_notification_read(client, to_building_3, resident):
    client.force_login(resident)
    client.get(to_building_3.get_absolute_url())
    assert resident.notifications.get().read_at is not None


def test_a_visitor_reading_a_public_notice_reaches_no_household(client, public_notice):
    client.get(public_notice.get_absolute_url())
    assert not HouseholdReach.objects.exists()


def test_the_captain_sees_the_households_not_yet_reached(
    client, to_building_3, captain_3, resident, building_3_units
):
    client.force_login(resident)
    client.get(to_building_3.get_absolute_url())
    client.force_login(captain_3)
    response = client.get(knock_url(to_building_3))
    assert response.status_code == 200
    assert [h.unit for h in response.context["page"]] == ["0201", "0202", "0701"]
    assert response.context["buildings"][0]["reached"] == 1
    assert response.context["buildings"][0]["total"] == 4
    everyone = client.get(knock_url(to_building_3), {"show": "all"})
    assert [h.unit for h in everyone.context["page"]] == ["0201", "0202", "0701", "1201"]


def test_the_captain_ticks_off_a_household_told_in_person(
    client, to_building_3, captain_3, building_3_units
):
    household = building_3_units[1]
    client.force_login(captain_3)
    response = client.post(mark_url(to_building_3, household), {"method": "in_person"})
    assert response.status_code == 302
    reach = HouseholdReach.objects.get()
    assert (reach.household, reach.method, reach.recorded_by) == (household, "in_person", captain_3)
    remaining = client.get(knock_url(to_building_3)).context["page"]
    assert household not in list(remaining)


def test_a_tick_by_htmx_returns_the_household_row(
    client, to_building_3, captain_3, building_3_units
):
    household = building_3_units[2]
    client.force_login(captain_3)
    response = client.post(
        mark_url(to_building_3, household), {"method": "paper"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert f'id="household-{household.pk}"' in html
    assert "<html" not in html
    assert "Given on paper" in html or "已发纸质" in html or "纸" in html


def test_the_captain_can_undo_a_tick_but_not_a_reading(
    client, to_building_3, captain_3, resident, building_3_units
):
    client.force_login(resident)
    client.get(to_building_3.get_absolute_url())
    client.force_login(captain_3)
    client.post(mark_url(to_building_3, building_3_units[1]), {"method": "in_person"})
    client.post(mark_url(to_building_3, building_3_units[1]), {"method": "undo"})
    client.post(mark_url(to_building_3, building_3_units[0]), {"method": "undo"})
    assert list(HouseholdReach.objects.values_list("household__unit", "method")) == [
        ("1201", "read")
    ]


def test_a_household_outside_the_audience_cannot_be_ticked(
    community, client, captain_3, building_3, building_3_units
):
    lower = services.publish(
        community=community,
        author=captain_3,
        title="低层",
        body="…",
        audience="buildings",
        buildings=[building_3],
        floor_from=1,
        floor_to=3,
    )
    client.force_login(captain_3)
    response = client.post(mark_url(lower, building_3_units[3]), {"method": "in_person"})
    assert response.status_code == 400
    assert not HouseholdReach.objects.exists()


@pytest.mark.parametrize("name", ["resident", "neighbour", "steward", "captain_5"])
def test_others_get_no_door_knock_list_of_building_3(
    client, persona, name, to_building_3, captain_5
):
    client.force_login(persona(name))
    assert client.get(knock_url(to_building_3)).status_code == 403
    household = HouseholdFactory(building=to_building_3.buildings.get(), floor=3, unit="0301")
    assert client.post(mark_url(to_building_3, household), {"method": "paper"}).status_code == 403
    assert not HouseholdReach.objects.exists()


def test_captain_5_ticks_only_their_own_building_on_an_estate_announcement(
    client, to_estate, captain_5, unit_3_1201, unit_5_0802
):
    client.force_login(captain_5)
    response = client.get(knock_url(to_estate))
    assert [h.unit for h in response.context["page"]] == ["0802"]  # its own building only
    assert client.post(mark_url(to_estate, unit_3_1201), {"method": "paper"}).status_code == 403
    assert client.post(mark_url(to_estate, unit_5_0802), {"method": "paper"}).status_code == 302


def test_the_door_knock_list_is_refused_to_visitors(client, to_building_3):
    response = client.get(knock_url(to_building_3))
    assert response.status_code == 302


@pytest.mark.parametrize("extra", [2, 30])
def test_the_door_knock_list_query_count_does_not_grow(
    client, to_building_3, captain_3, building_3, extra
):
    for number in range(extra):
        household = HouseholdFactory(
            building=building_3, floor=1 + number % 10, unit=f"X{number:03d}"
        )
        MembershipFactory(household=household, user=UserFactory(), verified=True)
    client.force_login(captain_3)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(knock_url(to_building_3)).status_code == 200
    # 1. session  2. user  3. grants  4. verified?  5. the announcement  6. its
    # buildings  7. the captain's buildings  8. page count  9. coverage  10. golden
    # ideas waiting for moderation  11. the captain's verification queue count (both
    # in the navigation)  12. the page. A captain without a verified home pays no
    # query for homes.
    assert len(queries) == 12, "\n".join(q["sql"] for q in queries)


# --- Coverage -----------------------------------------------------------------------------


def test_coverage_counts_read_and_told_households_per_building_and_for_the_estate(
    client, to_estate, admin_user, resident, captain_5, unit_5_0802, building_3_units
):
    client.force_login(resident)
    client.get(to_estate.get_absolute_url())
    services.mark_reached(
        actor=captain_5, announcement=to_estate, household=unit_5_0802, method="paper"
    )
    figures = selectors.coverage(to_estate)
    assert (figures["reached"], figures["total"], figures["read"], figures["told"]) == (2, 5, 1, 1)
    assert [(b["number"], b["reached"], b["total"]) for b in figures["buildings"]] == [
        (3, 1, 4),
        (5, 1, 1),
    ]
    client.force_login(admin_user)
    response = client.get(coverage_url(to_estate))
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 / 5" in page
    # The bars are as long as the shares: 40 % of the estate, 25 % of building 3, all of 5.
    bars = [
        int(width) for width in re.findall(r'class="progress-svg-(?!track)\w+" width="(\d+)"', page)
    ]
    assert bars == [40, 25, 100]


def test_the_estate_coverage_page_shows_each_announcement_reach(
    client, to_estate, to_building_3, admin_user, resident, building_3_units, unit_5_0802
):
    client.force_login(resident)
    client.get(to_estate.get_absolute_url())
    client.force_login(admin_user)
    response = client.get(reverse("notices:estate_coverage"))
    figures = {a.title: (a.reached, a.total) for a in response.context["page"]}
    assert figures == {"全小区停水通知": (1, 5), "3栋电梯停运通知": (0, 4)}


@pytest.mark.parametrize("name", ["resident", "captain_3", "steward"])
def test_the_estate_coverage_page_is_for_admins(client, persona, name):
    client.force_login(persona(name))
    assert client.get(reverse("notices:estate_coverage")).status_code == 403


def test_an_announcement_author_sees_its_coverage_and_others_do_not(
    client, to_building_3, captain_3, resident
):
    client.force_login(captain_3)
    assert client.get(coverage_url(to_building_3)).status_code == 200
    client.force_login(resident)
    assert client.get(coverage_url(to_building_3)).status_code == 403


@pytest.mark.parametrize("announcements", [2, 12])
def test_the_estate_coverage_query_count_does_not_grow(
    community, client, admin_user, building_3, announcements
):
    for number in range(announcements):
        services.publish(
            community=community,
            author=admin_user,
            title=f"n{number}",
            body="…",
            audience="buildings",
            buildings=[building_3],
            floor_from=1,
            floor_to=5,
        )
    client.force_login(fresh(admin_user))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("notices:estate_coverage")).status_code == 200
    # 1. session  2. user  3. grants  4. verified?  5. count  6. page  7. buildings
    # (prefetched)  8. reach per announcement  9. households per floor  10. buildings
    # per announcement  11. golden ideas waiting for moderation  12. the admin's
    # verification queue count (both in the navigation)
    assert len(queries) == 12, "\n".join(q["sql"] for q in queries)


def test_a_tick_answers_htmx_with_the_row_and_the_buildings_new_count(
    client, english, to_building_3, captain_3, building_3, building_3_units
):
    client.force_login(captain_3)
    household = building_3_units[1]

    response = client.post(
        mark_url(to_building_3, household), {"method": "in_person"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="household-{household.pk}"' in html
    assert f'id="building-reach-{building_3.pk}" hx-swap-oob="true"' in html
    assert "1 / 4" in html


def test_a_tick_without_htmx_goes_back_to_the_full_page(
    client, to_building_3, captain_3, building_3_units
):
    client.force_login(captain_3)

    response = client.post(mark_url(to_building_3, building_3_units[1]), {"method": "paper"})

    assert response.status_code == 302
    assert client.get(response["Location"]).context["buildings"][0]["reached"] == 1


def test_the_progress_bar_says_what_it_measures(
    client, english, to_building_3, captain_3, building_3_units
):
    client.force_login(captain_3)

    html = client.get(knock_url(to_building_3)).content.decode()

    assert 'aria-label="Building 3: 0 of 4 households reached: 0%"' in html
    assert 'aria-label=": ' not in html


def test_the_coverage_bars_say_what_they_measure(client, english, to_building_3, captain_3):
    client.force_login(captain_3)

    html = client.get(coverage_url(to_building_3)).content.decode()

    assert 'aria-label="Reached: ' in html
    assert 'aria-label=": ' not in html


@pytest.fixture
def english(monkeypatch):
    monkeypatch.setattr("covenant.middleware.language_for", lambda request: "en")


def test_a_tick_by_htmx_costs_the_same_queries_whatever_the_buildings_size(
    client, to_building_3, captain_3, building_3, building_3_units
):
    client.force_login(captain_3)

    def tick(household):
        with CaptureQueriesContext(connection) as queries:
            client.post(
                mark_url(to_building_3, household), {"method": "paper"}, HTTP_HX_REQUEST="true"
            )
        return len(queries)

    few = tick(building_3_units[1])
    for n in range(30):
        HouseholdFactory(building=building_3, floor=20, unit=f"20{n:02d}")
    many = tick(building_3_units[2])

    assert few == many
