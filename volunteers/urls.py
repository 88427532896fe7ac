from django.urls import path

from volunteers.views import activities, building, calendars, hours, team

app_name = "volunteers"

urlpatterns = [
    path("", team.index, name="index"),
    path("apply/", team.apply, name="apply"),
    path("leave/", team.leave_team, name="leave_team"),
    path("applications/", team.applications, name="applications"),
    path(
        "applications/<int:volunteer_id>/approve/",
        team.application_approve,
        name="application_approve",
    ),
    path(
        "applications/<int:volunteer_id>/decline/",
        team.application_decline,
        name="application_decline",
    ),
    path("roster/", team.roster, name="roster"),
    path("captain/message/", team.message_captain, name="message_captain"),
    path("captain/messages/", team.captain_messages, name="captain_messages"),
    path("captain/messages/<int:message_id>/reply/", team.captain_reply, name="captain_reply"),
    path("activities/", activities.activity_list, name="activity_list"),
    path("activities/new/", activities.activity_create, name="activity_create"),
    path("activities/<int:activity_id>/", activities.activity_detail, name="activity_detail"),
    path("activities/<int:activity_id>/edit/", activities.activity_edit, name="activity_edit"),
    path(
        "activities/<int:activity_id>/sign-up/",
        activities.activity_sign_up,
        name="activity_sign_up",
    ),
    path(
        "activities/<int:activity_id>/cancel/", activities.activity_cancel, name="activity_cancel"
    ),
    path(
        "activities/<int:activity_id>/cancel-activity/",
        activities.activity_cancel_activity,
        name="activity_cancel_activity",
    ),
    path(
        "activities/<int:activity_id>/check-in/",
        activities.activity_check_in,
        name="activity_check_in",
    ),
    path(
        "activities/<int:activity_id>/check-in/<int:signup_id>/",
        activities.activity_check_in_by_hand,
        name="activity_check_in_by_hand",
    ),
    path("activities/<int:activity_id>/calendar.ics", calendars.activity_ics, name="activity_ics"),
    path("check-in/<str:token>/", activities.check_in_scan, name="check_in_scan"),
    path("calendar/", calendars.my_calendar, name="my_calendar"),
    path("calendar/<str:token>.ics", calendars.calendar_feed, name="calendar_feed"),
    path("hours/", hours.ledger, name="ledger"),
    path("hours/<int:user_id>/", hours.statement, name="statement"),
    path("buildings/", building.buildings, name="buildings"),
    path("buildings/<int:building_id>/", building.building, name="building"),
]
