"""The three-party rules of deliberations, enforced by the services."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from covenant.models import Party
from proposals.deliberations import services
from proposals.models import Deliberation, DeliberationPost, SignOff
from tests.conftest import fresh
from tests.proposals.deliberation_helpers import post, sign

pytestmark = pytest.mark.django_db


def test_the_opener_takes_the_seat_of_their_party(deliberation, party_member):
    seats = {(seat.user_id, seat.party) for seat in deliberation.representatives.all()}
    assert (party_member.pk, Party.PARTY_BRANCH) in seats


def test_two_parties_agreeing_do_not_adopt(proposed, party_member, captain_3):
    sign(proposed, party_member, Party.PARTY_BRANCH)
    sign(proposed, fresh(captain_3), Party.RESIDENTS)
    proposed.refresh_from_db()
    assert proposed.status == Deliberation.Status.RESOLUTION_PROPOSED
    assert proposed.resolution.adopted_at is None


def test_the_third_agreement_adopts(proposed, party_member, captain_3, steward):
    sign(proposed, party_member, Party.PARTY_BRANCH)
    sign(proposed, captain_3, Party.RESIDENTS)
    sign(proposed, steward, Party.PROPERTY)
    proposed.refresh_from_db()
    assert proposed.status == Deliberation.Status.RESOLVED
    assert proposed.resolution.adopted_at is not None


def test_an_objection_blocks_adoption(proposed, party_member, captain_3, steward):
    sign(proposed, party_member, Party.PARTY_BRANCH)
    sign(proposed, steward, Party.PROPERTY, decision="object", comment="夜间保安人手不够")
    sign(proposed, captain_3, Party.RESIDENTS)
    proposed.refresh_from_db()
    assert proposed.status == Deliberation.Status.RESOLUTION_PROPOSED


def test_an_objection_needs_a_comment(proposed, steward):
    with pytest.raises(ValidationError):
        sign(proposed, steward, Party.PROPERTY, decision="object")


def test_a_party_may_change_its_answer_until_adoption(proposed, party_member, captain_3, steward):
    sign(proposed, steward, Party.PROPERTY, decision="object", comment="人手不够")
    sign(proposed, party_member, Party.PARTY_BRANCH)
    sign(proposed, captain_3, Party.RESIDENTS)
    sign(proposed, steward, Party.PROPERTY)
    proposed.refresh_from_db()
    assert proposed.status == Deliberation.Status.RESOLVED
    assert SignOff.objects.filter(version__resolution__deliberation=proposed).count() == 3


def test_a_representative_cannot_sign_for_another_party(proposed, captain_3):
    with pytest.raises(PermissionDenied):
        sign(proposed, captain_3, Party.PROPERTY)
    assert not SignOff.objects.exists()


def test_a_role_holder_not_named_cannot_sign(proposed, captain_5):
    with pytest.raises(PermissionDenied):
        sign(proposed, captain_5, Party.RESIDENTS)


def test_an_admin_signs_for_no_party(proposed, admin_user):
    for party in Party.values:
        with pytest.raises(PermissionDenied):
            sign(proposed, admin_user, party)
    assert not SignOff.objects.exists()


def test_an_edit_keeps_the_old_version_and_resets_sign_offs(
    proposed, party_member, captain_3, steward
):
    sign(proposed, party_member, Party.PARTY_BRANCH)
    sign(proposed, captain_3, Party.RESIDENTS)
    services.propose_resolution(
        deliberation=proposed, author=steward, text="消防通道全天禁止停车，违者贴单提醒。"
    )
    versions = list(proposed.resolution.versions.order_by("number"))
    assert [v.text for v in versions] == [
        "消防通道全天禁止停车。",
        "消防通道全天禁止停车，违者贴单提醒。",
    ]
    assert versions[0].sign_offs.count() == 2
    assert versions[1].sign_offs.count() == 0
    sign(proposed, steward, Party.PROPERTY)
    proposed.refresh_from_db()
    assert proposed.status == Deliberation.Status.RESOLUTION_PROPOSED


def test_the_database_allows_one_sign_off_per_party_and_version(proposed, party_member):
    from django.db import IntegrityError, transaction

    version = proposed.resolution.versions.get()
    SignOff.objects.create(
        version=version, party=Party.PARTY_BRANCH, signed_by=party_member, decision="agree"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SignOff.objects.create(
            version=version, party=Party.PARTY_BRANCH, signed_by=party_member, decision="object"
        )


def test_a_closed_deliberation_accepts_no_posts(deliberation, party_member):
    services.close_deliberation(
        deliberation=deliberation, actor=party_member, reason="已并入小区停车改造项目"
    )
    with pytest.raises(ValidationError):
        post(deliberation, party_member, Party.PARTY_BRANCH)
    assert not DeliberationPost.objects.exists()


def test_closing_needs_a_reason(deliberation, party_member):
    with pytest.raises(ValidationError):
        services.close_deliberation(deliberation=deliberation, actor=party_member, reason=" ")
    deliberation.refresh_from_db()
    assert deliberation.status == Deliberation.Status.OPEN


def test_a_resolved_deliberation_accepts_no_posts_or_sign_offs(
    proposed, party_member, captain_3, steward
):
    for user, party in [
        (party_member, Party.PARTY_BRANCH),
        (captain_3, Party.RESIDENTS),
        (steward, Party.PROPERTY),
    ]:
        sign(proposed, user, party)
    with pytest.raises(ValidationError):
        post(proposed, steward, Party.PROPERTY)
    with pytest.raises(ValidationError):
        sign(proposed, steward, Party.PROPERTY, decision="object", comment="改主意了")
    with pytest.raises(ValidationError):
        services.propose_resolution(deliberation=proposed, author=steward, text="新文本")
    assert not DeliberationPost.objects.exists()


def test_a_representative_posts_for_their_own_party_only(deliberation, captain_3):
    created = post(deliberation, captain_3, Party.RESIDENTS)
    assert (created.party, created.on_behalf) == (Party.RESIDENTS, False)
    with pytest.raises(PermissionDenied):
        post(deliberation, captain_3, Party.PROPERTY)


def test_an_admin_posts_for_a_party_marked_as_such(deliberation, admin_user):
    created = post(deliberation, admin_user, Party.PROPERTY, body="会议纪要已上传")
    assert (created.party, created.on_behalf) == (Party.PROPERTY, True)


def test_a_captain_brings_points_only_from_their_own_building(
    deliberation, captain_5, building_3, building_5
):
    point = services.add_deliberation_post(
        deliberation=deliberation, author=captain_5, body="5栋住户希望增加充电桩",
        kind=DeliberationPost.Kind.BUILDING_POINT, building=building_5,
    )  # fmt: skip
    assert point.building == building_5
    with pytest.raises(PermissionDenied):
        services.add_deliberation_post(
            deliberation=deliberation, author=captain_5, body="3栋的意见",
            kind=DeliberationPost.Kind.BUILDING_POINT, building=building_3,
        )  # fmt: skip


def test_one_person_sits_for_one_party_only(deliberation, party_member, community):
    from covenant.models import Role
    from tests.factories import RoleGrantFactory

    RoleGrantFactory(user=party_member, community=community, role=Role.PROPERTY_STAFF)
    with pytest.raises(ValidationError):
        services.name_representative(
            deliberation=deliberation, user=fresh(party_member), party=Party.PROPERTY,
            actor=party_member,
        )  # fmt: skip


def test_only_a_holder_of_the_party_role_can_be_named(deliberation, resident, party_member):
    with pytest.raises(ValidationError):
        services.name_representative(
            deliberation=deliberation, user=resident, party=Party.RESIDENTS, actor=party_member
        )


def test_the_data_download_holds_posts_and_sign_offs(client, proposed, steward):
    from django.urls import reverse

    post(proposed, steward, Party.PROPERTY, body="物业的意见")
    sign(proposed, steward, Party.PROPERTY, decision="object", comment="人手不够")
    client.force_login(steward)
    section = client.get(reverse("personal_data_download")).json()["golden_ideas"]
    assert section["deliberation_posts"][0]["body"] == "物业的意见"
    assert section["resolution_sign_offs"][0]["comment"] == "人手不够"
    assert section["deliberation_seats"] == [{"deliberation": proposed.pk, "party": "property"}]


def test_deleting_an_account_gives_up_running_seats_and_keeps_the_words(proposed, steward):
    from covenant.services import delete_account

    post(proposed, steward, Party.PROPERTY, body="物业的意见")
    item = services.add_action_item(
        resolution=proposed.resolution, title="划线", owner_party=Party.PROPERTY, owner=steward,
        actor=steward,
    )  # fmt: skip
    delete_account(user=steward)
    assert not proposed.representatives.filter(user=steward).exists()
    assert DeliberationPost.objects.get().body == "物业的意见"
    item.refresh_from_db()
    assert item.owner is None


@pytest.mark.parametrize(
    "name",
    [
        "newcomer",
        "resident",
        "neighbour",
        "captain_3",
        "captain_5",
        "steward",
        "party_member",
        "admin_user",
    ],
)
def test_the_list_selector_agrees_with_the_read_permission(deliberation, persona, name):
    from proposals.deliberations.selectors import deliberations_visible_to
    from tests.factories import CommunityFactory, RoleGrantFactory, UserFactory

    other = CommunityFactory(name="翠湖苑")
    opener = UserFactory()
    RoleGrantFactory(user=opener, community=other, role="party_branch")
    elsewhere = services.open_deliberation(opener=opener, community=other, topic="别处")
    user = fresh(persona(name))
    listed = set(deliberations_visible_to(user))
    for item in [deliberation, elsewhere]:
        assert (item in listed) == user.has_perm("proposals.read_deliberation", item)
    assert elsewhere not in listed
    assert (deliberation in listed) == (name != "newcomer")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_three_parties_signing_at_once_adopt_exactly_once(
    proposed, party_member, captain_3, steward
):
    """Each answer counts the agreements under the deliberation's row lock, so the last
    of three simultaneous answers sees all three and adopts; none is lost."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connection

    from proposals.models import DeliberationStatusChange

    barrier = Barrier(3)
    signers = [
        (party_member, Party.PARTY_BRANCH),
        (captain_3, Party.RESIDENTS),
        (steward, Party.PROPERTY),
    ]

    def answer(signer):
        user, party = signer
        try:
            barrier.wait()
            sign(Deliberation.objects.get(pk=proposed.pk), fresh(user), party)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(answer, signers))

    proposed.refresh_from_db()
    assert proposed.status == Deliberation.Status.RESOLVED
    assert SignOff.objects.count() == 3
    assert (
        DeliberationStatusChange.objects.filter(
            deliberation=proposed, to_status=Deliberation.Status.RESOLVED
        ).count()
        == 1
    )


def test_a_closed_deliberation_takes_no_action_items(proposed, party_member, steward):
    services.close_deliberation(deliberation=proposed, actor=party_member, reason="物业换了公司")
    with pytest.raises(ValidationError):
        services.add_action_item(
            resolution=proposed.resolution, title="划线", owner_party=Party.PROPERTY, actor=steward
        )
