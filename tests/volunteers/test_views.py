"""Every page of the volunteers area, for the roles allowed and refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from covenant import panels
from covenant.models import Role
from tests.factories import HouseholdFactory, MembershipFactory, RoleGrantFactory, UserFactory
from tests.volunteers.factories import (
    ActivityFactory,
    ServiceEntryFactory,
    VolunteerFactory,
    team_members,
)
from volunteers import services
from volunteers.models import Activity, CaptainMessage, ServiceEntry, SignUp, Volunteer


def url(name, *args):
    return reverse(f"volunteers:{name}", args=args)


def count_queries(client, user, address):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return queries


def assert_flat(small, large):
    """The query count does not grow with the data; on failure, show both lists."""
    assert len(small) == len(large), (
        "\n\nSMALL\n"
        + "\n".join(q["sql"] for q in small)
        + "\n\nLARGE\n"
        + "\n".join(q["sql"] for q in large)
    )


# --- Signed out ----------------------------------------------------------------------

SIGNED_IN_PAGES = [
    ("index", ()),
    ("apply", ()),
    ("applications", ()),
    ("roster", ()),
    ("captain_messages", ()),
    ("activity_list", ()),
    ("activity_create", ()),
    ("activity_detail", (1,)),
    ("activity_check_in", (1,)),
    ("activity_ics", (1,)),
    ("check_in_scan", ("1-abc",)),
    ("my_calendar", ()),
    ("ledger", ()),
    ("statement", (1,)),
    ("buildings", ()),
    ("building", (1,)),
]


@pytest.mark.parametrize(("name", "args"), SIGNED_IN_PAGES)
def test_visitors_are_sent_to_sign_in(client, db, name, args):
    response = client.get(url(name, *args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- The team ------------------------------------------------------------------------


def test_a_resident_is_told_who_their_captain_is_and_writes_to_them(
    client, resident, captain_3, unit_3_1201
):
    client.force_login(resident)
    page = client.get(url("index")).content.decode()
    assert "三栋楼长老张" in page
    response = client.post(
        url("message_captain"),
        {"captain": captain_3.pk, "household": unit_3_1201.pk, "body": "楼道灯坏了"},
    )
    assert response.status_code == 302
    message = CaptainMessage.objects.get()
    assert (message.sender, message.captain, message.body) == (resident, captain_3, "楼道灯坏了")


def test_nobody_writes_to_the_captain_of_another_building(
    client, neighbour, captain_3, unit_3_1201, unit_5_0802
):
    client.force_login(neighbour)
    for household in (unit_3_1201, unit_5_0802):
        response = client.post(
            url("message_captain"),
            {"captain": captain_3.pk, "household": household.pk, "body": "你好"},
        )
        assert response.status_code == 403
    assert not CaptainMessage.objects.exists()


def test_a_newcomer_is_asked_to_join_their_household_first(client, newcomer):
    client.force_login(newcomer)
    response = client.get(url("index"))
    assert response.status_code == 200
    assert reverse("join_household") in response.content.decode()
    assert client.post(url("message_captain"), {"body": "hi"}).status_code == 403


def test_the_captain_reads_messages_and_they_are_marked_read(
    client, resident, captain_3, unit_3_1201
):
    message = CaptainMessage.objects.create(
        sender=resident, captain=captain_3, household=unit_3_1201, body="请帮忙搬柜子"
    )
    client.force_login(captain_3)
    response = client.get(url("captain_messages"))
    assert "请帮忙搬柜子" in response.content.decode()
    assert "1201" in response.content.decode()
    message.refresh_from_db()
    assert message.read_at is not None


@pytest.mark.parametrize("name", ["resident", "steward", "party_member", "admin_user"])
def test_only_captains_have_a_message_list(client, persona, name):
    client.force_login(persona(name))
    assert client.get(url("captain_messages")).status_code == 403


def test_a_resident_applies_to_the_team(client, resident):
    client.force_login(resident)
    response = client.post(
        url("apply"), {"roster_name": "王姨", "skills": "急救", "availability": "周末"}
    )
    assert response.status_code == 302
    volunteer = Volunteer.objects.get(user=resident)
    assert (volunteer.status, volunteer.roster_name) == ("applied", "王姨")


@pytest.mark.parametrize("name", ["newcomer", "steward", "party_member"])
def test_who_is_not_a_verified_resident_does_not_apply(client, persona, name):
    client.force_login(persona(name))
    assert client.post(url("apply"), {"skills": "x"}).status_code == 403
    assert not Volunteer.objects.exists()


@pytest.mark.parametrize("name", ["party_member", "admin_user"])
def test_the_party_branch_and_admins_approve_applications(client, persona, name, applicant):
    client.force_login(persona(name))
    assert "报名的陈叔" in client.get(url("applications")).content.decode()
    response = client.post(url("application_approve", applicant.volunteer.pk))
    assert response.status_code == 302
    applicant.volunteer.refresh_from_db()
    assert applicant.volunteer.status == Volunteer.Status.APPROVED


@pytest.mark.parametrize("name", ["resident", "captain_3", "steward", "volunteer"])
def test_others_do_not_decide_applications(client, persona, name, applicant):
    client.force_login(persona(name))
    assert client.get(url("applications")).status_code == 403
    assert client.post(url("application_approve", applicant.volunteer.pk)).status_code == 403
    applicant.volunteer.refresh_from_db()
    assert applicant.volunteer.status == Volunteer.Status.APPLIED


def test_declining_without_a_reason_changes_nothing(client, party_member, applicant):
    client.force_login(party_member)
    client.post(url("application_decline", applicant.volunteer.pk), {"reason": ""})
    applicant.volunteer.refresh_from_db()
    assert applicant.volunteer.status == Volunteer.Status.APPLIED
    client.post(url("application_decline", applicant.volunteer.pk), {"reason": "先入住"})
    applicant.volunteer.refresh_from_db()
    assert applicant.volunteer.status == Volunteer.Status.DECLINED


def test_the_roster_shows_chosen_names_and_captains_without_units(
    client, resident, volunteer, captain_3, applicant
):
    client.force_login(resident)
    page = client.get(url("roster")).content.decode()
    assert "3栋黄姨" in page and "志愿者小黄" not in page
    assert "三栋楼长老张" in page
    assert "报名的陈叔" not in page  # not approved yet
    assert "1201" not in page


@pytest.mark.parametrize("name", ["newcomer"])
def test_the_roster_is_for_the_estates_participants(client, persona, name):
    client.force_login(persona(name))
    assert client.get(url("roster")).status_code == 403


def test_the_roster_query_count_does_not_grow(client, resident, building_3, captain_3, volunteer):
    small = count_queries(client, resident, url("roster"))
    for _ in range(12):
        member = VolunteerFactory()
        ServiceEntryFactory(user=member.user)
    for _ in range(4):
        captain = UserFactory()
        RoleGrantFactory(
            user=captain, community=building_3.community, role=Role.CAPTAIN, building=building_3
        )
    large = count_queries(client, resident, url("roster"))
    assert_flat(small, large)


# --- Activities ----------------------------------------------------------------------


def test_the_activity_list_shows_places_and_the_waitlist(client, resident, activity):
    for user in team_members(7):
        services.sign_up(activity_id=activity.pk, user=user)
    client.force_login(resident)
    page = client.get(url("activity_list")).content.decode()
    assert "楼道杂物清理" in page
    assert "2" in page and activity.get_absolute_url() in page


def test_past_activities_are_listed_apart(client, resident, steward):
    ActivityFactory(
        organiser=steward, title="上月巡查", starts_at=timezone.now() - datetime.timedelta(days=30)
    )
    client.force_login(resident)
    assert "上月巡查" not in client.get(url("activity_list")).content.decode()
    assert "上月巡查" in client.get(url("activity_list") + "?past=1").content.decode()


def test_the_activity_list_is_refused_to_a_newcomer(client, newcomer):
    client.force_login(newcomer)
    assert client.get(url("activity_list")).status_code == 403


def test_the_activity_list_query_count_does_not_grow(client, volunteer, steward):
    ActivityFactory(organiser=steward)
    small = count_queries(client, volunteer, url("activity_list"))
    for _ in range(15):
        activity = ActivityFactory(organiser=UserFactory(), capacity=2)
        for signup_user in team_members(3):
            services.sign_up(activity_id=activity.pk, user=signup_user)
    large = count_queries(client, volunteer, url("activity_list"))
    assert_flat(small, large)


def test_a_volunteer_signs_up_and_is_shown_a_qr_code(client, volunteer, activity):
    client.force_login(volunteer)
    response = client.post(url("activity_sign_up", activity.pk))
    assert response.status_code == 302
    signup = SignUp.objects.get(user=volunteer)
    assert signup.status == SignUp.Status.CONFIRMED
    page = client.get(url("activity_detail", activity.pk)).content.decode()
    assert "data:image/svg+xml" in page
    assert len(signup.check_in_code) == 4 and signup.check_in_code.isdigit()
    assert f'data-testid="check-in-code">{signup.check_in_code}<' in page


def test_a_full_activity_puts_the_volunteer_on_the_waitlist_with_their_place(
    client, volunteer, steward
):
    full = ActivityFactory(organiser=steward, capacity=1)
    services.sign_up(activity_id=full.pk, user=team_members(1)[0])
    client.force_login(volunteer)
    client.post(url("activity_sign_up", full.pk))
    assert SignUp.objects.get(user=volunteer).status == SignUp.Status.WAITLISTED
    page = client.get(url("activity_detail", full.pk)).content.decode()
    assert "data:image/svg+xml" not in page
    assert "1" in page


def test_a_resident_not_on_the_team_cannot_sign_up(client, resident, activity):
    client.force_login(resident)
    assert client.get(url("activity_detail", activity.pk)).status_code == 200
    assert client.post(url("activity_sign_up", activity.pk)).status_code == 403
    assert not SignUp.objects.exists()


def test_cancelling_gives_the_place_to_the_first_waiting(client, volunteer, steward):
    activity = ActivityFactory(organiser=steward, capacity=1)
    services.sign_up(activity_id=activity.pk, user=volunteer)
    waiting = team_members(1)[0]
    services.sign_up(activity_id=activity.pk, user=waiting)
    client.force_login(volunteer)
    client.post(url("activity_cancel", activity.pk))
    assert SignUp.objects.get(user=waiting).status == SignUp.Status.CONFIRMED


def test_the_organiser_sees_who_is_coming_and_the_waitlist(client, steward, resident, volunteer):
    activity = ActivityFactory(organiser=steward, capacity=1)
    services.sign_up(activity_id=activity.pk, user=volunteer)
    other = team_members(1)[0]
    services.sign_up(activity_id=activity.pk, user=other)
    client.force_login(steward)
    page = client.get(url("activity_detail", activity.pk)).content.decode()
    assert "志愿者小黄" in page and other.name in page
    client.force_login(resident)
    assert other.name not in client.get(url("activity_detail", activity.pk)).content.decode()


def test_the_activity_page_query_count_does_not_grow(client, steward):
    activity = ActivityFactory(organiser=steward, capacity=3)
    small = count_queries(client, steward, url("activity_detail", activity.pk))
    for user in team_members(10):
        services.sign_up(activity_id=activity.pk, user=user)
    large = count_queries(client, steward, url("activity_detail", activity.pk))
    assert_flat(small, large)


FORM = {
    "title": "文明养宠宣传",
    "category": "pets",
    "starts_at": "2030-05-01T09:00",
    "ends_at": "2030-05-01T11:00",
    "place": "中心花园",
    "capacity": "8",
    "description": "带上**牵绳提示卡**",
}


@pytest.mark.parametrize("name", ["captain_3", "steward", "party_member", "admin_user"])
def test_organisers_open_an_activity(client, persona, name):
    client.force_login(persona(name))
    response = client.post(url("activity_create"), FORM)
    activity = Activity.objects.get()
    assert response["Location"] == activity.get_absolute_url()
    assert activity.organiser == persona(name)
    assert timezone.localtime(activity.starts_at).hour == 9


@pytest.mark.parametrize("name", ["resident", "volunteer", "newcomer"])
def test_others_do_not_open_activities(client, persona, name):
    client.force_login(persona(name))
    assert client.post(url("activity_create"), FORM).status_code == 403
    assert not Activity.objects.exists()


def test_an_activity_must_end_after_it_starts(client, steward):
    client.force_login(steward)
    response = client.post(url("activity_create"), {**FORM, "ends_at": "2030-05-01T08:00"})
    assert response.status_code == 200
    assert not Activity.objects.exists()


def test_an_activity_that_started_hours_ago_is_refused_and_what_was_typed_kept(client, steward):
    client.force_login(steward)
    start = timezone.localtime() - datetime.timedelta(hours=7)
    data = {
        **FORM,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
    }
    response = client.post(url("activity_create"), data)
    assert response.status_code == 200
    assert not Activity.objects.exists()
    assert response.context["form"].has_error("starts_at")
    html = response.content.decode()
    assert "文明养宠宣传" in html and "中心花园" in html
    assert start.strftime("%Y-%m-%dT%H:%M") in html


def test_the_service_refuses_a_start_in_the_past_too(steward, community):
    start = timezone.now() - datetime.timedelta(minutes=1)
    with pytest.raises(ValidationError):
        services.create_activity(
            organiser=steward,
            community=community,
            title="补录",
            category=Activity.Category.OTHER,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            place="活动室",
            capacity=2,
        )


def test_only_the_organiser_edits_an_activity(client, steward, captain_3, activity):
    client.force_login(captain_3)
    assert client.post(url("activity_edit", activity.pk), FORM).status_code == 403
    client.force_login(steward)
    assert client.post(url("activity_edit", activity.pk), FORM).status_code == 302
    activity.refresh_from_db()
    assert activity.title == "文明养宠宣传"


# --- Check-in ------------------------------------------------------------------------


@pytest.fixture
def started(steward, volunteer):
    """An activity that began five minutes ago, the volunteer confirmed."""
    activity = ActivityFactory(organiser=steward, capacity=3)
    signup = services.sign_up(activity_id=activity.pk, user=volunteer)
    start = timezone.now() - datetime.timedelta(minutes=5)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    return signup


def test_the_organiser_checks_in_by_the_code(client, steward, started):
    client.force_login(steward)
    token = services.check_in_token(started)
    response = client.post(url("activity_check_in", started.activity_id), {"token": token})
    assert response.status_code == 302
    started.refresh_from_db()
    assert started.status == SignUp.Status.ATTENDED
    assert ServiceEntry.objects.get(user=started.user).hours == 2


def test_a_code_for_another_activity_is_refused(client, steward, started):
    other = ActivityFactory(organiser=steward)
    client.force_login(steward)
    response = client.post(
        url("activity_check_in", other.pk), {"token": services.check_in_token(started)}
    )
    assert response.status_code == 200
    assert "not for this activity" in response.content.decode() or response.context["form"].errors
    started.refresh_from_db()
    assert started.status == SignUp.Status.CONFIRMED


def test_the_organiser_checks_in_by_the_four_digits(client, steward, started):
    client.force_login(steward)
    response = client.post(
        url("activity_check_in", started.activity_id), {"token": started.check_in_code}
    )
    assert response.status_code == 302
    started.refresh_from_db()
    assert started.status == SignUp.Status.ATTENDED


def test_four_digits_of_another_activity_are_refused(client, steward, started):
    other = ActivityFactory(organiser=steward)
    client.force_login(steward)
    response = client.post(url("activity_check_in", other.pk), {"token": started.check_in_code})
    assert response.status_code == 200
    started.refresh_from_db()
    assert started.status == SignUp.Status.CONFIRMED


def test_the_organiser_checks_in_by_hand(client, steward, started):
    client.force_login(steward)
    page = client.get(url("activity_check_in", started.activity_id)).content.decode()
    assert "志愿者小黄" in page
    client.post(url("activity_check_in_by_hand", started.activity_id, started.pk))
    started.refresh_from_db()
    assert started.status == SignUp.Status.ATTENDED


def test_a_scanned_code_opens_a_page_to_confirm_then_checks_in(client, steward, started):
    client.force_login(steward)
    address = url("check_in_scan", services.check_in_token(started))
    assert "志愿者小黄" in client.get(address).content.decode()
    client.post(address)
    started.refresh_from_db()
    assert started.status == SignUp.Status.ATTENDED


@pytest.mark.parametrize("name", ["volunteer", "captain_3", "resident"])
def test_only_the_organiser_checks_people_in(client, persona, name, started):
    client.force_login(persona(name))
    assert client.get(url("activity_check_in", started.activity_id)).status_code == 403
    assert client.post(url("check_in_scan", services.check_in_token(started))).status_code == 403
    started.refresh_from_db()
    assert started.status == SignUp.Status.CONFIRMED


def test_an_admin_steps_in_for_the_organiser(client, admin_user, started):
    client.force_login(admin_user)
    client.post(url("activity_check_in_by_hand", started.activity_id, started.pk))
    started.refresh_from_db()
    assert started.status == SignUp.Status.ATTENDED


def test_a_forged_code_is_not_found(client, steward, started):
    client.force_login(steward)
    assert client.get(url("check_in_scan", f"{started.pk}-0123456789")).status_code == 404


# --- The ledger ----------------------------------------------------------------------


def test_the_ledger_draws_the_months_and_lists_hours_by_volunteer(client, volunteer):
    ServiceEntryFactory(user=volunteer, hours=3)
    client.force_login(volunteer)
    response = client.get(url("ledger"))
    page = response.content.decode()
    assert "<svg" in page and 'role="img"' in page and "<table" in page
    assert "3栋黄姨" in page
    assert response.context["totals"]["hours"] == 3


@pytest.mark.parametrize("name", ["resident", "newcomer", "applicant"])
def test_the_ledger_is_for_the_team_and_organisers(client, persona, name):
    client.force_login(persona(name))
    assert client.get(url("ledger")).status_code == 403


def test_the_ledger_query_count_does_not_grow(client, volunteer):
    ServiceEntryFactory(user=volunteer)
    small = count_queries(client, volunteer, url("ledger"))
    for member in team_members(15):
        ServiceEntryFactory(user=member)
        ServiceEntryFactory(
            user=member, served_on=timezone.localdate() - datetime.timedelta(days=40)
        )
    large = count_queries(client, volunteer, url("ledger"))
    assert_flat(small, large)


def test_a_volunteer_prints_their_statement(client, volunteer):
    ServiceEntryFactory(user=volunteer, hours=2)
    ServiceEntryFactory(user=volunteer, hours="1.5")
    client.force_login(volunteer)
    response = client.get(url("statement", volunteer.pk))
    page = response.content.decode()
    assert response.context["total"] == 3.5
    assert 'media="print"' in page and "print.css" in page


def test_a_statement_is_private_to_its_volunteer(client, volunteer, captain_3, party_member):
    client.force_login(captain_3)
    assert client.get(url("statement", volunteer.pk)).status_code == 403
    client.force_login(party_member)
    assert client.get(url("statement", volunteer.pk)).status_code == 200


# --- The captain's building ----------------------------------------------------------


def test_the_captain_sees_their_buildings_households_and_who_to_visit(
    client, captain_3, resident, building_3
):
    empty = HouseholdFactory(building=building_3, floor=2, unit="0201")
    asking = HouseholdFactory(building=building_3, floor=3, unit="0301")
    MembershipFactory(household=asking)
    client.force_login(captain_3)
    response = client.get(url("buildings"))
    assert response["Location"] == url("building", building_3.pk)
    response = client.get(url("building", building_3.pk))
    assert [h.unit for h in response.context["to_visit"]] == ["0201", "0301"]
    households = {h.unit: h for h in response.context["households"]}
    assert households["1201"].verified_count == 1
    assert households["0301"].requested_count == 1
    assert "王阿姨" in response.content.decode()
    assert empty.pk


def test_the_captain_sees_the_open_ideas_of_their_building(
    client, captain_3, resident, unit_3_1201, neighbour, unit_5_0802
):
    # The panel is proposals' (volunteers import no proposals): it registers a provider for
    # the "building" slot of covenant.panels.
    from tests.proposals.factories import IdeaFactory

    open_idea = IdeaFactory(household=unit_3_1201, author=resident, title="三栋楼道灯不亮")
    done = IdeaFactory(household=unit_3_1201, author=resident, title="已修好", status="done")
    elsewhere = IdeaFactory(household=unit_5_0802, author=neighbour, title="五栋的建议")
    client.force_login(captain_3)

    response = client.get(url("building", unit_3_1201.building.pk))

    shown = [
        idea for panel in response.context["panels"] for idea in panel.context.get("open_ideas", ())
    ]
    assert [idea.pk for idea in shown] == [open_idea.pk]
    html = response.content.decode()
    assert open_idea.title in html
    assert done.title not in html
    assert elsewhere.title not in html


def test_the_building_view_asks_the_building_slot_for_what_other_apps_show(
    client, captain_3, building_3, monkeypatch
):
    asked = []

    def provider(*, request, building):
        asked.append((request.user, building))

    monkeypatch.setattr(panels, "_providers", {"building": [(10, provider)]})
    client.force_login(captain_3)

    response = client.get(url("building", building_3.pk))

    assert asked == [(captain_3, building_3)]
    assert response.context["panels"] == []


@pytest.mark.parametrize("name", ["captain_5", "resident", "steward", "party_member", "volunteer"])
def test_the_building_view_is_refused_to_others(client, persona, name, building_3):
    client.force_login(persona(name))
    assert client.get(url("building", building_3.pk)).status_code == 403


def test_an_admin_chooses_among_all_buildings(client, admin_user, building_3, building_5):
    client.force_login(admin_user)
    assert client.get(url("buildings")).status_code == 200
    assert client.get(url("building", building_5.pk)).status_code == 200


def test_the_building_view_query_count_does_not_grow(client, captain_3, building_3):
    HouseholdFactory(building=building_3, floor=1, unit="0101")
    small = count_queries(client, captain_3, url("building", building_3.pk))
    for floor in range(2, 14):
        household = HouseholdFactory(building=building_3, floor=floor, unit=f"{floor:02d}01")
        HouseholdFactory(building=building_3, floor=floor, unit=f"{floor:02d}02")
        MembershipFactory(household=household, verified=True)
        MembershipFactory(household=household, verified=True)
    large = count_queries(client, captain_3, url("building", building_3.pk))
    assert_flat(small, large)


def test_the_captain_sees_which_announcements_have_not_reached_the_building(
    client, captain_3, resident, building_3, unit_3_1201
):
    from notices import services as notices_services
    from notices.models import Audience

    HouseholdFactory(building=building_3, floor=2, unit="0201")
    read_by_all = notices_services.publish(
        community=building_3.community, author=captain_3, title="已经都知道了", body="…", audience=Audience.BUILDINGS,
        buildings=[building_3], floor_from=12, floor_to=12,
    )  # fmt: skip
    pending = notices_services.publish(
        community=building_3.community, author=captain_3, title="电梯检修", body="…", audience=Audience.BUILDINGS,
        buildings=[building_3],
    )  # fmt: skip
    notices_services.record_reading(user=resident, announcement=read_by_all)
    notices_services.record_reading(user=resident, announcement=pending)
    client.force_login(captain_3)

    response = client.get(url("building", building_3.pk))

    rows = response.context["unreached"]
    assert [(row.announcement, row.unreached, row.total) for row in rows] == [(pending, 1, 2)]
    assert reverse("notices:door_knock", args=[pending.pk]) in response.content.decode()
