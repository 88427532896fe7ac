"""Owners' votes linked with deliberations, and votes on the public record."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from proposals.deliberations import services as deliberations_services
from proposals.models import OwnersVote
from proposals.votes import services as votes_services
from tests.proposals.conftest import page_queries
from tests.proposals.owners_votes import estate_with_owners, make_due, open_vote, vote_as

pytestmark = pytest.mark.django_db

NEW_VOTE = reverse("votes:vote_create")
RECORD = reverse("proposals:public_record")


def vote_data(**extra):
    closes = (timezone.localtime() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    return {"title": "规范停车", "question": "是否同意？", "matter": "ordinary",
            "closes_at": closes, **extra}  # fmt: skip


def other_estates_deliberation():
    community, admin, _ = estate_with_owners(["80"], name="别的小区")
    return deliberations_services.open_deliberation(
        opener=admin, community=community, topic="别处的议题"
    )


# --- The link --------------------------------------------------------------------------


def test_an_admin_drafts_a_vote_from_a_deliberation(client, admin_user, proposed):
    client.force_login(admin_user)
    form = client.get(f"{NEW_VOTE}?deliberation={proposed.pk}").content.decode()
    assert 'value="规范停车"' in form and "消防通道全天禁止停车。" in form
    assert f'<option value="{proposed.pk}" selected>' in form
    response = client.post(NEW_VOTE, vote_data(deliberation=proposed.pk))
    vote = OwnersVote.objects.get()
    assert response.url == vote.get_absolute_url()
    assert vote.deliberation == proposed and vote.status == OwnersVote.Status.DRAFT


def test_a_deliberation_of_another_estate_is_refused(client, admin_user, community):
    foreign = other_estates_deliberation()
    client.force_login(admin_user)
    assert client.get(f"{NEW_VOTE}?deliberation={foreign.pk}").status_code == 404
    response = client.post(NEW_VOTE, vote_data(deliberation=foreign.pk))
    assert response.status_code == 200 and "别处的议题" not in response.content.decode()
    assert response.context["form"].errors["deliberation"]
    assert response.context["form"]["title"].value() == "规范停车"
    assert not OwnersVote.objects.exists()
    with pytest.raises(ValidationError):
        votes_services.create_vote(
            community=community, title="t", question="q", matter="ordinary",
            closes_at=timezone.now() + timedelta(days=1), created_by=admin_user,
            deliberation=foreign,
        )  # fmt: skip


def test_editing_a_draft_cannot_link_another_estates_deliberation(admin_user, community):
    draft = votes_services.create_vote(
        community=community, title="t", question="q", matter="ordinary",
        closes_at=timezone.now() + timedelta(days=1), created_by=admin_user,
    )  # fmt: skip
    with pytest.raises(ValidationError):
        votes_services.edit_vote(
            vote_id=draft.pk, title="t", question="q", matter="ordinary",
            closes_at=draft.closes_at, deliberation=other_estates_deliberation(),
        )  # fmt: skip


@pytest.mark.parametrize("name", ["resident", "captain_3", "steward", "party_member"])
def test_only_admins_put_a_deliberation_to_a_vote(client, persona, deliberation, name):
    client.force_login(persona(name))
    page = client.get(deliberation.get_absolute_url()).content.decode()
    assert "?deliberation=" not in page
    assert client.get(f"{NEW_VOTE}?deliberation={deliberation.pk}").status_code == 403
    assert client.post(NEW_VOTE, vote_data(deliberation=deliberation.pk)).status_code == 403
    assert not OwnersVote.objects.exists()


def test_a_visitor_is_sent_to_sign_in(client, deliberation):
    response = client.get(f"{NEW_VOTE}?deliberation={deliberation.pk}")
    assert response.status_code == 302 and "login" in response.url


def test_the_admin_sees_the_button(client, admin_user, deliberation):
    client.force_login(admin_user)
    page = client.get(deliberation.get_absolute_url()).content.decode()
    assert f"{NEW_VOTE}?deliberation={deliberation.pk}" in page


def linked_vote(deliberation, admin, *, ballots: str, units):
    vote = open_vote(deliberation.community, admin)
    OwnersVote.objects.filter(pk=vote.pk).update(deliberation=deliberation)
    vote_as(vote, units, ballots)
    make_due(vote)
    return vote


def test_the_deliberation_page_and_the_vote_point_to_each_other(
    client, english, deliberation, admin_user, resident, neighbour, unit_3_1201, unit_5_0802
):
    units = [(unit_3_1201, resident), (unit_5_0802, neighbour)]
    vote = linked_vote(deliberation, admin_user, ballots="aa", units=units)
    client.force_login(resident)
    page = client.get(deliberation.get_absolute_url()).content.decode()
    section = page[page.index('id="owners-votes"') :]
    assert vote.title in section and "vote-outcome-passed" in section
    assert reverse("votes:vote_result", args=[vote.pk]) in section
    for name in ["vote_detail", "vote_result"]:
        vote_page = client.get(reverse(f"votes:{name}", args=[vote.pk])).content.decode()
        assert "From the deliberation:" in vote_page
        assert f'href="{deliberation.get_absolute_url()}"' in vote_page


def test_the_deliberation_page_does_not_grow_with_its_votes(
    client, deliberation, admin_user, resident, neighbour, unit_3_1201, unit_5_0802
):
    units = [(unit_3_1201, resident), (unit_5_0802, neighbour)]
    linked_vote(deliberation, admin_user, ballots="ao", units=units)
    url = deliberation.get_absolute_url()
    small = page_queries(client, resident, url)
    for ballots in ["aa", "o-", "-a"]:
        linked_vote(deliberation, admin_user, ballots=ballots, units=units)
    large = page_queries(client, resident, url)
    assert len(large) == len(small), "\n".join(large)


# --- The public record and the list of votes -------------------------------------------

# Six units, 500 m²: four of 100 m², two of 50 m².
AREAS = ["100", "100", "100", "100", "50", "50"]


@pytest.fixture
def estate():
    return estate_with_owners(AREAS)


def held(community, admin, units, ballots: str, *, title: str, close=True):
    vote = open_vote(community, admin, title=title)
    vote_as(vote, units, ballots)
    if close:
        make_due(vote)
    return vote


def record_entry(page: str, vote) -> str:
    """The record's entry of one vote: from its link to the next link."""
    start = page.index(f'href="{reverse("votes:vote_result", args=[vote.pk])}"')
    return page[start : page.index("</a>", start)]


