"""Chinese keyword search and similar-idea suggestions (jieba segmentation)."""

import pytest
from django.urls import reverse

from proposals.ideas import search
from proposals.models import Idea
from tests.factories import UserFactory
from tests.proposals.factories import IdeaFactory

pytestmark = pytest.mark.usefixtures("english")

IDEAS = {
    "lift_install": ("建议3号楼加装电梯", "老人上下楼很困难，希望政府补贴加装电梯。"),
    "lift_repair": ("电梯维修太慢", "5号楼电梯坏了三天，维修人员一直不来。"),
    "parking": ("晚上停车难", "下班回来小区里找不到停车位，车都停到消防通道上了。"),
    "stairwell": ("楼道堆物清理", "楼道里堆满纸箱和旧家具，有消防隐患。"),
    "dogs": ("遛狗请牵绳", "草坪上经常有狗粪，遛狗不牵绳吓到小孩。"),
    "charging": ("电动车飞线充电很危险", "有人从楼上拉电线给电瓶车充电，建议装充电桩。"),
    "lamps": ("北门路灯不亮", "晚上北门一片漆黑。"),
}

# Each query and the ideas it must find (and no others).
QUERIES = {
    "电梯": {"lift_install", "lift_repair"},
    "加装电梯": {"lift_install"},
    "电梯维修": {"lift_repair"},
    "停车": {"parking"},
    "消防": {"parking", "stairwell"},
    "楼道": {"stairwell"},
    "充电": {"charging"},
    "充电桩": {"charging"},
    "狗": {"dogs"},
    "遛狗": {"dogs"},
    "路灯": {"lamps"},
    "游泳池": set(),
}


@pytest.fixture
def catalogue(unit_3_1201):
    return {
        key: IdeaFactory(household=unit_3_1201, author=UserFactory(), title=title, body=body)
        for key, (title, body) in IDEAS.items()
    }


def _found(queryset, catalogue) -> set[str]:
    by_pk = {idea.pk: key for key, idea in catalogue.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


@pytest.mark.parametrize(("query", "expected"), QUERIES.items())
def test_keyword_search_finds_chinese_words_inside_longer_ones(catalogue, query, expected):
    found = _found(search.filter_by_keywords(Idea.objects.all(), query), catalogue)

    assert found == expected


@pytest.mark.postgres
@pytest.mark.parametrize(("query", "expected"), QUERIES.items())
def test_keyword_search_uses_the_full_text_index_on_postgresql(catalogue, query, expected):
    from django.db import connection

    found = _found(search.filter_by_keywords(Idea.objects.all(), query), catalogue)

    assert found == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'idea_search_tokens_gin'")
        assert "gin" in cursor.fetchone()[0]


def test_the_list_search_box_uses_the_same_search(client, resident, catalogue):
    client.force_login(resident)

    html = client.get(reverse("proposals:idea_list"), {"q": "电梯"}).content.decode()

    assert IDEAS["lift_install"][0] in html
    assert IDEAS["lift_repair"][0] in html
    assert IDEAS["parking"][0] not in html


def test_stop_words_alone_search_for_nothing_in_particular(catalogue):
    assert search.tokenize("我们的 建议 是") == []


def test_similar_ideas_are_offered_while_a_title_is_typed(client, resident, catalogue):
    client.force_login(resident)

    html = client.get(
        reverse("proposals:similar_ideas"), {"title": "电梯老是坏，维修慢"}
    ).content.decode()

    assert IDEAS["lift_repair"][0] in html
    assert IDEAS["parking"][0] not in html
    assert "Support it instead" in html or "附议" in html


def test_nothing_is_offered_for_an_unrelated_title(client, resident, catalogue):
    client.force_login(resident)

    html = client.get(
        reverse("proposals:similar_ideas"), {"title": "游泳池开放时间"}
    ).content.decode()

    assert html.strip() == ""


def test_suggestions_leave_out_hidden_and_withdrawn_ideas(client, resident, catalogue):
    Idea.objects.filter(pk=catalogue["lift_repair"].pk).update(moderation="hidden")
    Idea.objects.filter(pk=catalogue["lift_install"].pk).update(status="withdrawn")
    client.force_login(resident)

    html = client.get(reverse("proposals:similar_ideas"), {"title": "电梯"}).content.decode()

    assert "电梯" not in html


def test_suggestions_are_for_participants_only(client, newcomer, catalogue):
    client.force_login(newcomer)

    assert client.get(reverse("proposals:similar_ideas"), {"title": "电梯"}).status_code == 403
