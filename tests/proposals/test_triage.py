"""Triage by the property staff: status, public replies, private notes and the board."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from covenant import middleware
from proposals.models import Campaign, Category, Idea, ReplyTemplate, StaffNote, TimelineEntry
from tests.factories import MembershipFactory, UserFactory
from tests.proposals.factories import IdeaFactory

BOARD = reverse("proposals:triage_board")


def detail_url(idea):
    return reverse("proposals:idea_detail", args=[idea.pk])


def triage_url(idea):
    return reverse("proposals:idea_triage", args=[idea.pk])


def note_url(idea):
    return reverse("proposals:idea_note", args=[idea.pk])


def page_language() -> str:
    """The language the middleware serves an anonymous request in (patched by conftest)."""
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    return middleware.language_for(request)


def shown(msgid: str, context: str | None = None) -> str:
    """A message as the pages show it: in the language they are served in (English under
    tests/proposals/conftest.py, the portal's Chinese without it), escaped like the page."""
    with translation.override(page_language()):
        text = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
    return escape(text)


def triage_data(idea, **changes):
    """The triage form as the idea page fills it in, with `changes` typed over it."""
    data = {
        "category": idea.category_id,
        "priority": idea.priority,
        "assignee": idea.assignee_id or "",
        "status": idea.status,
        "reply_template": "",
        "public_reply": "",
    }
    data.update(changes)
    return data


def page_of(client, user, idea) -> str:
    client.force_login(user)
    response = client.get(detail_url(idea))
    assert response.status_code == 200
    return response.content.decode()


# --- Status and public replies -------------------------------------------------------


def test_the_steward_accepts_an_idea_and_residents_see_the_reply_on_its_timeline(
    client, idea, steward, neighbour
):
    before = idea.status_changed_at
    client.force_login(steward)
    response = client.post(
        triage_url(idea), triage_data(idea, status="accepted", public_reply="下月初开始施工。")
    )
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.status == Idea.Status.ACCEPTED
    assert idea.status_changed_at > before
    entry = TimelineEntry.objects.get(idea=idea)
    assert (entry.from_status, entry.to_status, entry.actor) == ("submitted", "accepted", steward)

    html = page_of(client, neighbour, idea)
    assert "下月初开始施工。" in html
    assert shown("Accepted", "idea status") in html


def test_a_reply_without_a_status_change_joins_the_timeline(client, idea, steward, resident):
    client.force_login(steward)
    client.post(triage_url(idea), triage_data(idea, public_reply="已经转给工程部。"))
    idea.refresh_from_db()
    assert idea.status == Idea.Status.SUBMITTED
    entry = TimelineEntry.objects.get(idea=idea)
    assert not entry.changes_status
    assert "已经转给工程部。" in page_of(client, resident, idea)


def test_declining_without_a_reason_is_refused_with_a_clear_message(client, idea, steward):
    client.force_login(steward)
    response = client.post(triage_url(idea), triage_data(idea, status="declined"))
    assert response.status_code == 400
    assert response.context["triage_form"].errors["public_reply"]
    assert shown("Give residents the reason in a public reply when declining.") in (
        response.content.decode()
    )
    idea.refresh_from_db()
    assert idea.status == Idea.Status.SUBMITTED
    assert not TimelineEntry.objects.exists()


def test_declining_with_a_blank_reason_is_refused(client, idea, steward):
    client.force_login(steward)
    response = client.post(
        triage_url(idea), triage_data(idea, status="declined", public_reply="   ")
    )
    assert response.status_code == 400
    idea.refresh_from_db()
    assert idea.status == Idea.Status.SUBMITTED


def test_declining_with_a_reason_shows_the_reason_to_residents(client, idea, steward, neighbour):
    client.force_login(steward)
    client.post(
        triage_url(idea),
        triage_data(idea, status="declined", public_reply="消防通道不能改为车位。"),
    )
    idea.refresh_from_db()
    assert idea.status == Idea.Status.DECLINED
    html = page_of(client, neighbour, idea)
    assert "消防通道不能改为车位。" in html
    assert shown("Declined", "idea status") in html


@pytest.mark.parametrize("to_status", ["done", "in_progress", "withdrawn", "nonsense"])
def test_a_transition_the_workflow_does_not_allow_is_refused(client, idea, steward, to_status):
    client.force_login(steward)
    response = client.post(
        triage_url(idea), triage_data(idea, status=to_status, public_reply="好的")
    )
    assert response.status_code == 400
    assert response.context["triage_form"].errors["status"]
    idea.refresh_from_db()
    assert idea.status == Idea.Status.SUBMITTED
    assert not TimelineEntry.objects.exists()


def test_an_idea_moves_along_the_whole_workflow(client, idea, steward):
    client.force_login(steward)
    for status in ["accepted", "in_progress", "done"]:
        idea.refresh_from_db()
        assert client.post(triage_url(idea), triage_data(idea, status=status)).status_code == 302
    idea.refresh_from_db()
    assert idea.status == Idea.Status.DONE
    assert list(TimelineEntry.objects.values_list("to_status", flat=True)) == [
        "accepted",
        "in_progress",
        "done",
    ]


def test_the_steward_sets_category_priority_and_assignee(client, idea, steward):
    greenery = Category.objects.get(slug="greenery")
    client.force_login(steward)
    client.post(
        triage_url(idea),
        triage_data(idea, category=greenery.pk, priority=Idea.Priority.URGENT, assignee=steward.pk),
    )
    idea.refresh_from_db()
    assert (idea.category, idea.priority, idea.assignee) == (greenery, 4, steward)


def test_an_idea_cannot_be_assigned_to_a_resident(client, idea, steward, neighbour):
    client.force_login(steward)
    response = client.post(triage_url(idea), triage_data(idea, assignee=neighbour.pk))
    assert response.status_code == 400
    idea.refresh_from_db()
    assert idea.assignee is None


def test_an_admin_triages_too(client, idea, admin_user):
    client.force_login(admin_user)
    client.post(triage_url(idea), triage_data(idea, status="referred", public_reply="提交议事会"))
    idea.refresh_from_db()
    assert idea.status == Idea.Status.REFERRED


# --- Reply templates -----------------------------------------------------------------


@pytest.fixture
def reply_template(db):
    return ReplyTemplate.objects.create(
        title="已受理", body="感谢您的建议，物业已受理，将在两周内答复。"
    )


def test_a_reply_template_fills_an_empty_reply(client, idea, steward, reply_template, resident):
    client.force_login(steward)
    client.post(
        triage_url(idea), triage_data(idea, status="accepted", reply_template=reply_template.pk)
    )
    entry = TimelineEntry.objects.get(idea=idea)
    assert entry.public_reply == reply_template.body
    assert reply_template.body in page_of(client, resident, idea)


def test_a_typed_reply_wins_over_the_template(client, idea, steward, reply_template):
    client.force_login(steward)
    client.post(
        triage_url(idea),
        triage_data(
            idea, status="accepted", reply_template=reply_template.pk, public_reply="自己写的"
        ),
    )
    assert TimelineEntry.objects.get(idea=idea).public_reply == "自己写的"


def test_a_template_gives_the_reason_a_decline_needs(client, idea, steward, reply_template):
    client.force_login(steward)
    response = client.post(
        triage_url(idea), triage_data(idea, status="declined", reply_template=reply_template.pk)
    )
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.status == Idea.Status.DECLINED


def test_a_retired_template_is_not_offered(client, idea, steward, reply_template):
    reply_template.is_active = False
    reply_template.save()
    client.force_login(steward)
    response = client.post(
        triage_url(idea), triage_data(idea, status="accepted", reply_template=reply_template.pk)
    )
    assert response.status_code == 400
    assert reply_template.title not in client.get(detail_url(idea)).content.decode()


# --- Private notes -------------------------------------------------------------------


@pytest.fixture
def note(client, idea, steward):
    client.force_login(steward)
    response = client.post(note_url(idea), {"body": "业主委员会下周讨论，先别回复。"})
    assert response.status_code == 302
    client.logout()
    return StaffNote.objects.get(idea=idea)


@pytest.mark.parametrize("name", ["steward", "admin_user"])
def test_private_notes_are_seen_by_the_staff_and_admins(client, persona, name, idea, note):
    html = page_of(client, persona(name), idea)
    assert "业主委员会下周讨论，先别回复。" in html


@pytest.mark.parametrize(
    "name", ["resident", "neighbour", "captain_3", "captain_5", "party_member"]
)
def test_private_notes_never_reach_residents_or_captains(client, persona, name, idea, note):
    html = page_of(client, persona(name), idea)
    assert "业主委员会下周讨论，先别回复。" not in html
    assert 'id="staff-notes"' not in html


@pytest.mark.parametrize("name", ["resident", "captain_3", "party_member"])
def test_only_the_staff_write_private_notes(client, persona, name, idea, steward):
    client.force_login(persona(name))
    assert client.post(note_url(idea), {"body": "偷偷记一笔"}).status_code == 403
    assert not StaffNote.objects.exists()


def test_an_empty_note_is_not_saved(client, idea, steward):
    client.force_login(steward)
    response = client.post(note_url(idea), {"body": "  "}, follow=True)
    assert any(message.level_tag == "error" for message in response.context["messages"])
    assert not StaffNote.objects.exists()


# --- Who may triage ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["resident", "neighbour", "captain_3", "captain_5", "party_member", "newcomer"]
)
def test_those_who_do_not_triage_are_refused(client, persona, name, idea, steward):
    data = triage_data(idea, status="accepted", public_reply="我说了算")
    client.force_login(persona(name))
    assert client.post(triage_url(idea), data).status_code == 403
    idea.refresh_from_db()
    assert idea.status == Idea.Status.SUBMITTED
    assert not TimelineEntry.objects.exists()
    # The same request from the steward is obeyed.
    client.force_login(steward)
    assert client.post(triage_url(idea), data).status_code == 302
    idea.refresh_from_db()
    assert idea.status == Idea.Status.ACCEPTED


