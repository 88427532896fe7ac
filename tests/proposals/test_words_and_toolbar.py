"""Words residents read: lists stay lists, and a formatting toolbar instead of syntax."""

import pytest
from django.urls import reverse

from proposals.models import Priority
from tests.proposals.test_priorities import activity, leash_theme, priority  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_the_priorities_list_renders_a_list_of_goals_as_a_list(client, priority, resident):  # noqa: F811
    Priority.objects.filter(pk=priority.pk).update(goals="三个月内：\n\n- 遛狗牵绳\n- 及时清理")
    client.force_login(resident)

    html = client.get(reverse("priorities:priority_list")).content.decode()

    assert "<li>遛狗牵绳</li>" in html
    assert "遛狗牵绳 及时清理" not in html


def test_the_idea_form_offers_bold_list_and_link_buttons(client, english, resident):
    client.force_login(resident)

    html = client.get(reverse("proposals:idea_create")).content.decode()

    assert 'data-format-toolbar="body"' in html
    assert 'id="format-toolbar-template"' in html
    for word in ("Bold", "List", "Link"):
        assert f"{word}</" in html
    assert "js/format-toolbar" in html
