"""Regrouping the ideas, and the staff's corrections surviving it."""

import pytest
from django.core.exceptions import ValidationError

from proposals.models import Idea, Moderation, Theme, ThemeEdit, ThemeMembership
from proposals.themes import services
from tests.proposals.themes_helpers import ideas_about, theme_of, themes_of_ideas


@pytest.fixture
def estate_ideas(resident, unit_3_1201, neighbour, unit_5_0802):
    return {
        "ebike": ideas_about("ebike", 8, author=resident, household=unit_3_1201),
        "chaos": ideas_about("parking_chaos", 8, author=neighbour, household=unit_5_0802),
        "leash": ideas_about("leash", 8, author=resident, household=unit_3_1201),
    }


def regroup(community):
    return services.regroup_ideas(community=community)


def test_regrouping_puts_each_concern_in_a_theme_of_its_own(community, estate_ideas):
    result = regroup(community)
    assert result.ideas == 24
    found = {key: themes_of_ideas(ideas) for key, ideas in estate_ideas.items()}
    assert all(len(ids) == 1 for ids in found.values()), found
    assert len(set.union(*found.values())) == 3
    leash = theme_of(estate_ideas["leash"][0])
    assert "牵绳" in leash.shared_keyword_list and "牵绳" in leash.name
    ranks = sorted(ThemeMembership.objects.filter(theme=leash).values_list("rank", flat=True))
    assert ranks == list(range(1, 9))
    assert ThemeEdit.objects.filter(action=ThemeEdit.Action.REGROUP).count() == 1


def test_hidden_withdrawn_and_merged_ideas_are_not_counted(community, estate_ideas):
    hidden, withdrawn, duplicate = estate_ideas["leash"][:3]
    Idea.objects.filter(pk=hidden.pk).update(moderation=Moderation.HIDDEN)
    Idea.objects.filter(pk=withdrawn.pk).update(status=Idea.Status.WITHDRAWN)
    Idea.objects.filter(pk=duplicate.pk).update(duplicate_of=estate_ideas["leash"][4])
    assert regroup(community).ideas == 21
    assert not ThemeMembership.objects.filter(idea__in=[hidden, withdrawn, duplicate]).exists()


def test_a_second_run_keeps_every_theme_as_it_was(community, estate_ideas):
    regroup(community)
    before = dict(ThemeMembership.objects.values_list("idea_id", "theme_id"))
    regroup(community)
    assert dict(ThemeMembership.objects.values_list("idea_id", "theme_id")) == before


def test_a_staff_name_survives_regrouping(community, estate_ideas, steward):
    regroup(community)
    theme = theme_of(estate_ideas["leash"][0])
    services.rename_theme(theme=theme, name="文明养宠：牵绳", actor=steward)
    regroup(community)
    theme.refresh_from_db()
    assert theme.name == "文明养宠：牵绳" and theme.named_by_staff
    assert theme_of(estate_ideas["leash"][5]) == theme


def test_merged_themes_stay_merged(community, estate_ideas, steward):
    regroup(community)
    ebike, chaos = theme_of(estate_ideas["ebike"][0]), theme_of(estate_ideas["chaos"][0])
    services.merge_themes(source=ebike, target=chaos, actor=steward)
    assert not Theme.objects.filter(pk=ebike.pk).exists()
    regroup(community)
    assert themes_of_ideas(estate_ideas["ebike"] + estate_ideas["chaos"]) == {chaos.pk}


def test_a_split_stays_split_and_a_moved_idea_stays_where_staff_put_it(
    community, estate_ideas, steward
):
    regroup(community)
    leash = theme_of(estate_ideas["leash"][0])
    split_off = estate_ideas["leash"][:3]
    new = services.move_ideas(
        theme=leash, idea_ids=[i.pk for i in split_off], new_name="大型犬", actor=steward
    )
    stray = estate_ideas["ebike"][0]
    ebike = theme_of(stray)
    services.move_ideas(theme=ebike, idea_ids=[stray.pk], target=leash, actor=steward)

    regroup(community)
    assert themes_of_ideas(split_off) == {new.pk}
    assert themes_of_ideas(estate_ideas["leash"][3:]) == {leash.pk}
    assert theme_of(stray) == leash
    assert themes_of_ideas(estate_ideas["ebike"][1:]) == {ebike.pk}
    new.refresh_from_db()
    assert new.name == "大型犬"


def test_new_ideas_join_their_theme_on_the_next_run(community, estate_ideas, resident, unit_3_1201):
    regroup(community)
    leash = theme_of(estate_ideas["leash"][0])
    later = ideas_about("leash", 3, author=resident, household=unit_3_1201, seed=99)
    assert not ThemeMembership.objects.filter(idea__in=later).exists()
    result = regroup(community)
    assert themes_of_ideas(later) == {leash.pk}
    assert result.new_themes == 0


def test_a_priority_theme_cannot_be_merged_away(community, estate_ideas, steward, party_member):
    regroup(community)
    leash, chaos = theme_of(estate_ideas["leash"][0]), theme_of(estate_ideas["chaos"][0])
    services.promote_theme(
        theme=leash, actor=party_member, title="文明养宠", owner=steward, goals="牵绳"
    )
    with pytest.raises(ValidationError):
        services.merge_themes(source=leash, target=chaos, actor=steward)
    with pytest.raises(ValidationError):
        services.promote_theme(
            theme=leash, actor=party_member, title="again", owner=steward, goals="x"
        )


def test_a_priority_theme_stays_even_when_its_ideas_go(community, estate_ideas, steward):
    regroup(community)
    leash = theme_of(estate_ideas["leash"][0])
    services.promote_theme(theme=leash, actor=steward, title="文明养宠", owner=steward, goals="-")
    Idea.objects.filter(pk__in=[i.pk for i in estate_ideas["leash"]]).update(
        moderation=Moderation.HIDDEN
    )
    regroup(community)
    assert Theme.objects.filter(pk=leash.pk).exists()
