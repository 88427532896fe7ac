"""转发到楼栋群: the captain's (or author's) relay page with the group text and poster,
the per-building short link, and what it counts on the coverage page."""

import pytest
from django.urls import reverse

from notices import relay, services
from notices.models import Audience, HouseholdReach, RelayLink, RelayVisit
from tests.conftest import fresh


def relay_url(announcement):
    return reverse("notices:relay", args=[announcement.pk])


def short_link(announcement, building):
    return relay.links_for(announcement=announcement, buildings=[building])[building.pk]


def test_a_captain_of_a_building_in_its_audience_gets_the_relay_page(
    client, to_building_3, captain_3, building_3
):
    client.force_login(captain_3)
    response = client.get(relay_url(to_building_3))
    assert response.status_code == 200
    link = RelayLink.objects.get()
    assert link.building == building_3
    text = response.context["rows"][0]["text"]
    assert to_building_3.title in text
    assert "电梯检修" in text
    assert f"https://covenant.example.org/r/{link.token}/" in text


def test_the_announcement_page_offers_the_relay_to_its_captain(client, to_building_3, captain_3):
    client.force_login(captain_3)
    assert relay_url(to_building_3) in client.get(to_building_3.get_absolute_url()).text


def test_the_author_relays_to_every_building_of_its_audience(
    client, to_estate, steward, building_3, building_5
):
    client.force_login(steward)
    response = client.get(relay_url(to_estate))
    assert [row["building"] for row in response.context["rows"]] == [building_3, building_5]


@pytest.mark.parametrize("name", ["resident", "neighbour", "captain_5", "party_member"])
def test_others_may_not_use_the_relay_page(client, persona, to_estate, to_building_3, name):
    client.force_login(persona(name))
    # captain 5 is not a captain of building 3; the estate's others read it but relay nothing.
    assert client.get(relay_url(to_building_3)).status_code == 403
    assert not RelayLink.objects.exists()


def test_a_visitor_is_sent_to_sign_in_for_the_relay_page(client, to_building_3):
    response = client.get(relay_url(to_building_3))
    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_the_page_of_a_second_visit_keeps_the_same_short_link(client, to_building_3, captain_3):
    client.force_login(captain_3)
    client.get(relay_url(to_building_3))
    client.get(relay_url(to_building_3))
    assert RelayLink.objects.count() == 1


def test_a_verified_member_opening_the_link_is_reached_and_counted_for_the_group(
    client, to_building_3, building_3, resident, unit_3_1201, steward
):
    link = short_link(to_building_3, building_3)
    client.force_login(resident)
    response = client.get(link.get_absolute_url(), follow=True)
    assert response.redirect_chain[-1][0] == to_building_3.get_absolute_url()
    reach = HouseholdReach.objects.get()
    assert (reach.household, reach.method) == (unit_3_1201, "read")
    assert RelayVisit.objects.get().household == unit_3_1201
    assert relay.visits_by_building(to_building_3) == {building_3.pk: 1}


def test_opening_the_link_twice_counts_the_household_once(
    client, to_building_3, building_3, resident
):
    link = short_link(to_building_3, building_3)
    client.force_login(resident)
    client.get(link.get_absolute_url())
    client.get(link.get_absolute_url())
    assert RelayVisit.objects.count() == 1


def test_another_buildings_link_does_not_credit_that_building(
    client, to_estate, building_3, building_5, neighbour
):
    """The neighbour lives in building 5: building 3's link, passed on to them, reaches
    their household but does not count for building 3's group."""
    link = short_link(to_estate, building_3)
    client.force_login(neighbour)
    client.get(link.get_absolute_url(), follow=True)
    assert HouseholdReach.objects.count() == 1
    assert not RelayVisit.objects.exists()


def test_someone_outside_the_audience_is_refused_and_not_counted(
    client, to_building_3, building_3, neighbour
):
    link = short_link(to_building_3, building_3)
    client.force_login(neighbour)
    assert client.get(link.get_absolute_url(), follow=True).status_code == 403
    assert not RelayVisit.objects.exists()


def test_a_visitor_signs_in_and_comes_back_to_the_link(client, to_building_3, building_3):
    link = short_link(to_building_3, building_3)
    response = client.get(link.get_absolute_url())
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={link.get_absolute_url()}"


def test_a_public_announcements_link_opens_for_a_visitor(client, community, steward, building_3):
    public = services.publish(
        community=community, author=steward, title="公开", body="大家好。", audience=Audience.PUBLIC
    )
    link = short_link(public, building_3)
    response = client.get(link.get_absolute_url())
    assert response.url == public.get_absolute_url()


def test_an_unknown_token_is_not_found(client, db):
    assert client.get(reverse("relay:open", args=["nope"])).status_code == 404


def test_the_coverage_page_credits_each_buildings_group(
    client, to_estate, building_3, building_5, resident, steward
):
    client.force_login(resident)
    client.get(short_link(to_estate, building_3).get_absolute_url())
    client.force_login(steward)
    response = client.get(reverse("notices:coverage", args=[to_estate.pk]))
    rows = {row["number"]: row["via_group"] for row in response.context["figures"]["buildings"]}
    assert rows == {3: 1, 5: 0}
    assert 'data-testid="via-group-3">1<' in response.text


def test_the_summary_is_the_first_paragraph_cut_at_a_sentence(to_estate):
    to_estate.body = "第一句很长。" * 30 + "\n\n第二段。"
    summary = relay.summary_of(to_estate)
    assert summary.endswith("。…")
    assert "第二段" not in summary
    assert len(summary) <= relay.SUMMARY_LENGTH + 1


def test_a_withdrawn_announcement_is_relayed_by_nobody(to_building_3, captain_3):
    services.withdraw_announcement(
        announcement_id=to_building_3.pk, actor=captain_3, reason="写错了日期"
    )
    to_building_3.refresh_from_db()
    assert not fresh(captain_3).has_perm("notices.relay_announcement", to_building_3)


def test_the_relay_pages_queries_do_not_grow_with_the_buildings(
    client, community, steward, building_3, building_5
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import BuildingFactory

    announcement = services.publish(
        community=community,
        author=steward,
        title="全小区",
        body="周三停水。",
        audience=Audience.ESTATE,
    )
    client.force_login(steward)

    def count():
        client.get(relay_url(announcement))  # the links are made on the first visit
        with CaptureQueriesContext(connection) as queries:
            assert client.get(relay_url(announcement)).status_code == 200
        return len(queries)

    two = count()
    BuildingFactory(community=community, number=7)
    BuildingFactory(community=community, number=9)
    assert count() == two
