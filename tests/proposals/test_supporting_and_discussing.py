from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals.models import Comment, Idea, Moderation, Support
from tests.proposals.factories import CommentFactory

pytestmark = pytest.mark.usefixtures("english")


def support_url(idea):
    return reverse("proposals:idea_support", args=[idea.pk])


# --- Supports ------------------------------------------------------------------------


def test_a_resident_supports_an_idea_in_place_with_htmx(client, neighbour, idea):
    client.force_login(neighbour)

    response = client.post(support_url(idea), {"support": "1"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-pressed="true"' in html
    assert "<html" not in html, "only the button is swapped"
    idea.refresh_from_db()
    assert idea.support_count == 1
    assert Support.objects.filter(idea=idea, user=neighbour).exists()


def test_without_javascript_the_form_posts_and_returns_to_the_page(client, neighbour, idea):
    client.force_login(neighbour)

    response = client.post(support_url(idea), {"support": "1", "next": "/ideas/?sort=supported"})

    assert response.status_code == 302
    assert response.url == "/ideas/?sort=supported"


def test_supporting_twice_counts_once_and_unsupporting_undoes_it(client, neighbour, idea):
    client.force_login(neighbour)

    client.post(support_url(idea), {"support": "1"})
    client.post(support_url(idea), {"support": "1"})
    idea.refresh_from_db()
    assert idea.support_count == 1

    client.post(support_url(idea), {"support": "0"})
    client.post(support_url(idea), {"support": "0"})
    idea.refresh_from_db()
    assert idea.support_count == 0
    assert not Support.objects.exists()


def test_the_next_address_must_be_on_this_site(client, neighbour, idea):
    client.force_login(neighbour)

    response = client.post(support_url(idea), {"support": "1", "next": "https://evil.example/"})

    assert response.url == idea.get_absolute_url()


def test_people_without_a_household_cannot_support(client, newcomer, idea):
    client.force_login(newcomer)

    assert client.post(support_url(idea), {"support": "1"}).status_code == 403
    idea.refresh_from_db()
    assert idea.support_count == 0


def test_a_withdrawn_idea_takes_no_new_supports(client, neighbour, idea):
    Idea.objects.filter(pk=idea.pk).update(status="withdrawn")
    client.force_login(neighbour)

    assert client.post(support_url(idea), {"support": "1"}).status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_supports_from_the_same_person_count_once(neighbour, idea):
    """Twenty requests of one person at once, each on its own connection."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connection

    from proposals.ideas import services

    barrier = Barrier(20)

    def support():
        try:
            barrier.wait()
            return services.set_support(idea=idea, user=neighbour, supported=True)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(lambda _: support(), range(20)))

    idea.refresh_from_db()
    assert Support.objects.filter(idea=idea).count() == 1
    assert idea.support_count == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_supports_from_many_people_are_all_counted(idea):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connection

    from proposals.ideas import services
    from tests.factories import UserFactory

    people = [UserFactory() for _ in range(20)]
    barrier = Barrier(20)

    def support(person):
        try:
            barrier.wait()
            return services.set_support(idea=idea, user=person, supported=True)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(support, people))

    idea.refresh_from_db()
    assert idea.support_count == 20 == Support.objects.filter(idea=idea).count()


# --- Comments ------------------------------------------------------------------------


def comment_url(idea):
    return reverse("proposals:comment_create", args=[idea.pk])


def test_a_resident_comments_and_the_count_follows(client, neighbour, idea):
    client.force_login(neighbour)

    response = client.post(comment_url(idea), {"body": "我也觉得应该加装电梯"})

    comment = Comment.objects.get()
    assert response.url == f"{idea.get_absolute_url()}#comment-{comment.pk}"
    idea.refresh_from_db()
    assert idea.comment_count == 1


def test_an_empty_comment_is_refused_and_shown_again(client, neighbour, idea):
    client.force_login(neighbour)

    response = client.post(comment_url(idea), {"body": ""})

    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_replies_go_one_level_deep(client, neighbour, resident, idea, comment):
    client.force_login(resident)

    client.post(comment_url(idea), {"body": "回复一", "parent": comment.pk})
    reply = Comment.objects.get(body="回复一")
    client.post(comment_url(idea), {"body": "回复二", "parent": reply.pk})

    second = Comment.objects.get(body="回复二")
    assert reply.parent == comment
    assert second.parent == comment, "a reply to a reply joins the thread"


def test_a_reply_must_belong_to_the_same_idea(client, neighbour, idea, neighbours_idea):
    elsewhere = CommentFactory(idea=neighbours_idea, author=neighbour)
    client.force_login(neighbour)

    client.post(comment_url(idea), {"body": "串门", "parent": elsewhere.pk})

    assert not Comment.objects.filter(body="串门").exists()


def test_the_author_edits_a_comment_within_15_minutes(client, neighbour, comment):
    client.force_login(neighbour)

    client.post(reverse("proposals:comment_edit", args=[comment.pk]), {"body": "改过了"})

    comment.refresh_from_db()
    assert comment.body == "改过了"
    assert comment.edited_at is not None


def test_after_15_minutes_the_comment_stays_as_it_was(client, neighbour, comment):
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    client.force_login(neighbour)

    response = client.post(reverse("proposals:comment_edit", args=[comment.pk]), {"body": "晚了"})

    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.body != "晚了"


def test_nobody_else_edits_a_comment(client, resident, captain_3, comment):
    for user in (resident, captain_3):
        client.force_login(user)
        response = client.post(reverse("proposals:comment_edit", args=[comment.pk]), {"body": "x"})
        assert response.status_code == 403


def test_hidden_comments_are_shown_only_to_their_author_and_moderators(
    client, resident, neighbour, captain_3, comment
):
    Comment.objects.filter(pk=comment.pk).update(
        moderation=Moderation.HIDDEN, hidden_reason="人身攻击"
    )
    page = comment.idea.get_absolute_url()

    client.force_login(resident)
    assert comment.body not in client.get(page).content.decode()
    client.force_login(neighbour)
    assert "人身攻击" in client.get(page).content.decode()
    client.force_login(captain_3)
    assert comment.body in client.get(page).content.decode()


# --- Inert payloads ------------------------------------------------------------------

PAYLOADS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "[点我](javascript:alert(1))",
    '"><svg onload=alert(1)>',
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_script_and_html_in_titles_bodies_and_comments_render_inert(
    client, resident, neighbour, unit_3_1201, payload
):
    from tests.proposals.factories import IdeaFactory

    idea = IdeaFactory(
        household=unit_3_1201, author=resident, title=f"标题 {payload}", body=f"正文 {payload}"
    )
    CommentFactory(idea=idea, author=neighbour, body=f"评论 {payload}")
    client.force_login(neighbour)

    for url in (idea.get_absolute_url(), reverse("proposals:idea_list")):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "<svg onload" not in html
        assert 'href="javascript' not in html


def test_a_suggested_idea_is_supported_without_a_nested_form(client, neighbour, idea):
    client.force_login(neighbour)

    suggestions = client.get(reverse("proposals:similar_ideas"), {"title": idea.title}).content
    response = client.post(
        support_url(idea), {"support": "1", "variant": "toggle"}, headers={"HX-Request": "true"}
    )

    assert b"<form" not in suggestions, "the suggestions sit inside the idea form"
    assert b"<form" not in response.content
    assert b'aria-pressed="true"' in response.content