def test_a_resident_sees_no_triage_form(client, idea, resident, steward):
    assert triage_url(idea) not in page_of(client, resident, idea)
    assert triage_url(idea) in page_of(client, steward, idea)


def test_triage_sends_visitors_to_sign_in(client, idea):
    response = client.post(triage_url(idea), triage_data(idea, status="accepted"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    idea.refresh_from_db()
    assert idea.status == Idea.Status.SUBMITTED


def test_the_board_sends_visitors_to_sign_in(client, db):
    response = client.get(BOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "name", ["newcomer", "resident", "neighbour", "captain_3", "captain_5", "party_member"]
)
def test_the_board_is_refused_to_those_who_do_not_triage(client, persona, name):
    client.force_login(persona(name))
    assert client.get(BOARD).status_code == 403


@pytest.mark.parametrize("name", ["steward", "admin_user"])
def test_the_staff_and_admins_open_the_board(client, persona, name, idea):
    client.force_login(persona(name))
    response = client.get(BOARD)
    assert response.status_code == 200
    assert list(response.context["ideas"]) == [idea]


def test_an_empty_board_says_so(client, steward):
    client.force_login(steward)
    response = client.get(BOARD)
    assert shown("No idea matches these filters.") in response.content.decode()


# --- Board filters and sorts ---------------------------------------------------------


@pytest.fixture
def board(resident, neighbour, unit_3_1201, unit_5_0802, admin_user, community):
    """Ideas that differ in status, category, building, campaign, age and supports."""
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        community=community,
        title="春季征集",
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=10),
        created_by=admin_user,
    )
    now = timezone.now()
    parking = Category.objects.get(slug="parking")
    greenery = Category.objects.get(slug="greenery")
    return {
        "old_parking": IdeaFactory(
            author=resident,
            household=unit_3_1201,
            category=parking,
            created_at=now - timedelta(days=100),
            support_count=2,
        ),
        "accepted_greenery": IdeaFactory(
            author=resident,
            household=unit_3_1201,
            category=greenery,
            status=Idea.Status.ACCEPTED,
            created_at=now - timedelta(days=40),
            support_count=9,
        ),
        "building_5": IdeaFactory(
            author=neighbour,
            household=unit_5_0802,
            category=parking,
            created_at=now - timedelta(days=10),
            support_count=5,
        ),
        "in_campaign": IdeaFactory(
            author=neighbour,
            household=unit_5_0802,
            category=greenery,
            campaign=campaign,
            created_at=now - timedelta(days=1),
            support_count=0,
        ),
    }


