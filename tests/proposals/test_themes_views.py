"""The themes pages: who sees them, who corrects them, and what the corrections do."""

import pytest
from django.urls import reverse

from covenant.celery import app as celery_app
from proposals.models import Theme, ThemeMembership
from proposals.themes import services, tasks
from tests.proposals.conftest import page_queries
from tests.proposals.themes_helpers import ideas_about, theme_of, themes_of_ideas

LIST = reverse("proposals:theme_list")
READERS = ["steward", "party_member", "admin_user"]
REFUSED = ["newcomer", "resident", "neighbour", "captain_3", "captain_5"]
EDITORS = ["steward", "admin_user"]
NOT_EDITORS = ["party_member", "resident", "captain_3"]


def url(name, theme):
    return reverse(f"proposals:{name}", args=[theme.pk])


@pytest.fixture
def grouped(community, resident, unit_3_1201, neighbour, unit_5_0802):
    ideas = {
        "ebike": ideas_about("ebike", 6, author=resident, household=unit_3_1201),
        "chaos": ideas_about("parking_chaos", 6, author=neighbour, household=unit_5_0802),
        "leash": ideas_about("leash", 6, author=resident, household=unit_3_1201),
    }
    services.regroup_ideas(community=community)
    return ideas


@pytest.fixture
def leash_theme(grouped):
    return theme_of(grouped["leash"][0])


@pytest.fixture
def ebike_theme(grouped):
    return theme_of(grouped["ebike"][0])


@pytest.mark.parametrize("name", READERS)
def test_staff_party_and_admins_see_the_themes(client, persona, name, leash_theme):
    client.force_login(persona(name))
    html = client.get(LIST).content.decode()
    assert leash_theme.name in html
    assert "牵绳" in html
    detail = client.get(url("theme_detail", leash_theme)).content.decode()
    assert leash_theme.name in detail


@pytest.mark.parametrize("name", REFUSED)
def test_residents_and_captains_may_not_see_the_themes(client, persona, name, leash_theme):
    client.force_login(persona(name))
    assert client.get(LIST).status_code == 403
    assert client.get(url("theme_detail", leash_theme)).status_code == 403


def test_visitors_are_sent_to_sign_in(client, leash_theme):
    for target in (LIST, url("theme_detail", leash_theme)):
        response = client.get(target)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_list_shows_size_supports_buildings_and_why(
    client, steward, grouped, leash_theme, english
):
    for n, idea in enumerate(grouped["leash"]):
        idea.support_count = n
        idea.save(update_fields=["support_count"])
    client.force_login(steward)
    html = client.get(LIST).content.decode()
    card = html[html.index(leash_theme.name) :][:3000]
    assert "6 ideas" in card and "15 supports" in card and "from 1 building" in card
    assert "Grouped because they share:" in card and "<mark>牵绳</mark>" in card


def test_a_hidden_name_is_never_shown_on_a_theme(client, steward, grouped, leash_theme, resident):
    for idea in grouped["leash"]:
        idea.hide_name = True
        idea.save(update_fields=["hide_name"])
    client.force_login(steward)
    html = client.get(url("theme_detail", leash_theme)).content.decode()
    assert resident.name not in html


@pytest.mark.parametrize("name", NOT_EDITORS)
def test_only_staff_and_admins_correct_themes(
    client, persona, name, leash_theme, ebike_theme, steward
):
    client.force_login(persona(name))
    assert client.post(url("theme_rename", leash_theme), {"name": "改名"}).status_code == 403
    assert (
        client.post(url("theme_merge", leash_theme), {"target": ebike_theme.pk}).status_code == 403
    )
    assert client.post(reverse("proposals:theme_regroup")).status_code == 403
    leash_theme.refresh_from_db()
    assert leash_theme.name != "改名"
    # The same rename by the steward is obeyed.
    client.force_login(steward)
    assert client.post(url("theme_rename", leash_theme), {"name": "改名"}).status_code == 302
    leash_theme.refresh_from_db()
    assert leash_theme.name == "改名" and leash_theme.named_by_staff


@pytest.mark.parametrize("name", EDITORS)
def test_editors_see_the_controls_and_readers_do_not(
    client, persona, name, leash_theme, party_member
):
    client.force_login(persona(name))
    assert (
        url("theme_merge", leash_theme)
        in client.get(url("theme_detail", leash_theme)).content.decode()
    )
    client.force_login(party_member)
    assert (
        url("theme_merge", leash_theme)
        not in client.get(url("theme_detail", leash_theme)).content.decode()
    )


