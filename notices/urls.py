from django.urls import path

from notices import relay_views, views

app_name = "notices"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("unread/", views.unread_badge, name="unread_badge"),
    path("<int:notification_id>/open/", views.open_notification, name="open"),
    path("<int:notification_id>/read/", views.mark_read, name="mark_read"),
    path("preferences/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("announcements/", views.announcement_list, name="announcement_list"),
    path("announcements/new/", views.announcement_create, name="announcement_create"),
    path("announcements/coverage/", views.estate_coverage, name="estate_coverage"),
    path(
        "announcements/<int:announcement_id>/",
        views.announcement_detail,
        name="announcement_detail",
    ),
    path(
        "announcements/<int:announcement_id>/edit/",
        views.announcement_edit,
        name="announcement_edit",
    ),
    path(
        "announcements/<int:announcement_id>/withdraw/",
        views.announcement_withdraw,
        name="announcement_withdraw",
    ),
    path(
        "announcements/<int:announcement_id>/files/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
    path(
        "announcements/<int:announcement_id>/files/<int:attachment_id>/thumbnail/",
        views.attachment,
        {"variant": "thumbnail"},
        name="attachment_thumbnail",
    ),
    path(
        "announcements/<int:announcement_id>/print/",
        views.announcement_print,
        name="announcement_print",
    ),
    path(
        "announcements/<int:announcement_id>/reach/",
        views.door_knock_list,
        name="door_knock",
    ),
    path(
        "announcements/<int:announcement_id>/reach/<int:household_id>/",
        views.mark_household,
        name="mark_household",
    ),
    path(
        "announcements/<int:announcement_id>/relay/",
        relay_views.relay_page,
        name="relay",
    ),
    path(
        "announcements/<int:announcement_id>/coverage/",
        views.announcement_coverage,
        name="coverage",
    ),
]