def board_labels(client, user, board, query) -> list[str]:
    names = {idea.pk: label for label, idea in board.items()}
    client.force_login(user)
    response = client.get(BOARD, query)
    assert response.status_code == 200
    return [names[idea.pk] for idea in response.context["ideas"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "accepted"}, {"accepted_greenery"}),
        ({"category": "parking"}, {"old_parking", "building_5"}),
        ({"building": "5"}, {"building_5", "in_campaign"}),
        ({"age": "30"}, {"old_parking", "accepted_greenery"}),
        ({"age": "90"}, {"old_parking"}),
        ({"category": "greenery", "building": "3"}, {"accepted_greenery"}),
    ],
    ids=str,
)
def test_the_board_filters_by_named_options(client, steward, board, query, expected):
    assert set(board_labels(client, steward, board, query)) == expected


def test_the_board_filters_by_campaign(client, steward, board):
    campaign = board["in_campaign"].campaign
    assert board_labels(client, steward, board, {"campaign": campaign.pk}) == ["in_campaign"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("oldest", ["old_parking", "accepted_greenery", "building_5", "in_campaign"]),
        ("newest", ["in_campaign", "building_5", "accepted_greenery", "old_parking"]),
        ("supported", ["accepted_greenery", "building_5", "old_parking", "in_campaign"]),
    ],
)
def test_the_board_sorts_by_named_options(client, steward, board, sort, expected):
    assert board_labels(client, steward, board, {"sort": sort}) == expected