def test_merging_through_the_page(client, steward, grouped, leash_theme, ebike_theme):
    client.force_login(steward)
    response = client.post(url("theme_merge", ebike_theme), {"target": leash_theme.pk})
    assert response.status_code == 302
    assert not Theme.objects.filter(pk=ebike_theme.pk).exists()
    assert themes_of_ideas(grouped["ebike"]) == {leash_theme.pk}


def test_splitting_through_the_page(client, steward, grouped, leash_theme):
    client.force_login(steward)
    chosen = [idea.pk for idea in grouped["leash"][:2]]
    response = client.post(
        url("theme_move", leash_theme), {"ideas": chosen, "new_name": "大狗", "split": "1"}
    )
    assert response.status_code == 302
    new = Theme.objects.get(name="大狗")
    assert themes_of_ideas(grouped["leash"][:2]) == {new.pk}
    assert ThemeMembership.objects.filter(idea_id__in=chosen, pinned=True).count() == 2


def test_moving_an_idea_through_the_page(client, steward, grouped, leash_theme, ebike_theme):
    client.force_login(steward)
    idea = grouped["ebike"][0]
    response = client.post(
        url("theme_move", ebike_theme), {"ideas": [idea.pk], "target": leash_theme.pk, "move": "1"}
    )
    assert response.status_code == 302
    assert theme_of(idea) == leash_theme


def test_a_split_without_a_name_keeps_what_was_ticked(
    client, steward, grouped, leash_theme, english
):
    client.force_login(steward)
    chosen = grouped["leash"][1].pk
    response = client.post(url("theme_move", leash_theme), {"ideas": [chosen], "split": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Name the new theme." in html
    assert f'value="{chosen}" id="idea-{chosen}" checked' in html
    assert theme_of(grouped["leash"][1]) == leash_theme


def test_ideas_of_another_theme_cannot_be_moved_from_this_one(
    client, steward, grouped, leash_theme, ebike_theme
):
    client.force_login(steward)
    stranger = grouped["chaos"][0]
    response = client.post(
        url("theme_move", leash_theme),
        {"ideas": [stranger.pk], "target": ebike_theme.pk, "move": "1"},
    )
    assert response.status_code == 400
    assert theme_of(stranger) != ebike_theme


def test_the_regroup_button_regroups(
    client, steward, community, grouped, django_capture_on_commit_callbacks, monkeypatch
):
    # Run in-process as in the embedded default, also where a broker is configured.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    ThemeMembership.objects.all().delete()
    client.force_login(steward)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("proposals:theme_regroup"))
    assert response.status_code == 302
    assert ThemeMembership.objects.count() == 18


def test_a_broker_down_is_said_and_tonight_s_run_is_promised(
    client, steward, grouped, monkeypatch, english
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("no broker")

    monkeypatch.setattr(tasks.regroup_estate_ideas, "delay_on_commit", broker_down)
    client.force_login(steward)
    response = client.post(reverse("proposals:theme_regroup"), follow=True)
    assert "The regrouping could not start; it runs again tonight." in response.content.decode()


def test_the_themes_pages_take_the_same_queries_for_more_ideas(
    client, steward, community, grouped, resident, unit_3_1201, neighbour, unit_5_0802
):
    leash = theme_of(grouped["leash"][0])
    small = (
        page_queries(client, steward, LIST),
        page_queries(client, steward, url("theme_detail", leash)),
    )
    for key in ("dog_mess", "barking", "fire_lane", "spaces", "clutter", "cardboard"):
        ideas_about(key, 10, author=neighbour, household=unit_5_0802, seed=3)
    ideas_about("leash", 30, author=resident, household=unit_3_1201, seed=4)
    services.regroup_ideas(community=community)
    assert Theme.objects.count() >= 8
    large = (
        page_queries(client, steward, LIST),
        page_queries(client, steward, url("theme_detail", leash)),
    )
    assert len(large[0]) == len(small[0]), "\n".join(large[0])
    assert len(large[1]) == len(small[1]), "\n".join(large[1])
    # theme list: session, user, roles (grants, memberships), categories, themes with
    # figures, buildings, representative ideas, last regrouping
    assert len(small[0]) == 9, "\n".join(small[0])
    # theme detail: session, user, roles (2), the theme with figures, its buildings,
    # its representatives, a page of its ideas, its history, the other themes (once
    # for the merge form, once for the move form)
    assert len(small[1]) == 11, "\n".join(small[1])
