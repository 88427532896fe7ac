"""The team, sign-ups with their waitlist, check-in and the hours it credits."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.conftest import fresh
from tests.volunteers.factories import ActivityFactory, SignUpFactory, team_members
from volunteers import selectors, services, tasks
from volunteers.models import ServiceEntry, SignUp, SignUpEvent, Volunteer, VolunteerEvent

CONFIRMED, WAITLISTED = SignUp.Status.CONFIRMED, SignUp.Status.WAITLISTED
CANCELLED, ATTENDED = SignUp.Status.CANCELLED, SignUp.Status.ATTENDED


# --- The team ------------------------------------------------------------------------


def test_a_resident_applies_and_waits_for_an_answer(resident):
    volunteer = services.apply_to_team(user=resident, skills="急救", availability="周末")
    assert volunteer.status == Volunteer.Status.APPLIED
    assert not fresh(resident).has_perm("volunteers.sign_up")
    assert VolunteerEvent.objects.get(volunteer=volunteer).to_status == "applied"


def test_a_captain_who_fills_in_details_is_on_the_team_at_once(captain_3):
    volunteer = services.apply_to_team(user=captain_3, skills="组织", availability="晚上")
    assert volunteer.status == Volunteer.Status.APPROVED


def test_approval_puts_the_applicant_on_the_team_and_writes_history(applicant, party_member):
    volunteer = services.approve_volunteer(volunteer_id=applicant.volunteer.pk, actor=party_member)
    assert volunteer.decided_by == party_member
    assert fresh(applicant).has_perm("volunteers.sign_up")
    assert list(volunteer.events.values_list("to_status", flat=True)) == ["approved"]


def test_a_decision_is_final(applicant, party_member, admin_user):
    services.approve_volunteer(volunteer_id=applicant.volunteer.pk, actor=party_member)
    with pytest.raises(services.TransitionNotAllowed):
        services.decline_volunteer(
            volunteer_id=applicant.volunteer.pk, actor=admin_user, reason="重复"
        )


def test_declining_needs_a_reason(applicant, party_member):
    with pytest.raises(ValidationError):
        services.decline_volunteer(
            volunteer_id=applicant.volunteer.pk, actor=party_member, reason=" "
        )


def test_a_declined_resident_applies_again(applicant, party_member):
    services.decline_volunteer(
        volunteer_id=applicant.volunteer.pk, actor=party_member, reason="请入住后再报名"
    )
    again = services.apply_to_team(user=fresh(applicant), skills="摄影", availability="周日")
    assert again.status == Volunteer.Status.APPLIED
    assert again.decline_reason == ""


# --- Sign-up and the waitlist --------------------------------------------------------


def test_sign_ups_are_confirmed_until_full_then_waitlisted(activity):
    people = team_members(7)
    statuses = [services.sign_up(activity_id=activity.pk, user=u).status for u in people]
    assert statuses == [CONFIRMED] * 5 + [WAITLISTED] * 2


def test_nobody_signs_up_twice(activity, volunteer):
    services.sign_up(activity_id=activity.pk, user=volunteer)
    with pytest.raises(ValidationError):
        services.sign_up(activity_id=activity.pk, user=volunteer)


def test_sign_up_closes_when_the_activity_begins(steward, volunteer):
    begun = ActivityFactory(
        organiser=steward, starts_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(ValidationError):
        services.sign_up(activity_id=begun.pk, user=volunteer)


def test_a_cancellation_promotes_the_first_in_the_waitlist(activity):
    people = team_members(8)
    signups = [services.sign_up(activity_id=activity.pk, user=u) for u in people]
    services.cancel_signup(signup_id=signups[1].pk, actor=people[1])
    statuses = {s.user_id: s.status for s in SignUp.objects.filter(activity=activity)}
    assert statuses[people[5].pk] == CONFIRMED  # first in the waitlist
    assert statuses[people[6].pk] == WAITLISTED
    assert statuses[people[1].pk] == CANCELLED
    promoted = SignUpEvent.objects.filter(signup=signups[5]).last()
    assert (promoted.from_status, promoted.to_status) == (WAITLISTED, CONFIRMED)


def test_leaving_the_waitlist_promotes_nobody(activity):
    people = team_members(7)
    signups = [services.sign_up(activity_id=activity.pk, user=u) for u in people]
    services.cancel_signup(signup_id=signups[5].pk, actor=people[5])
    assert SignUp.objects.get(pk=signups[6].pk).status == WAITLISTED
    assert selectors.waitlist_position(signup=SignUp.objects.get(pk=signups[6].pk)) == 1


def test_a_new_sign_up_queues_behind_the_waitlist_even_when_a_place_is_free(activity):
    people = team_members(6)
    for user in people:
        services.sign_up(activity_id=activity.pk, user=user)
    # A place is freed by an organiser's capacity change without promotion running yet.
    SignUp.objects.filter(activity=activity, user=people[0]).update(status=CANCELLED)
    latecomer = team_members(1)[0]
    assert services.sign_up(activity_id=activity.pk, user=latecomer).status == WAITLISTED


def test_more_places_promote_from_the_waitlist(activity, steward):
    people = team_members(7)
    for user in people:
        services.sign_up(activity_id=activity.pk, user=user)
    fields = {name: getattr(activity, name) for name in services.ACTIVITY_FIELDS}
    services.update_activity(activity_id=activity.pk, actor=steward, **{**fields, "capacity": 6})
    assert SignUp.objects.filter(activity=activity, status=CONFIRMED).count() == 6
    assert SignUp.objects.get(activity=activity, user=people[5]).status == CONFIRMED


def test_fewer_places_than_confirmed_people_are_refused(activity, steward):
    for user in team_members(4):
        services.sign_up(activity_id=activity.pk, user=user)
    fields = {name: getattr(activity, name) for name in services.ACTIVITY_FIELDS}
    with pytest.raises(ValidationError):
        services.update_activity(
            activity_id=activity.pk, actor=steward, **{**fields, "capacity": 3}
        )
    activity.refresh_from_db()
    assert activity.capacity == 5


def test_a_change_to_an_activity_calls_the_notification_hook_after_commit(
    activity, steward, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr(services, "activity_changed", lambda **kw: calls.append(kw))
    fields = {name: getattr(activity, name) for name in services.ACTIVITY_FIELDS}
    with django_capture_on_commit_callbacks(execute=True):
        services.update_activity(
            activity_id=activity.pk, actor=steward, **{**fields, "place": "南门"}
        )
    assert calls == [{"activity_id": activity.pk, "fields": ["place"]}]


# --- Check-in and hours --------------------------------------------------------------


def test_check_in_credits_the_activity_length_once(activity, volunteer, steward):
    signup = services.sign_up(activity_id=activity.pk, user=volunteer)
    now = activity.starts_at
    services.check_in(signup_id=signup.pk, actor=steward, now=now)
    with pytest.raises(services.TransitionNotAllowed):
        services.check_in(signup_id=signup.pk, actor=steward, now=now)
    entry = ServiceEntry.objects.get(user=volunteer)
    assert entry.hours == Decimal("2.00")
    assert entry.served_on == timezone.localdate(activity.starts_at)
    signup.refresh_from_db()
    assert signup.status == ATTENDED and signup.checked_in_by == steward


def test_check_in_opens_two_hours_before_the_start(activity, volunteer, steward):
    signup = services.sign_up(activity_id=activity.pk, user=volunteer)
    with pytest.raises(ValidationError):
        services.check_in(
            signup_id=signup.pk, actor=steward, now=activity.starts_at - datetime.timedelta(hours=3)
        )
    assert not ServiceEntry.objects.exists()


def test_someone_on_the_waitlist_cannot_be_checked_in(activity, steward):
    signup = SignUpFactory(activity=activity, status=WAITLISTED)
    with pytest.raises(services.TransitionNotAllowed):
        services.check_in(signup_id=signup.pk, actor=steward, now=activity.starts_at)


def test_a_check_in_token_names_its_sign_up_and_cannot_be_forged(activity, volunteer):
    signup = services.sign_up(activity_id=activity.pk, user=volunteer)
    token = services.check_in_token(signup)
    assert services.signup_id_from_token(token) == signup.pk
    assert (
        services.signup_id_from_token(f"https://estate.example/volunteers/check-in/{token}/")
        == signup.pk
    )
    assert len(token) <= 16  # short enough to read out
    assert services.signup_id_from_token(token.upper()) == signup.pk
    forged = f"{signup.pk + 1}-{token.split('-', 1)[1]}"
    assert services.signup_id_from_token(forged) is None
    assert services.signup_id_from_token("nonsense") is None


@pytest.mark.parametrize(
    ("minutes", "hours"), [(30, "0.5"), (100, "1.5"), (105, "2"), (10, "0.5"), (60 * 30, "24")]
)
def test_an_activity_credits_its_length_to_the_half_hour(steward, minutes, hours):
    start = timezone.now()
    activity = ActivityFactory.build(
        organiser=steward, starts_at=start, ends_at=start + datetime.timedelta(minutes=minutes)
    )
    assert services.hours_for(activity) == Decimal(hours)


# --- The 24-hour reminder ------------------------------------------------------------


def test_the_reminder_is_due_within_24_hours_for_confirmed_places_only(steward):
    now = timezone.now()
    soon = ActivityFactory(organiser=steward, starts_at=now + datetime.timedelta(hours=23))
    later = ActivityFactory(organiser=steward, starts_at=now + datetime.timedelta(hours=25))
    due = SignUpFactory(activity=soon)
    SignUpFactory(activity=soon, status=WAITLISTED)
    SignUpFactory(activity=later)
    SignUpFactory(activity=soon, reminded_at=now)
    assert list(selectors.signups_due_reminder(now=now)) == [due]


def test_a_volunteer_promoted_within_the_last_day_is_reminded_by_the_next_run(activity):
    people = team_members(6)
    signups = [services.sign_up(activity_id=activity.pk, user=u) for u in people]
    services.cancel_signup(signup_id=signups[0].pk, actor=people[0])
    now = activity.starts_at - datetime.timedelta(hours=1)
    assert signups[5] in list(selectors.signups_due_reminder(now=now))


def test_a_new_start_time_brings_a_new_reminder(activity, volunteer, steward):
    signup = SignUpFactory(activity=activity, user=volunteer, reminded_at=timezone.now())
    fields = {name: getattr(activity, name) for name in services.ACTIVITY_FIELDS}
    later = activity.starts_at + datetime.timedelta(days=1)
    services.update_activity(
        activity_id=activity.pk,
        actor=steward,
        **{**fields, "starts_at": later, "ends_at": later + datetime.timedelta(hours=2)},
    )
    signup.refresh_from_db()
    assert signup.reminded_at is None


def test_the_reminder_task_claims_each_reminder_once(steward):
    soon = ActivityFactory(
        organiser=steward, starts_at=timezone.now() + datetime.timedelta(hours=5)
    )
    signups = [SignUpFactory(activity=soon) for _ in range(3)]
    assert tasks.send_due_reminders() == 3
    assert tasks.send_due_reminders() == 0
    assert all(SignUp.objects.get(pk=s.pk).reminded_at for s in signups)


def test_each_sign_up_gets_four_digits_unique_in_its_activity(activity, steward):
    from tests.factories import UserFactory

    codes = []
    for _ in range(5):
        signup = services.sign_up(activity_id=activity.pk, user=UserFactory())
        codes.append(signup.check_in_code)
    assert all(len(code) == 4 and code.isdigit() for code in codes)
    assert len(set(codes)) == 5


def test_a_typed_code_may_be_the_four_digits_or_the_long_code_of_before(activity, volunteer):
    signup = services.sign_up(activity_id=activity.pk, user=volunteer)
    by_digits = services.signup_id_from_code(activity=activity, code=signup.check_in_code)
    by_token = services.signup_id_from_code(activity=activity, code=services.check_in_token(signup))
    assert by_digits == by_token == signup.pk
    assert services.signup_id_from_code(activity=activity, code=" 12 ") is None


def test_new_codes_avoid_the_ones_taken():
    taken = {f"{n:04d}" for n in range(9998)}
    assert sorted(services.new_check_in_codes(2, taken=taken)) == ["9998", "9999"]
