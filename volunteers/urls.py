from django.urls import path

from volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("", views.index, name="index"),
    path("apply/", views.apply, name="apply"),
    path("leave/", views.leave_team, name="leave_team"),
    path("applications/", views.applications, name="applications"),
    path(
        "applications/<int:volunteer_id>/approve/",
        views.application_approve,
        name="application_approve",
    ),
    path(
        "applications/<int:volunteer_id>/decline/",
        views.application_decline,
        name="application_decline",
    ),
    path("roster/", views.roster, name="roster"),
    path("captain/message/", views.message_captain, name="message_captain"),
    path("captain/messages/", views.captain_messages, name="captain_messages"),
    path("captain/messages/<int:message_id>/reply/", views.captain_reply, name="captain_reply"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/<int:activity_id>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:activity_id>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:activity_id>/sign-up/", views.activity_sign_up, name="activity_sign_up"),
    path("activities/<int:activity_id>/cancel/", views.activity_cancel, name="activity_cancel"),
    path(
        "activities/<int:activity_id>/cancel-activity/",
        views.activity_cancel_activity,
        name="activity_cancel_activity",
    ),
    path(
        "activities/<int:activity_id>/check-in/",
        views.activity_check_in,
        name="activity_check_in",
    ),
    path(
        "activities/<int:activity_id>/check-in/<int:signup_id>/",
        views.activity_check_in_by_hand,
        name="activity_check_in_by_hand",
    ),
    path("activities/<int:activity_id>/calendar.ics", views.activity_ics, name="activity_ics"),
    path("check-in/<str:token>/", views.check_in_scan, name="check_in_scan"),
    path("calendar/", views.my_calendar, name="my_calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("hours/", views.ledger, name="ledger"),
    path("hours/<int:user_id>/", views.statement, name="statement"),
    path("buildings/", views.buildings, name="buildings"),
    path("buildings/<int:building_id>/", views.building, name="building"),
]