def test_the_record_lists_every_held_vote_with_its_outcome(client, english, estate):
    community, admin, units = estate
    deliberation = deliberations_services.open_deliberation(
        opener=admin, community=community, topic="电梯更新"
    )
    # 5 of 6 units (83.3%), 450 of 500 m² (90.0%) took part; 4 units / 400 m² agreed.
    passed = held(community, admin, units, "aaaao-", title="划线停车")
    OwnersVote.objects.filter(pk=passed.pk).update(deliberation=deliberation)
    # 4 of 6 units (exactly two thirds: enough), 400 m² (80.0%); 1 unit agreed.
    rejected = held(community, admin, units, "aoos--", title="拆除花坛")
    # 1 of 6 units (16.7%), 100 m² (20.0%): below two thirds, the vote decides nothing.
    void = held(community, admin, units, "a-----", title="外墙改色")
    # Still open: 2 of 6 units (33.3%), 200 m² (40.0%).
    running = held(community, admin, units, "aa----", title="允许养宠物", close=False)
    draft = votes_services.create_vote(
        community=community, title="草稿表决", question="q", matter="ordinary",
        closes_at=timezone.now() + timedelta(days=3), created_by=admin,
    )  # fmt: skip
    client.force_login(units[0][1])
    page = client.get(RECORD).content.decode()
    assert draft.title not in page
    entry = record_entry(page, passed)
    assert "vote-outcome-passed" in entry and "turnout 83.3% of units, 90.0% of floor area" in entry
    assert "From the deliberation:" in entry and "电梯更新" in entry
    entry = record_entry(page, rejected)
    assert (
        "vote-outcome-not_passed" in entry
        and "turnout 66.7% of units, 80.0% of floor area" in entry
    )
    assert "From the deliberation:" not in entry
    entry = record_entry(page, void)
    assert (
        "vote-outcome-no_quorum" in entry and "turnout 16.7% of units, 20.0% of floor area" in entry
    )
    entry = record_entry(page, running)
    assert "vote-outcome" not in entry and "turnout 33.3% of units, 40.0% of floor area" in entry
    closes = timezone.localtime(running.closes_at).strftime("%Y-%m-%d %H:%M")
    assert f"Open until {closes}" in entry
    # The list of votes shows the same outcomes.
    votes_page = client.get(reverse("votes:vote_list")).content.decode()
    for vote, outcome in [(passed, "passed"), (rejected, "not_passed"), (void, "no_quorum")]:
        assert f"vote-outcome-{outcome}" in record_entry(votes_page, vote)


def test_the_record_is_for_the_estates_participants(client, estate, newcomer):
    assert "login" in client.get(RECORD).url
    client.force_login(newcomer)
    assert client.get(RECORD).status_code == 403


def test_other_estates_votes_are_not_on_the_record(client, estate, resident):
    community, admin, units = estate
    held(community, admin, units, "aaaaaa", title="别处的表决")
    client.force_login(resident)
    assert "别处的表决" not in client.get(RECORD).content.decode()


@pytest.mark.parametrize("url", [RECORD, reverse("votes:vote_list")])
def test_the_record_and_the_vote_list_do_not_grow_with_votes(client, estate, url):
    community, admin, units = estate

    def hold(count):
        for n in range(count):
            held(community, admin, units, ["aaaao-", "aoos--", "a-----"][n % 3], title=f"表决{n}")
            held(community, admin, units, "aa----", title=f"进行中{n}", close=False)

    hold(1)
    small = page_queries(client, units[0][1], url)
    hold(5)
    large = page_queries(client, units[0][1], url)
    assert len(large) == len(small), "\n".join(large)
