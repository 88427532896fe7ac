"""The fixes of the volunteers review: each test failed before its fix."""

import datetime

import icalendar
import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from covenant import personal_data
from covenant.models import RoleGrant
from covenant.services import delete_account
from tests.conftest import fresh
from tests.factories import HouseholdFactory, MembershipFactory, UserFactory
from tests.volunteers.factories import (
    ActivityFactory,
    ServiceEntryFactory,
    SignUpFactory,
    VolunteerFactory,
    team_members,
)
from volunteers import services
from volunteers.models import Activity, CalendarFeed, ServiceEntry, SignUp, Volunteer

CONFIRMED, WAITLISTED = SignUp.Status.CONFIRMED, SignUp.Status.WAITLISTED
CANCELLED, ATTENDED = SignUp.Status.CANCELLED, SignUp.Status.ATTENDED


def url(name, *args):
    return reverse(f"volunteers:{name}", args=args)


def in_chinese(msgid: str) -> str:
    """What a page in the portal's default language shows for ``msgid``."""
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def shown_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def move_start(activity: Activity, *, minutes_from_now: int, hours: int = 2) -> None:
    start = timezone.now() + datetime.timedelta(minutes=minutes_from_now)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=start, ends_at=start + datetime.timedelta(hours=hours)
    )
    activity.refresh_from_db()


def full_activity_with_a_waitlist(organiser, *, capacity=1):
    """An activity whose places are all taken, one more person waiting."""
    activity = ActivityFactory(organiser=organiser, capacity=capacity)
    people = team_members(capacity + 1)
    signups = [services.sign_up(activity_id=activity.pk, user=person) for person in people]
    assert signups[-1].status == WAITLISTED
    return activity, people, signups


def form_fields(activity: Activity, **changes) -> dict:
    fields = {
        "title": activity.title,
        "description": activity.description,
        "category": activity.category,
        "starts_at": activity.starts_at,
        "ends_at": activity.ends_at,
        "place": activity.place,
        "capacity": activity.capacity,
    }
    return {**fields, **changes}


# --- P1: a captain of some floors sees those floors only -----------------------------


def test_a_captain_of_the_lower_floors_does_not_see_the_upper_floors(
    client, captain_3_lower_floors, resident, building_3
):
    low = HouseholdFactory(building=building_3, floor=3, unit="0301")
    MembershipFactory(household=low, verified=True, user=UserFactory(name="三楼的赵叔"))
    HouseholdFactory(building=building_3, floor=5, unit="0502")
    HouseholdFactory(building=building_3, floor=9, unit="0901")
    client.force_login(captain_3_lower_floors)

    response = client.get(url("building", building_3.pk))

    assert response.status_code == 200
    assert [h.unit for h in response.context["households"]] == ["0301", "0502"]
    assert [h.unit for h in response.context["to_visit"]] == ["0502"]
    assert response.context["reached"] == 1
    page = response.content.decode()
    assert "三楼的赵叔" in page
    assert "1201" not in page and "王阿姨" not in page and "0901" not in page


def test_a_captain_of_the_whole_building_and_an_admin_see_every_floor(
    client, captain_3, admin_user, resident, building_3
):
    HouseholdFactory(building=building_3, floor=2, unit="0201")
    for user in (captain_3, admin_user):
        client.force_login(user)
        response = client.get(url("building", building_3.pk))
        assert [h.unit for h in response.context["households"]] == ["0201", "1201"]
        assert "王阿姨" in response.content.decode()


# --- C1: no cancelling once an activity has begun ------------------------------------


def test_a_confirmed_place_cannot_be_cancelled_once_the_activity_has_begun(steward):
    activity, people, signups = full_activity_with_a_waitlist(steward)
    move_start(activity, minutes_from_now=-10)

    with pytest.raises(ValidationError):
        services.cancel_signup(signup_id=signups[0].pk, actor=people[0])

    assert SignUp.objects.get(pk=signups[0].pk).status == CONFIRMED
    assert SignUp.objects.get(pk=signups[1].pk).status == WAITLISTED


