"""Leaving the team, and calling off a whole activity: who may, and what it does."""

import datetime
from decimal import Decimal

import icalendar
import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from covenant.models import RoleGrant
from notices.kinds import get as get_kind
from notices.kinds import render_text
from notices.models import EmailMode, Notification
from tests.conftest import fresh
from tests.factories import UserFactory
from tests.volunteers.factories import (
    ActivityFactory,
    ServiceEntryFactory,
    SignUpFactory,
    team_members,
)
from tests.volunteers.test_views import assert_flat, count_queries
from volunteers import notifications, selectors, services, tasks
from volunteers.models import (
    Activity,
    ActivityEvent,
    CalendarFeed,
    ServiceEntry,
    SignUp,
    SignUpEvent,
    Volunteer,
    VolunteerEvent,
)

CONFIRMED, WAITLISTED = SignUp.Status.CONFIRMED, SignUp.Status.WAITLISTED
CANCELLED, ATTENDED = SignUp.Status.CANCELLED, SignUp.Status.ATTENDED


def url(name, *args):
    return reverse(f"volunteers:{name}", args=args)


def in_chinese(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def in_chinese_plural(singular: str, plural: str, count: int) -> str:
    with translation.override("zh-hans"):
        return translation.ngettext(singular, plural, count)


def shown_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def told(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind)


def begun(activity: Activity, *, minutes_ago: int = 5) -> None:
    start = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    activity.refresh_from_db()


def cancelled_activity(organiser, **fields) -> Activity:
    """An activity cancelled in the database directly, whatever its sign-ups say."""
    return ActivityFactory(
        organiser=organiser,
        status=Activity.Status.CANCELLED,
        cancelled_at=timezone.now(),
        cancel_reason="台风预警",
        **fields,
    )


# --- Leaving the team ----------------------------------------------------------------


def test_a_volunteer_finds_the_leave_button_on_their_overview(client, volunteer):
    client.force_login(volunteer)
    page = client.get(url("index")).content.decode()
    assert url("leave_team") in page


@pytest.mark.parametrize("name", ["resident", "applicant", "captain_3", "party_member"])
def test_nobody_else_is_offered_the_leave_button(client, persona, name):
    client.force_login(persona(name))
    assert url("leave_team") not in client.get(url("index")).content.decode()


def test_the_leave_page_says_what_happens_and_changes_nothing_yet(client, volunteer, steward):
    activity = ActivityFactory(organiser=steward, title="探访独居长者")
    services.sign_up(activity_id=activity.pk, user=volunteer)
    ServiceEntryFactory(user=volunteer, hours=Decimal("6.5"))
    client.force_login(volunteer)

    response = client.get(url("leave_team"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "探访独居长者" in page
    assert "6.5" in page
    assert 'method="post"' in page
    assert fresh(volunteer).volunteer.status == Volunteer.Status.APPROVED
    assert SignUp.objects.get(activity=activity, user=volunteer).status == CONFIRMED


def test_leaving_gives_up_coming_places_moves_the_waitlist_up_and_keeps_the_hours(
    client, volunteer, steward
):
    full = ActivityFactory(organiser=steward, title="夜间停车巡查", capacity=1)
    mine = services.sign_up(activity_id=full.pk, user=volunteer)
    next_in_line = team_members(1)[0]
    waiting = services.sign_up(activity_id=full.pk, user=next_in_line)
    crowded = ActivityFactory(organiser=steward, capacity=1)
    services.sign_up(activity_id=crowded.pk, user=team_members(1)[0])
    my_wait = services.sign_up(activity_id=crowded.pk, user=volunteer)
    under_way = ActivityFactory(organiser=steward)
    going_on = services.sign_up(activity_id=under_way.pk, user=volunteer)
    begun(under_way)
    served = ServiceEntryFactory(user=volunteer, hours=Decimal("3"))
    client.force_login(volunteer)

    response = client.post(url("leave_team"))

    assert response.status_code == 302
    assert response["Location"] == url("index")
    assert shown_messages(response) == [
        in_chinese_plural(
            "You have left the team, and your place at %(count)s coming activity "
            "was given up. Your hours stay in the ledger. Thank you for your help!",
            "You have left the team, and your places at %(count)s coming activities "
            "were given up. Your hours stay in the ledger. Thank you for your help!",
            2,
        )
        % {"count": 2}
    ]
    row = Volunteer.objects.get(user=volunteer)
    assert row.status == Volunteer.Status.LEFT
    assert row.events.last().to_status == Volunteer.Status.LEFT
    for signup in (mine, my_wait, waiting, going_on):
        signup.refresh_from_db()
    assert mine.status == CANCELLED
    assert my_wait.status == CANCELLED
    assert SignUpEvent.objects.filter(signup=mine, to_status=CANCELLED, actor=volunteer).exists()
    assert waiting.status == CONFIRMED
    assert told(next_in_line, notifications.PROMOTED).count() == 1
    # An activity under way keeps its places: check-in records what happened.
    assert going_on.status == CONFIRMED
    assert ServiceEntry.objects.filter(pk=served.pk, user=volunteer).exists()
    assert fresh(volunteer).has_perm("volunteers.see_statement", volunteer)
    assert not fresh(volunteer).has_perm("volunteers.sign_up")


def test_leaving_with_no_coming_places_says_so_plainly(client, volunteer):
    client.force_login(volunteer)
    response = client.post(url("leave_team"))
    assert shown_messages(response) == [
        in_chinese(
            "You have left the team. Your hours stay in the ledger. Thank you for your help!"
        )
    ]
    assert Volunteer.objects.get(user=volunteer).status == Volunteer.Status.LEFT


def test_leaving_retires_the_calendar_feed(client, volunteer):
    token = services.calendar_feed_of(user=volunteer).token
    client.force_login(volunteer)
    client.post(url("leave_team"))
    assert not CalendarFeed.objects.filter(user=volunteer).exists()
    assert client.get(url("calendar_feed", token)).status_code == 404


def test_a_former_volunteer_may_apply_again(client, volunteer):
    client.force_login(volunteer)
    client.post(url("leave_team"))

    page = client.get(url("index")).content.decode()
    assert url("apply") in page
    assert url("leave_team") not in page
    response = client.post(
        url("apply"), {"roster_name": "3栋黄姨", "skills": "急救", "availability": "周末"}
    )

    assert response.status_code == 302
    row = Volunteer.objects.get(user=volunteer)
    assert row.status == Volunteer.Status.APPLIED
    assert list(VolunteerEvent.objects.filter(volunteer=row).values_list("to_status", flat=True))[
        -2:
    ] == [Volunteer.Status.LEFT, Volunteer.Status.APPLIED]


@pytest.mark.parametrize(
    "name", ["newcomer", "resident", "applicant", "captain_3", "steward", "admin_user"]
)
def test_only_an_approved_volunteer_may_leave(client, persona, name):
    user = persona(name)
    client.force_login(user)
    before = Volunteer.objects.filter(user=user).values_list("status", flat=True).first()

    assert client.get(url("leave_team")).status_code == 403
    assert client.post(url("leave_team")).status_code == 403

    assert Volunteer.objects.filter(user=user).values_list("status", flat=True).first() == before


def test_a_captain_who_is_also_an_approved_volunteer_cannot_leave_here(client, captain_3):
    Volunteer.objects.create(
        user=captain_3,
        community=captain_3.role_grants.get().community,
        status=Volunteer.Status.APPROVED,
    )
    client.force_login(captain_3)
    assert client.post(url("leave_team")).status_code == 403
    assert Volunteer.objects.get(user=captain_3).status == Volunteer.Status.APPROVED


def test_someone_who_left_cannot_leave_twice(client, volunteer):
    client.force_login(volunteer)
    client.post(url("leave_team"))
    assert client.post(url("leave_team")).status_code == 403
    assert Volunteer.objects.get(user=volunteer).events.filter(to_status="left").count() == 1


def test_a_visitor_is_sent_to_sign_in_to_leave(client, db):
    response = client.post(url("leave_team"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- Cancelling an activity ----------------------------------------------------------


@pytest.mark.parametrize("name", ["steward", "admin_user"])
def test_the_organiser_and_an_admin_are_offered_to_cancel(client, persona, name, activity):
    client.force_login(persona(name))
    page = client.get(url("activity_detail", activity.pk)).content.decode()
    assert url("activity_cancel_activity", activity.pk) in page


@pytest.mark.parametrize("name", ["volunteer", "resident", "captain_3", "party_member"])
def test_nobody_else_is_offered_to_cancel(client, persona, name, activity):
    client.force_login(persona(name))
    page = client.get(url("activity_detail", activity.pk)).content.decode()
    assert url("activity_cancel_activity", activity.pk) not in page


def test_an_activity_under_way_offers_no_cancelling(client, steward, activity):
    begun(activity)
    client.force_login(steward)
    page = client.get(url("activity_detail", activity.pk)).content.decode()
    assert url("activity_cancel_activity", activity.pk) not in page


@pytest.mark.parametrize("name", ["steward", "admin_user"])
def test_cancelling_cancels_every_place_and_tells_everyone_with_the_reason(
    client, persona, name, steward
):
    actor = persona(name)
    activity = ActivityFactory(organiser=steward, title="周末环境清洁", capacity=1)
    going, waiting = team_members(2)
    confirmed = services.sign_up(activity_id=activity.pk, user=going)
    waitlisted = services.sign_up(activity_id=activity.pk, user=waiting)
    gave_up = SignUpFactory(activity=activity, status=CANCELLED)
    client.force_login(actor)

    assert client.get(url("activity_cancel_activity", activity.pk)).status_code == 200
    response = client.post(
        url("activity_cancel_activity", activity.pk), {"reason": "  台风“海葵”预警，改期再约  "}
    )

    assert response.status_code == 302
    assert response["Location"] == activity.get_absolute_url()
    assert shown_messages(response) == [
        in_chinese("The activity is cancelled; everyone signed up or waiting is told.")
    ]
    activity.refresh_from_db()
    assert activity.status == Activity.Status.CANCELLED
    assert activity.cancel_reason == "台风“海葵”预警，改期再约"
    assert activity.cancelled_at is not None
    event = ActivityEvent.objects.get(activity=activity)
    assert (event.actor, event.from_status, event.to_status) == (actor, "scheduled", "cancelled")
    for signup, was in ((confirmed, CONFIRMED), (waitlisted, WAITLISTED)):
        signup.refresh_from_db()
        assert signup.status == CANCELLED
        last = signup.events.last()
        assert (last.actor, last.from_status, last.to_status) == (actor, was, CANCELLED)
    # Nobody moved up from the waitlist into a cancelled activity.
    assert not told(waiting, notifications.PROMOTED).exists()
    gave_up.refresh_from_db()
    assert gave_up.events.count() == 0
    for person in (going, waiting):
        notice = told(person, notifications.CANCELLED).get()
        assert notice.email == EmailMode.IMMEDIATELY
        assert notice.url == activity.get_absolute_url()
        with translation.override("en"):
            text = render_text(notice)
        assert text.startswith("“周末环境清洁” (")
        assert text.endswith("is cancelled: 台风“海葵”预警，改期再约")
    assert not told(gave_up.user, notifications.CANCELLED).exists()
    assert not told(actor, notifications.CANCELLED).exists()


def test_the_cancelled_kind_is_registered_to_mail_at_once():
    kind = get_kind(notifications.CANCELLED)
    assert kind.key == "volunteers.activity_cancelled"
    assert kind.default_email == EmailMode.IMMEDIATELY


def test_the_notice_is_rendered_from_stored_facts(steward, volunteer):
    activity = ActivityFactory(organiser=steward, title="楼道杂物清理")
    services.sign_up(activity_id=activity.pk, user=volunteer)
    services.cancel_activity(activity_id=activity.pk, actor=steward, reason="物业改期")
    # Later changes to the row do not rewrite what people were told.
    Activity.objects.filter(pk=activity.pk).update(title="改了名字", cancel_reason="别的")
    notice = told(volunteer, notifications.CANCELLED).get()
    assert notice.context["reason"] == "物业改期"
    with translation.override("en"):
        text = render_text(notice)
    assert "楼道杂物清理" in text
    assert "物业改期" in text


def test_a_reason_is_required(client, steward, activity, volunteer):
    services.sign_up(activity_id=activity.pk, user=volunteer)
    client.force_login(steward)

    response = client.post(url("activity_cancel_activity", activity.pk), {"reason": "   "})

    assert response.status_code == 200
    assert response.context["form"].errors
    activity.refresh_from_db()
    assert activity.status == Activity.Status.SCHEDULED
    assert SignUp.objects.get(activity=activity).status == CONFIRMED
    with pytest.raises(ValidationError):
        services.cancel_activity(activity_id=activity.pk, actor=steward, reason="  ")


@pytest.mark.parametrize("name", ["volunteer", "resident", "captain_3", "party_member", "newcomer"])
def test_nobody_else_may_cancel_an_activity(client, persona, name, activity, volunteer):
    signup = services.sign_up(activity_id=activity.pk, user=volunteer)
    client.force_login(persona(name))

    assert client.get(url("activity_cancel_activity", activity.pk)).status_code == 403
    response = client.post(url("activity_cancel_activity", activity.pk), {"reason": "不想办了"})

    assert response.status_code == 403
    activity.refresh_from_db()
    assert activity.status == Activity.Status.SCHEDULED
    signup.refresh_from_db()
    assert signup.status == CONFIRMED


def test_an_organiser_who_lost_their_role_cannot_cancel(client, steward, activity):
    RoleGrant.objects.filter(user=steward).delete()
    client.force_login(steward)
    response = client.post(url("activity_cancel_activity", activity.pk), {"reason": "不办了"})
    assert response.status_code == 403
    activity.refresh_from_db()
    assert activity.status == Activity.Status.SCHEDULED


def test_a_visitor_is_sent_to_sign_in_to_cancel(client, activity):
    response = client.post(url("activity_cancel_activity", activity.pk), {"reason": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    activity.refresh_from_db()
    assert activity.status == Activity.Status.SCHEDULED


def test_an_activity_under_way_cannot_be_cancelled(client, steward, activity, volunteer):
    signup = services.sign_up(activity_id=activity.pk, user=volunteer)
    begun(activity)
    client.force_login(steward)

    response = client.post(url("activity_cancel_activity", activity.pk), {"reason": "下雨"})

    assert response.status_code == 302
    assert shown_messages(response) == [
        in_chinese("This activity has begun; it can no longer be cancelled.")
    ]
    activity.refresh_from_db()
    assert activity.status == Activity.Status.SCHEDULED
    signup.refresh_from_db()
    assert signup.status == CONFIRMED
    with pytest.raises(ValidationError):
        services.cancel_activity(activity_id=activity.pk, actor=steward, reason="下雨")


def test_an_activity_with_someone_checked_in_cannot_be_cancelled(steward, activity, volunteer):
    signup = services.sign_up(activity_id=activity.pk, user=volunteer)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() + datetime.timedelta(hours=1),
        ends_at=timezone.now() + datetime.timedelta(hours=3),
    )
    services.check_in(signup_id=signup.pk, actor=steward)

    with pytest.raises(ValidationError):
        services.cancel_activity(activity_id=activity.pk, actor=steward, reason="下雨")

    activity.refresh_from_db()
    assert activity.status == Activity.Status.SCHEDULED
    signup.refresh_from_db()
    assert signup.status == ATTENDED


def test_an_activity_is_cancelled_once(client, steward, activity):
    services.cancel_activity(activity_id=activity.pk, actor=steward, reason="下雨")
    with pytest.raises(services.TransitionNotAllowed):
        services.cancel_activity(activity_id=activity.pk, actor=steward, reason="又下雨")
    client.force_login(steward)
    response = client.post(url("activity_cancel_activity", activity.pk), {"reason": "又下雨"})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.cancel_reason == "下雨"
    assert ActivityEvent.objects.filter(activity=activity).count() == 1


def test_the_database_refuses_a_cancellation_without_time_or_reason(activity):
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(status=Activity.Status.CANCELLED)


# --- What a cancelled activity looks like and refuses --------------------------------


def test_a_cancelled_activity_leaves_the_coming_list_and_shows_struck_in_the_past(
    client, volunteer, steward
):
    gone = ActivityFactory(organiser=steward, title="文明养宠宣传")
    ActivityFactory(organiser=steward, title="夜间停车巡查")
    services.cancel_activity(activity_id=gone.pk, actor=steward, reason="场地维修")
    client.force_login(volunteer)

    coming = client.get(url("activity_list")).content.decode()
    past = client.get(url("activity_list") + "?past=1").content.decode()

    assert "夜间停车巡查" in coming
    assert "文明养宠宣传" not in coming
    assert "<s>文明养宠宣传</s>" in past
    assert in_chinese("Cancelled") in past
    assert "夜间停车巡查" not in past


def test_the_past_list_with_cancelled_activities_stays_flat(client, volunteer, steward):
    def cancel_some(count):
        for _ in range(count):
            activity = ActivityFactory(organiser=UserFactory())
            SignUpFactory(activity=activity)
            services.cancel_activity(activity_id=activity.pk, actor=steward, reason="改期")

    cancel_some(1)
    small = count_queries(client, volunteer, url("activity_list") + "?past=1")
    cancel_some(8)
    large = count_queries(client, volunteer, url("activity_list") + "?past=1")
    assert_flat(small, large)


def test_a_cancelled_activity_page_shows_the_reason_and_offers_nothing_to_do(
    client, steward, volunteer
):
    activity = ActivityFactory(organiser=steward, title="探访独居长者")
    services.sign_up(activity_id=activity.pk, user=volunteer)
    services.cancel_activity(activity_id=activity.pk, actor=steward, reason="长者们外出体检")

    for user in (volunteer, steward):
        client.force_login(user)
        page = client.get(url("activity_detail", activity.pk)).content.decode()
        assert "长者们外出体检" in page
        assert "<s>探访独居长者</s>" in page
        assert url("activity_sign_up", activity.pk) not in page
        assert url("activity_cancel", activity.pk) not in page
        assert url("activity_edit", activity.pk) not in page
        assert url("activity_check_in", activity.pk) not in page
        assert url("activity_cancel_activity", activity.pk) not in page


def test_a_cancelled_activity_page_does_not_cost_more_queries(client, steward, volunteer):
    scheduled = ActivityFactory(organiser=steward)
    cancelled = ActivityFactory(organiser=steward)
    for person in team_members(6):
        services.sign_up(activity_id=cancelled.pk, user=person)
    services.cancel_activity(activity_id=cancelled.pk, actor=steward, reason="改期")
    small = count_queries(client, steward, url("activity_detail", scheduled.pk))
    large = count_queries(client, steward, url("activity_detail", cancelled.pk))
    assert len(large) <= len(small)
    assert_flat(large, count_queries(client, steward, url("activity_detail", cancelled.pk)))


def test_a_cancelled_activity_refuses_sign_ups(client, steward, volunteer):
    activity = cancelled_activity(steward)
    client.force_login(volunteer)

    response = client.post(url("activity_sign_up", activity.pk))

    assert response.status_code == 302
    assert shown_messages(response) == [
        in_chinese("This activity was cancelled; sign-ups are closed.")
    ]
    assert not SignUp.objects.filter(activity=activity).exists()


def test_a_cancelled_activity_refuses_check_in(client, steward):
    activity = cancelled_activity(
        steward,
        starts_at=timezone.now() + datetime.timedelta(minutes=30),
        ends_at=timezone.now() + datetime.timedelta(hours=2),
    )
    # A place left confirmed (as an old row might be): check-in still refuses it.
    signup = SignUpFactory(activity=activity, status=CONFIRMED)
    client.force_login(steward)

    page = client.get(url("activity_check_in", activity.pk))
    assert page.status_code == 302
    response = client.post(url("activity_check_in_by_hand", activity.pk, signup.pk))

    assert response.status_code == 302
    signup.refresh_from_db()
    assert signup.status == CONFIRMED
    assert not ServiceEntry.objects.filter(signup=signup).exists()
    with pytest.raises(ValidationError):
        services.check_in(signup_id=signup.pk, actor=steward)


def test_a_cancelled_activity_refuses_edits(client, steward):
    activity = cancelled_activity(steward, title="楼道清理")
    client.force_login(steward)
    fields = {
        "title": "改个名字",
        "category": activity.category,
        "starts_at": timezone.localtime(activity.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(activity.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "place": activity.place,
        "capacity": activity.capacity,
        "description": "",
    }

    assert client.get(url("activity_edit", activity.pk)).status_code == 302
    response = client.post(url("activity_edit", activity.pk), fields)

    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "楼道清理"
    with pytest.raises(ValidationError):
        services.update_activity(
            activity_id=activity.pk,
            actor=steward,
            **{name: getattr(activity, name) for name in services.ACTIVITY_FIELDS},
        )


def test_the_calendar_file_of_a_cancelled_activity_says_cancelled(client, steward, volunteer):
    activity = ActivityFactory(organiser=steward, title="周末环境清洁")
    services.cancel_activity(activity_id=activity.pk, actor=steward, reason="台风预警")
    client.force_login(volunteer)

    response = client.get(url("activity_ics", activity.pk))

    calendar = icalendar.Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"
    assert str(event["summary"]).startswith("周末环境清洁")
    assert "台风预警" in str(event["description"])


def test_the_calendar_file_of_a_scheduled_activity_has_no_status(client, volunteer, activity):
    client.force_login(volunteer)
    calendar = icalendar.Calendar.from_ical(client.get(url("activity_ics", activity.pk)).content)
    (event,) = calendar.walk("VEVENT")
    assert "status" not in event


def test_the_reminder_skips_a_cancelled_activity(steward):
    soon = {
        "starts_at": timezone.now() + datetime.timedelta(hours=5),
        "ends_at": timezone.now() + datetime.timedelta(hours=7),
    }
    kept = SignUpFactory(activity=ActivityFactory(organiser=steward, **soon))
    # Left confirmed on purpose: the selector itself must skip the cancelled activity.
    called_off = SignUpFactory(activity=cancelled_activity(steward, **soon), status=CONFIRMED)

    due = list(selectors.signups_due_reminder(now=timezone.now()))

    assert due == [kept]
    assert tasks.send_due_reminders() == 1
    called_off.refresh_from_db()
    assert called_off.reminded_at is None
    assert not told(called_off.user, notifications.REMINDER).exists()
