"""Issue 16: the idea pages render repeated parts without a template per item, load reply
forms on demand, and come compressed; what they show is what the templates showed."""

import gzip
import re

import brotli
import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from proposals.ideas import selectors
from proposals.ideas.cards import render_cards
from proposals.ideas.threads import COMMENT_PERMS, _Permissions
from proposals.models import Comment, Idea, Moderation, Support
from tests.proposals.factories import CommentFactory, IdeaFactory

pytestmark = pytest.mark.usefixtures("english")

LIST = "/ideas/"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def reply_url(comment):
    return reverse("proposals:comment_reply", args=[comment.pk])


def _same(html: str) -> str:
    return " ".join(CSRF.sub('name="csrfmiddlewaretoken" value=""', html).split())


# --- Reply forms on demand -------------------------------------------------------------


def test_the_detail_page_links_to_reply_forms_instead_of_carrying_them(
    client, resident, idea, comment
):
    client.force_login(resident)

    html = client.get(idea.get_absolute_url()).content.decode()

    assert 'name="parent"' not in html.split('id="comments"')[1].split("<form")[0]
    assert f'href="{reply_url(comment)}"' in html
    assert f'hx-get="{reply_url(comment)}"' in html


def test_htmx_gets_the_reply_form_alone(client, resident, comment):
    client.force_login(resident)

    response = client.get(reply_url(comment), headers={"HX-Request": "true"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert f'name="parent" value="{comment.pk}"' in html
    assert reverse("proposals:comment_create", args=[comment.idea_id]) in html


def test_without_javascript_the_reply_form_is_a_page_of_its_own(client, resident, comment):
    client.force_login(resident)

    response = client.get(reply_url(comment))

    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert f'name="parent" value="{comment.pk}"' in response.content.decode()


def test_a_reply_to_a_reply_joins_the_same_thread(client, resident, neighbour, comment):
    reply = CommentFactory(idea=comment.idea, author=resident, parent=comment)
    client.force_login(neighbour)

    response = client.get(reply_url(reply), headers={"HX-Request": "true"})

    assert f'name="parent" value="{comment.pk}"' in response.content.decode()


def test_the_reply_form_asks_to_sign_in_first(client, comment):
    response = client.get(reply_url(comment))

    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_people_who_may_not_comment_get_no_reply_form(client, newcomer, neighbour, comment):
    client.force_login(newcomer)
    assert client.get(reply_url(comment)).status_code == 403

    Idea.objects.filter(pk=comment.idea_id).update(status="withdrawn")
    client.force_login(neighbour)
    assert client.get(reply_url(comment)).status_code == 403


def test_a_hidden_comment_takes_no_replies(client, resident, comment):
    Comment.objects.filter(pk=comment.pk).update(moderation=Moderation.HIDDEN)
    client.force_login(resident)

    assert client.get(reply_url(comment)).status_code == 404


# --- Cards and threads as the templates drew them ----------------------------------------


def _request(user, path=LIST):
    request = RequestFactory().get(path)
    request.user = user
    return request


def test_the_cards_show_what_the_card_template_showed(
    resident, neighbour, unit_3_1201, unit_5_0802, idea, hidden_name_idea, neighbours_idea
):
    IdeaFactory(household=unit_3_1201, author=resident, moderation=Moderation.PENDING)
    Support.objects.create(idea=neighbours_idea, user=resident)
    for reader in (resident, neighbour):
        request = _request(reader)
        page = selectors.idea_page(
            user=reader, filters=selectors.IdeaFilters(sort="newest"), cursor=None
        )
        drawn = "".join(
            render_to_string("proposals/_idea_card.html", {"idea": item}, request=request)
            for item in page.items
        )

        assert _same(str(render_cards(page.items, request=request))) == _same(drawn)


def test_a_cards_head_is_cached_and_follows_an_edit(client, resident, idea):
    client.force_login(resident)
    assert idea.title in client.get(LIST).content.decode()

    Idea.objects.filter(pk=idea.pk).update(title="新的标题", status="accepted")

    html = client.get(LIST).content.decode()
    assert "新的标题" in html
    assert "idea-status-accepted" in html


def test_the_thread_asks_each_rule_as_has_perm_would(
    resident, neighbour, captain_3, admin_user, idea, comment
):
    CommentFactory(idea=idea, author=resident, parent=comment)
    CommentFactory(idea=idea, author=neighbour, moderation=Moderation.HIDDEN)
    CommentFactory(idea=idea, author=resident)
    for reader in (resident, neighbour, captain_3, admin_user):
        permissions = _Permissions(reader)
        for item in Comment.objects.filter(idea=idea).select_related("idea"):
            expected = tuple(reader.has_perm(perm, item) for perm in COMMENT_PERMS)
            assert permissions.of(item) == expected, (reader, item)


# --- Compression ---------------------------------------------------------------------


@pytest.fixture
def full_list(resident, unit_3_1201, category):
    body = "我们楼里老人多，上下楼很不方便，建议加装电梯。**请物业**考虑。\n\n- 一\n- 二\n" * 3
    for _ in range(25):
        IdeaFactory(author=resident, household=unit_3_1201, category=category, body=body)


def test_the_list_comes_gzipped_within_12_kb(client, resident, full_list):
    client.force_login(resident)

    response = client.get(LIST, headers={"Accept-Encoding": "gzip, deflate"})

    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert len(response.content) <= 12 * 1024
    assert gzip.decompress(response.content).count(b'class="card idea-card') == 20


def test_the_list_comes_in_brotli_where_the_browser_takes_it(client, resident, full_list):
    client.force_login(resident)

    response = client.get(LIST, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})

    assert response["Content-Encoding"] == "br"
    assert len(response.content) <= 12 * 1024
    assert brotli.decompress(response.content).count(b'class="card idea-card') == 20


def test_account_pages_are_never_compressed(client):
    response = client.get("/accounts/login/", headers={"Accept-Encoding": "gzip, br"})

    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