def test_the_activity_page_explains_why_a_begun_activity_cannot_be_cancelled(
    client, steward, volunteer
):
    activity = ActivityFactory(organiser=steward, capacity=1)
    mine = services.sign_up(activity_id=activity.pk, user=volunteer)
    waiting = services.sign_up(activity_id=activity.pk, user=team_members(1)[0])
    move_start(activity, minutes_from_now=-10)
    client.force_login(volunteer)

    response = client.post(url("activity_cancel", activity.pk))

    assert response.status_code == 302
    assert shown_messages(response) == [
        in_chinese("This activity has begun; places can no longer be cancelled.")
    ]
    assert SignUp.objects.get(pk=mine.pk).status == CONFIRMED
    assert SignUp.objects.get(pk=waiting.pk).status == WAITLISTED


def test_more_places_after_the_start_promote_nobody_from_the_waitlist(steward):
    activity, _people, signups = full_activity_with_a_waitlist(steward)
    move_start(activity, minutes_from_now=-10)

    services.update_activity(
        activity_id=activity.pk, actor=steward, **form_fields(activity, capacity=5)
    )

    assert SignUp.objects.get(pk=signups[1].pk).status == WAITLISTED


# --- C3: the time is fixed once someone is checked in --------------------------------


@pytest.fixture
def checked_in(steward, volunteer):
    """An activity under way, the volunteer checked in by the steward."""
    activity = ActivityFactory(organiser=steward, capacity=3)
    signup = services.sign_up(activity_id=activity.pk, user=volunteer)
    move_start(activity, minutes_from_now=-5)
    services.check_in(signup_id=signup.pk, actor=steward)
    return activity


def test_the_time_cannot_change_after_someone_was_checked_in(steward, checked_in):
    later = checked_in.ends_at + datetime.timedelta(hours=3)
    with pytest.raises(ValidationError):
        services.update_activity(
            activity_id=checked_in.pk, actor=steward, **form_fields(checked_in, ends_at=later)
        )
    checked_in.refresh_from_db()
    assert checked_in.ends_at != later
    assert ServiceEntry.objects.get(activity=checked_in).hours == 2


