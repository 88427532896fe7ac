"""Open data: anonymised, for those allowed, and through share links that can be revoked."""

import csv
import io
import json

import pytest
from django.urls import reverse

from proposals.models import Idea, OpenDataLink
from tests.factories import HouseholdFactory, MembershipFactory, UserFactory
from tests.proposals.factories import IdeaFactory

CSV = reverse("proposals:open_data_csv")
JSON = reverse("proposals:open_data_json")
PAGE = reverse("proposals:open_data")


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def seeded(building_3, building_5, unit_3_1201, captain_3):
    """Ideas whose authors, units and text are distinctive, in a building of 20 households
    (building 3) and one of 1 (building 5)."""
    for n in range(19):
        HouseholdFactory(building=building_3, floor=2, unit=f"2{n:02d}")
    author = UserFactory(name="欧阳娜娜", email="ouyang.nana@example.org")
    MembershipFactory(user=author, household=unit_3_1201, verified=True)
    small = HouseholdFactory(building=building_5, floor=7, unit="0707")
    ideas = [
        IdeaFactory(author=author, household=unit_3_1201, title="欧阳娜娜家门口的灯坏了"),
        IdeaFactory(
            author=author,
            household=unit_3_1201,
            hide_name=True,
            body="我住1201，联系电话13800138000",
        ),
        IdeaFactory(
            author=captain_3,
            recorded_by=captain_3,
            resident_name="司马懿老伯",
            household=small,
            title='=HYPERLINK("http://x")',
        ),
    ]
    hidden = IdeaFactory(
        author=author, household=unit_3_1201, moderation="hidden", title="藏起来的"
    )
    return ideas, hidden


def test_open_data_holds_no_names_units_emails_or_text(client, steward, seeded):
    ideas, hidden = seeded
    client.force_login(steward)

    for url in (CSV, JSON):
        body = _body(client.get(url))
        text = body.decode("utf-8-sig")
        for secret in (
            "欧阳娜娜",
            "ouyang.nana",
            "司马懿",
            "1201",
            "0707",
            "13800138000",
            "家门口",
            "HYPERLINK",
            "藏起来的",
            steward.email,
        ):
            assert secret not in text, (url, secret)
        assert str(ideas[0].pk) in text
        assert f'"number": {hidden.pk},' not in text


def test_the_csv_starts_with_a_byte_order_mark_and_gives_the_building_of_large_buildings(
    client, steward, seeded
):
    ideas, _hidden = seeded
    client.force_login(steward)

    body = _body(client.get(CSV))

    assert body.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [int(row["number"]) for row in rows] == sorted(idea.pk for idea in ideas)
    by_number = {int(row["number"]): row for row in rows}
    assert by_number[ideas[0].pk]["building"] == "3"  # 20 households
    assert by_number[ideas[2].pk]["building"] == ""  # building 5 has 2: too few
    assert by_number[ideas[0].pk]["status"] == Idea.Status.SUBMITTED
    assert set(rows[0]) == {
        "number",
        "category",
        "category_zh",
        "category_en",
        "status",
        "submitted_on",
        "status_changed_on",
        "building",
        "supports",
    }


def test_the_json_has_the_same_rows_and_describes_its_fields(client, party_member, seeded):
    client.force_login(party_member)

    document = json.loads(_body(client.get(JSON)))

    assert len(document["ideas"]) == 3
    assert set(document["fields"]) == set(document["ideas"][0])
    assert document["ideas"][2]["building"] is None


@pytest.mark.parametrize("who", ["resident", "captain_3", "newcomer"])
def test_residents_and_captains_may_not_download_or_share(client, persona, who):
    client.force_login(persona(who))
    for url in (PAGE, CSV, JSON):
        assert client.get(url).status_code == 403
    assert (
        client.post(reverse("proposals:open_data_link_create"), {"label": "x"}).status_code == 403
    )


def test_visitors_are_sent_to_sign_in(client):
    for url in (PAGE, CSV, JSON):
        assert client.get(url).url.startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["steward", "party_member", "admin_user"])
def test_staff_party_branch_and_admins_download(client, persona, who, seeded):
    client.force_login(persona(who))
    assert client.get(PAGE).status_code == 200
    assert client.get(CSV)["Content-Type"].startswith("text/csv")
    assert client.get(JSON)["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("who", ["steward", "party_member"])
def test_only_admins_create_share_links(client, persona, who, community):
    client.force_login(persona(who))
    response = client.post(
        reverse("proposals:open_data_link_create"), {"estate": community.pk, "label": "街道办"}
    )
    assert response.status_code == 403
    assert not OpenDataLink.objects.exists()


def _share(client, admin_user, community, label="街道办") -> OpenDataLink:
    client.force_login(admin_user)
    response = client.post(
        reverse("proposals:open_data_link_create"), {"estate": community.pk, "label": label}
    )
    assert response.status_code == 302
    return OpenDataLink.objects.get(label=label)


def test_a_share_link_works_without_sign_in_and_stops_after_revocation(
    client, admin_user, community, seeded
):
    link = _share(client, admin_user, community)
    shared_csv = reverse("proposals:open_data_shared_csv", args=[link.token])
    shared_json = reverse("proposals:open_data_shared_json", args=[link.token])
    assert shared_csv.encode() in client.get(PAGE).content
    client.logout()

    response = client.get(shared_csv)
    assert response.status_code == 200
    assert "欧阳娜娜" not in _body(response).decode("utf-8-sig")
    assert client.get(shared_json).status_code == 200
    link.refresh_from_db()
    assert link.use_count == 2
    assert link.last_used_at is not None

    client.force_login(admin_user)
    response = client.post(reverse("proposals:open_data_link_revoke", args=[link.pk]))
    assert response.status_code == 302
    client.logout()

    assert client.get(shared_csv).status_code == 404
    assert client.get(shared_json).status_code == 404
    link.refresh_from_db()
    assert link.revoked_by == admin_user
    assert link.use_count == 2


def test_a_made_up_token_finds_nothing(client, seeded):
    assert (
        client.get(reverse("proposals:open_data_shared_csv", args=["guessed"])).status_code == 404
    )


def test_a_link_needs_a_label_and_the_form_says_so(client, admin_user, community, english):
    client.force_login(admin_user)
    response = client.post(
        reverse("proposals:open_data_link_create"), {"estate": community.pk, "label": ""}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not OpenDataLink.objects.exists()


def test_an_admin_revokes_only_links_of_their_own_estate(client, admin_user, community):
    from tests.factories import CommunityFactory

    other = CommunityFactory(name="翠湖苑")
    link = OpenDataLink.objects.create(community=other, label="别的小区")
    client.force_login(admin_user)

    assert (
        client.post(reverse("proposals:open_data_link_revoke", args=[link.pk])).status_code == 404
    )
    link.refresh_from_db()
    assert link.is_active


def test_a_formula_in_a_category_name_is_neutralised(client, steward, seeded):
    from proposals.models import Category

    Category.objects.filter(pk=seeded[0][0].category_id).update(name="=1+1")
    client.force_login(steward)

    text = _body(client.get(CSV)).decode("utf-8-sig")

    assert "'=1+1" in text
    assert ",=1+1" not in text


def test_an_admins_data_download_lists_the_links_they_created(admin_user, community):
    from covenant.personal_data import collect_personal_data
    from proposals.insight import services

    services.create_open_data_link(community=community, label="街道办", actor=admin_user)

    data = collect_personal_data(user=admin_user)

    assert [link["label"] for link in data["golden_ideas"]["open_data_links_created"]] == ["街道办"]
