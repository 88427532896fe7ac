"""The open ideas of a building reach the volunteers' building page through the panel slot
"building" (covenant.panels), so volunteers need not import proposals."""

from django.template.loader import render_to_string
from django.test import RequestFactory

from covenant import panels
from proposals.ideas.panels import building_open_ideas
from tests.proposals.factories import IdeaFactory


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_proposals_provide_the_open_ideas_panel_of_a_building():
    assert building_open_ideas in panels.providers("building")


def test_the_panel_holds_the_open_ideas_of_the_building_the_reader_may_see(
    captain_3, resident, unit_3_1201, neighbour, unit_5_0802
):
    open_idea = IdeaFactory(household=unit_3_1201, author=resident, title="三栋楼道灯不亮")
    done = IdeaFactory(household=unit_3_1201, author=resident, title="已修好", status="done")
    elsewhere = IdeaFactory(household=unit_5_0802, author=neighbour, title="五栋的建议")
    building = unit_3_1201.building

    panel = building_open_ideas(request=_request(captain_3), building=building)
    html = render_to_string(panel.template, {"panel": panel, "building": building})

    assert [idea.pk for idea in panel.context["open_ideas"]] == [open_idea.pk]
    assert open_idea.title in html
    assert done.title not in html and elsewhere.title not in html
    assert f"?building={building.number}&amp;status=open" in html


def test_the_panel_asks_the_same_number_of_queries_however_many_ideas(
    django_assert_max_num_queries, captain_3, resident, unit_3_1201
):
    building = unit_3_1201.building
    request = _request(captain_3)
    building_open_ideas(request=request, building=building)  # the reader's roles, once
    IdeaFactory(household=unit_3_1201, author=resident)
    with django_assert_max_num_queries(1):
        first = building_open_ideas(request=request, building=building)
    IdeaFactory.create_batch(5, household=unit_3_1201, author=resident)
    with django_assert_max_num_queries(1):
        more = building_open_ideas(request=request, building=building)

    assert len(first.context["open_ideas"]) == 1 and len(more.context["open_ideas"]) == 6