def test_the_edit_form_says_why_the_time_cannot_change(client, steward, checked_in):
    client.force_login(steward)
    local = timezone.localtime(checked_in.starts_at)
    response = client.post(
        url("activity_edit", checked_in.pk),
        {
            "title": checked_in.title,
            "category": checked_in.category,
            "starts_at": (local - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (local - datetime.timedelta(hours=22)).strftime("%Y-%m-%dT%H:%M"),
            "place": checked_in.place,
            "capacity": 3,
            "description": "",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        in_chinese(
            "Volunteers have been checked in already, and their hours were counted "
            "from this time, so it can no longer change."
        )
    ]
    assert Activity.objects.get(pk=checked_in.pk).starts_at == checked_in.starts_at


def test_other_details_still_change_after_check_in(client, steward, checked_in):
    """The form's times stop at the minute; unchanged times are not a change."""
    client.force_login(steward)
    response = client.post(
        url("activity_edit", checked_in.pk),
        {
            "title": "楼道清理（第二次）",
            "category": checked_in.category,
            "starts_at": timezone.localtime(checked_in.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": timezone.localtime(checked_in.ends_at).strftime("%Y-%m-%dT%H:%M"),
            "place": checked_in.place,
            "capacity": 3,
            "description": "",
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(pk=checked_in.pk)
    assert activity.title == "楼道清理（第二次）"
    assert activity.starts_at == checked_in.starts_at


# --- P3: organisers do not check themselves in; lost roles stop organising -----------


def test_an_organiser_cannot_check_themselves_in(captain_3):
    activity = ActivityFactory(organiser=captain_3)
    signup = services.sign_up(activity_id=activity.pk, user=captain_3)
    move_start(activity, minutes_from_now=-5)

    with pytest.raises(ValidationError):
        services.check_in(signup_id=signup.pk, actor=captain_3)

    assert SignUp.objects.get(pk=signup.pk).status == CONFIRMED
    assert not ServiceEntry.objects.filter(user=captain_3).exists()


def test_the_check_in_page_says_an_organiser_cannot_check_themselves_in(client, captain_3):
    activity = ActivityFactory(organiser=captain_3)
    signup = services.sign_up(activity_id=activity.pk, user=captain_3)
    move_start(activity, minutes_from_now=-5)
    client.force_login(captain_3)

    response = client.post(url("activity_check_in_by_hand", activity.pk, signup.pk))

    assert shown_messages(response) == [
        in_chinese("Nobody checks themselves in; an admin can check you in instead.")
    ]
    assert SignUp.objects.get(pk=signup.pk).status == CONFIRMED


def test_an_admin_may_check_in_their_own_place(admin_user, steward):
    VolunteerFactory(user=admin_user)
    activity = ActivityFactory(organiser=steward)
    signup = services.sign_up(activity_id=activity.pk, user=admin_user)
    move_start(activity, minutes_from_now=-5)
    services.check_in(signup_id=signup.pk, actor=admin_user)
    assert SignUp.objects.get(pk=signup.pk).status == ATTENDED


def test_an_organiser_who_lost_their_role_no_longer_runs_their_activity(client, steward, volunteer):
    activity = ActivityFactory(organiser=steward)
    signup = services.sign_up(activity_id=activity.pk, user=volunteer)
    move_start(activity, minutes_from_now=-5)
    RoleGrant.objects.filter(user=steward).delete()
    assert not fresh(steward).has_perm("volunteers.run_activity", activity)

    client.force_login(steward)
    assert client.get(url("activity_edit", activity.pk)).status_code == 403
    assert client.post(url("activity_check_in_by_hand", activity.pk, signup.pk)).status_code == 403
    assert SignUp.objects.get(pk=signup.pk).status == CONFIRMED


# --- P2: leaving the team retires the calendar feed ----------------------------------


def test_leaving_the_team_stops_the_personal_calendar_feed(client, volunteer, party_member):
    token = services.calendar_feed_of(user=volunteer).token
    assert client.get(url("calendar_feed", token)).status_code == 200

    services.leave_team(volunteer_id=volunteer.volunteer.pk, actor=volunteer)

    assert client.get(url("calendar_feed", token)).status_code == 404
    assert not CalendarFeed.objects.filter(user=volunteer).exists()


# --- P4: hours on the roster are for the team ----------------------------------------


def test_the_roster_shows_hours_to_the_team_only(client, resident, volunteer):
    ServiceEntryFactory(user=volunteer, hours="7.5")
    client.force_login(resident)
    page = client.get(url("roster")).content.decode()
    assert "3栋黄姨" in page
    assert '<td class="text-end">7.5</td>' not in page
    client.force_login(volunteer)
    assert '<td class="text-end">7.5</td>' in client.get(url("roster")).content.decode()


# --- C4: a waitlist place is tentative in the calendar -------------------------------


def test_the_feed_marks_a_waitlist_place_as_tentative(client, volunteer, steward):
    full = ActivityFactory(organiser=steward, title="文明养宠宣传", capacity=1)
    services.sign_up(activity_id=full.pk, user=team_members(1)[0])
    mine = ActivityFactory(organiser=steward, title="夜间停车巡查")
    services.sign_up(activity_id=full.pk, user=volunteer)
    services.sign_up(activity_id=mine.pk, user=volunteer)
    token = services.calendar_feed_of(user=volunteer).token

    response = client.get(url("calendar_feed", token))

    calendar = icalendar.Calendar.from_ical(response.content)
    by_uid = {str(event["uid"]).split("@")[0]: event for event in calendar.walk("VEVENT")}
    waiting = by_uid[f"activity-{full.pk}"]
    assert str(waiting["status"]) == "TENTATIVE"
    assert str(waiting["summary"]) == f"文明养宠宣传 {in_chinese('(waitlist)')}"
    going = by_uid[f"activity-{mine.pk}"]
    assert "status" not in going
    assert str(going["summary"]) == "夜间停车巡查"


# --- C2: deleting an account forgets the volunteering --------------------------------


def test_the_volunteers_app_registers_its_account_deletion_handler():
    assert services.forget_volunteer in personal_data._DELETION_HANDLERS


def test_every_registered_handler_runs_when_an_account_is_deleted(resident):
    seen = []

    def handler(user):
        seen.append((user.pk, user.deleted_at is not None))

    personal_data.register_account_deletion_handler(handler)
    personal_data.register_account_deletion_handler(handler)  # once is enough
    try:
        delete_account(user=resident)
    finally:
        personal_data._DELETION_HANDLERS.remove(handler)
    assert seen == [(resident.pk, True)]


def test_a_failing_handler_undoes_the_whole_deletion(resident):
    def handler(user):
        raise RuntimeError("cannot forget")

    personal_data.register_account_deletion_handler(handler)
    try:
        with pytest.raises(RuntimeError):
            delete_account(user=resident)
    finally:
        personal_data._DELETION_HANDLERS.remove(handler)
    resident.refresh_from_db()
    assert resident.deleted_at is None and resident.is_active


def test_a_deleted_volunteers_place_goes_to_the_next_in_the_waitlist(steward, volunteer):
    activity = ActivityFactory(organiser=steward, capacity=1)
    mine = services.sign_up(activity_id=activity.pk, user=volunteer)
    waiting = services.sign_up(activity_id=activity.pk, user=team_members(1)[0])
    elsewhere = ActivityFactory(organiser=steward)
    queued = SignUpFactory(activity=elsewhere, user=volunteer, status=WAITLISTED)

    delete_account(user=volunteer)

    assert SignUp.objects.get(pk=mine.pk).status == CANCELLED
    assert SignUp.objects.get(pk=waiting.pk).status == CONFIRMED
    assert SignUp.objects.get(pk=queued.pk).status == CANCELLED


def test_a_deleted_volunteers_details_and_calendar_feed_are_gone(client, volunteer):
    token = services.calendar_feed_of(user=volunteer).token

    delete_account(user=volunteer)

    record = Volunteer.objects.get(user=volunteer)
    assert (record.roster_name, record.skills, record.availability) == ("", "", "")
    assert record.status == Volunteer.Status.LEFT
    assert record.events.last().to_status == Volunteer.Status.LEFT
    assert not CalendarFeed.objects.filter(user=volunteer).exists()
    assert client.get(url("calendar_feed", token)).status_code == 404


def test_a_deleted_volunteers_hours_stay_in_the_ledger_as_a_former_residents(
    client, volunteer, steward
):
    past = ActivityFactory(organiser=steward)
    attended = SignUpFactory(
        activity=past, user=volunteer, status=ATTENDED, checked_in_at=timezone.now()
    )
    ServiceEntryFactory(user=volunteer, activity=past, signup=attended, hours="4.5")

    delete_account(user=volunteer)

    assert SignUp.objects.get(pk=attended.pk).status == ATTENDED
    client.force_login(steward)
    page = client.get(url("ledger")).content.decode()
    assert "3栋黄姨" not in page and "志愿者小黄" not in page
    assert in_chinese("Former resident") in page
    assert "4.5" in page


def test_a_deleted_volunteer_who_had_begun_an_activity_keeps_that_place(steward, volunteer):
    """What already happened is recorded by check-in, not undone by the deletion."""
    activity = ActivityFactory(organiser=steward)
    signup = services.sign_up(activity_id=activity.pk, user=volunteer)
    move_start(activity, minutes_from_now=-5)

    delete_account(user=volunteer)

    assert SignUp.objects.get(pk=signup.pk).status == CONFIRMED