def test_the_board_starts_with_the_oldest(client, steward, board):
    assert board_labels(client, steward, board, {})[0] == "old_parking"


@pytest.mark.parametrize(
    "query",
    [
        {"status": "bogus"},
        {"category": "no-such-category"},
        {"building": "99"},
        {"campaign": "abc"},
        {"age": "5"},
        {"sort": "title; DROP TABLE proposals_idea"},
        {"sort": "-author__password"},
        {"after": "not-a-cursor"},
    ],
    ids=str,
)
def test_unknown_filter_values_are_ignored(client, steward, board, query):
    labels = board_labels(client, steward, board, query)
    assert labels == ["old_parking", "accepted_greenery", "building_5", "in_campaign"]


def test_a_bad_value_does_not_drop_the_good_filters(client, steward, board):
    labels = board_labels(client, steward, board, {"status": "accepted", "building": "99"})
    assert labels == ["accepted_greenery"]


# --- Bulk changes --------------------------------------------------------------------


def test_the_steward_sets_the_category_of_several_ideas_at_once(client, steward, board):
    hygiene = Category.objects.get(slug="hygiene")
    picked = [board["old_parking"], board["building_5"]]
    client.force_login(steward)
    response = client.post(
        BOARD, {"ideas": [idea.pk for idea in picked], "category": hygiene.pk}, follow=True
    )
    assert any(message.level_tag == "success" for message in response.context["messages"])
    for idea in picked:
        idea.refresh_from_db()
        assert idea.category == hygiene
    board["in_campaign"].refresh_from_db()
    assert board["in_campaign"].category.slug == "greenery"


def test_the_steward_assigns_several_ideas_at_once(client, steward, board, admin_user):
    picked = [board["accepted_greenery"], board["in_campaign"]]
    client.force_login(steward)
    client.post(BOARD, {"ideas": [idea.pk for idea in picked], "assignee": admin_user.pk})
    for idea in picked:
        idea.refresh_from_db()
        assert idea.assignee == admin_user
    board["old_parking"].refresh_from_db()
    assert board["old_parking"].assignee is None


