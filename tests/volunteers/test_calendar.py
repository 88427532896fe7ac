"""iCalendar files: one activity's, and a person's secret feed, read by a real parser."""

import datetime
import zoneinfo

import icalendar
from django.urls import reverse
from django.utils import timezone

from tests.volunteers.factories import ActivityFactory
from volunteers import services

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def events(content: bytes):
    calendar = icalendar.Calendar.from_ical(content)
    return [component for component in calendar.walk("VEVENT")]


def test_an_activitys_ics_parses_with_its_times_in_asia_shanghai(client, resident, steward):
    # 01:30 UTC is 09:30 in Shanghai.
    start = datetime.datetime(2030, 5, 1, 1, 30, tzinfo=datetime.UTC)
    activity = ActivityFactory(
        organiser=steward,
        title="文明养宠宣传",
        place="中心花园",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
    )
    client.force_login(resident)
    response = client.get(reverse("volunteers:activity_ics", args=[activity.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert str(event["summary"]) == "文明养宠宣传"
    assert str(event["location"]) == "中心花园"
    starts, ends = event.decoded("dtstart"), event.decoded("dtend")
    assert (starts.hour, starts.minute, ends.hour) == (9, 30, 11)
    assert event["dtstart"].params["TZID"] == "Asia/Shanghai"
    assert starts == start
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]


def test_the_ics_is_refused_to_a_newcomer(client, newcomer, activity):
    client.force_login(newcomer)
    assert client.get(reverse("volunteers:activity_ics", args=[activity.pk])).status_code == 403


def test_the_personal_feed_lists_ones_activities_without_signing_in(client, volunteer, steward):
    mine = ActivityFactory(organiser=steward, title="夜间停车巡查")
    ActivityFactory(organiser=steward, title="别人的活动")
    services.sign_up(activity_id=mine.pk, user=volunteer)
    token = services.calendar_feed_of(user=volunteer).token
    response = client.get(reverse("volunteers:calendar_feed", args=[token]))
    assert response.status_code == 200
    titles = [str(event["summary"]) for event in events(response.content)]
    assert titles == ["夜间停车巡查"]
    [event] = events(response.content)
    assert event.decoded("dtstart").tzinfo.key == "Asia/Shanghai"
    assert event.decoded("dtstart") == mine.starts_at.replace(microsecond=0)


def test_a_cancelled_place_leaves_the_feed(client, volunteer, activity):
    signup = services.sign_up(activity_id=activity.pk, user=volunteer)
    services.cancel_signup(signup_id=signup.pk, actor=volunteer)
    token = services.calendar_feed_of(user=volunteer).token
    response = client.get(reverse("volunteers:calendar_feed", args=[token]))
    assert events(response.content) == []


def test_a_new_feed_address_retires_the_old_one(client, volunteer):
    old = services.calendar_feed_of(user=volunteer).token
    client.force_login(volunteer)
    page = client.get(reverse("volunteers:my_calendar")).content.decode()
    assert old in page
    client.post(reverse("volunteers:my_calendar"))
    client.logout()
    assert client.get(reverse("volunteers:calendar_feed", args=[old])).status_code == 404
    new = services.calendar_feed_of(user=volunteer).token
    assert new != old
    assert client.get(reverse("volunteers:calendar_feed", args=[new])).status_code == 200


def test_an_unknown_or_deactivated_feed_is_not_found(client, volunteer):
    assert client.get(reverse("volunteers:calendar_feed", args=["guess"])).status_code == 404
    token = services.calendar_feed_of(user=volunteer).token
    volunteer.is_active = False
    volunteer.save()
    assert client.get(reverse("volunteers:calendar_feed", args=[token])).status_code == 404


def test_the_feed_leaves_out_activities_long_past(client, volunteer, steward):
    old = ActivityFactory(organiser=steward)
    services.sign_up(activity_id=old.pk, user=volunteer)
    old.starts_at = timezone.now() - datetime.timedelta(days=90)
    old.ends_at = old.starts_at + datetime.timedelta(hours=2)
    old.save()
    token = services.calendar_feed_of(user=volunteer).token
    assert events(client.get(reverse("volunteers:calendar_feed", args=[token])).content) == []
