import pytest
from django.urls import reverse
from PIL import Image

from proposals.models import Campaign, Idea, IdeaPhoto, Moderation
from tests import images
from tests.conftest import fresh
from tests.proposals.conftest import files_in
from tests.proposals.factories import seeded_category

pytestmark = pytest.mark.usefixtures("english")

NEW = reverse("proposals:idea_create")


def _post(client, user, **overrides):
    client.force_login(user)
    data = {
        "title": "小区北门加装电动车充电桩",
        "body": "北门附近电动车很多，经常有人从楼上拉线充电，很危险。建议加装充电桩。",
        "category": seeded_category("parking").pk,
    }
    data.update(overrides)
    return client.post(NEW, data)


def test_a_verified_resident_submits_an_idea_filed_under_their_household(
    client, resident, unit_3_1201
):
    response = _post(client, resident, hide_name="on")

    idea = Idea.objects.get()
    assert response.status_code == 302
    assert response.url == idea.get_absolute_url()
    assert idea.author == resident
    assert idea.household == unit_3_1201
    assert (idea.building, idea.floor) == (unit_3_1201.building, 12)
    assert idea.hide_name is True
    assert idea.status == Idea.Status.SUBMITTED
    assert idea.moderation == Moderation.VISIBLE
    assert " 充电桩 " in idea.search_tokens


def test_people_without_a_verified_household_may_not_submit(client, newcomer, join_request):
    client.force_login(newcomer)

    assert client.get(NEW).status_code == 403
    assert _post(client, newcomer).status_code == 403
    assert not Idea.objects.exists()


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get(NEW)

    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_a_form_with_errors_keeps_what_was_typed(client, resident):
    response = _post(client, resident, title="电梯", body="太短")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="电梯"' in html
    assert "太短" in html
    assert not Idea.objects.exists()


def test_after_an_error_the_form_asks_plainly_for_the_photos_again(client, resident, media):
    response = _post(client, resident, title="", photos=[images.good_photo()])

    assert "choose them again" in response.content.decode()
    assert not Idea.objects.exists()
    assert files_in(media[1]) == []


def test_photos_are_reencoded_without_gps_and_never_served_before(
    client, resident, media, django_capture_on_commit_callbacks
):
    gps_photo = images.upload(
        "gps.jpg", images.jpeg_bytes(size=(2000, 1000), exif=images.gps_exif())
    )

    with django_capture_on_commit_callbacks(execute=False) as processing:
        _post(client, resident, photos=[gps_photo, images.good_photo("second.jpg")])
    idea = Idea.objects.get()
    assert client.get(idea.get_absolute_url()).content.decode().count("<img") == 0
    assert len(files_in(media[1])) == 2, "the originals wait in quarantine"

    # One task per photo waits for the commit; a worker runs them (here: in the test).
    assert len(processing) == 2
    from proposals.ideas.tasks import process_idea_photo

    for photo in idea.photos.all():
        process_idea_photo(photo.pk)

    photos = list(idea.photos.all())
    assert [photo.state for photo in photos] == [IdeaPhoto.State.READY] * 2
    with Image.open(photos[0].image.path) as shown:
        assert max(shown.size) == 1600
        assert not shown.getexif()
    with Image.open(photos[0].thumbnail.path) as thumbnail:
        assert max(thumbnail.size) == 480
    assert files_in(media[1]) == [], "the quarantined originals are deleted"
    page = client.get(idea.get_absolute_url()).content.decode()
    assert photos[0].thumbnail_url in page


def test_a_photo_still_processing_is_not_shown(client, resident, idea, media):
    IdeaPhoto.objects.create(idea=idea, quarantined_name="ideas/waiting")
    client.force_login(resident)

    page = client.get(idea.get_absolute_url()).content.decode()

    assert "ideas/waiting" not in page
    assert "being prepared" in page


def test_bad_uploads_are_refused_with_a_clear_message_and_nothing_is_stored(
    client, resident, media
):
    bad = {
        "notes.jpg": images.text_named_jpg(),
        "cut.jpg": images.truncated_jpeg(),
        "huge.png": images.png_bomb(),
        "big.jpg": images.twelve_megabytes(),
    }
    for name, upload in bad.items():
        response = _post(client, resident, photos=[upload])

        assert response.status_code == 200
        html = response.content.decode()
        assert name in html
        assert any(
            phrase in html
            for phrase in (
                "not a photo we can read",
                "damaged or incomplete",
                "40 million",
                "10 MB",
            )
        )
    assert not Idea.objects.exists()
    assert not IdeaPhoto.objects.exists()
    assert files_in(media[0]) == [] and files_in(media[1]) == []