def test_a_bulk_change_without_anything_to_set_changes_nothing(client, steward, board):
    client.force_login(steward)
    response = client.post(BOARD, {"ideas": [board["old_parking"].pk]}, follow=True)
    assert any(message.level_tag == "error" for message in response.context["messages"])
    board["old_parking"].refresh_from_db()
    assert board["old_parking"].category.slug == "parking"


def test_a_bulk_change_without_ticked_ideas_is_refused(client, steward, board):
    hygiene = Category.objects.get(slug="hygiene")
    client.force_login(steward)
    response = client.post(BOARD, {"category": hygiene.pk}, follow=True)
    assert any(message.level_tag == "error" for message in response.context["messages"])
    assert not Idea.objects.filter(category=hygiene).exists()


def test_a_bulk_change_keeps_the_board_filters(client, steward, board):
    hygiene = Category.objects.get(slug="hygiene")
    client.force_login(steward)
    response = client.post(
        f"{BOARD}?status=accepted&sort=newest",
        {"ideas": [board["old_parking"].pk], "category": hygiene.pk},
    )
    assert response["Location"] == f"{BOARD}?status=accepted&sort=newest"


@pytest.mark.parametrize("name", ["resident", "captain_3", "party_member"])
def test_bulk_changes_are_refused_to_those_who_do_not_triage(client, persona, name, board, steward):
    hygiene = Category.objects.get(slug="hygiene")
    data = {"ideas": [board["old_parking"].pk], "category": hygiene.pk}
    client.force_login(persona(name))
    assert client.post(BOARD, data).status_code == 403
    board["old_parking"].refresh_from_db()
    assert board["old_parking"].category.slug == "parking"
    client.force_login(steward)
    client.post(BOARD, data)
    board["old_parking"].refresh_from_db()
    assert board["old_parking"].category == hygiene


# --- The board's query count ---------------------------------------------------------


@pytest.mark.parametrize("count", [10, 200])
def test_the_board_query_count_does_not_grow_with_ideas(
    client, steward, unit_3_1201, category, count
):
    authors = []
    for number in range(3):
        user = UserFactory(name=f"住户{number}")
        MembershipFactory(user=user, household=unit_3_1201, verified=True)
        authors.append(user)
    for number in range(count):
        IdeaFactory(
            author=authors[number % 3],
            household=unit_3_1201,
            category=category,
            assignee=steward if number % 2 else None,
        )
    client.force_login(steward)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(BOARD)
    assert response.status_code == 200
    assert len(response.context["ideas"]) == min(count, 50)
    # 1. session  2. user  3. role grants  4. verified membership?
    # 5. the page of ideas, with building and assignee joined  6. the categories (kept)
    # 7.-9. the filter form's choices: categories, buildings, campaigns (its markup kept)
    # 10.-11. the bulk form's choices: categories (its markup kept), assignable staff
    assert len(queries) == 11, "\n".join(query["sql"] for query in queries)


def test_the_board_pages_on_with_the_same_queries(client, steward, unit_3_1201, category):
    for _number in range(60):
        IdeaFactory(author=steward, household=unit_3_1201, category=category)
    client.force_login(steward)
    first = client.get(BOARD)
    assert first.context["page"].has_next
    with CaptureQueriesContext(connection) as queries:
        second = client.get(BOARD, {"after": first.context["page"].next_cursor})
    assert len(second.context["ideas"]) == 10
    assert not {idea.pk for idea in first.context["ideas"]} & {
        idea.pk for idea in second.context["ideas"]
    }
    # session, user, roles (grants, membership), the page of ideas, the staff one may
    # assign; the filters' choices are kept since the first page (kept_forms.py).
    assert len(queries) == 6, "\n".join(query["sql"] for query in queries.captured_queries)


