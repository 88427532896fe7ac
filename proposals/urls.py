from django.urls import path

from proposals import views

app_name = "proposals"

urlpatterns = [
    path("", views.idea_list, name="idea_list"),
    path("new/", views.idea_create, name="idea_create"),
    path("record/", views.idea_record, name="idea_record"),
    path("similar/", views.similar_ideas, name="similar_ideas"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("moderation/", views.moderation_queue, name="moderation_queue"),
    path("triage/", views.triage_board, name="triage_board"),
    path("export.csv", views.idea_export, {"file_format": "csv"}, name="idea_export_csv"),
    path("export.xlsx", views.idea_export, {"file_format": "xlsx"}, name="idea_export_xlsx"),
    path("dashboards/", views.dashboard_ideas, name="dashboard_ideas"),
    path("dashboards/responses/", views.dashboard_responses, name="dashboard_responses"),
    path(
        "dashboards/participation/", views.dashboard_participation, name="dashboard_participation"
    ),
    path("dashboards/community/", views.dashboard_community, name="dashboard_community"),
    path("report/", views.monthly_report_latest, name="monthly_report_latest"),
    path("report/<int:year>-<int:month>/", views.monthly_report, name="monthly_report"),
    path("open-data/", views.open_data_page, name="open_data"),
    path("open-data/links/", views.open_data_link_create, name="open_data_link_create"),
    path(
        "open-data/links/<int:link_id>/revoke/",
        views.open_data_link_revoke,
        name="open_data_link_revoke",
    ),
    path(
        "open-data/ideas.csv",
        views.open_data_download,
        {"file_format": "csv"},
        name="open_data_csv",
    ),
    path(
        "open-data/ideas.json",
        views.open_data_download,
        {"file_format": "json"},
        name="open_data_json",
    ),
    path(
        "open-data/shared/<str:token>/ideas.csv",
        views.open_data_shared,
        {"file_format": "csv"},
        name="open_data_shared_csv",
    ),
    path(
        "open-data/shared/<str:token>/ideas.json",
        views.open_data_shared,
        {"file_format": "json"},
        name="open_data_shared_json",
    ),
    path("<int:idea_id>/", views.idea_detail, name="idea_detail"),
    path("<int:idea_id>/support/", views.idea_support, name="idea_support"),
    path("<int:idea_id>/withdraw/", views.idea_withdraw, name="idea_withdraw"),
    path("<int:idea_id>/comments/", views.comment_create, name="comment_create"),
    path("<int:idea_id>/report/", views.idea_report, name="idea_report"),
    path("<int:idea_id>/moderate/", views.idea_moderate, name="idea_moderate"),
    path("<int:idea_id>/triage/", views.idea_triage, name="idea_triage"),
    path("<int:idea_id>/notes/", views.idea_note, name="idea_note"),
    path("comments/<int:comment_id>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:comment_id>/report/", views.comment_report, name="comment_report"),
    path("comments/<int:comment_id>/moderate/", views.comment_moderate, name="comment_moderate"),
]
