from django.urls import include, path

from proposals.deliberations import views as deliberations
from proposals.ideas import views as ideas
from proposals.insight import views as dashboards
from proposals.themes import views as themes

app_name = "proposals"

idea_patterns = [
    path("", ideas.idea_list, name="idea_list"),
    path("new/", ideas.idea_create, name="idea_create"),
    path("record/", ideas.idea_record, name="idea_record"),
    path("similar/", ideas.similar_ideas, name="similar_ideas"),
    path("campaigns/", ideas.campaign_list, name="campaign_list"),
    path("moderation/", ideas.moderation_queue, name="moderation_queue"),
    path("triage/", ideas.triage_board, name="triage_board"),
    path("export.csv", ideas.idea_export, {"file_format": "csv"}, name="idea_export_csv"),
    path("export.xlsx", ideas.idea_export, {"file_format": "xlsx"}, name="idea_export_xlsx"),
    path("dashboards/", dashboards.dashboard_ideas, name="dashboard_ideas"),
    path("dashboards/responses/", dashboards.dashboard_responses, name="dashboard_responses"),
    path(
        "dashboards/participation/",
        dashboards.dashboard_participation,
        name="dashboard_participation",
    ),
    path("dashboards/community/", dashboards.dashboard_community, name="dashboard_community"),
    path("dashboards/estates/", dashboards.district_overview_page, name="district_overview"),
    path("report/", dashboards.monthly_report_latest, name="monthly_report_latest"),
    path("report/<int:year>-<int:month>/", dashboards.monthly_report, name="monthly_report"),
    path("open-data/", dashboards.open_data_page, name="open_data"),
    path("open-data/links/", dashboards.open_data_link_create, name="open_data_link_create"),
    path(
        "open-data/links/<int:link_id>/revoke/",
        dashboards.open_data_link_revoke,
        name="open_data_link_revoke",
    ),
    path(
        "open-data/ideas.csv",
        dashboards.open_data_download,
        {"file_format": "csv"},
        name="open_data_csv",
    ),
    path(
        "open-data/ideas.json",
        dashboards.open_data_download,
        {"file_format": "json"},
        name="open_data_json",
    ),
    path(
        "open-data/shared/<str:token>/ideas.csv",
        dashboards.open_data_shared,
        {"file_format": "csv"},
        name="open_data_shared_csv",
    ),
    path(
        "open-data/shared/<str:token>/ideas.json",
        dashboards.open_data_shared,
        {"file_format": "json"},
        name="open_data_shared_json",
    ),
    path("themes/", themes.theme_list, name="theme_list"),
    path("themes/regroup/", themes.theme_regroup, name="theme_regroup"),
    path("themes/<int:theme_id>/", themes.theme_detail, name="theme_detail"),
    path("themes/<int:theme_id>/rename/", themes.theme_rename, name="theme_rename"),
    path("themes/<int:theme_id>/merge/", themes.theme_merge, name="theme_merge"),
    path("themes/<int:theme_id>/move/", themes.theme_move, name="theme_move"),
    path("themes/<int:theme_id>/promote/", themes.theme_promote, name="theme_promote"),
    path("<int:idea_id>/", ideas.idea_detail, name="idea_detail"),
    path("<int:idea_id>/photos/<int:photo_id>/", ideas.idea_photo, name="idea_photo"),
    path(
        "<int:idea_id>/photos/<int:photo_id>/thumbnail/",
        ideas.idea_photo,
        {"variant": "thumbnail"},
        name="idea_photo_thumbnail",
    ),
    path("<int:idea_id>/support/", ideas.idea_support, name="idea_support"),
    path("<int:idea_id>/withdraw/", ideas.idea_withdraw, name="idea_withdraw"),
    path("<int:idea_id>/comments/", ideas.comment_create, name="comment_create"),
    path("<int:idea_id>/report/", ideas.idea_report, name="idea_report"),
    path("<int:idea_id>/moderate/", ideas.idea_moderate, name="idea_moderate"),
    path("<int:idea_id>/triage/", ideas.idea_triage, name="idea_triage"),
    path("<int:idea_id>/notes/", ideas.idea_note, name="idea_note"),
    path("comments/<int:comment_id>/edit/", ideas.comment_edit, name="comment_edit"),
    path("comments/<int:comment_id>/report/", ideas.comment_report, name="comment_report"),
    path("comments/<int:comment_id>/moderate/", ideas.comment_moderate, name="comment_moderate"),
]

deliberation_patterns = [
    path("", deliberations.deliberation_list, name="deliberation_list"),
    path("new/", deliberations.deliberation_create, name="deliberation_create"),
    path("record/", deliberations.public_record, name="public_record"),
    path("<int:deliberation_id>/", deliberations.deliberation_detail, name="deliberation_detail"),
    path("<int:deliberation_id>/edit/", deliberations.deliberation_edit, name="deliberation_edit"),
    path(
        "<int:deliberation_id>/ideas/", deliberations.deliberation_ideas, name="deliberation_ideas"
    ),
    path(
        "<int:deliberation_id>/ideas/<int:idea_id>/unlink/",
        deliberations.deliberation_unlink,
        name="deliberation_unlink",
    ),
    path(
        "<int:deliberation_id>/representatives/",
        deliberations.representative_add,
        name="representative_add",
    ),
    path(
        "<int:deliberation_id>/representatives/<int:seat_id>/remove/",
        deliberations.representative_remove,
        name="representative_remove",
    ),
    path("<int:deliberation_id>/posts/", deliberations.deliberation_post, name="deliberation_post"),
    path(
        "<int:deliberation_id>/start/", deliberations.deliberation_start, name="deliberation_start"
    ),
    path(
        "<int:deliberation_id>/close/", deliberations.deliberation_close, name="deliberation_close"
    ),
    path(
        "<int:deliberation_id>/meetings/new/", deliberations.meeting_create, name="meeting_create"
    ),
    path(
        "meetings/<int:meeting_id>/minutes/", deliberations.meeting_minutes, name="meeting_minutes"
    ),
    path(
        "<int:deliberation_id>/resolution/", deliberations.resolution_edit, name="resolution_edit"
    ),
    path(
        "<int:deliberation_id>/resolution/sign/",
        deliberations.resolution_sign,
        name="resolution_sign",
    ),
    path(
        "<int:deliberation_id>/actions/new/",
        deliberations.action_item_create,
        name="action_item_create",
    ),
    path("actions/<int:item_id>/", deliberations.action_item_update, name="action_item_update"),
]

# Golden ideas and the deliberations they lead to, under their own prefixes.
urlpatterns = [
    path("ideas/", include(idea_patterns)),
    path("deliberations/", include(deliberation_patterns)),
]
