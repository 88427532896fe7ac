"""Cases found in review: pre-moderation and edits, hidden threads, merges and withdrawals."""

import pytest
from django.urls import reverse

from covenant.uploads import validate_image
from proposals.models import Comment, Idea, IdeaBoxSettings, Moderation
from proposals.moderation import services as moderation_services
from proposals.triage import services as triage_services
from tests import images
from tests.factories import UserFactory
from tests.proposals.factories import CommentFactory, IdeaFactory

pytestmark = pytest.mark.usefixtures("english")


def test_an_edit_under_premoderation_waits_for_a_moderator_again(client, neighbour, comment):
    IdeaBoxSettings.objects.create(community=comment.idea.community, premoderation=True)
    client.force_login(neighbour)

    client.post(reverse("proposals:comment_edit", args=[comment.pk]), {"body": "改成了别的话"})

    comment.refresh_from_db()
    assert comment.moderation == Moderation.PENDING
    comment.idea.refresh_from_db()
    assert comment.idea.comment_count == 0


def test_nobody_replies_to_a_hidden_comment(client, resident, idea, comment):
    Comment.objects.filter(pk=comment.pk).update(moderation=Moderation.HIDDEN)
    client.force_login(resident)

    client.post(
        reverse("proposals:comment_create", args=[idea.pk]), {"body": "回复", "parent": comment.pk}
    )

    assert not Comment.objects.filter(body="回复").exists()


def test_replies_under_a_hidden_comment_stay_in_place_under_a_placeholder(
    client, resident, captain_3, idea, comment
):
    reply = CommentFactory(idea=idea, author=UserFactory(), parent=comment, body="回复内容")
    moderation_services.hide_item(item=comment, actor=captain_3, reason="人身攻击")
    client.force_login(resident)

    html = client.get(idea.get_absolute_url()).content.decode()

    assert reply.body in html
    assert comment.body not in html
    assert "A comment hidden by a moderator." in html
    idea.refresh_from_db()
    assert idea.comment_count == 1


def test_an_idea_others_were_merged_into_cannot_be_withdrawn(
    client, resident, steward, idea, neighbours_idea
):
    moderation_services.mark_duplicate(idea=neighbours_idea, original=idea, actor=steward)
    client.force_login(resident)

    client.post(reverse("proposals:idea_withdraw", args=[idea.pk]), {"confirm": "yes"})

    idea.refresh_from_db()
    assert idea.status == Idea.Status.SUBMITTED


def test_merging_an_original_takes_its_duplicates_along(
    steward, idea, neighbours_idea, unit_3_1201
):
    third = IdeaFactory(household=unit_3_1201, author=UserFactory())
    moderation_services.mark_duplicate(idea=neighbours_idea, original=idea, actor=steward)

    moderation_services.mark_duplicate(idea=idea, original=third, actor=steward)

    neighbours_idea.refresh_from_db()
    assert neighbours_idea.duplicate_of == third


def test_a_phone_photo_saved_as_multi_picture_jpeg_is_accepted():
    import io

    from PIL import Image

    buffer = io.BytesIO()
    first, second = Image.new("RGB", (40, 30), "red"), Image.new("RGB", (40, 30), "blue")
    first.save(buffer, format="MPO", save_all=True, append_images=[second])

    validate_image(images.upload("phone.jpg", buffer.getvalue()))


def test_triage_changes_leave_a_history_the_staff_see_and_residents_do_not(
    client, resident, steward, idea
):
    from proposals.models import Category, TriageChange

    pets = Category.objects.get(slug="pets")
    triage_services.update_triage(
        idea=idea, actor=steward, category=pets, priority=3, assignee=steward
    )
    triage_services.update_triage(
        idea=idea, actor=steward, category=pets, priority=3, assignee=steward
    )

    # The second, identical save changed nothing and wrote nothing.
    changes = list(TriageChange.objects.filter(idea=idea).values_list("field", "new_value"))
    assert [field for field, _value in changes] == ["category", "priority", "assignee"]
    assert changes[2] == ("assignee", "物业管家小周")
    client.force_login(steward)
    assert "Triage history" in client.get(idea.get_absolute_url()).content.decode()
    client.force_login(resident)
    assert "Triage history" not in client.get(idea.get_absolute_url()).content.decode()


def test_bulk_triage_writes_a_history_row_per_changed_idea(steward, idea, neighbours_idea):
    from proposals.models import Category, TriageChange

    pets = Category.objects.get(slug="pets")

    triage_services.bulk_triage(ideas=[idea, neighbours_idea], actor=steward, category=pets)

    assert TriageChange.objects.filter(field="category").count() == 2


def test_a_declined_idea_is_retriaged_without_repeating_the_reason(client, steward, idea):
    from proposals.models import Category

    triage_services.change_status(
        idea=idea, actor=steward, to_status="declined", public_reply="不在物业范围"
    )
    client.force_login(steward)

    response = client.post(
        reverse("proposals:idea_triage", args=[idea.pk]),
        {"category": Category.objects.get(slug="parking").pk, "priority": 4, "status": "declined"},
    )

    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.priority == 4