def test_at_most_six_photos(client, resident, media):
    response = _post(client, resident, photos=[images.good_photo(f"{n}.jpg") for n in range(7)])

    assert "at most 6 photos" in response.content.decode()
    assert not Idea.objects.exists()


def test_an_idea_goes_into_an_open_campaign(client, resident, community, admin_user):
    campaign = Campaign.objects.create(
        community=community,
        title="2026年金点子征集",
        starts_on="2026-01-01",
        ends_on="2099-12-31",
        created_by=admin_user,
    )

    _post(client, resident, campaign=campaign.pk)

    assert Idea.objects.get().campaign == campaign


def test_a_closed_campaign_is_not_offered(client, resident, community, admin_user):
    closed = Campaign.objects.create(
        community=community,
        title="旧的征集",
        starts_on="2020-01-01",
        ends_on="2020-02-01",
        created_by=admin_user,
    )

    _post(client, resident, campaign=closed.pk)

    assert Idea.objects.get().campaign is None


def test_the_author_withdraws_their_idea(client, resident, idea):
    client.force_login(resident)

    client.post(reverse("proposals:idea_withdraw", args=[idea.pk]), {"confirm": "yes"})

    idea.refresh_from_db()
    assert idea.status == Idea.Status.WITHDRAWN
    assert idea.timeline.get().to_status == Idea.Status.WITHDRAWN


def test_nobody_else_withdraws_an_idea(client, neighbour, steward, idea):
    for user in (neighbour, steward):
        client.force_login(user)
        assert (
            client.post(
                reverse("proposals:idea_withdraw", args=[idea.pk]), {"confirm": "yes"}
            ).status_code
            == 403
        )
    idea.refresh_from_db()
    assert idea.status == Idea.Status.SUBMITTED


def test_a_captain_records_an_idea_for_a_resident_without_a_phone(client, captain_3, unit_3_1201):
    client.force_login(captain_3)

    client.post(
        reverse("proposals:idea_record"),
        {
            "household": unit_3_1201.pk,
            "resident_name": "刘奶奶",
            "title": "楼下路灯坏了很久",
            "body": "三号楼门口的路灯坏了一个月，晚上出门不安全。",
            "category": seeded_category("facilities").pk,
        },
    )

    idea = Idea.objects.get()
    assert (idea.recorded_by, idea.household, idea.resident_name) == (
        captain_3,
        unit_3_1201,
        "刘奶奶",
    )
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "刘奶奶" in page
    assert "Recorded by captain" in page or "楼长" in page


def test_a_captain_records_only_for_households_of_their_building(
    client, captain_5, unit_3_1201, resident
):
    client.force_login(captain_5)

    response = client.post(
        reverse("proposals:idea_record"),
        {
            "household": unit_3_1201.pk,
            "title": "楼下路灯坏了很久",
            "body": "三号楼门口的路灯坏了一个月，晚上出门不安全。",
            "category": seeded_category("facilities").pk,
        },
    )

    assert response.status_code == 200
    assert not Idea.objects.exists()


def test_residents_may_not_record_for_others(client, resident):
    client.force_login(fresh(resident))

    assert client.get(reverse("proposals:idea_record")).status_code == 403


def test_the_personal_data_download_holds_ideas_comments_and_supports(
    client, resident, idea, neighbours_idea
):
    from proposals.models import Support
    from tests.proposals.factories import CommentFactory

    CommentFactory(idea=neighbours_idea, author=resident, body="我的评论")
    Support.objects.create(idea=neighbours_idea, user=resident)
    client.force_login(resident)

    data = client.get(reverse("personal_data_download")).json()

    section = data["golden_ideas"]
    assert [entry["title"] for entry in section["ideas"]] == [idea.title]
    assert section["comments"][0]["body"] == "我的评论"
    assert section["supports"][0]["idea"] == neighbours_idea.pk


def test_a_broker_that_is_down_at_upload_delays_the_photo_but_loses_nothing(
    client, resident, media, django_capture_on_commit_callbacks, monkeypatch
):
    from datetime import timedelta

    from django.utils import timezone

    from proposals.ideas import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(tasks.process_idea_photo, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, resident, photos=[images.good_photo()])

    assert response.status_code == 302, "the resident's idea is saved all the same"
    photo = IdeaPhoto.objects.get()
    assert photo.state == IdeaPhoto.State.PROCESSING
    IdeaPhoto.objects.filter(pk=photo.pk).update(created_at=timezone.now() - timedelta(minutes=6))

    assert tasks.process_waiting_photos() == 1

    photo.refresh_from_db()
    assert photo.state == IdeaPhoto.State.READY
    assert files_in(media[1]) == []