def test_a_bulk_assignment_to_a_resident_is_refused(client, steward, board, neighbour):
    client.force_login(steward)
    response = client.post(
        BOARD, {"ideas": [board["old_parking"].pk], "assignee": neighbour.pk}, follow=True
    )
    assert any(message.level_tag == "error" for message in response.context["messages"])
    board["old_parking"].refresh_from_db()
    assert board["old_parking"].assignee is None


SCRIPT = "<script>alert('x')</script>"


def test_markup_in_titles_notes_and_replies_renders_inert(client, idea, steward, resident):
    Idea.objects.filter(pk=idea.pk).update(title=f"标题{SCRIPT}")
    idea.refresh_from_db()
    client.force_login(steward)
    client.post(note_url(idea), {"body": SCRIPT})
    client.post(triage_url(idea), triage_data(idea, public_reply=f"回复{SCRIPT}"))
    board = client.get(BOARD).content.decode()
    assert SCRIPT not in board
    for user in (steward, resident):
        html = page_of(client, user, idea)
        assert "<script>alert" not in html


def test_a_refused_status_change_saves_nothing_of_the_triage(client, idea, steward, monkeypatch):
    """The author withdraws while the steward is triaging: the steward's request is refused
    as a whole (400), and the category it carried is not half-saved."""
    from proposals.triage import services

    original_update = services.update_triage

    def update_then_author_withdraws(**kwargs):
        result = original_update(**kwargs)
        Idea.objects.filter(pk=idea.pk).update(status=Idea.Status.WITHDRAWN)
        return result

    monkeypatch.setattr(services, "update_triage", update_then_author_withdraws)
    greenery = Category.objects.get(slug="greenery")
    client.force_login(steward)
    response = client.post(
        triage_url(idea), triage_data(idea, category=greenery.pk, status="accepted")
    )
    assert response.status_code == 400
    idea.refresh_from_db()
    assert idea.category.slug == "parking"


def test_a_board_row_shows_the_idea_as_the_staff_work_on_it(client, steward, unit_3_1201):
    from django.template.defaultfilters import truncatechars
    from django.utils.timesince import timesince
    from django.utils.translation import gettext

    idea = IdeaFactory(
        author=UserFactory(),
        household=unit_3_1201,
        title="三栋北侧路灯不亮，晚上回家很不安全，请尽快修理。路灯坏了已经两个星期，老人晚上出门看不清台阶",
        priority=Idea.Priority.URGENT,
        assignee=steward,
        support_count=7,
        created_at=timezone.now() - timedelta(days=3),
    )
    steward.preferred_language = "zh-hans"
    steward.save(update_fields=["preferred_language"])
    client.force_login(steward)

    html = client.get(BOARD).content.decode()

    start = html.index(f'id="pick-{idea.pk}"')
    row = html[html.rindex("<tr>", 0, start) : html.index("</tr>", start)]
    with translation.override("zh-hans"):
        select = gettext("Select idea %(number)s") % {"number": idea.pk}
        assert f'name="ideas" value="{idea.pk}" id="pick-{idea.pk}" aria-label="{select}"' in row
        shown = truncatechars(idea.title, 40)  # cut at 40 characters, as the language cuts
        assert shown != idea.title and f'<a href="{detail_url(idea)}">{shown}</a>' in row
        assert f'<span class="badge text-bg-danger">{Idea.Priority.URGENT.label}</span>' in row
        assert f"idea-status-{idea.status}" in row and str(idea.get_status_display()) in row
        assert f"<td>{idea.category.name}</td>" in row and "<td>3</td>" in row
        assert '<td class="text-end">7</td>' in row
        assert f"<td>{steward.name}</td>" in row
        assert f'<td class="text-nowrap">{timesince(idea.created_at)}</td>' in row


def test_the_kept_bulk_form_offers_staff_granted_since(client, steward, community):
    from covenant.models import Role
    from tests.factories import RoleGrantFactory

    client.force_login(steward)
    assert "新来的管家小吴" not in client.get(BOARD).content.decode()
    RoleGrantFactory(
        user=UserFactory(name="新来的管家小吴"), community=community, role=Role.PROPERTY_STAFF
    )
    assert "新来的管家小吴" in client.get(BOARD).content.decode()
