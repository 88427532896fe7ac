"""Open Graph cards carry nothing private; the read-aloud button and the large-type print."""

from django.urls import reverse

from notices import services
from notices.models import Audience
from tests.notices.test_attachment_access import _media, photo  # noqa: F401 (its media folders)


def og(page: str, prop: str) -> bool:
    return f'property="og:{prop}"' in page


def test_a_public_announcements_card_has_its_title_and_summary(client, community, steward):
    public = services.publish(
        community=community,
        author=steward,
        title="公开通知",
        body="周五放映电影。",
        audience=Audience.PUBLIC,
    )
    page = client.get(public.get_absolute_url()).text
    assert '<meta property="og:title" content="公开通知">' in page
    assert '<meta property="og:description" content="周五放映电影。">' in page
    assert og(page, "url")


def test_a_building_only_announcements_card_carries_its_title_alone(
    client, to_building_3, resident
):
    client.force_login(resident)
    page = client.get(to_building_3.get_absolute_url()).text
    assert og(page, "title")
    assert not og(page, "description")
    assert "电梯检修" not in page.split("</head>")[0]


def test_outside_its_audience_there_is_no_card_at_all(client, to_building_3, neighbour):
    client.force_login(neighbour)
    assert not og(client.get(to_building_3.get_absolute_url()).text, "title")
    client.logout()
    assert client.get(to_building_3.get_absolute_url()).status_code == 302


def test_announcements_ideas_and_votes_offer_read_aloud(client, to_building_3, resident):
    client.force_login(resident)
    page = client.get(to_building_3.get_absolute_url()).text
    assert 'data-read-aloud="announcement-text"' in page
    assert "js/read_aloud.js" in page


def test_the_announcement_offers_a_large_type_print(client, to_building_3, resident):
    client.force_login(resident)
    url = reverse("notices:announcement_print", args=[to_building_3.pk])
    assert f"{url}?large=1" in client.get(to_building_3.get_absolute_url()).text
    large = client.get(url, {"large": "1"}).text
    assert "print_large.css" in large
    assert 'class="large-type"' in large
    assert "print_large.css" not in client.get(url).text


def test_the_large_type_print_keeps_the_audience_wall(client, to_building_3, neighbour):
    client.force_login(neighbour)
    url = reverse("notices:announcement_print", args=[to_building_3.pk])
    assert client.get(url, {"large": "1"}).status_code == 403


def test_a_public_announcements_card_shows_its_photo_a_building_ones_none(
    client, community, steward, captain_3, building_3, resident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        public = services.publish(
            community=community,
            author=steward,
            title="公开",
            body="看图。",
            audience=Audience.PUBLIC,
            images=[photo()],
        )
        private = services.publish(
            community=community,
            author=captain_3,
            title="3栋",
            body="看图。",
            audience=Audience.BUILDINGS,
            buildings=[building_3],
            images=[photo()],
        )
    attachment = public.attachments.get()
    head = client.get(public.get_absolute_url()).text.split("</head>")[0]
    image_path = reverse("notices:attachment", args=[public.pk, attachment.pk])
    assert f'<meta property="og:image" content="http://testserver{image_path}">' in head
    client.force_login(resident)
    assert "og:image" not in client.get(private.get_absolute_url()).text
